package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.Names;
import io.repayguard.scenario.ScenarioFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages of the command line, through {@code execute}, without a broker. */
class RepayGuardCliTest {

  record Run(int exitCode, String out, String err) {}

  static Run run(final Map<String, String> env, final String... args) {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final int code =
        RepayGuard.execute(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run run(final String... args) {
    return run(Map.of(), args);
  }

  @Test
  void shouldListCommandsInHelp() {
    final Run run = run("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("stack", "publish", "tail", "detect");
  }

  @Test
  void shouldLetBenchSkipThePeers() {
    final Run run = run("bench", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--[no-]peers");
  }

  @Test
  void shouldRefuseABadSizeOrRateForBenchInOneLineBeforeStartingABroker() {
    final Run both = run("bench", "--borrowings", "10", "--events", "10");
    final Run none = run("bench", "--borrowings", "0");
    final Run peers = run("bench", "--rate", "100", "--peers");

    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err())
        .isEqualTo(
            "repayguard: error: --borrowings and --events both size the run; give one"
                + System.lineSeparator());
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err())
        .isEqualTo("repayguard: error: --borrowings must be at least 1" + System.lineSeparator());
    assertThat(peers.exitCode()).isEqualTo(2);
    assertThat(peers.err()).startsWith("repayguard: error: --rate measures alert latency");
    assertThat(peers.err().lines()).hasSize(1);
    assertThat(both.out() + none.out() + peers.out()).doesNotContain("Kafka broker ready");
  }

  @Test
  void shouldPassConfigVariablesToKafkaAndStillRefuseALowerGuarantee() {
    final Run run =
        run(Map.of("REPAYGUARD_CONFIG_PROCESSING_GUARANTEE", "at_least_once"), "detect");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("repayguard: error: processing.guarantee=at_least_once");
    assertThat(
            ConnectionOptions.fromEnvironment(
                Map.of(
                    "REPAYGUARD_CONFIG_NUM_STANDBY_REPLICAS",
                    "1",
                    "REPAYGUARD_CONFIG_",
                    "x",
                    "OTHER",
                    "y")))
        .containsExactly(Map.entry("num.standby.replicas", "1"));
  }

  @Test
  void shouldRefuseABlankInstanceIdInOneLine() {
    final Run run = run("detect", "--instance-id", " ");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("repayguard: error: instance-id must not be blank" + System.lineSeparator());
  }

  @Test
  void shouldRefuseAnUnreadableHttpKeyStoreInOneLineBeforeLookingForKafka(@TempDir final Path dir) {
    final Path missing = dir.resolve("missing.p12");
    final Run run =
        run(
            "detect",
            "--http-port",
            "0",
            "--http-keystore",
            missing.toString(),
            "--bootstrap-servers",
            "127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "repayguard: error: http-keystore: cannot read " + missing + System.lineSeparator());
  }

  @Test
  void shouldExportASimulatedHistoryThatPublishCanRead(@TempDir final Path dir) {
    final Path file = dir.resolve("history.jsonl");

    final Run run = run("simulate", "--events", "200", "--seed", "7", "--to-file", file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    final List<ScenarioFile.Line> lines = ScenarioFile.read(file);
    assertThat(lines)
        .hasSizeGreaterThanOrEqualTo(200)
        .allMatch(l -> l instanceof ScenarioFile.Publish);
    assertThat(run.out()).contains("wrote " + lines.size() + " records to " + file);
  }

  @Test
  void shouldRefuseAnExportWithoutACountOrADirectory(@TempDir final Path dir) {
    final Run noCount = run("simulate", "--to-file", dir.resolve("h.jsonl").toString());
    final Run noDir =
        run("simulate", "--events", "5", "--to-file", dir.resolve("missing/h.jsonl").toString());

    assertThat(noCount.exitCode()).isEqualTo(2);
    assertThat(noCount.err())
        .isEqualTo("repayguard: error: --to-file needs --events N" + System.lineSeparator());
    assertThat(noDir.exitCode()).isEqualTo(2);
    assertThat(noDir.err()).contains("its directory does not exist");
  }

  @Test
  void shouldRefuseMissingCommandWithExitCode2() {
    final Run run = run();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("repayguard: a command is required");
  }

  @Test
  void shouldRefuseUnknownFlagInOneLineAndAHint() {
    final Run run = run("detect", "--bogus");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "repayguard: Unknown option: '--bogus'", "Try 'repayguard detect --help'.");
  }

  @Test
  void shouldRefuseBadDurationWithoutStackTrace() {
    final Run run = run("detect", "--grace", "5 parsecs");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "repayguard: error: bad value for "
                + "grace: '5 parsecs' is not a duration (use PT5M, 5m, 30s or 500ms)");
  }

  @Test
  void shouldTakeSettingsFromEnvironmentWhenNoFlag() {
    final Run run = run(Map.of("REPAYGUARD_HOLD_SEVERITY", "urgent"), "detect", "--describe");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("hold-severity: 'urgent' is not one of LOW, MEDIUM, HIGH, CRITICAL");
  }

  @Test
  void shouldRefuseAnHttpPortThatIsNoNumberInOneLine() {
    final Run run = run(Map.of("REPAYGUARD_HTTP_PORT", "eighty"), "detect", "--describe");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .isEqualTo("repayguard: error: http-port: 'eighty' is not a port number")
        .doesNotContain("Exception");
  }

  @Test
  void shouldLetFlagWinOverEnvironmentAndFile(@TempDir final Path dir) throws IOException {
    // Given
    final Path file = dir.resolve("detector.properties");
    Files.writeString(file, "grace=PT1M\nhold.severity=LOW\nmax.fee.bps=100\n");
    final Map<String, String> env =
        Map.of("REPAYGUARD_GRACE", "PT2M", "REPAYGUARD_MAX_FEE_BPS", "200");

    // When
    final DetectSettings settings =
        DetectSettings.resolve(
            new DetectSettings.Flags(null, "PT3M", null, null, null, null),
            ConnectionOptions.readProperties(file),
            env);

    // Then
    assertThat(settings.config().grace()).hasMinutes(3);
    assertThat(settings.config().maxFeeBps()).isEqualTo(200);
    assertThat(settings.config().holdSeverity().name()).isEqualTo("LOW");
    assertThat(settings.passThrough()).isEmpty();
  }

  @Test
  void shouldRefuseUnreadableFile() {
    final Run run = run("publish", "no-such-file.jsonl");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .containsExactly("repayguard: error: cannot read no-such-file.jsonl");
  }

  @Test
  void shouldRefuseALowerProcessingGuaranteeFromAConfigFile(@TempDir final Path dir)
      throws IOException {
    // Given: no broker is running; the check comes first
    final Path config = dir.resolve("detector.properties");
    Files.writeString(config, "processing.guarantee=at_least_once\n");

    // When
    final Run run =
        run("detect", "--config", config.toString(), "--bootstrap-servers", "127.0.0.1:1");

    // Then
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "repayguard: error: "
                + "processing.guarantee=at_least_once is refused: the detector writes alerts and hold "
                + "commands exactly once (exactly_once_v2, DESIGN.md rule 8); remove the setting");
  }

  @Test
  void shouldNameTheBadLineOfAFileBeforeConnecting(@TempDir final Path dir) throws IOException {
    // Given: line 2 lacks amountMinor; no broker is running
    final Path file = dir.resolve("bad.jsonl");
    Files.writeString(
        file,
        """
        {"topic":"credit-use","key":"c1","value":{"creditId":"c1","accountId":"a1","identityId":"i","merchantOrderId":null,"amountMinor":1,"currency":"CNY","installmentCount":3,"status":"APPROVED","eventTime":1}}
        {"topic":"credit-use","key":"c2","value":{"creditId":"c2","accountId":"a1","identityId":"i","merchantOrderId":null,"currency":"CNY","installmentCount":3,"status":"APPROVED","eventTime":1}}
        """);

    // When
    final Run run = run("publish", file.toString(), "--bootstrap-servers", "127.0.0.1:1");

    // Then
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "repayguard: error: " + file + ": line 2: missing field CreditUse.amountMinor");
  }

  @Test
  void shouldSayOnceThatKafkaIsUnreachable() {
    final Run run = run("tail", "repayment-alerts", "--bootstrap-servers", "127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "repayguard: error: cannot reach "
                + "Kafka at 127.0.0.1:1 (is ./repayguard stack running?) (--verbose shows details)");
  }

  @Test
  void shouldShowStackTraceOnlyWithVerbose() {
    final Run run =
        run("tail", "repayment-alerts", "--bootstrap-servers", "127.0.0.1:1", "--verbose");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("\tat io.repayguard.cli.Preflight.requireKafka");
  }

  @Test
  void shouldRefuseZeroPartitions() {
    final Run run = run("stack", "--partitions", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--partitions must be at least 1, got 0");
  }

  @Test
  void shouldNameTheDetectorsOwnTopicsAfterItsApplicationId() {
    final DetectSettings one =
        DetectSettings.resolve(
            new DetectSettings.Flags("fraud-eu", null, null, null, null, null), Map.of(), Map.of());
    final DetectSettings other =
        DetectSettings.resolve(
            new DetectSettings.Flags(null, null, null, null, null, null),
            Map.of(),
            Map.of("REPAYGUARD_APPLICATION_ID", "fraud-us"));

    assertThat(one.config().topics().facts()).isEqualTo("fraud-eu-facts");
    assertThat(one.config().topics().orderLinks()).isEqualTo("fraud-eu-order-links");
    assertThat(other.config().topics().facts()).isEqualTo("fraud-us-facts");
    assertThat(other.config().topics().orderLinks()).isEqualTo("fraud-us-order-links");
    assertThat(one.config().topics().alerts()).isEqualTo(other.config().topics().alerts());
  }

  @Test
  void shouldKeepTheOldNamesOfTheDetectorsTopicsReachableByConfiguration(@TempDir final Path dir)
      throws IOException {
    final Path file = dir.resolve("detector.properties");
    Files.writeString(
        file,
        "application.id=fraud-eu\n"
            + "topic.repayguard-facts=repayguard-facts\n"
            + "topic.repayguard-order-links=repayguard-order-links\n");

    final DetectSettings settings =
        DetectSettings.resolve(
            new DetectSettings.Flags(null, null, null, null, null, null),
            ConnectionOptions.readProperties(file),
            Map.of());

    assertThat(settings.applicationId()).isEqualTo("fraud-eu");
    assertThat(settings.config().topics().facts()).isEqualTo("repayguard-facts");
    assertThat(settings.config().topics().orderLinks()).isEqualTo("repayguard-order-links");
    assertThat(settings.passThrough()).isEmpty();
  }

  @Test
  void shouldDescribeTheTopologyWithTopicsNamedAfterTheApplicationId() {
    final Run run = run("detect", "--describe", "--application-id", "fraud-eu");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("fraud-eu-facts", "fraud-eu-order-links");
    assertThat(run.out()).doesNotContain("repayguard-facts");
  }

  @Test
  void shouldDescribeTopologyWithEveryNamedNode() throws IllegalAccessException {
    final Run run = run("detect", "--describe");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains(allNames());
  }

  private static List<String> allNames() throws IllegalAccessException {
    final List<String> names = new ArrayList<>();
    for (final Field field : Names.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        names.add((String) field.get(null));
      }
    }
    assertThat(names).hasSizeGreaterThan(20);
    return names;
  }
}
