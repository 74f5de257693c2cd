# The repayguard image docker-compose.yml runs: the release `mvn package` builds
# (cli/target/repayguard-<version>.tar.gz), unpacked onto a Java 17 runtime, run as a non-root
# user. Every setting comes from the environment (README, Deploying).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests -Dspotless.check.skip=true \
 && mkdir /dist \
 && tar -xzf cli/target/repayguard-*.tar.gz -C /dist --strip-components=1

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/repayguard repayguard \
 && mkdir -p /var/lib/repayguard/state \
 && chown -R repayguard /var/lib/repayguard
COPY --from=build /dist /opt/repayguard
USER repayguard
WORKDIR /var/lib/repayguard
ENV REPAYGUARD_STATE_DIR=/var/lib/repayguard/state
ENTRYPOINT ["/opt/repayguard/bin/repayguard"]
CMD ["detect"]
