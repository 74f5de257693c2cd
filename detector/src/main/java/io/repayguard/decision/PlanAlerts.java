package io.repayguard.decision;

import io.repayguard.detector.state.OpenAlert;
import io.repayguard.detector.state.PlanState;
import io.repayguard.detector.state.RuleCount;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.Rule;
import io.repayguard.rules.Finding;
import io.repayguard.rules.Ids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The alert lifecycle of one plan: one OPEN alert per (plan, rule), resolution republishes it, and
 * a later occurrence gets a new id (rules 4, 5 and 7).
 */
final class PlanAlerts {
  private PlanAlerts() {}

  /** A plan seen for the first time, from its first event. */
  static PlanState newPlan(final RepaymentEvent first) {
    return PlanState.newBuilder()
        .setPlanId(first.getPlanId())
        .setCreditId(first.getCreditId())
        .setAccountId(first.getAccountId())
        .setSeenEventIds(new ArrayList<>())
        .setDecided(new ArrayList<>())
        .setOpenAlerts(new ArrayList<>())
        .setOccurrences(new ArrayList<>())
        .setHoldAlertIds(new ArrayList<>())
        .setHoldRules(new ArrayList<>())
        .setLastEventTime(first.getEventTime().toEpochMilli())
        .build();
  }

  /** The plan's open alert of {@code rule}, if any. */
  static Optional<Alert> open(final PlanState plan, final Rule rule) {
    return plan.getOpenAlerts().stream()
        .map(OpenAlert::getAlert)
        .filter(a -> a.getRule() == rule)
        .findFirst();
  }

  /** Opens an alert for {@code finding} unless the plan has one of that rule open already. */
  static void openIfNew(
      final PlanState plan,
      final Finding finding,
      final String accountId,
      final String triggeringEventId,
      final Instant eventTime,
      final Instant decidedAt,
      final DecisionOutput output) {
    if (open(plan, finding.rule()).isPresent()) {
      return;
    }
    final int occurrence = nextOccurrence(plan, finding.rule());
    final Alert alert =
        Alert.newBuilder()
            .setAlertId(Ids.alertId(plan.getPlanId(), finding.rule(), occurrence))
            .setRule(finding.rule())
            .setSeverity(finding.severity())
            .setStatus(AlertStatus.OPEN)
            .setPlanId(plan.getPlanId())
            .setCreditId(plan.getCreditId())
            .setAccountId(accountId)
            .setTriggeringEventId(triggeringEventId)
            .setExplanation(finding.explanation())
            .setEvidence(new LinkedHashMap<>(finding.evidence()))
            .setEventTime(eventTime)
            .setDecidedAt(decidedAt)
            .build();
    plan.getOpenAlerts().add(OpenAlert.newBuilder().setAlert(alert).build());
    output.alert(alert);
  }

  /** Closes {@code alert} and republishes it RESOLVED, same id and severity; returns it. */
  static Alert resolve(
      final PlanState plan,
      final Alert alert,
      final long now,
      final String reason,
      final DecisionOutput output) {
    return resolve(plan, alert, now, Map.of("resolvedBy", reason), output);
  }

  /**
   * Closes {@code alert} and republishes it RESOLVED, same id and severity, with {@code notes}
   * added to its evidence (in their iteration order); returns it.
   */
  static Alert resolve(
      final PlanState plan,
      final Alert alert,
      final long now,
      final Map<String, String> notes,
      final DecisionOutput output) {
    plan.setOpenAlerts(
        plan.getOpenAlerts().stream()
            .filter(open -> !open.getAlert().getAlertId().equals(alert.getAlertId()))
            .collect(Collectors.toCollection(ArrayList::new)));
    final Map<String, String> evidence = new LinkedHashMap<>(alert.getEvidence());
    evidence.putAll(notes);
    final Alert resolved =
        Alert.newBuilder(alert)
            .setStatus(AlertStatus.RESOLVED)
            .setEvidence(evidence)
            .setDecidedAt(Instant.ofEpochMilli(now))
            .build();
    output.alert(resolved);
    return resolved;
  }

  /**
   * Keeps {@code alert} open with {@code notes} added to its evidence, otherwise unchanged (status,
   * decidedAt and all), stores it so and republishes it; returns it.
   */
  static Alert annotate(
      final PlanState plan,
      final Alert alert,
      final Map<String, String> notes,
      final DecisionOutput output) {
    final Map<String, String> evidence = new LinkedHashMap<>(alert.getEvidence());
    evidence.putAll(notes);
    final Alert annotated = Alert.newBuilder(alert).setEvidence(evidence).build();
    for (final OpenAlert open : plan.getOpenAlerts()) {
      if (open.getAlert().getAlertId().equals(alert.getAlertId())) {
        open.setAlert(annotated);
      }
    }
    output.alert(annotated);
    return annotated;
  }

  private static int nextOccurrence(final PlanState plan, final Rule rule) {
    for (final RuleCount count : plan.getOccurrences()) {
      if (count.getRule() == rule) {
        count.setCount(count.getCount() + 1);
        return count.getCount();
      }
    }
    plan.getOccurrences().add(RuleCount.newBuilder().setRule(rule).setCount(1).build());
    return 1;
  }
}
