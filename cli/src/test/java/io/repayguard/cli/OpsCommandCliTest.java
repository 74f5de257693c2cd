package io.repayguard.cli;

import static io.repayguard.cli.RepayGuardCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.cli.RepayGuardCliTest.Run;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ack} and {@code resolve}: input checked before Kafka, exit codes, one-line errors. */
class OpsCommandCliTest {
  private static final String NO_KAFKA = "127.0.0.1:1";

  @Test
  void shouldRefuseAnUnknownRuleAndListTheValidOnes() {
    // When
    final Run run =
        run(
            "resolve",
            "--plan",
            "p1",
            "--rule",
            "REVERSED",
            "--analyst",
            "li.wei",
            "--reason",
            "checked",
            "--bootstrap-servers",
            NO_KAFKA);

    // Then
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "repayguard: error: unknown rule "
                + "'REVERSED': use one of NO_BORROWING, BORROWING_REVERSED, ORDER_NOT_PAID, "
                + "ACCOUNT_MISMATCH, AMOUNT_EXCEEDS_BORROWING, DUPLICATE_PLAN");
  }

  @Test
  void shouldRefuseABlankReason() {
    // When
    final Run run =
        run(
            "ack",
            "--plan",
            "p1",
            "--rule",
            "ACCOUNT_MISMATCH",
            "--analyst",
            "li.wei",
            "--reason",
            "  ",
            "--bootstrap-servers",
            NO_KAFKA);

    // Then
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .containsExactly("repayguard: error: --reason must not be blank");
  }

  @Test
  void shouldRefuseAMissingPlanWithAHint() {
    // When
    final Run run =
        run("resolve", "--rule", "NO_BORROWING", "--analyst", "li.wei", "--reason", "checked");

    // Then
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "repayguard: Missing required option: '--plan=PLAN'",
            "Try 'repayguard resolve --help'.");
  }

  @Test
  void shouldAskForTheAnalystWhenNeitherFlagNorEnvironmentNamesOne() {
    // When
    final Run run =
        run(
            "resolve",
            "--plan",
            "p1",
            "--rule",
            "NO_BORROWING",
            "--reason",
            "checked",
            "--bootstrap-servers",
            NO_KAFKA);

    // Then
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .containsExactly("repayguard: error: --analyst is required (or set REPAYGUARD_ANALYST)");
  }

  @Test
  void shouldTakeTheAnalystFromTheEnvironmentAndTheRuleInAnyCaseThenNeedKafka() {
    // When: the input is good, so only the unreachable broker stops it
    final Run run =
        run(
            Map.of("REPAYGUARD_ANALYST", "li.wei"),
            "ack",
            "--plan",
            "p1",
            "--rule",
            "account_mismatch",
            "--reason",
            "calling the customer",
            "--bootstrap-servers",
            NO_KAFKA);

    // Then
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "repayguard: error: cannot reach "
                + "Kafka at 127.0.0.1:1 (is ./repayguard stack running?) (--verbose shows details)");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void shouldListAckAndResolveInHelp() {
    // When
    final Run run = run("--help");

    // Then
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("ack", "resolve");
  }
}
