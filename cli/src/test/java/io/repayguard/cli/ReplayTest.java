package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.events.Alert;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Replay against a real broker: a live run first, then replays of its facts log, checked against
 * what live published and against the production topics.
 *
 * <p>Each case runs its own live detector on topics of its own, so the cases run side by side.
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
  @Execution(ExecutionMode.CONCURRENT)
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
  @Execution(ExecutionMode.CONCURRENT)
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
  @Execution(ExecutionMode.CONCURRENT)
  void shouldBoundThePublicationWithTo() throws Exception {
    // Given: scenario 12, whose one alert is about an event at 1772324400000
    final TopicNames topics = live("12-borrowing-reversed");

    // When
    final ReplayRunner.Result before = replay(topics, ALL, 1772324399999L, 800, false);
    final ReplayRunner.Result including = replay(topics, ALL, 1772324400000L, 800, false);

    // Then
    assertThat(before.opened()).isEmpty();
    assertThat(including.opened())
        .extracting(Alert::getAlertId)
        .containsExactly("p12/BORROWING_REVERSED/1");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldShowExactlyTheDifferenceALowerFeeCapMakes() throws Exception {
    // Given: scenario 10 live at 800 bps: only p10 (108001 on 100000) exceeds
    final TopicNames topics = live("10-amount-exceeds");

    // When: at 700 bps, p10b (108000 on 100000) exceeds too
    final ReplayRunner.Result result = replay(topics, ALL, Long.MAX_VALUE, 700, true);

    // Then
    final ReplayRunner.Comparison diff = result.comparison().orElseThrow();
    assertThat(diff.added())
        .extracting(Alert::getAlertId)
        .containsExactly("p10b/AMOUNT_EXCEEDS_BORROWING/1");
    assertThat(diff.vanished()).isEmpty();
    assertThat(diff.severityChanged()).isEmpty();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldDecideWhatIsStillPendingOnlyWithFlushAndReportItApart() throws Exception {
    // Given: live stopped one minute of event time after a plan whose borrowing never came, so
    // its decision (due one grace after the plan) is still pending
    final Path history = Files.createTempFile("pending", ".jsonl");
    Files.write(
        history,
        List.of(
            "{\"topic\":\"credit-use\",\"key\":\"cf\",\"value\":{\"creditId\":\"cf\",\"accountId\":\"af\","
                + "\"identityId\":\"id-af\",\"merchantOrderId\":null,\"amountMinor\":120000,"
                + "\"currency\":\"CNY\",\"installmentCount\":3,\"status\":\"APPROVED\","
                + "\"eventTime\":1772323200000}}",
            "{\"topic\":\"repayment-plan\",\"key\":\"pf\",\"value\":{\"eventId\":\"pf-c\",\"planId\":\"pf\","
                + "\"creditId\":\"c-never\",\"accountId\":\"af\",\"identityId\":\"id-af\","
                + "\"type\":\"PLAN_CREATED\",\"installmentNo\":0,\"installmentCount\":3,"
                + "\"amountMinor\":123000,\"currency\":\"CNY\",\"eventTime\":1772323260000}}",
            "{\"barrier\":true}"));
    final TopicNames topics = live("pf", history);

    // When
    final ReplayRunner.Result plain =
        replay(
            topics, DetectorConfig.Publication.ALL, 800, true, Mode.FACTS, false, Optional.empty());
    final ReplayRunner.Result flushed =
        replay(
            topics, DetectorConfig.Publication.ALL, 800, true, Mode.FACTS, true, Optional.empty());

    // Then: live decided nothing yet; only the flush decides, one grace after the plan
    assertThat(harness.alerts(topics.alerts())).isEmpty();
    assertThat(plain.opened()).isEmpty();
    assertThat(harness.alerts(topics.alerts() + ".replay"))
        .as("both runs' outputs")
        .extracting(Alert::getAlertId)
        .containsExactly("pf/NO_BORROWING/1");
    assertThat(flushed.opened()).as("not among the alerts compared with live").isEmpty();
    assertThat(flushed.flushed())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getAlertId()).isEqualTo("pf/NO_BORROWING/1");
              assertThat(a.getDecidedAt().toEpochMilli()).isEqualTo(1772323260000L + 300_000);
            });
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldKnowOnlyTheLookBackOfHistory() throws Exception {
    // Given: scenario 01, whose borrowing and plan come a month before the first installment
    final TopicNames topics = live("01-happy-path");
    final DetectorConfig.Publication fromFirstInstallment =
        new DetectorConfig.Publication(1774915200000L, Long.MAX_VALUE, false);

    // When
    final ReplayRunner.Result day =
        replay(
            topics,
            fromFirstInstallment,
            800,
            false,
            Mode.FACTS,
            false,
            Optional.of(Duration.ofDays(1)));
    final ReplayRunner.Result quarter =
        replay(
            topics,
            fromFirstInstallment,
            800,
            false,
            Mode.FACTS,
            false,
            Optional.of(Duration.ofDays(90)));

    // Then: a day back, the borrowing is not known; a quarter back, it is
    assertThat(day.opened()).extracting(Alert::getAlertId).containsExactly("p1/NO_BORROWING/1");
    assertThat(quarter.opened()).isEmpty();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldReplayFromTheInputTopicsToTheLiveAlertsWhereNothingArrivedLate() throws Exception {
    // Given
    final TopicNames topics = live("10-amount-exceeds");

    // When
    final ReplayRunner.Result result =
        replay(
            topics,
            DetectorConfig.Publication.ALL,
            800,
            true,
            Mode.INPUTS,
            false,
            Optional.empty());

    // Then
    assertThat(result.opened())
        .extracting(Alert::getAlertId)
        .containsExactly("p10/AMOUNT_EXCEEDS_BORROWING/1");
    assertThat(harness.alerts(topics.alerts() + ".replay"))
        .containsExactlyInAnyOrderElementsOf(harness.alerts(topics.alerts()));
    try (Admin admin = Admin.create(harness.client().clientProperties())) {
      assertThat(admin.listTopics().names().get(15, TimeUnit.SECONDS))
          .as("the run's private order-links and facts topics are gone")
          .noneMatch(
              t ->
                  t.startsWith(topics.facts() + ".replay-")
                      || t.startsWith(topics.orderLinks() + ".replay-"));
    }
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldLeaveProductionTopicsAndNoInternalTopicsBehind() throws Exception {
    // Given
    final TopicNames topics = live("07-order-paid-late");
    final List<String> production =
        List.of(
            topics.alerts(),
            topics.holdCommands(),
            topics.dlq(),
            topics.facts(),
            topics.orderLinks());
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
    return live(scenario.substring(0, 2), BrokerHarness.scenario(scenario + ".jsonl"));
  }

  /** Runs a live detector over {@code history}, stops it once it has caught up. */
  private static TopicNames live(final String label, final Path history) throws Exception {
    final TopicNames topics = BrokerHarness.uniqueTopics(label);
    final String group = "live-" + topics.creditUse().substring(3, 11);
    try (DetectorRunner detector =
        harness.startDetector(
            BrokerHarness.config(topics), group, BrokerHarness.tempDir("rg-live"))) {
      harness.publish(history, topics, group);
      harness.barrier(group);
    }
    return topics;
  }

  private static ReplayRunner.Result replay(
      final TopicNames topics,
      final long from,
      final long to,
      final int maxFeeBps,
      final boolean compare)
      throws InterruptedException {
    return replay(topics, from, to, maxFeeBps, compare, false);
  }

  private static ReplayRunner.Result replay(
      final TopicNames topics,
      final long from,
      final long to,
      final int maxFeeBps,
      final boolean compare,
      final boolean holds)
      throws InterruptedException {
    return replay(
        topics,
        new DetectorConfig.Publication(from, to, holds),
        maxFeeBps,
        compare,
        Mode.FACTS,
        false,
        Optional.empty());
  }

  /** Where a replay reads from. */
  private enum Mode {
    FACTS,
    INPUTS
  }

  private static ReplayRunner.Result replay(
      final TopicNames topics,
      final DetectorConfig.Publication window,
      final int maxFeeBps,
      final boolean compare,
      final Mode mode,
      final boolean flush,
      final Optional<Duration> lookback)
      throws InterruptedException {
    final DetectorConfig live = BrokerHarness.config(topics).withMaxFeeBps(maxFeeBps);
    final Path state = BrokerHarness.tempDir("rg-replay");
    return new ReplayRunner(harness.client(), new PrintStream(PrintStream.nullOutputStream()))
        .run(
            new ReplayRunner.Options(
                UUID.randomUUID().toString().substring(0, 8),
                live,
                window,
                ".replay",
                mode == Mode.INPUTS,
                flush,
                lookback,
                compare,
                false,
                state));
  }

  private static Map<String, Integer> counts(final List<String> topics) {
    final Map<String, Integer> counts = new java.util.TreeMap<>();
    topics.forEach(t -> counts.put(t, harness.readAll(t).size()));
    return counts;
  }
}
