package io.repayguard.cli;

import static io.repayguard.cli.RepayGuardCliTest.run;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import io.repayguard.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./repayguard resolve} against a real broker and a running detector: the alert is resolved
 * and the plan released, and a retry with the printed commandId changes nothing. And the detector's
 * start keeps the ops topic partitioned like repayment-plan.
 */
@Tag("integration")
class OpsCommandBrokerTest {
  private static BrokerHarness harness;

  @BeforeAll
  static void startStack() {
    harness = new BrokerHarness();
  }

  @AfterAll
  static void stopStack() {
    harness.close();
  }

  @Test
  void shouldResolveFromTheCommandLineAndIgnoreARetryWithTheSameCommandId(@TempDir final Path dir)
      throws Exception {
    // Given: plan p1 collects a reversed borrowing, so it is held
    final TopicNames topics = BrokerHarness.uniqueTopics("ops");
    final String group = "it-" + topics.creditUse().replace('.', '-');
    final CreditUse reversed =
        aCreditUse().setMerchantOrderId(null).setStatus(CreditStatus.REVERSED).build();
    final RepaymentEvent plan = aRepaymentEvent().build();
    final CreditUse clock =
        aCreditUse()
            .setCreditId("c-clock")
            .setMerchantOrderId(null)
            .setEventTime(at(Duration.ofDays(1)))
            .build();
    final Path file = dir.resolve("held.jsonl");
    Files.write(
        file,
        List.of(
            AvroToJson.line("credit-use", "c1", reversed),
            AvroToJson.line("repayment-plan", "p1", plan),
            "{\"barrier\":true}",
            AvroToJson.line("credit-use", "c-clock", clock)));
    try (DetectorRunner detector =
        harness.startDetector(
            BrokerHarness.config(topics), group, BrokerHarness.tempDir("rg-ops"))) {
      harness.publish(file, topics, group);
      harness.barrier(group);
      final String[] resolve = {
        "resolve",
        "--plan",
        "p1",
        "--rule",
        "borrowing_reversed",
        "--analyst",
        "li.wei",
        "--reason",
        "merchant confirmed the reversal",
        "--command-id",
        "op-1",
        "--topic",
        topics.ops(),
        "--bootstrap-servers",
        harness.stack().bootstrapServers(),
        "--schema-registry-url",
        harness.stack().schemaRegistryUrl()
      };

      // When
      final Run first = run(resolve);
      final Run retry = run(resolve);
      harness.barrier(group);

      // Then
      assertThat(first.exitCode()).as(first.err()).isZero();
      assertThat(first.out())
          .contains("sent RESOLVE of BORROWING_REVERSED on plan p1 by li.wei", "commandId op-1");
      assertThat(retry.exitCode()).as(retry.err()).isZero();
      final List<Alert> alerts = harness.alerts(topics.alerts());
      assertThat(alerts)
          .extracting(Alert::getAlertId, Alert::getStatus)
          .containsExactly(
              tuple("p1/BORROWING_REVERSED/1", AlertStatus.OPEN),
              tuple("p1/BORROWING_REVERSED/1", AlertStatus.RESOLVED));
      assertThat(alerts.get(1).getEvidence())
          .containsAllEntriesOf(
              Map.of("resolvedBy", "li.wei", "resolution", "merchant confirmed the reversal"));
      assertThat(harness.outputsAsExpected(topics))
          .filteredOn(o -> o.containsKey("action"))
          .extracting(o -> o.get("action"))
          .containsExactly("HOLD", "RELEASE");
    }
  }

  @Test
  void shouldCreateAMissingOpsTopicWithAsManyPartitionsAsRepaymentPlan() throws Exception {
    // Given: a cluster set up before the ops topic existed
    final TopicNames topics = BrokerHarness.uniqueTopics("ops-new");
    LocalStack.createTopics(
        harness.stack().bootstrapServers(),
        3,
        List.of(topics.creditUse(), topics.merchantOrder(), topics.repaymentPlan()));

    // When
    try (DetectorRunner detector =
        DetectorRunner.start(
            BrokerHarness.config(topics), settings("it-" + topics.creditUse().replace('.', '-')))) {

      // Then
      try (Admin admin = Admin.create(harness.client().clientProperties())) {
        assertThat(
                admin
                    .describeTopics(List.of(topics.ops()))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topics.ops())
                    .partitions())
            .hasSize(3);
      }
    }
  }

  @Test
  void shouldRefuseToStartWhenTheOpsTopicIsPartitionedOtherwise() {
    // Given
    final TopicNames topics = BrokerHarness.uniqueTopics("ops-skew");
    LocalStack.createTopics(
        harness.stack().bootstrapServers(),
        6,
        List.of(topics.creditUse(), topics.merchantOrder(), topics.repaymentPlan()));
    LocalStack.createTopics(harness.stack().bootstrapServers(), 2, List.of(topics.ops()));

    // When / Then
    assertThatThrownBy(
            () ->
                DetectorRunner.start(
                    BrokerHarness.config(topics),
                    settings("it-" + topics.creditUse().replace('.', '-'))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "topic "
                + topics.ops()
                + " has 2 partitions but "
                + topics.repaymentPlan()
                + " has 6: they must match, since an ops command reaches its plan through the "
                + "repayment-plan partition of the same number");
  }

  private static DetectorRunner.Settings settings(final String applicationId) {
    return new DetectorRunner.Settings(
        applicationId,
        BrokerHarness.tempDir("rg-ops"),
        new HashMap<>(harness.client().clientProperties()));
  }
}
