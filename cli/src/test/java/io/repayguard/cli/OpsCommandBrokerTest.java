package io.repayguard.cli;

import static io.repayguard.cli.RepayGuardCliTest.run;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.repayguard.cli.RepayGuardCliTest.Run;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.CreditStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.scenario.AvroToJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./repayguard resolve} against a real broker and a running detector: the alert is
 * resolved and the plan released, and a retry with the printed commandId changes nothing.
 */
@Tag("integration")
class OpsCommandBrokerTest {

  @Test
  void shouldResolveFromTheCommandLineAndIgnoreARetryWithTheSameCommandId(
      @TempDir final Path dir) throws Exception {
    try (BrokerHarness harness = new BrokerHarness()) {
      // Given: plan p1 collects a reversed borrowing, so it is held
      final TopicNames topics = BrokerHarness.uniqueTopics("ops");
      final String group = "it-" + topics.creditUse().replace('.', '-');
      final CreditUse reversed = aCreditUse().setMerchantOrderId(null)
          .setStatus(CreditStatus.REVERSED).build();
      final RepaymentEvent plan = aRepaymentEvent().build();
      final CreditUse clock = aCreditUse().setCreditId("c-clock").setMerchantOrderId(null)
          .setEventTime(at(Duration.ofDays(1))).build();
      final Path file = dir.resolve("held.jsonl");
      Files.write(file, List.of(AvroToJson.line("credit-use", "c1", reversed),
          AvroToJson.line("repayment-plan", "p1", plan), "{\"barrier\":true}",
          AvroToJson.line("credit-use", "c-clock", clock)));
      try (DetectorRunner detector = harness.startDetector(BrokerHarness.config(topics), group,
          BrokerHarness.tempDir("rg-ops"))) {
        harness.publish(file, topics, group);
        harness.barrier(group);
        final String[] resolve = {"resolve", "--plan", "p1", "--rule", "borrowing_reversed",
            "--analyst", "li.wei", "--reason", "merchant confirmed the reversal",
            "--command-id", "op-1", "--topic", topics.ops(),
            "--bootstrap-servers", harness.stack().bootstrapServers(),
            "--schema-registry-url", harness.stack().schemaRegistryUrl()};

        // When
        final Run first = run(resolve);
        final Run retry = run(resolve);
        harness.barrier(group);

        // Then
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("sent RESOLVE of BORROWING_REVERSED on plan p1 by li.wei",
            "commandId op-1");
        assertThat(retry.exitCode()).as(retry.err()).isZero();
        final List<Alert> alerts = harness.alerts(topics.alerts());
        assertThat(alerts).extracting(Alert::getAlertId, Alert::getStatus).containsExactly(
            tuple("p1/BORROWING_REVERSED/1", AlertStatus.OPEN),
            tuple("p1/BORROWING_REVERSED/1", AlertStatus.RESOLVED));
        assertThat(alerts.get(1).getEvidence()).containsAllEntriesOf(Map.of(
            "resolvedBy", "li.wei", "resolution", "merchant confirmed the reversal"));
        assertThat(harness.outputsAsExpected(topics)).filteredOn(o -> o.containsKey("action"))
            .extracting(o -> o.get("action")).containsExactly("HOLD", "RELEASE");
      }
    }
  }
}
