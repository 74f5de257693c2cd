package io.repayguard.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confluent's {@code schema.registry.ssl.*} keys: stores of each type load into a TLS context, and
 * every mistake is one line naming the key.
 */
class RegistryTlsTest {
  private static final String PASSWORD = "changeit-test";

  @TempDir static Path dir;
  private static Path keystore;
  private static Path pem;

  /** A key pair in a PKCS12 store and its certificate as PEM, made by the JDK's keytool. */
  @BeforeAll
  static void makeStores() throws Exception {
    keystore = dir.resolve("client.p12");
    pem = dir.resolve("client.pem");
    keytool(
        "-genkeypair",
        "-alias",
        "client",
        "-dname",
        "CN=localhost",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "client",
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        pem.toString());
  }

  @Test
  void shouldBeAbsentWithoutAStore() {
    assertThat(RegistryTls.from(Map.of("schema.registry.url", "https://r:8081"))).isEmpty();
  }

  @Test
  void shouldLoadAPkcs12KeyStoreAndAPemTrustStore() {
    // Given
    final RegistryTls tls =
        RegistryTls.from(
                Map.of(
                    "schema.registry.ssl.truststore.location",
                    pem.toString(),
                    "schema.registry.ssl.truststore.type",
                    "pem",
                    "schema.registry.ssl.keystore.location",
                    keystore.toString(),
                    "schema.registry.ssl.keystore.password",
                    PASSWORD,
                    "schema.registry.ssl.keystore.type",
                    "PKCS12"))
            .orElseThrow();

    // When
    final var context = tls.sslContext();

    // Then
    assertThat(context.getProtocol()).isEqualTo("TLS");
    assertThat(tls.keyPassword()).isEqualTo(PASSWORD);
    assertThat(tls.truststore().orElseThrow().type()).isEqualTo("PEM");
    assertThat(tls.toString()).doesNotContain(PASSWORD);
  }

  @Test
  void shouldNameTheKeyOfAMissingStore() {
    final RegistryTls tls =
        RegistryTls.from(
                Map.of(
                    "schema.registry.ssl.truststore.location",
                    dir.resolve("nowhere.p12").toString()))
            .orElseThrow();

    assertThatThrownBy(tls::sslContext)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.ssl.truststore.location")
        .hasMessageContaining("cannot read it")
        .hasMessageContaining("NoSuchFileException")
        .hasNoCause();
  }

  @Test
  void shouldSayAWrongPasswordInOneLine() {
    final RegistryTls tls =
        RegistryTls.from(
                Map.of(
                    "schema.registry.ssl.truststore.location", keystore.toString(),
                    "schema.registry.ssl.truststore.type", "PKCS12",
                    "schema.registry.ssl.truststore.password", "wrong"))
            .orElseThrow();

    assertThatThrownBy(tls::sslContext)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.ssl.truststore.location")
        .hasMessageContaining("password")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void shouldRefuseAPemKeyStoreAndAPemFileWithoutCertificates() throws IOException {
    final Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
    final RegistryTls pemKeys =
        RegistryTls.from(
                Map.of(
                    "schema.registry.ssl.keystore.location",
                    pem.toString(),
                    "schema.registry.ssl.keystore.type",
                    "PEM"))
            .orElseThrow();
    final RegistryTls noCertificate =
        RegistryTls.from(
                Map.of(
                    "schema.registry.ssl.truststore.location",
                    empty.toString(),
                    "schema.registry.ssl.truststore.type",
                    "PEM"))
            .orElseThrow();

    assertThatThrownBy(pemKeys::sslContext)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.ssl.keystore.type")
        .hasMessageContaining("JKS or PKCS12");
    assertThatThrownBy(noCertificate::sslContext)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.ssl.truststore.location");
  }

  private static void keytool(final String... args) throws Exception {
    final List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    final String said = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(said).isZero();
  }
}
