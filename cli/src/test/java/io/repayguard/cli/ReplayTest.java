package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.events.Alert;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Replay against a real broker: a live run first, then replays of its facts log, checked against
 * what live published and against the production topics.
 */
@Tag("integration")
class ReplayTest {
  private static final long ALL = Long.MIN_VALUE;
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
  void shouldPublishExactlyTheLiveAlertsIdsIncluded() throws Exception {
    // Given: scenario 05 live (an alert opened, then resolved by a late borrowing)
    final TopicNames topics = live("05-late-borrowing-after-grace");

    // When
    replay(topics, ALL, Long.MAX_VALUE, 800, false);

    // Then: the same alerts, whole records: ids, statuses, decidedAt, evidence
    final List<Alert> live = harness.alerts(topics.alerts());
    assertThat(live).hasSize(2);
    assertThat(harness.alerts(topics.alerts() + ".replay"))
        .containsExactlyInAnyOrderElementsOf(live);
  }

  @Test
  void shouldKnowBorrowingsFromBeforeTheWindowAndPublishNothingFalse() throws Exception {
    // Given: a healthy plan whose borrowing came a month before its installments
    final TopicNames topics = live("01-happy-path");

    // When: replay publishes only from the first installment on
    final ReplayRunner.Result result = replay(topics, 1774915200000L, Long.MAX_VALUE, 800, false);

    // Then
    assertThat(result.opened()).isEmpty();
    assertThat(harness.readAll(topics.alerts() + ".replay")).isEmpty();
  }

  @Test
  void shouldBoundThePublicationWithTo() throws Exception {
    // Given: scenario 12, whose one alert is about an event at 1772324400000
    final TopicNames topics = live("12-borrowing-reversed");

    // When
    final ReplayRunner.Result before = replay(topics, ALL, 1772324399999L, 800, false);
    final ReplayRunner.Result including = replay(topics, ALL, 1772324400000L, 800, false);

    // Then
    assertThat(before.opened()).isEmpty();
    assertThat(including.opened()).extracting(Alert::getAlertId)
        .containsExactly("p12/BORROWING_REVERSED/1");
  }

  @Test
  void shouldShowExactlyTheDifferenceALowerFeeCapMakes() throws Exception {
    // Given: scenario 10 live at 800 bps: only p10 (108001 on 100000) exceeds
    final TopicNames topics = live("10-amount-exceeds");

    // When: at 700 bps, p10b (108000 on 100000) exceeds too
    final ReplayRunner.Result result = replay(topics, ALL, Long.MAX_VALUE, 700, true);

    // Then
    final ReplayRunner.Comparison diff = result.comparison().orElseThrow();
    assertThat(diff.added()).extracting(Alert::getAlertId)
        .containsExactly("p10b/AMOUNT_EXCEEDS_BORROWING/1");
    assertThat(diff.vanished()).isEmpty();
    assertThat(diff.severityChanged()).isEmpty();
  }

  @Test
  void shouldLeaveProductionTopicsAndNoInternalTopicsBehind() throws Exception {
    // Given
    final TopicNames topics = live("07-order-paid-late");
    final List<String> production = List.of(topics.alerts(), topics.holdCommands(), topics.dlq(),
        topics.facts(), topics.orderLinks());
    final Map<String, Integer> before = counts(production);

    // When: even with --holds
    final ReplayRunner.Result result = replay(topics, ALL, Long.MAX_VALUE, 800, false, true);

    // Then
    assertThat(counts(production)).isEqualTo(before);
    assertThat(harness.readAll(topics.holdCommands() + ".replay")).hasSize(2);
    try (Admin admin = Admin.create(harness.client().clientProperties())) {
      assertThat(admin.listTopics().names().get(15, TimeUnit.SECONDS))
          .noneMatch(t -> t.startsWith(result.applicationId() + "-"));
      assertThat(admin.listGroups().all().get(15, TimeUnit.SECONDS))
          .noneMatch(g -> g.groupId().equals(result.applicationId()));
    }
  }

  private static TopicNames live(final String scenario) throws Exception {
    final TopicNames topics = BrokerHarness.uniqueTopics(scenario.substring(0, 2));
    final String group = "live-" + topics.creditUse().substring(3, 11);
    try (DetectorRunner detector = harness.startDetector(BrokerHarness.config(topics), group,
        BrokerHarness.tempDir("rg-live"))) {
      harness.publish(BrokerHarness.scenario(scenario + ".jsonl"), topics, group);
      harness.barrier(group);
    }
    return topics;
  }

  private static ReplayRunner.Result replay(final TopicNames topics, final long from,
      final long to, final int maxFeeBps, final boolean compare) throws InterruptedException {
    return replay(topics, from, to, maxFeeBps, compare, false);
  }

  private static ReplayRunner.Result replay(final TopicNames topics, final long from,
      final long to, final int maxFeeBps, final boolean compare, final boolean holds)
      throws InterruptedException {
    final DetectorConfig live = BrokerHarness.config(topics).withMaxFeeBps(maxFeeBps);
    final Path state = BrokerHarness.tempDir("rg-replay");
    return new ReplayRunner(harness.client(), new PrintStream(PrintStream.nullOutputStream()))
        .run(new ReplayRunner.Options(UUID.randomUUID().toString().substring(0, 8), live,
            new DetectorConfig.Publication(from, to, holds), ".replay", false, compare, false,
            state));
  }

  private static Map<String, Integer> counts(final List<String> topics) {
    final Map<String, Integer> counts = new java.util.TreeMap<>();
    topics.forEach(t -> counts.put(t, harness.readAll(t).size()));
    return counts;
  }
}
