package io.repayguard.detector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorSerdes;
import io.repayguard.detector.DetectorTopology;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector's HTTP over TLS, with a key store made by the JDK's own {@code keytool}: served only
 * as HTTPS, trusted through the store, the bearer token still required.
 */
class HttpsTest {
  private static final String PASSWORD = "store-secret";
  private static final String TOKEN = "let-me-in";

  @Test
  void shouldServeHttpsWithTheKeyStoreAndStillAskForTheToken(@TempDir final Path dir)
      throws Exception {
    // Given: a detector's HTTP served with a key store for 127.0.0.1, and a token
    final Path store = keyStore(dir);
    final HttpTls tls = HttpTls.fromKeyStore(store, PASSWORD.toCharArray());
    try (KafkaStreams streams = unstarted(dir);
        DetectorHttpServer server =
            DetectorHttpServer.start(
                DetectorHttpServer.bind(new InetSocketAddress("127.0.0.1", 0), Optional.of(tls)),
                streams,
                Optional.of(TOKEN),
                Optional.empty())) {
      final URI base = server.uri();
      final HttpClient trusting = HttpClient.newBuilder().sslContext(tls.client()).build();

      // Then: HTTPS, trusted through the store; the probes open, the rest behind the token
      assertThat(base.getScheme()).isEqualTo("https");
      assertThat(get(trusting, base.resolve("/health/live"), null).statusCode()).isEqualTo(200);
      assertThat(get(trusting, base.resolve("/metrics"), null).statusCode()).isEqualTo(401);
      assertThat(get(trusting, base.resolve("/metrics"), TOKEN).statusCode()).isEqualTo(200);

      // and a client that does not trust the certificate, or speaks plain HTTP, gets nothing
      assertThatThrownBy(() -> get(HttpClient.newHttpClient(), base.resolve("/health/live"), null))
          .isInstanceOf(SSLHandshakeException.class);
      final URI plain = URI.create("http://127.0.0.1:" + base.getPort() + "/health/live");
      assertThatThrownBy(() -> get(HttpClient.newHttpClient(), plain, null))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void shouldSayInOneLineWhatIsWrongWithAKeyStore(@TempDir final Path dir) throws Exception {
    final Path store = keyStore(dir);

    assertThatThrownBy(() -> HttpTls.fromKeyStore(store, "wrong".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("http-keystore: " + store + " is not a PKCS12 or JKS key store")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> HttpTls.fromKeyStore(dir.resolve("missing.p12"), new char[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("http-keystore: cannot read " + dir.resolve("missing.p12"));
  }

  /** A PKCS12 store with a self-signed key for 127.0.0.1 and localhost, made by keytool. */
  static Path keyStore(final Path dir) throws Exception {
    final Path store = dir.resolve("http.p12");
    final Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "repayguard",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    final String said = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(said).isZero();
    return store;
  }

  private static KafkaStreams unstarted(final Path dir) {
    final Map<String, Object> serdes = Map.of("schema.registry.url", "http://127.0.0.1:1");
    final Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "https-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
    return new KafkaStreams(
        DetectorTopology.build(
            DetectorConfig.defaults(DetectorConfig.SourcePartitions.single()),
            DetectorSerdes.fromConfig(serdes)),
        props);
  }

  private static HttpResponse<String> get(
      final HttpClient client, final URI uri, final String token) throws Exception {
    final HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
