package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.TopicNames;
import io.repayguard.sim.SimTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: {@code docker-compose.yml} and the {@code Dockerfile}, checked without a Docker engine
 * (none runs on these machines): Debian's {@code docker-compose config -q} accepts the file ({@code
 * .ci/run} installs it when missing, so a missing one fails this test rather than skipping it),
 * every variable a repayguard service sets is one the application reads, ports, health checks and
 * Prometheus' targets agree, and the image is built from what {@code mvn package} makes.
 */
class ComposeFileTest {
  private static final Path ROOT = ComposeFile.ROOT;
  private static final Path COMPOSE = ComposeFile.PATH;
  private static final String IMAGE = "repayguard:latest";
  private static final Pattern ENV_NAME = Pattern.compile("\"(REPAYGUARD_[A-Z_]+)\"");

  private final ComposeFile compose = new ComposeFile();

  @Test
  void shouldBeAcceptedByDockerCompose(@TempDir final Path dir) throws Exception {
    final Path output = dir.resolve("compose.out");
    final Process check =
        new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config", "-q")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(Files.readString(output)).isZero();
  }

  @Test
  void shouldSetOnlyVariablesTheApplicationReads() throws IOException {
    final Set<String> read = variablesTheApplicationReads();
    final Set<String> kafka = new HashSet<>(StreamsConfig.configDef().names());
    kafka.addAll(ConsumerConfig.configNames());
    kafka.addAll(ProducerConfig.configNames());
    kafka.addAll(AdminClientConfig.configNames());

    for (final String service : repayguardServices()) {
      environment(service)
          .keySet()
          .forEach(
              name -> {
                if (name.startsWith(ConnectionOptions.CONFIG_ENV_PREFIX)) {
                  assertThat(ConnectionOptions.fromEnvironment(Map.of(name, "x")).keySet())
                      .as("%s sets %s: a Kafka or Kafka Streams property", service, name)
                      .allSatisfy(property -> assertThat(kafka).contains(property));
                } else {
                  assertThat(read).as("%s sets %s", service, name).contains(name);
                }
              });
    }
  }

  @Test
  void shouldRunTwoDetectorsOfOneApplicationWithPortsHealthChecksAndScrapesThatAgree()
      throws IOException {
    final List<String> detectors =
        repayguardServices().stream().filter(s -> List.of("detect").equals(command(s))).toList();
    assertThat(detectors).hasSize(2);
    final String prometheus =
        Files.readString(ROOT.resolve("deploy/prometheus.yml"), StandardCharsets.UTF_8);
    final Set<String> instances = new HashSet<>();
    final Set<String> applications = new HashSet<>();
    for (final String detector : detectors) {
      final Map<String, String> env = environment(detector);
      final String port = env.get("REPAYGUARD_HTTP_PORT");
      assertThat(env.get("REPAYGUARD_HTTP_HOST")).isEqualTo("0.0.0.0");
      assertThat(env.get("REPAYGUARD_HTTP_ADVERTISED_HOST"))
          .as("%s tells the other instances its own name, for queries they forward", detector)
          .isEqualTo(detector);
      assertThat(compose.at("/services/" + detector + "/ports").toString())
          .as("%s publishes its HTTP port", detector)
          .contains(":" + port + "\"");
      assertThat(compose.at("/services/" + detector + "/healthcheck/test").toString())
          .contains("/dev/tcp/127.0.0.1/" + port, "/health/ready", " 200 ");
      assertThat(prometheus).contains("\"" + detector + ":" + port + "\"");
      assertThat(compose.at("/services/" + detector + "/volumes").toString())
          .as("%s keeps its state on a volume of its own", detector)
          .contains(detector + "-state:" + env.get("REPAYGUARD_STATE_DIR"));
      assertThat(env.get("REPAYGUARD_CONFIG_NUM_STANDBY_REPLICAS")).isEqualTo("1");
      instances.add(env.get("REPAYGUARD_INSTANCE_ID"));
      applications.add(env.get("REPAYGUARD_APPLICATION_ID"));
    }
    assertThat(instances).hasSize(2).doesNotContainNull();
    assertThat(applications).hasSize(1).doesNotContainNull();
  }

  @Test
  void shouldCreateEveryTopicTheDetectorAndTheSimulatorNeed() {
    final TopicNames t = TopicNames.defaults();
    assertThat(compose.initTopics())
        .containsExactlyInAnyOrder(
            t.creditUse(),
            t.merchantOrder(),
            t.repaymentPlan(),
            t.ops(),
            t.alerts(),
            t.holdCommands(),
            t.dlq(),
            SimTopics.GROUND_TRUTH);
  }

  @Test
  void shouldBuildTheImageFromTheReleaseMavenPackageMakes() throws IOException {
    final String dockerfile = Files.readString(ROOT.resolve("Dockerfile"), StandardCharsets.UTF_8);
    final String cliPom = Files.readString(ROOT.resolve("cli/pom.xml"), StandardCharsets.UTF_8);
    final String assembly =
        Files.readString(ROOT.resolve("cli/src/assembly/dist.xml"), StandardCharsets.UTF_8);

    // the release: cli/target/repayguard-<version>.tar.gz with bin/repayguard at its top
    assertThat(cliPom).contains("<finalName>repayguard-${project.version}</finalName>");
    assertThat(assembly)
        .contains("<format>tar.gz</format>", "<outputDirectory>bin</outputDirectory>");
    assertThat(dockerfile)
        .contains("mvn -B -q package", "tar -xzf cli/target/repayguard-*.tar.gz")
        .contains("ENTRYPOINT [\"/opt/repayguard/bin/repayguard\"]")
        .containsPattern("(?m)^USER repayguard$");
    assertThat(ROOT.resolve("cli/src/dist/bin/repayguard")).isRegularFile();
    for (final String service : repayguardServices()) {
      assertThat(compose.at("/services/" + service + "/image").asText()).isEqualTo(IMAGE);
    }
    assertThat(compose.at("/services/detector-1/build").asText()).isEqualTo(".");
  }

  private List<String> repayguardServices() {
    final List<String> services = compose.servicesOf(IMAGE);
    assertThat(services).isNotEmpty();
    return services;
  }

  private Map<String, String> environment(final String service) {
    return compose.environment(service);
  }

  private List<String> command(final String service) {
    return compose.command(service);
  }

  /** Every REPAYGUARD_* name the main code and the release's launcher read. */
  private static Set<String> variablesTheApplicationReads() throws IOException {
    final Set<String> names = new HashSet<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (final Path file :
          files
              .filter(
                  p -> p.toString().contains("/src/main/java/") && p.toString().endsWith(".java"))
              .toList()) {
        final Matcher m = ENV_NAME.matcher(Files.readString(file, StandardCharsets.UTF_8));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    final String launcher =
        Files.readString(ROOT.resolve("cli/src/dist/bin/repayguard"), StandardCharsets.UTF_8);
    final Matcher m = Pattern.compile("\\$\\{(REPAYGUARD_[A-Z_]+)").matcher(launcher);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).contains("REPAYGUARD_BOOTSTRAP_SERVERS", "REPAYGUARD_JAVA_OPTS");
    return names;
  }
}
