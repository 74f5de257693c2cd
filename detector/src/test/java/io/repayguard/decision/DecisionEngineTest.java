package io.repayguard.decision;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCollection;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aMerchantOrder;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static java.time.Duration.ofDays;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.facts.OrderUpdate;
import io.repayguard.detector.facts.Tick;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.CreditStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.HoldAction;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decision engine fed facts directly, over maps: detector time, de-duplication, latest state,
 * the alert lifecycle and holds (DESIGN.md, Detection semantics).
 */
class DecisionEngineTest {
  private static final String CREDIT_USE = "credit-use/0";
  private static final String REPAYMENT_PLAN = "repayment-plan/0";
  private static final String ORDER_LINKS = "repayguard-order-links/0";
  private static final long GRACE = ofMinutes(5).toMillis();
  private static final DecisionSettings DEFAULTS =
      new DecisionSettings(
          GRACE, 800, Severity.HIGH, Set.of(CREDIT_USE, REPAYMENT_PLAN, ORDER_LINKS));

  /** One output as the tests compare it: id, rule or action, status (null for commands). */
  record Out(String id, Object what, AlertStatus status, long decidedAt) {}

  private final RecordingOutput output = new RecordingOutput();
  private final MapDecisionStore store = new MapDecisionStore();
  private DecisionEngine engine = new DecisionEngine(DEFAULTS, store, output);

  @Test
  void shouldForgetClosedPlanNinetyDaysAfterItClosed() {
    // Given
    final long closedAt = T0 + ofDays(1).toMillis();
    borrowing(aCreditUse().setMerchantOrderId(null).build());
    event(aRepaymentEvent().build());
    event(
        aRepaymentEvent()
            .setEventId("p1-x")
            .setType(RepaymentEventType.PLAN_CLOSED)
            .setAmountMinor(0)
            .setEventTime(Instant.ofEpochMilli(closedAt))
            .build());

    // When
    clockAt(closedAt + ofDays(90).toMillis() - 1);
    final Set<String> before = store.planIds();
    clockAt(closedAt + ofDays(90).toMillis());

    // Then
    assertThat(before).containsExactly("p1");
    assertThat(store.planIds()).isEmpty();
    assertThat(store.plansOf("c1")).isEmpty();
    assertThat(store.borrowingIds()).containsExactly("c1");
    assertThat(output.all()).isEmpty();
  }

  @Test
  void shouldKeepOpenPlanFourHundredDaysAfterItsLastEventAndNoLonger() {
    // Given: a plan whose last event comes 300 days after its creation
    final long lastEvent = T0 + ofDays(300).toMillis();
    borrowing(aCreditUse().setMerchantOrderId(null).build());
    event(aRepaymentEvent().build());
    event(due("p1-d1", 1).setEventTime(Instant.ofEpochMilli(lastEvent)).build());

    // When
    clockAt(T0 + ofDays(400).toMillis());
    final Set<String> atCreationHorizon = store.planIds();
    clockAt(lastEvent + ofDays(400).toMillis());

    // Then
    assertThat(atCreationHorizon).containsExactly("p1");
    assertThat(store.planIds()).isEmpty();
    assertThat(store.borrowingIds()).isEmpty();
  }

  @Test
  void shouldForgetBorrowingFourHundredDaysAfterItsLastUpdate() {
    // Given
    borrowing(aCreditUse().setMerchantOrderId(null).build());
    borrowing(
        aCreditUse()
            .setMerchantOrderId(null)
            .setStatus(CreditStatus.REVERSED)
            .setEventTime(Instant.ofEpochMilli(T0 + ofDays(10).toMillis()))
            .build());

    // When
    clockAt(T0 + ofDays(400).toMillis());
    final Set<String> atFirstHorizon = store.borrowingIds();
    clockAt(T0 + ofDays(410).toMillis());

    // Then
    assertThat(atFirstHorizon).containsExactly("c1");
    assertThat(store.borrowingIds()).isEmpty();
  }

  @Test
  void shouldKeepBorrowingAndOrderAsLongAsAPlanNamingThemIsKept() {
    // Given: a plan still active after a year, its borrowing and order never updated after the
    // first day
    borrowing(aCreditUse().build());
    order(aMerchantOrder().build());
    event(aRepaymentEvent().build());
    final long lastEvent = T0 + ofDays(365).toMillis();
    event(due("p1-d12", 12).setEventTime(Instant.ofEpochMilli(lastEvent)).build());
    clockAt(lastEvent);

    // When: detector time passes the borrowing's own horizon, then the plan's
    clockAt(T0 + ofDays(500).toMillis());
    final Set<String> borrowingsInYearTwo = store.borrowingIds();
    final Set<String> ordersInYearTwo = store.orderKeys();
    clockAt(lastEvent + ofDays(400).toMillis());

    // Then: rule 10 keeps them while the plan is kept, and forgets all three together
    assertThat(borrowingsInYearTwo).containsExactly("c1");
    assertThat(ordersInYearTwo).containsExactly("c1/o1");
    assertThat(output.alerts()).isEmpty();
    assertThat(store.planIds()).isEmpty();
    assertThat(store.borrowingIds()).isEmpty();
    assertThat(store.orderKeys()).isEmpty();
  }

  @Test
  void shouldDecideOnlyOnceDetectorTimeReachesEventTimePlusGrace() {
    // Given
    event(aRepaymentEvent().setCreditId("c-missing").build());

    // When
    clockAt(T0 + GRACE - 1);
    final List<Object> beforeDue = output.all();
    clockAt(T0 + GRACE);

    // Then
    assertThat(beforeDue).isEmpty();
    assertThat(output.all()).hasSize(2);
    assertThat(withoutExplanation(output.alerts().get(0)))
        .isEqualTo(
            Alert.newBuilder()
                .setAlertId("p1/NO_BORROWING/1")
                .setRule(Rule.NO_BORROWING)
                .setSeverity(Severity.CRITICAL)
                .setStatus(AlertStatus.OPEN)
                .setPlanId("p1")
                .setCreditId("c-missing")
                .setAccountId("a1")
                .setTriggeringEventId("p1-c")
                .setExplanation("")
                .setEvidence(
                    Map.of(
                        "eventType",
                        "PLAN_CREATED",
                        "planAccountId",
                        "a1",
                        "amountMinor",
                        "123000",
                        "currency",
                        "CNY",
                        "creditId",
                        "c-missing",
                        "borrowing",
                        "MISSING"))
                .setEventTime(Instant.ofEpochMilli(T0))
                .setDecidedAt(Instant.ofEpochMilli(T0 + GRACE))
                .build());
    assertThat(output.alerts().get(0).getExplanation()).contains("p1", "a1", "c-missing");
    assertThat(output.commands())
        .containsExactly(
            HoldCommand.newBuilder()
                .setCommandId("p1/HOLD/1")
                .setAction(HoldAction.HOLD)
                .setPlanId("p1")
                .setAccountId("a1")
                .setRules(List.of(Rule.NO_BORROWING))
                .setAlertIds(List.of("p1/NO_BORROWING/1"))
                .setDecidedAt(Instant.ofEpochMilli(T0 + GRACE))
                .build());
  }

  @Test
  void shouldDecideAtOnceAnEventThatArrivesAfterItsGraceHasPassed() {
    // Given
    clockAt(minutes(10));

    // When
    event(aRepaymentEvent().setCreditId("c-missing").build());

    // Then
    assertThat(summaries())
        .containsExactly(
            new Out("p1/NO_BORROWING/1", Rule.NO_BORROWING, AlertStatus.OPEN, minutes(10)),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, minutes(10)));
  }

  @Test
  void shouldNotMoveDetectorTimeWhileAnExpectedSourceHasNotReported() {
    // Given
    event(aRepaymentEvent().setCreditId("c-missing").build());
    watermark(CREDIT_USE, T0 + ofMinutes(60).toMillis());
    watermark(REPAYMENT_PLAN, T0 + ofMinutes(60).toMillis());
    final long blocked = engine.detectorTime();
    final List<Object> whileBlocked = output.all();

    // When
    watermark(ORDER_LINKS, T0 + ofMinutes(60).toMillis());

    // Then
    assertThat(blocked).isEqualTo(Clocks.UNKNOWN);
    assertThat(whileBlocked).isEmpty();
    assertThat(engine.detectorTime()).isEqualTo(T0 + ofMinutes(60).toMillis());
    assertThat(summaries())
        .containsExactly(
            new Out("p1/NO_BORROWING/1", Rule.NO_BORROWING, AlertStatus.OPEN, minutes(60)),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, minutes(60)));
  }

  @Test
  void shouldTakeTheLargestEventTimeWhenEverySourceIsIdle() {
    // Given
    event(aRepaymentEvent().setCreditId("c-missing").build());
    idle(CREDIT_USE, minutes(10));
    idle(ORDER_LINKS, Clocks.UNKNOWN);
    final long whilePlansActive = engine.detectorTime();

    // When
    idle(REPAYMENT_PLAN, T0);

    // Then
    assertThat(whilePlansActive).isEqualTo(T0);
    assertThat(engine.allIdle()).isTrue();
    assertThat(engine.detectorTime()).isEqualTo(minutes(10));
    assertThat(summaries())
        .containsExactly(
            new Out("p1/NO_BORROWING/1", Rule.NO_BORROWING, AlertStatus.OPEN, minutes(10)),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, minutes(10)));
  }

  @Test
  void shouldNeverMoveDetectorTimeBack() {
    // Given
    idle(CREDIT_USE, minutes(10));
    idle(REPAYMENT_PLAN, T0);
    idle(ORDER_LINKS, T0);
    final long allIdle = engine.detectorTime();

    // When
    watermark(REPAYMENT_PLAN, minutes(1));

    // Then
    assertThat(allIdle).isEqualTo(minutes(10));
    assertThat(engine.allIdle()).isFalse();
    assertThat(engine.detectorTime()).isEqualTo(minutes(10));
  }

  @Test
  void shouldAdvanceDetectorTimeOnATick() {
    // Given
    event(aRepaymentEvent().setCreditId("c-missing").build());
    idle(CREDIT_USE, Clocks.UNKNOWN);
    idle(ORDER_LINKS, Clocks.UNKNOWN);
    idle(REPAYMENT_PLAN, T0);
    final List<Object> beforeTick = output.all();

    // When
    engine.onFact(
        Fact.newBuilder()
            .setSource("tick/0")
            .setMaxEventTime(T0 + GRACE)
            .setIdle(true)
            .setPayload(Tick.newBuilder().setPartition(0).setDetectorTime(T0 + GRACE).build())
            .build());

    // Then
    assertThat(beforeTick).isEmpty();
    assertThat(engine.detectorTime()).isEqualTo(T0 + GRACE);
    assertThat(summaries())
        .containsExactly(
            new Out("p1/NO_BORROWING/1", Rule.NO_BORROWING, AlertStatus.OPEN, T0 + GRACE),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, T0 + GRACE));
  }

  @Test
  void shouldDecidePendingEventsInEventTimeOrder() {
    // Given
    event(due("p1-d1", 1).setCreditId(null).setEventTime(at(ofMinutes(1))).build());
    event(aRepaymentEvent().setCreditId(null).build());

    // When
    clockAt(minutes(1) + GRACE);

    // Then
    assertThat(output.alerts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getTriggeringEventId()).isEqualTo("p1-c");
              assertThat(a.getEventTime()).isEqualTo(at(Duration.ZERO));
            });
  }

  @Test
  void shouldBreakEventTimeTiesByArrival() {
    // Given
    event(due("p1-d2", 2).setCreditId(null).build());
    event(due("p1-d1", 1).setCreditId(null).build());

    // When
    clockAt(T0 + GRACE);

    // Then
    assertThat(output.alerts())
        .singleElement()
        .satisfies(a -> assertThat(a.getTriggeringEventId()).isEqualTo("p1-d2"));
  }

  @Test
  void shouldIgnoreARedeliveredEventId() {
    // Given
    borrowing(aCreditUse().setMerchantOrderId(null).setAmountMinor(100_000).build());
    event(aRepaymentEvent().setAmountMinor(100_000).build());
    event(aCollection("p1-r1", 60_000).build());

    // When
    event(aCollection("p1-r1", 60_000).build());
    event(aCollection("p1-r1", 90_000).build());
    clockAt(minutes(10));

    // Then
    assertThat(output.all()).isEmpty();
  }

  @Test
  void shouldTestTheSumOfDecidedCollectionsAgainstTheCap() {
    // Given
    borrowing(aCreditUse().setMerchantOrderId(null).setAmountMinor(100_000).build());
    event(aRepaymentEvent().setAmountMinor(100_000).build());
    event(aCollection("p1-r1", 60_000).build());
    event(aCollection("p1-r2", 48_000).setEventTime(at(ofMinutes(1))).build());
    clockAt(minutes(10));
    final List<Object> atTheCap = output.all();

    // When
    event(aCollection("p1-r3", 1).setEventTime(at(ofMinutes(12))).build());
    clockAt(minutes(20));

    // Then
    assertThat(atTheCap).isEmpty();
    assertThat(output.alerts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(withoutExplanation(a))
                  .isEqualTo(
                      Alert.newBuilder()
                          .setAlertId("p1/AMOUNT_EXCEEDS_BORROWING/1")
                          .setRule(Rule.AMOUNT_EXCEEDS_BORROWING)
                          .setSeverity(Severity.MEDIUM)
                          .setStatus(AlertStatus.OPEN)
                          .setPlanId("p1")
                          .setCreditId("c1")
                          .setAccountId("a1")
                          .setTriggeringEventId("p1-r3")
                          .setExplanation("")
                          .setEvidence(
                              Map.ofEntries(
                                  Map.entry("eventType", "REPAYMENT_COLLECTED"),
                                  Map.entry("planAccountId", "a1"),
                                  Map.entry("amountMinor", "1"),
                                  Map.entry("currency", "CNY"),
                                  Map.entry("creditId", "c1"),
                                  Map.entry("borrowerAccountId", "a1"),
                                  Map.entry("borrowingStatus", "APPROVED"),
                                  Map.entry("principalMinor", "100000"),
                                  Map.entry("collectedMinor", "108001"),
                                  Map.entry("maxFeeBps", "800"),
                                  Map.entry("capMinor", "108000")))
                          .setEventTime(at(ofMinutes(12)))
                          .setDecidedAt(Instant.ofEpochMilli(minutes(20)))
                          .build());
              assertThat(a.getExplanation()).contains("1080.01 CNY");
            });
  }

  @Test
  void shouldIgnoreABorrowingOlderThanTheOneArrived() {
    // Given
    borrowing(aCreditUse().setMerchantOrderId(null).setEventTime(at(ofMinutes(1))).build());
    event(aRepaymentEvent().setEventTime(at(ofMinutes(2))).build());

    // When
    borrowing(aCreditUse().setMerchantOrderId(null).setStatus(CreditStatus.REVERSED).build());
    clockAt(minutes(10));

    // Then
    assertThat(output.all()).isEmpty();
  }

  @Test
  void shouldPreferTheLaterArrivalOfABorrowingWithTheSameEventTime() {
    // Given
    borrowing(aCreditUse().setMerchantOrderId(null).build());
    event(aRepaymentEvent().setEventTime(at(ofMinutes(2))).build());

    // When
    borrowing(aCreditUse().setMerchantOrderId(null).setStatus(CreditStatus.REVERSED).build());
    clockAt(minutes(10));

    // Then
    assertThat(summaries())
        .containsExactly(
            new Out(
                "p1/BORROWING_REVERSED/1", Rule.BORROWING_REVERSED, AlertStatus.OPEN, minutes(10)),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, minutes(10)));
  }

  static Stream<Arguments> orderHistories() {
    return Stream.of(
        Arguments.of(
            "an older CANCELLED arriving after PAID is ignored",
            List.of(
                paidAt(1),
                aMerchantOrder()
                    .setStatus(OrderStatus.CANCELLED)
                    .setEventTime(at(Duration.ZERO))
                    .build()),
            List.of()),
        Arguments.of(
            "CANCELLED with PAID's eventTime, arriving later, wins",
            List.of(
                paidAt(1),
                aMerchantOrder()
                    .setStatus(OrderStatus.CANCELLED)
                    .setEventTime(at(ofMinutes(1)))
                    .build()),
            List.of(Rule.ORDER_NOT_PAID)),
        Arguments.of(
            "a refund arriving after the plan was created counts",
            List.of(
                paidAt(0),
                aMerchantOrder()
                    .setStatus(OrderStatus.REFUNDED)
                    .setEventTime(at(ofMinutes(3)))
                    .build()),
            List.of(Rule.ORDER_NOT_PAID)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("orderHistories")
  void shouldJudgeAgainstTheLatestArrivedOrderState(
      final String description, final List<MerchantOrder> history, final List<Rule> expected) {
    // Given
    borrowing(aCreditUse().build());
    event(aRepaymentEvent().setEventTime(at(ofMinutes(2))).build());

    // When
    history.forEach(this::order);
    clockAt(minutes(10));

    // Then
    assertThat(output.alerts()).map(Alert::getRule).containsExactlyElementsOf(expected);
  }

  @Test
  void shouldOpenOneAlertPerPlanAndRule() {
    // Given
    event(aRepaymentEvent().setCreditId("c-missing").build());
    event(due("p1-d1", 1).setCreditId("c-missing").build());
    clockAt(minutes(10));

    // When
    event(due("p1-d2", 2).setCreditId("c-missing").setEventTime(at(ofMinutes(20))).build());
    clockAt(minutes(30));

    // Then
    assertThat(summaries())
        .containsExactly(
            new Out("p1/NO_BORROWING/1", Rule.NO_BORROWING, AlertStatus.OPEN, minutes(10)),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, minutes(10)));
  }

  @Test
  void shouldResolveNoBorrowingOneGraceAfterALateBorrowingAndOpenItsOwnAlertWhileHeld() {
    // Given
    event(aRepaymentEvent().build());
    clockAt(T0 + GRACE);
    final Alert noBorrowing = output.alerts().get(0);
    borrowing(
        aCreditUse()
            .setMerchantOrderId(null)
            .setAccountId("a-other")
            .setIdentityId("id-other")
            .setEventTime(at(ofMinutes(-1)))
            .build());

    // When
    clockAt(T0 + 2 * GRACE - 1);
    final int beforeDue = output.all().size();
    clockAt(T0 + 2 * GRACE);

    // Then
    assertThat(beforeDue).isEqualTo(2);
    assertThat(summaries())
        .containsExactly(
            new Out("p1/NO_BORROWING/1", Rule.NO_BORROWING, AlertStatus.OPEN, T0 + GRACE),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, T0 + GRACE),
            new Out("p1/NO_BORROWING/1", Rule.NO_BORROWING, AlertStatus.RESOLVED, T0 + 2 * GRACE),
            new Out(
                "p1/ACCOUNT_MISMATCH/1", Rule.ACCOUNT_MISMATCH, AlertStatus.OPEN, T0 + 2 * GRACE));
    final Map<String, String> resolvedEvidence = new LinkedHashMap<>(noBorrowing.getEvidence());
    resolvedEvidence.put("resolvedBy", "borrowing c1 arrived late");
    assertThat(output.alerts().get(1))
        .isEqualTo(
            Alert.newBuilder(noBorrowing)
                .setStatus(AlertStatus.RESOLVED)
                .setEvidence(resolvedEvidence)
                .setDecidedAt(Instant.ofEpochMilli(T0 + 2 * GRACE))
                .build());
    assertThat(withoutExplanation(output.alerts().get(2)))
        .isEqualTo(
            Alert.newBuilder()
                .setAlertId("p1/ACCOUNT_MISMATCH/1")
                .setRule(Rule.ACCOUNT_MISMATCH)
                .setSeverity(Severity.HIGH)
                .setStatus(AlertStatus.OPEN)
                .setPlanId("p1")
                .setCreditId("c1")
                .setAccountId("a1")
                .setTriggeringEventId("p1-c")
                .setExplanation("")
                .setEvidence(
                    Map.ofEntries(
                        Map.entry("eventType", "PLAN_CREATED"),
                        Map.entry("planAccountId", "a1"),
                        Map.entry("amountMinor", "123000"),
                        Map.entry("currency", "CNY"),
                        Map.entry("creditId", "c1"),
                        Map.entry("borrowerAccountId", "a-other"),
                        Map.entry("borrowingStatus", "APPROVED"),
                        Map.entry("principalMinor", "120000"),
                        Map.entry("planIdentityId", "id-a1"),
                        Map.entry("borrowerIdentityId", "id-other"),
                        Map.entry("sameIdentity", "false")))
                .setEventTime(at(Duration.ZERO))
                .setDecidedAt(Instant.ofEpochMilli(T0 + 2 * GRACE))
                .build());
  }

  @Test
  void shouldReleaseWhenTheLateBorrowingIsSound() {
    // Given
    event(aRepaymentEvent().build());
    event(aCollection("p1-r1", 41_000).setEventTime(at(ofMinutes(1))).build());
    clockAt(minutes(10));
    borrowing(aCreditUse().setMerchantOrderId(null).build());

    // When
    clockAt(minutes(10) + GRACE);

    // Then
    assertThat(summaries())
        .containsExactly(
            new Out("p1/NO_BORROWING/1", Rule.NO_BORROWING, AlertStatus.OPEN, minutes(10)),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, minutes(10)),
            new Out(
                "p1/NO_BORROWING/1", Rule.NO_BORROWING, AlertStatus.RESOLVED, minutes(10) + GRACE),
            new Out("p1/RELEASE/1", HoldAction.RELEASE, null, minutes(10) + GRACE));
    assertThat(output.commands().get(1))
        .isEqualTo(
            HoldCommand.newBuilder()
                .setCommandId("p1/RELEASE/1")
                .setAction(HoldAction.RELEASE)
                .setPlanId("p1")
                .setAccountId("a1")
                .setRules(List.of(Rule.NO_BORROWING))
                .setAlertIds(List.of("p1/NO_BORROWING/1"))
                .setDecidedAt(Instant.ofEpochMilli(minutes(10) + GRACE))
                .build());
  }

  @Test
  void shouldResolveOrderNotPaidAtOnceWhenTheOrderIsPaid() {
    // Given
    borrowing(aCreditUse().build());
    order(aMerchantOrder().setStatus(OrderStatus.CREATED).build());
    event(aRepaymentEvent().build());
    clockAt(T0 + GRACE);
    final Alert notPaid = output.alerts().get(0);

    // When
    order(paidAt(3));

    // Then
    assertThat(engine.detectorTime()).isEqualTo(T0 + GRACE);
    assertThat(notPaid.getEvidence()).containsEntry("orderStatus", "CREATED");
    assertThat(summaries())
        .containsExactly(
            new Out("p1/ORDER_NOT_PAID/1", Rule.ORDER_NOT_PAID, AlertStatus.OPEN, T0 + GRACE),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, T0 + GRACE),
            new Out("p1/ORDER_NOT_PAID/1", Rule.ORDER_NOT_PAID, AlertStatus.RESOLVED, T0 + GRACE),
            new Out("p1/RELEASE/1", HoldAction.RELEASE, null, T0 + GRACE));
    assertThat(output.alerts().get(1).getSeverity()).isEqualTo(Severity.HIGH);
  }

  @Test
  void shouldOpenASecondOccurrenceWhenARuleFiresAgainAfterResolution() {
    // Given
    borrowing(aCreditUse().build());
    order(aMerchantOrder().setStatus(OrderStatus.CREATED).build());
    event(aRepaymentEvent().build());
    clockAt(T0 + GRACE);
    order(paidAt(3));

    // When
    order(aMerchantOrder().setStatus(OrderStatus.REFUNDED).setEventTime(at(ofMinutes(4))).build());
    event(due("p1-d1", 1).setEventTime(at(ofMinutes(4))).build());
    clockAt(minutes(4) + GRACE);

    // Then
    assertThat(summaries())
        .containsExactly(
            new Out("p1/ORDER_NOT_PAID/1", Rule.ORDER_NOT_PAID, AlertStatus.OPEN, T0 + GRACE),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, T0 + GRACE),
            new Out("p1/ORDER_NOT_PAID/1", Rule.ORDER_NOT_PAID, AlertStatus.RESOLVED, T0 + GRACE),
            new Out("p1/RELEASE/1", HoldAction.RELEASE, null, T0 + GRACE),
            new Out(
                "p1/ORDER_NOT_PAID/2", Rule.ORDER_NOT_PAID, AlertStatus.OPEN, minutes(4) + GRACE),
            new Out("p1/HOLD/2", HoldAction.HOLD, null, minutes(4) + GRACE));
    assertThat(output.alerts().get(2).getEvidence()).containsEntry("orderStatus", "REFUNDED");
  }

  @Test
  void shouldNotHoldTwiceWhileAHoldIsInForce() {
    // Given
    borrowing(aCreditUse().build());
    order(aMerchantOrder().setStatus(OrderStatus.CANCELLED).build());
    event(aRepaymentEvent().build());
    clockAt(minutes(10));

    // When
    event(
        due("p1-d1", 1)
            .setAccountId("a-other")
            .setIdentityId("id-other")
            .setEventTime(at(ofMinutes(20)))
            .build());
    borrowing(
        aCreditUse().setStatus(CreditStatus.REVERSED).setEventTime(at(ofMinutes(20))).build());
    clockAt(minutes(30));

    // Then
    assertThat(output.commands())
        .singleElement()
        .isEqualTo(
            HoldCommand.newBuilder()
                .setCommandId("p1/HOLD/1")
                .setAction(HoldAction.HOLD)
                .setPlanId("p1")
                .setAccountId("a1")
                .setRules(List.of(Rule.ORDER_NOT_PAID))
                .setAlertIds(List.of("p1/ORDER_NOT_PAID/1"))
                .setDecidedAt(Instant.ofEpochMilli(minutes(10)))
                .build());
    assertThat(output.alerts())
        .map(Alert::getAlertId)
        .containsExactly("p1/ORDER_NOT_PAID/1", "p1/BORROWING_REVERSED/1", "p1/ACCOUNT_MISMATCH/1");
  }

  @Test
  void shouldHoldOnceForSeveralAlertsOpenedInOneStep() {
    // Given
    borrowing(aCreditUse().setStatus(CreditStatus.REVERSED).build());
    order(aMerchantOrder().setStatus(OrderStatus.FAILED).build());

    // When
    event(aRepaymentEvent().setAccountId("a-other").setIdentityId("id-other").build());
    clockAt(minutes(10));

    // Then
    assertThat(output.commands())
        .singleElement()
        .isEqualTo(
            HoldCommand.newBuilder()
                .setCommandId("p1/HOLD/1")
                .setAction(HoldAction.HOLD)
                .setPlanId("p1")
                .setAccountId("a-other")
                .setRules(
                    List.of(Rule.BORROWING_REVERSED, Rule.ORDER_NOT_PAID, Rule.ACCOUNT_MISMATCH))
                .setAlertIds(
                    List.of(
                        "p1/BORROWING_REVERSED/1", "p1/ORDER_NOT_PAID/1", "p1/ACCOUNT_MISMATCH/1"))
                .setDecidedAt(Instant.ofEpochMilli(minutes(10)))
                .build());
  }

  @Test
  void shouldProduceIdenticalOutputsIdsIncludedForTheSameFacts() {
    // Given
    final List<Fact> facts =
        List.of(
            fact(
                ORDER_LINKS,
                T0,
                false,
                update(aMerchantOrder().setStatus(OrderStatus.CREATED).build())),
            fact(REPAYMENT_PLAN, T0, false, aRepaymentEvent().build()),
            fact(
                REPAYMENT_PLAN,
                T0,
                false,
                aRepaymentEvent().setPlanId("p2").setEventId("p2-c").setCreditId("c2").build()),
            fact(CREDIT_USE, T0, false, aCreditUse().build()),
            fact(CREDIT_USE, minutes(10), true, null),
            fact(REPAYMENT_PLAN, minutes(10), true, null),
            fact(ORDER_LINKS, minutes(10), true, null),
            fact(
                CREDIT_USE,
                minutes(10),
                false,
                aCreditUse()
                    .setCreditId("c2")
                    .setAccountId("a-other")
                    .setIdentityId("id-other")
                    .setMerchantOrderId(null)
                    .build()),
            fact(ORDER_LINKS, minutes(11), false, update(paidAt(11))),
            fact(CREDIT_USE, minutes(30), true, null),
            fact(REPAYMENT_PLAN, minutes(30), true, null),
            fact(ORDER_LINKS, minutes(30), true, null));

    // When
    final List<Object> first = run(DEFAULTS, facts);
    final List<Object> second = run(DEFAULTS, facts);

    // Then
    assertThat(first).hasSize(8).isEqualTo(second);
    assertThat(first)
        .map(DecisionEngineTest::idOf)
        .containsExactly(
            "p1/ORDER_NOT_PAID/1",
            "p1/HOLD/1",
            "p2/NO_BORROWING/1",
            "p2/HOLD/1",
            "p1/ORDER_NOT_PAID/1",
            "p1/RELEASE/1",
            "p2/NO_BORROWING/1",
            "p2/ACCOUNT_MISMATCH/1");
  }

  static Stream<Arguments> holdThresholds() {
    return Stream.of(
        Arguments.of(Severity.HIGH, List.of()),
        Arguments.of(Severity.MEDIUM, List.of(HoldAction.HOLD)));
  }

  @ParameterizedTest(name = "hold at {0}")
  @MethodSource("holdThresholds")
  void shouldHoldAccordingToTheConfiguredHoldSeverity(
      final Severity holdSeverity, final List<HoldAction> expected) {
    // Given
    engine =
        new DecisionEngine(
            new DecisionSettings(GRACE, 800, holdSeverity, DEFAULTS.sources(), Retention.DEFAULT),
            new MapDecisionStore(),
            output);
    borrowing(aCreditUse().setMerchantOrderId(null).build());

    // When
    event(aRepaymentEvent().setAccountId("a1b").build());
    clockAt(minutes(10));

    // Then
    assertThat(output.alerts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getRule()).isEqualTo(Rule.ACCOUNT_MISMATCH);
              assertThat(a.getSeverity()).isEqualTo(Severity.MEDIUM);
            });
    assertThat(output.commands()).map(HoldCommand::getAction).containsExactlyElementsOf(expected);
  }

  @Test
  void shouldRaiseDuplicatePlanOnTheLaterCreatedPlan() {
    // Given
    borrowing(aCreditUse().setMerchantOrderId(null).build());
    event(aRepaymentEvent().setPlanId("p-b").setEventId("p-b-c").build());

    // When
    event(
        aRepaymentEvent()
            .setPlanId("p-a")
            .setEventId("p-a-c")
            .setEventTime(at(ofMinutes(1)))
            .build());
    clockAt(minutes(10));

    // Then
    assertThat(output.alerts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getAlertId()).isEqualTo("p-a/DUPLICATE_PLAN/1");
              assertThat(a.getTriggeringEventId()).isEqualTo("p-a-c");
              assertThat(a.getEvidence()).containsEntry("otherPlanId", "p-b");
            });
    assertThat(output.commands()).map(HoldCommand::getCommandId).containsExactly("p-a/HOLD/1");
  }

  @Test
  void shouldNotRaiseDuplicatePlanWhenTheFirstPlanClosedBeforeTheSecondWasDecided() {
    // Given
    borrowing(aCreditUse().setMerchantOrderId(null).build());
    event(aRepaymentEvent().setPlanId("p-b").setEventId("p-b-c").build());
    clockAt(minutes(10));

    // When
    event(
        aRepaymentEvent()
            .setPlanId("p-b")
            .setEventId("p-b-x")
            .setType(RepaymentEventType.PLAN_CLOSED)
            .setEventTime(at(ofMinutes(11)))
            .build());
    event(
        aRepaymentEvent()
            .setPlanId("p-a")
            .setEventId("p-a-c")
            .setEventTime(at(ofMinutes(12)))
            .build());
    clockAt(minutes(30));

    // Then
    assertThat(output.all()).isEmpty();
  }

  @Test
  void shouldRaiseNothingForPlanClosed() {
    // Given
    borrowing(aCreditUse().setStatus(CreditStatus.REVERSED).setAccountId("a-other").build());

    // When
    event(
        aRepaymentEvent()
            .setCreditId("c-missing")
            .setEventId("p1-x")
            .setType(RepaymentEventType.PLAN_CLOSED)
            .build());
    event(
        aRepaymentEvent()
            .setPlanId("p2")
            .setEventId("p2-x")
            .setType(RepaymentEventType.PLAN_CLOSED)
            .build());
    clockAt(minutes(10));

    // Then
    assertThat(output.all()).isEmpty();
    assertThat(engine.nextDue()).isEmpty();
  }

  private static long minutes(final long m) {
    return T0 + ofMinutes(m).toMillis();
  }

  private void clockAt(final long time) {
    watermark(CREDIT_USE, time);
    watermark(REPAYMENT_PLAN, time);
    watermark(ORDER_LINKS, time);
  }

  private void watermark(final String source, final long time) {
    engine.onFact(fact(source, time, false, null));
  }

  private void idle(final String source, final long time) {
    engine.onFact(fact(source, time, true, null));
  }

  private void borrowing(final CreditUse borrowing) {
    engine.onFact(fact(CREDIT_USE, borrowing.getEventTime().toEpochMilli(), false, borrowing));
  }

  private void order(final MerchantOrder order) {
    engine.onFact(fact(ORDER_LINKS, order.getEventTime().toEpochMilli(), false, update(order)));
  }

  private void event(final RepaymentEvent event) {
    engine.onFact(fact(REPAYMENT_PLAN, event.getEventTime().toEpochMilli(), false, event));
  }

  private static OrderUpdate update(final MerchantOrder order) {
    return OrderUpdate.newBuilder().setCreditId("c1").setOrder(order).build();
  }

  private static Fact fact(
      final String source, final long watermark, final boolean idle, final Object payload) {
    return Fact.newBuilder()
        .setSource(source)
        .setMaxEventTime(watermark)
        .setIdle(idle)
        .setPayload(payload)
        .build();
  }

  private static List<Object> run(final DecisionSettings settings, final List<Fact> facts) {
    final RecordingOutput recorded = new RecordingOutput();
    final DecisionEngine fresh = new DecisionEngine(settings, new MapDecisionStore(), recorded);
    facts.forEach(f -> fresh.onFact(Fact.newBuilder(f).build()));
    return recorded.all();
  }

  private static MerchantOrder paidAt(final long minute) {
    return aMerchantOrder().setStatus(OrderStatus.PAID).setEventTime(at(ofMinutes(minute))).build();
  }

  private static RepaymentEvent.Builder due(final String eventId, final int installmentNo) {
    return aRepaymentEvent()
        .setEventId(eventId)
        .setType(RepaymentEventType.INSTALLMENT_DUE)
        .setInstallmentNo(installmentNo)
        .setAmountMinor(41_000);
  }

  private static Alert withoutExplanation(final Alert alert) {
    return Alert.newBuilder(alert).setExplanation("").build();
  }

  private static String idOf(final Object out) {
    return out instanceof Alert a ? a.getAlertId() : ((HoldCommand) out).getCommandId();
  }

  private List<Out> summaries() {
    return output.all().stream()
        .map(
            o ->
                o instanceof Alert a
                    ? new Out(
                        a.getAlertId(), a.getRule(), a.getStatus(), a.getDecidedAt().toEpochMilli())
                    : new Out(
                        ((HoldCommand) o).getCommandId(),
                        ((HoldCommand) o).getAction(),
                        null,
                        ((HoldCommand) o).getDecidedAt().toEpochMilli()))
        .toList();
  }
}
