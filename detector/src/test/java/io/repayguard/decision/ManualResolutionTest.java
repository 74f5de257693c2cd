package io.repayguard.decision;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.anOpsCommand;
import static io.repayguard.events.Events.at;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.facts.Fact;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.CreditStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.HoldAction;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.OpsAction;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Analysts' commands fed to the decision engine as facts, over maps (DESIGN.md rule 11 and "Manual
 * resolution"): resolve, acknowledge, redelivery, and commands that change nothing.
 */
class ManualResolutionTest {
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
  private final DecisionEngine engine = new DecisionEngine(DEFAULTS, store, output);
  private final List<Fact> facts = new ArrayList<>();

  @Test
  void shouldResolveAnOpenAlertAndReleaseTheHold() {
    // Given: a reversed borrowing holds plan p1; detector time moves on
    reversedBorrowingBehindP1();
    clockAt(minutes(10));
    final Alert open = output.alerts().get(0);
    clockAt(minutes(20));

    // When
    ops(anOpsCommand().setRule(Rule.BORROWING_REVERSED).setIssuedAt(at(ofMinutes(90))).build());

    // Then
    assertThat(engine.detectorTime()).isEqualTo(minutes(20));
    assertThat(summaries())
        .containsExactly(
            new Out(
                "p1/BORROWING_REVERSED/1", Rule.BORROWING_REVERSED, AlertStatus.OPEN, minutes(10)),
            new Out("p1/HOLD/1", HoldAction.HOLD, null, minutes(10)),
            new Out(
                "p1/BORROWING_REVERSED/1",
                Rule.BORROWING_REVERSED,
                AlertStatus.RESOLVED,
                minutes(20)),
            new Out("p1/RELEASE/1", HoldAction.RELEASE, null, minutes(20)));
    assertThat(output.alerts().get(1))
        .isEqualTo(
            Alert.newBuilder(open)
                .setStatus(AlertStatus.RESOLVED)
                .setEvidence(
                    withNotes(
                        open, "resolvedBy", "li.wei", "resolution", "checked with the merchant"))
                .setDecidedAt(at(ofMinutes(20)))
                .build());
    assertThat(output.commands().get(1))
        .isEqualTo(
            HoldCommand.newBuilder()
                .setCommandId("p1/RELEASE/1")
                .setAction(HoldAction.RELEASE)
                .setPlanId("p1")
                .setAccountId("a1")
                .setRules(List.of(Rule.BORROWING_REVERSED))
                .setAlertIds(List.of("p1/BORROWING_REVERSED/1"))
                .setDecidedAt(at(ofMinutes(20)))
                .build());
    assertThat(output.ignored()).isEmpty();
  }

  @Test
  void shouldKeepTheHoldWhileAnotherAlertAtHoldSeverityStaysOpen() {
    // Given: a reversed borrowing collected from a stranger's account, two HIGH alerts
    borrowing(aCreditUse().setMerchantOrderId(null).setStatus(CreditStatus.REVERSED).build());
    event(aRepaymentEvent().setAccountId("a-other").setIdentityId("id-other").build());
    clockAt(minutes(10));
    output.clear();

    // When
    ops(anOpsCommand().setCommandId("op-1").setRule(Rule.BORROWING_REVERSED).build());
    final List<Out> afterFirst = summaries();
    ops(anOpsCommand().setCommandId("op-2").setRule(Rule.ACCOUNT_MISMATCH).build());

    // Then
    assertThat(afterFirst)
        .containsExactly(
            new Out(
                "p1/BORROWING_REVERSED/1",
                Rule.BORROWING_REVERSED,
                AlertStatus.RESOLVED,
                minutes(10)));
    assertThat(summaries())
        .containsExactly(
            new Out(
                "p1/BORROWING_REVERSED/1",
                Rule.BORROWING_REVERSED,
                AlertStatus.RESOLVED,
                minutes(10)),
            new Out(
                "p1/ACCOUNT_MISMATCH/1", Rule.ACCOUNT_MISMATCH, AlertStatus.RESOLVED, minutes(10)),
            new Out("p1/RELEASE/1", HoldAction.RELEASE, null, minutes(10)));
  }

  @Test
  void shouldAcknowledgeAnOpenAlertWithoutTouchingTheHold() {
    // Given
    reversedBorrowingBehindP1();
    clockAt(minutes(10));
    final Alert open = output.alerts().get(0);
    output.clear();

    // When
    ops(
        anOpsCommand()
            .setCommandId("op-ack")
            .setAction(OpsAction.ACKNOWLEDGE)
            .setRule(Rule.BORROWING_REVERSED)
            .setIssuedAt(at(ofMinutes(30)))
            .build());
    final List<Object> acknowledged = output.all();
    ops(anOpsCommand().setCommandId("op-resolve").setRule(Rule.BORROWING_REVERSED).build());

    // Then: republished OPEN, unchanged but for the evidence, no command; and stored so
    final Alert expectedAck =
        Alert.newBuilder(open)
            .setEvidence(
                withNotes(
                    open, "acknowledgedBy", "li.wei", "acknowledgedAt", "2026-03-01T00:30:00Z"))
            .build();
    assertThat(acknowledged).containsExactly(expectedAck);
    assertThat(output.alerts().get(1).getStatus()).isEqualTo(AlertStatus.RESOLVED);
    assertThat(output.alerts().get(1).getEvidence())
        .containsEntry("acknowledgedBy", "li.wei")
        .containsEntry("acknowledgedAt", "2026-03-01T00:30:00Z")
        .containsEntry("resolvedBy", "li.wei");
    assertThat(output.commands()).map(HoldCommand::getCommandId).containsExactly("p1/RELEASE/1");
  }

  @Test
  void shouldIgnoreARedeliveredCommandEvenOnceTheRuleFiredAgain() {
    // Given: op-1 resolved the first occurrence; the rule fires again on a later event
    reversedBorrowingBehindP1();
    clockAt(minutes(10));
    final OpsCommand resolve = anOpsCommand().setRule(Rule.BORROWING_REVERSED).build();
    ops(resolve);
    event(
        aRepaymentEvent()
            .setEventId("p1-d1")
            .setType(RepaymentEventType.INSTALLMENT_DUE)
            .setInstallmentNo(1)
            .setAmountMinor(41_000)
            .setEventTime(at(ofMinutes(30)))
            .build());
    clockAt(minutes(40));
    output.clear();

    // When
    ops(resolve);

    // Then
    assertThat(output.all()).isEmpty();
    assertThat(output.ignored()).containsExactly(resolve);
    assertThat(store.plan("p1").orElseThrow().openAlert(Rule.BORROWING_REVERSED))
        .map(Alert::getAlertId)
        .contains("p1/BORROWING_REVERSED/2");
    assertThat(store.plan("p1").orElseThrow().held()).isTrue();
  }

  @Test
  void shouldCountACommandForAnUnknownPlanAndChangeNothing() {
    // Given
    reversedBorrowingBehindP1();
    clockAt(minutes(10));
    output.clear();
    final OpsCommand stray =
        anOpsCommand().setPlanId("p-unknown").setRule(Rule.BORROWING_REVERSED).build();

    // When
    ops(stray);

    // Then
    assertThat(output.all()).isEmpty();
    assertThat(output.ignored()).containsExactly(stray);
    assertThat(store.planIds()).containsExactly("p1");
  }

  @Test
  void shouldCountACommandForARuleWithNoOpenAlertAndChangeNothing() {
    // Given: p1 has BORROWING_REVERSED open, and NO_BORROWING never fired
    reversedBorrowingBehindP1();
    clockAt(minutes(10));
    output.clear();
    final OpsCommand wrongRule =
        anOpsCommand().setCommandId("op-1").setRule(Rule.NO_BORROWING).build();
    final OpsCommand acknowledgeWrongRule =
        anOpsCommand()
            .setCommandId("op-2")
            .setAction(OpsAction.ACKNOWLEDGE)
            .setRule(Rule.DUPLICATE_PLAN)
            .build();

    // When
    ops(wrongRule);
    ops(acknowledgeWrongRule);

    // Then
    assertThat(output.all()).isEmpty();
    assertThat(output.ignored()).containsExactly(wrongRule, acknowledgeWrongRule);
    assertThat(store.plan("p1").orElseThrow().held()).isTrue();
    assertThat(store.plan("p1").orElseThrow().openAlerts()).hasSize(1);
  }

  @Test
  void shouldNeitherMoveNorWaitForDetectorTime() {
    // Given: p1 pending, due at T0 + grace
    event(aRepaymentEvent().setCreditId("c-missing").build());
    clockAt(minutes(1));

    // When: a command issued an hour later, about the alert p1 will raise
    ops(anOpsCommand().setIssuedAt(at(ofMinutes(60))).build());

    // Then: nothing decided early, nothing resolved
    assertThat(engine.detectorTime()).isEqualTo(minutes(1));
    assertThat(engine.nextDue()).contains(T0 + GRACE);
    assertThat(output.all()).isEmpty();
    assertThat(output.ignored()).hasSize(1);
  }

  @Test
  void shouldProduceIdenticalOutputsForTheSameFacts() {
    // Given
    reversedBorrowingBehindP1();
    clockAt(minutes(10));
    ops(
        anOpsCommand()
            .setCommandId("op-ack")
            .setAction(OpsAction.ACKNOWLEDGE)
            .setRule(Rule.BORROWING_REVERSED)
            .build());
    ops(anOpsCommand().setCommandId("op-resolve").setRule(Rule.BORROWING_REVERSED).build());

    // When
    final RecordingOutput replayed = new RecordingOutput();
    final DecisionEngine replay = new DecisionEngine(DEFAULTS, new MapDecisionStore(), replayed);
    facts.forEach(f -> replay.onFact(Fact.newBuilder(f).build()));

    // Then
    assertThat(replayed.all()).hasSize(5).isEqualTo(output.all());
  }

  private void reversedBorrowingBehindP1() {
    borrowing(aCreditUse().setMerchantOrderId(null).setStatus(CreditStatus.REVERSED).build());
    event(aRepaymentEvent().build());
  }

  private static long minutes(final long m) {
    return T0 + ofMinutes(m).toMillis();
  }

  private void clockAt(final long time) {
    feed(fact(CREDIT_USE, time, null));
    feed(fact(REPAYMENT_PLAN, time, null));
    feed(fact(ORDER_LINKS, time, null));
  }

  private void borrowing(final CreditUse borrowing) {
    feed(fact(CREDIT_USE, borrowing.getEventTime().toEpochMilli(), borrowing));
  }

  private void event(final RepaymentEvent event) {
    feed(fact(REPAYMENT_PLAN, event.getEventTime().toEpochMilli(), event));
  }

  /** An ops command as the ops ingest forwards it: no clock. */
  private void ops(final OpsCommand command) {
    feed(
        Fact.newBuilder()
            .setSource("repayguard-ops/0")
            .setMaxEventTime(Clocks.UNKNOWN)
            .setIdle(true)
            .setPayload(command)
            .build());
  }

  private void feed(final Fact fact) {
    facts.add(Fact.newBuilder(fact).build());
    engine.onFact(fact);
  }

  private static Fact fact(final String source, final long watermark, final Object payload) {
    return Fact.newBuilder()
        .setSource(source)
        .setMaxEventTime(watermark)
        .setIdle(false)
        .setPayload(payload)
        .build();
  }

  private static Map<String, String> withNotes(
      final Alert alert,
      final String key1,
      final String value1,
      final String key2,
      final String value2) {
    final Map<String, String> evidence = new LinkedHashMap<>(alert.getEvidence());
    evidence.put(key1, value1);
    evidence.put(key2, value2);
    return evidence;
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
