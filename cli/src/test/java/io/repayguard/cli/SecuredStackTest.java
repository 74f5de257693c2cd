package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.repayguard.cli.RepayGuardCliTest.Run;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.stack.LocalSecurity;
import io.repayguard.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack on SASL_SSL (SCRAM-SHA-512, certificates made at its start) with Kafka's
 * StandardAuthorizer: the detector, {@code publish} and {@code tail} work with the {@code
 * client.properties} it writes; a detector works with only its ACLs ({@link
 * io.repayguard.detector.DetectorAcls}) and is refused anything else; a wrong password is one line
 * and exit 1. The stack's registry serves HTTPS with basic authentication, trusted through the
 * client file's PKCS12 store or {@code ca.pem}. The mTLS listener serves a client whose certificate
 * the CA signed and refuses one without.
 */
@Tag("integration")
class SecuredStackTest {

  private static LocalStack stack;

  @BeforeAll
  static void startStack(@TempDir final Path dir) {
    stack = StackCommand.start(0, 0, 1, dir.resolve("data"), true);
    stack.createAcls(StackCommand.detectorAcls());
  }

  @AfterAll
  static void stopStack() {
    stack.close();
  }

  @Test
  void shouldRunADetectorWithOnlyItsAclsAndRefuseItAnythingElse(@TempDir final Path dir) {
    // Given: a detector connecting as the user that has only a detector's ACLs
    final LocalSecurity security = stack.security().orElseThrow();
    final String id = LocalSecurity.DETECTOR_USER;
    try (DetectorRunner detector =
        DetectorRunner.start(
            BrokerHarness.config(TopicNames.forApplication(id)),
            new DetectorRunner.Settings(
                id, dir.resolve("state"), detectorProperties(security.detectorProperties())))) {

      // When: scenario 09 is published by the commands' user
      final Path commands = security.clientProperties();
      final Run published =
          cli(
              commands,
              "publish",
              BrokerHarness.scenario("09-account-mismatch-foreign.jsonl").toString(),
              "--barrier-group",
              id);

      // Then: it decided it
      assertThat(published.exitCode()).as(published.err()).isZero();
      final Run tailed =
          cli(commands, "tail", "repayment-alerts", "--from-beginning", "--exit-after-idle", "3s");
      assertThat(tailed.out()).contains("\"planId\":\"p9\"", "\"rule\":\"ACCOUNT_MISMATCH\"");
    }

    // and the same user may not write an input, nor read under another group
    final Map<String, Object> client =
        new HashMap<>(ConnectionOptions.readProperties(security.detectorProperties()));
    client.put("bootstrap.servers", stack.bootstrapServers());
    client.put("max.block.ms", 10_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(client, new ByteArraySerializer(), new ByteArraySerializer())) {
      assertThatThrownBy(
              () -> producer.send(new ProducerRecord<>("credit-use", new byte[] {1})).get())
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
    client.put("group.id", "someone-else");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(client, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("credit-use"));
      assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10)))
          .isInstanceOf(GroupAuthorizationException.class);
    }
  }

  @Test
  void shouldDetectPublishAndTailOverSaslSslAndRefuseAWrongPasswordInOneLine(
      @TempDir final Path dir) throws Exception {
    // Given: the client files the secured stack wrote, and a detector using the commands' one;
    // the registry is on HTTPS and asks for the same user, publish trusts it through ca.pem
    final LocalSecurity security = stack.security().orElseThrow();
    assertThat(security.caPem()).content().startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(stack.schemaRegistryUrl()).startsWith("https://127.0.0.1:");
    final Path clientConfig = security.clientProperties();
    assertThat(ConnectionOptions.readProperties(clientConfig))
        .containsEntry("schema.registry.url", stack.schemaRegistryUrl())
        .containsEntry("basic.auth.credentials.source", "USER_INFO")
        .containsKeys("basic.auth.user.info", "schema.registry.ssl.truststore.location");
    final Path pemTrust = dir.resolve("pem.properties");
    Files.writeString(
        pemTrust,
        Files.readString(clientConfig)
                .replaceAll("(?m)^schema\\.registry\\.ssl\\.truststore\\..*$", "")
            + "schema.registry.ssl.truststore.type=PEM\n"
            + "schema.registry.ssl.truststore.location="
            + security.caPem()
            + "\n");
    try (DetectorRunner detector =
        DetectorRunner.start(
            BrokerHarness.config(TopicNames.defaults()),
            new DetectorRunner.Settings(
                "it-secured", dir.resolve("state"), detectorProperties(clientConfig)))) {

      // When: scenario 02 is published and the alerts are read, as user repayguard
      final Run published =
          cli(
              pemTrust,
              "publish",
              BrokerHarness.scenario("02-no-borrowing.jsonl").toString(),
              "--barrier-group",
              "it-secured");
      final Run tailed =
          cli(
              clientConfig,
              "tail",
              "repayment-alerts",
              "--from-beginning",
              "--exit-after-idle",
              "3s");

      // and read again with a client certificate on the mTLS listener, whose file names it
      final Run certified =
          RepayGuardCliTest.run(
              Map.of(),
              "tail",
              "repayment-alerts",
              "--from-beginning",
              "--exit-after-idle",
              "3s",
              "--client-config",
              security.mtlsClientProperties().toString());

      // Then: the scenario's alert, read over SASL_SSL and over mTLS
      assertThat(published.exitCode()).as(published.err()).isZero();
      assertThat(tailed.exitCode()).as(tailed.err()).isZero();
      assertThat(tailed.out()).contains("\"planId\":\"p2\"", "\"rule\":\"NO_BORROWING\"");
      assertThat(certified.exitCode()).as(certified.err()).isZero();
      assertThat(certified.out()).contains("\"planId\":\"p2\"", "\"rule\":\"NO_BORROWING\"");
    }

    // and the mTLS listener refuses a client without a certificate, in one line
    final Path noCertificate = dir.resolve("no-certificate.properties");
    Files.writeString(
        noCertificate,
        Files.readString(security.mtlsClientProperties())
            .replaceAll("(?m)^ssl\\.(keystore|key)\\..*$", ""));
    final Run anonymousTls =
        RepayGuardCliTest.run(
            Map.of(), "tail", "repayment-alerts", "--client-config", noCertificate.toString());
    assertThat(anonymousTls.exitCode()).isEqualTo(1);
    assertThat(anonymousTls.err().lines())
        .singleElement()
        .asString()
        .startsWith("repayguard: error: Kafka at " + stack.mtlsBootstrapServers().orElseThrow())
        .contains("ssl.keystore.*");

    // and a wrong password is refused in one line, exit 1
    final Path wrong = dir.resolve("wrong.properties");
    Files.writeString(
        wrong,
        Files.readString(clientConfig)
            .replaceAll("password=\"[^\"]*\"", "password=\"not-the-password\""));
    final Run refused = cli(wrong, "tail", "repayment-alerts");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err().lines())
        .singleElement()
        .asString()
        .startsWith("repayguard: error: Kafka at " + stack.bootstrapServers())
        .contains("refused to authenticate this client", "invalid credentials");

    // and so is a registry request without the registry's password
    final Path anonymous = dir.resolve("anonymous.properties");
    Files.writeString(
        anonymous, Files.readString(clientConfig).replaceAll("(?m)^basic\\.auth\\..*$", ""));
    final Run unauthorized =
        cli(anonymous, "publish", BrokerHarness.scenario("02-no-borrowing.jsonl").toString());
    assertThat(unauthorized.exitCode()).isEqualTo(1);
    assertThat(unauthorized.err().lines())
        .singleElement()
        .asString()
        .startsWith("repayguard: error: ")
        .contains("schema registry at " + stack.schemaRegistryUrl(), "HTTP 401");
  }

  /** The command line {@code args} against the stack, with {@code clientConfig}. */
  private static Run cli(final Path clientConfig, final String... args) {
    final List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--bootstrap-servers",
            stack.bootstrapServers(),
            "--schema-registry-url",
            stack.schemaRegistryUrl(),
            "--client-config",
            clientConfig.toString()));
    return RepayGuardCliTest.run(Map.of(), all.toArray(String[]::new));
  }

  /** A detector's properties: the stack's addresses and {@code clientConfig}'s security. */
  private static Map<String, Object> detectorProperties(final Path clientConfig) {
    final Map<String, Object> props = new HashMap<>(ConnectionOptions.readProperties(clientConfig));
    props.put("bootstrap.servers", stack.bootstrapServers());
    props.put("schema.registry.url", stack.schemaRegistryUrl());
    props.put("commit.interval.ms", 100);
    return props;
  }
}
