package io.repayguard.decision;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCollection;
import static io.repayguard.events.Events.aRepaymentEvent;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.state.PlanState;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import io.repayguard.serde.TrustedAvroClasses;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine's model of a plan, and the stored form it is kept in. */
class PlanTest {
  static {
    TrustedAvroClasses.install();
  }

  @Test
  void shouldIgnoreARedeliveredEventAndKeepTheLatestAccount() {
    // Given
    final RepaymentEvent created = aRepaymentEvent().build();
    final Plan plan = Plan.startedBy(created);
    assertThat(plan.arrived(created)).isTrue();
    final RepaymentEvent moved =
        aRepaymentEvent()
            .setEventId("p1-d1")
            .setType(RepaymentEventType.INSTALLMENT_DUE)
            .setAccountId("a2")
            .setEventTime(Instant.ofEpochMilli(T0 + 60_000))
            .build();

    // When
    final boolean first = plan.arrived(moved);
    final boolean again = plan.arrived(RepaymentEvent.newBuilder(moved).setAccountId("a3").build());

    // Then
    assertThat(first).isTrue();
    assertThat(again).isFalse();
    assertThat(plan.accountId()).isEqualTo("a2");
    assertThat(plan.lastEventTime()).isEqualTo(T0 + 60_000);
    assertThat(plan.seenEventIds()).containsExactly("p1-c", "p1-d1");
  }

  @Test
  void shouldAddCollectedAmountsExactlyPastTheLongRange() {
    // Given
    final Plan plan = Plan.startedBy(aRepaymentEvent().build());
    plan.decided(aRepaymentEvent().build());

    // When
    plan.decided(aCollection("p1-r1", Long.MAX_VALUE).build());
    plan.decided(aCollection("p1-r2", Long.MAX_VALUE).build());

    // Then
    assertThat(plan.collectedMinor())
        .isEqualTo(BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TWO));
    assertThat(plan.createdAt()).isEqualTo(T0);
  }

  @Test
  void shouldKeepAHoldsAlertsInTheOrderTheyJoinedItAcrossAStoreRoundTrip() {
    // Given: a hold joined by two alerts, one of them resolved and reopened under a new id
    final Plan plan = Plan.startedBy(aRepaymentEvent().build());
    plan.arrived(aRepaymentEvent().build());
    final Alert first = alert("p1-ORDER_NOT_PAID-1", Rule.ORDER_NOT_PAID);
    final Alert second = alert("p1-NO_BORROWING-1", Rule.NO_BORROWING);
    final Alert reopened = alert("p1-ORDER_NOT_PAID-2", Rule.ORDER_NOT_PAID);
    plan.nextOccurrence(Rule.ORDER_NOT_PAID);
    plan.open(first);
    plan.nextOccurrence(Rule.NO_BORROWING);
    plan.open(second);
    assertThat(plan.startHold()).isEqualTo(1);
    plan.addToHold(first);
    plan.addToHold(second);
    plan.close(first.getAlertId());
    assertThat(plan.nextOccurrence(Rule.ORDER_NOT_PAID)).isEqualTo(2);
    plan.open(reopened);
    plan.addToHold(reopened);
    plan.addToHold(second);
    plan.readOpsCommand("op-1");
    plan.redecisionDue(T0 + 300_000);

    // When
    final PlanState stored = StoredPlans.write(plan);
    final Plan read = StoredPlans.read(stored);

    // Then
    assertThat(stored.getHoldAlertIds())
        .containsExactly(first.getAlertId(), second.getAlertId(), reopened.getAlertId());
    assertThat(stored.getHoldRules())
        .containsExactly(Rule.ORDER_NOT_PAID, Rule.NO_BORROWING, Rule.ORDER_NOT_PAID);
    assertThat(read.holdAlerts()).containsExactlyEntriesOf(plan.holdAlerts());
    assertThat(read.openAlerts()).containsExactly(second, reopened);
    assertThat(read.occurrences())
        .containsExactly(Map.entry(Rule.ORDER_NOT_PAID, 2), Map.entry(Rule.NO_BORROWING, 1));
    assertThat(read.held()).isTrue();
    assertThat(read.holds()).isEqualTo(1);
    assertThat(read.redecisionDue()).isEqualTo(T0 + 300_000);
    assertThat(read.opsCommandIds()).containsExactly("op-1");
    assertThat(StoredPlans.write(read)).isEqualTo(stored);
  }

  @Test
  void shouldShareNothingWithTheStateItWasReadFrom() {
    // Given
    final Plan plan = Plan.startedBy(aRepaymentEvent().build());
    plan.arrived(aRepaymentEvent().build());
    final PlanState stored = StoredPlans.write(plan);
    final PlanState before = PlanState.newBuilder(stored).build();

    // When: the plan read from it changes
    final Plan read = StoredPlans.read(stored);
    read.arrived(aRepaymentEvent().setEventId("p1-d1").build());
    read.decided(aRepaymentEvent().build());
    read.open(alert("p1-NO_BORROWING-1", Rule.NO_BORROWING));
    read.startHold();
    read.addToHold(alert("p1-NO_BORROWING-1", Rule.NO_BORROWING));
    read.readOpsCommand("op-1");

    // Then: the state does not
    assertThat(stored).isEqualTo(before);
  }

  private static Alert alert(final String alertId, final Rule rule) {
    return Alert.newBuilder()
        .setAlertId(alertId)
        .setRule(rule)
        .setSeverity(Severity.HIGH)
        .setStatus(AlertStatus.OPEN)
        .setPlanId("p1")
        .setCreditId("c1")
        .setAccountId("a1")
        .setTriggeringEventId("p1-c")
        .setExplanation("")
        .setEvidence(Map.of())
        .setEventTime(Instant.ofEpochMilli(T0))
        .setDecidedAt(Instant.ofEpochMilli(T0))
        .build();
  }
}
