package io.repayguard.detector;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aMerchantOrder;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.CreditStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.HoldAction;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole topology in a TopologyTestDriver, one behaviour per test. */
class DetectorTopologyTest {

  /** What an alert is about, without its facts. */
  record Raised(String alertId, Rule rule, Severity severity, AlertStatus status) {}

  @Test
  void shouldRaiseNoBorrowingWhenCreditIdUnknown() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      driver.publish(aRepaymentEvent().setCreditId("c-missing").build());
      driver.barrier();

      // When
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // Then
      assertThat(driver.alerts())
          .map(DetectorTopologyTest::raised)
          .containsExactly(
              new Raised(
                  "p1/NO_BORROWING/1", Rule.NO_BORROWING, Severity.CRITICAL, AlertStatus.OPEN));
      assertThat(driver.holds()).map(HoldCommand::getCommandId).containsExactly("p1/HOLD/1");
    }
  }

  @Test
  void shouldRaiseNoBorrowingWhenCreditIdNull() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      driver.publish(aRepaymentEvent().setCreditId(null).build());
      driver.barrier();

      // When
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // Then
      assertThat(driver.alerts())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(raised(a))
                    .isEqualTo(
                        new Raised(
                            "p1/NO_BORROWING/1",
                            Rule.NO_BORROWING,
                            Severity.CRITICAL,
                            AlertStatus.OPEN));
                assertThat(a.getCreditId()).isNull();
                assertThat(a.getEvidence()).containsEntry("creditId", "NONE");
              });
    }
  }

  @Test
  void shouldNotAlertWhenBorrowingArrivesWithinGrace() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      driver.publish(aRepaymentEvent().setEventTime(at(ofMinutes(2))).build());

      // When
      driver.publish(aMerchantOrder().build());
      driver.publish(aCreditUse().setEventTime(at(ofMinutes(1))).build());
      driver.barrier();
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // Then
      assertThat(driver.alerts()).isEmpty();
      assertThat(driver.holds()).isEmpty();
    }
  }

  @Test
  void shouldDecideExactlyWhenDetectorTimeReachesEventTimePlusGrace() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      driver.publish(aRepaymentEvent().setCreditId("c-missing").build());
      driver.barrier();

      // When
      driver.publish(clockAt(ofMinutes(5).minusMillis(1)));
      letClocksTravel(driver);
      final List<Alert> beforeDue = driver.alerts();
      driver.publish(clockAt(ofMinutes(5)));
      letClocksTravel(driver);

      // Then
      assertThat(beforeDue).isEmpty();
      assertThat(driver.alerts())
          .singleElement()
          .satisfies(a -> assertThat(a.getDecidedAt()).isEqualTo(at(ofMinutes(5))));
    }
  }

  @Test
  void shouldPublishWholeAlertWithExplanationAndEvidence() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      driver.publish(
          aRepaymentEvent()
              .setCreditId("c-missing")
              .setAccountId("a7")
              .setIdentityId("id-a7")
              .setAmountMinor(50_000)
              .build());
      driver.barrier();

      // When
      driver.publish(clockAt(ofMinutes(10)));

      // Then
      assertThat(driver.alertRecords())
          .singleElement()
          .satisfies(
              record -> {
                assertThat(record.key()).isEqualTo("p1");
                final Alert alert = (Alert) record.value();
                assertThat(Alert.newBuilder(alert).setExplanation("").build())
                    .isEqualTo(
                        Alert.newBuilder()
                            .setAlertId("p1/NO_BORROWING/1")
                            .setRule(Rule.NO_BORROWING)
                            .setSeverity(Severity.CRITICAL)
                            .setStatus(AlertStatus.OPEN)
                            .setPlanId("p1")
                            .setCreditId("c-missing")
                            .setAccountId("a7")
                            .setTriggeringEventId("p1-c")
                            .setExplanation("")
                            .setEvidence(
                                Map.of(
                                    "eventType",
                                    "PLAN_CREATED",
                                    "planAccountId",
                                    "a7",
                                    "amountMinor",
                                    "50000",
                                    "currency",
                                    "CNY",
                                    "creditId",
                                    "c-missing",
                                    "borrowing",
                                    "MISSING"))
                            .setEventTime(Instant.ofEpochMilli(T0))
                            .setDecidedAt(at(ofMinutes(10)))
                            .build());
                assertThat(alert.getExplanation()).contains("p1", "a7", "c-missing");
              });
    }
  }

  @Test
  void shouldHoldCommandCarryRulesAndAlertIds() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      driver.publish(
          aCreditUse().setMerchantOrderId(null).setStatus(CreditStatus.REVERSED).build());
      driver.publish(aRepaymentEvent().setAccountId("a-other").setIdentityId("id-other").build());
      driver.barrier();

      // When
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // Then
      assertThat(driver.holds())
          .containsExactly(
              HoldCommand.newBuilder()
                  .setCommandId("p1/HOLD/1")
                  .setAction(HoldAction.HOLD)
                  .setPlanId("p1")
                  .setAccountId("a-other")
                  .setRules(List.of(Rule.BORROWING_REVERSED, Rule.ACCOUNT_MISMATCH))
                  .setAlertIds(List.of("p1/BORROWING_REVERSED/1", "p1/ACCOUNT_MISMATCH/1"))
                  .setDecidedAt(at(ofMinutes(10)))
                  .build());
    }
  }

  @Test
  void shouldResolveOrderNotPaidAndReleaseWhenOrderIsPaidLater() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      driver.publish(aMerchantOrder().setStatus(OrderStatus.CREATED).build());
      driver.publish(aCreditUse().build());
      driver.publish(aRepaymentEvent().build());
      driver.barrier();
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // When
      driver.publish(aMerchantOrder().setEventTime(at(ofMinutes(11))).build());
      driver.barrier();

      // Then
      assertThat(driver.alerts())
          .map(DetectorTopologyTest::raised)
          .containsExactly(
              new Raised(
                  "p1/ORDER_NOT_PAID/1", Rule.ORDER_NOT_PAID, Severity.HIGH, AlertStatus.OPEN),
              new Raised(
                  "p1/ORDER_NOT_PAID/1", Rule.ORDER_NOT_PAID, Severity.HIGH, AlertStatus.RESOLVED));
      assertThat(driver.holds())
          .map(HoldCommand::getCommandId)
          .containsExactly("p1/HOLD/1", "p1/RELEASE/1");
    }
  }

  @Test
  void shouldResolveNoBorrowingOnEveryPlanThatNamesALateBorrowing() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given: two plans name a borrowing that has not arrived
      driver.publish(aRepaymentEvent().build());
      driver.publish(aRepaymentEvent().setPlanId("p2").setEventId("p2-c").build());
      driver.barrier();
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // When: it arrives, a cash withdrawal of the same account, so nothing else fires
      driver.publish(aCreditUse().setMerchantOrderId(null).build());
      driver.barrier();
      driver.publish(clockAt(ofMinutes(30)));
      driver.barrier();

      // Then: both plans are re-decided, not just the last one queued
      assertThat(driver.alerts())
          .map(DetectorTopologyTest::raised)
          .filteredOn(r -> r.rule() == Rule.NO_BORROWING)
          .containsExactlyInAnyOrder(
              new Raised(
                  "p1/NO_BORROWING/1", Rule.NO_BORROWING, Severity.CRITICAL, AlertStatus.OPEN),
              new Raised(
                  "p2/NO_BORROWING/1", Rule.NO_BORROWING, Severity.CRITICAL, AlertStatus.OPEN),
              new Raised(
                  "p1/NO_BORROWING/1", Rule.NO_BORROWING, Severity.CRITICAL, AlertStatus.RESOLVED),
              new Raised(
                  "p2/NO_BORROWING/1", Rule.NO_BORROWING, Severity.CRITICAL, AlertStatus.RESOLVED));
    }
  }

  @Test
  void shouldResolveNoBorrowingAndKeepHoldingWhenLateBorrowingIsForeign() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      driver.publish(aRepaymentEvent().build());
      driver.barrier();
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // When
      driver.publish(
          aCreditUse()
              .setMerchantOrderId(null)
              .setAccountId("a-other")
              .setIdentityId("id-other")
              .build());
      driver.barrier();
      driver.publish(clockAt(ofMinutes(30)));
      driver.barrier();

      // Then
      assertThat(driver.alerts())
          .map(DetectorTopologyTest::raised)
          .containsExactly(
              new Raised(
                  "p1/NO_BORROWING/1", Rule.NO_BORROWING, Severity.CRITICAL, AlertStatus.OPEN),
              new Raised(
                  "p1/NO_BORROWING/1", Rule.NO_BORROWING, Severity.CRITICAL, AlertStatus.RESOLVED),
              new Raised(
                  "p1/ACCOUNT_MISMATCH/1", Rule.ACCOUNT_MISMATCH, Severity.HIGH, AlertStatus.OPEN));
      assertThat(driver.holds()).map(HoldCommand::getAction).containsExactly(HoldAction.HOLD);
    }
  }

  @Test
  void shouldReproduceTheSameOutputsIdsIncludedOnAReplay() {
    // Given
    final List<Alert> firstAlerts;
    final List<HoldCommand> firstHolds;
    try (DetectorTestDriver first = new DetectorTestDriver()) {
      publishMixedHistory(first);
      firstAlerts = first.alerts();
      firstHolds = first.holds();
    }

    try (DetectorTestDriver second = new DetectorTestDriver()) {
      // When
      publishMixedHistory(second);

      // Then
      assertThat(firstAlerts).hasSize(4);
      assertThat(second.alerts()).isEqualTo(firstAlerts);
      assertThat(second.holds()).isEqualTo(firstHolds);
    }
  }

  private static void publishMixedHistory(final DetectorTestDriver driver) {
    driver.publish(aMerchantOrder().setStatus(OrderStatus.CANCELLED).build());
    driver.publish(aCreditUse().build());
    driver.publish(aRepaymentEvent().setAccountId("a1b").build());
    driver.publish(aRepaymentEvent().setPlanId("p2").setEventId("p2-c").setCreditId(null).build());
    driver.barrier();
    driver.publish(clockAt(ofMinutes(10)));
    driver.barrier();
    driver.publish(aMerchantOrder().setEventTime(at(ofMinutes(11))).build());
    driver.barrier();
  }

  @Test
  void shouldSkipWhatLiesAtOrBeyondAReplaysEndOffsets() {
    // Given: a replay that captured one record of repayment-plan/0
    final DetectorConfig replay =
        DetectorConfig.defaults(DetectorConfig.SourcePartitions.single())
            .withReplay(
                new DetectorConfig.Replay(Map.of("repayment-plan/0", 1L), null, Long.MIN_VALUE));
    try (DetectorTestDriver driver = new DetectorTestDriver(replay)) {
      // When: a second plan is written after the capture
      driver.publish(aRepaymentEvent().setCreditId("c-missing").build());
      driver.publish(
          aRepaymentEvent().setPlanId("p2").setEventId("p2-c").setCreditId("c-missing").build());
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // Then
      assertThat(driver.alerts()).map(Alert::getAlertId).containsExactly("p1/NO_BORROWING/1");
    }
  }

  @Test
  void shouldStopTheDecisionStageAtTheFactsLogsEndOffsets() {
    // Given: the facts log of a live run, to its end after p1 was decided
    final long end;
    try (DetectorTestDriver live = new DetectorTestDriver()) {
      publishTwoPlans(live, () -> {});
      assertThat(live.alerts())
          .map(Alert::getAlertId)
          .containsExactly("p1/NO_BORROWING/1", "p2/NO_BORROWING/1");
    }
    try (DetectorTestDriver live = new DetectorTestDriver()) {
      final long[] captured = new long[1];
      publishTwoPlans(live, () -> captured[0] = live.factsWritten());
      end = captured[0];
    }
    final DetectorConfig replay =
        DetectorConfig.defaults(DetectorConfig.SourcePartitions.single())
            .withReplay(
                new DetectorConfig.Replay(Map.of("repayguard-facts/0", end), null, Long.MIN_VALUE));

    // When: the same history, with the decision stage bounded by that end
    try (DetectorTestDriver driver = new DetectorTestDriver(replay)) {
      publishTwoPlans(driver, () -> {});

      // Then: nothing written after the end offset is decided
      assertThat(driver.alerts()).map(Alert::getAlertId).containsExactly("p1/NO_BORROWING/1");
    }
  }

  /** p1 and a clock, {@code between}, then p2 and a later clock; each step to a barrier. */
  private static void publishTwoPlans(final DetectorTestDriver driver, final Runnable between) {
    driver.publish(aRepaymentEvent().setCreditId("c-missing").build());
    driver.publish(clockAt(ofMinutes(10)));
    driver.barrier();
    between.run();
    driver.publish(
        aRepaymentEvent()
            .setPlanId("p2")
            .setEventId("p2-c")
            .setCreditId("c-missing")
            .setEventTime(at(ofMinutes(11)))
            .build());
    driver.publish(clockAt(ofMinutes(30)));
    driver.barrier();
  }

  @Test
  void shouldTreatWhatLiesBeforeAReplaysLookBackAsNeverArrived() {
    // Given: a replay that knows history from one minute after T0 on
    final DetectorConfig replay =
        DetectorConfig.defaults(DetectorConfig.SourcePartitions.single())
            .withReplay(new DetectorConfig.Replay(Map.of(), null, at(ofMinutes(1)).toEpochMilli()));
    try (DetectorTestDriver driver = new DetectorTestDriver(replay)) {
      // When: the borrowing is from T0, its plan from two minutes later
      driver.publish(aMerchantOrder().build());
      driver.publish(aCreditUse().build());
      driver.publish(aRepaymentEvent().setEventTime(at(ofMinutes(2))).build());
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // Then
      assertThat(driver.alerts()).map(Alert::getAlertId).containsExactly("p1/NO_BORROWING/1");
    }
  }

  private static CreditUse clockAt(final Duration sinceT0) {
    return aCreditUse()
        .setCreditId("c-clock")
        .setAccountId("a-clock")
        .setIdentityId("id-a-clock")
        .setMerchantOrderId(null)
        .setEventTime(at(sinceT0))
        .build();
  }

  private static Raised raised(final Alert a) {
    return new Raised(a.getAlertId(), a.getRule(), a.getSeverity(), a.getStatus());
  }

  /**
   * Two watermark intervals of wall clock, one at a time: the ingest stage tells the order-link
   * stage its clock on one, the order-link stage tells the decision stage on the next.
   */
  private static void letClocksTravel(final DetectorTestDriver driver) {
    driver.advanceWallClock(driver.config().watermarkInterval());
    driver.advanceWallClock(driver.config().watermarkInterval());
  }
}
