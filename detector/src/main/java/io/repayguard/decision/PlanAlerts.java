package io.repayguard.decision;

import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.rules.Finding;
import io.repayguard.rules.Ids;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The alert lifecycle of one plan: one OPEN alert per (plan, rule), resolution republishes it, and
 * a later occurrence gets a new id (rules 4, 5 and 7).
 */
final class PlanAlerts {
  private PlanAlerts() {}

  /** Opens an alert for {@code finding} unless the plan has one of that rule open already. */
  static void openIfNew(
      final Plan plan,
      final Finding finding,
      final String accountId,
      final String triggeringEventId,
      final Instant eventTime,
      final Instant decidedAt,
      final DecisionOutput output) {
    if (plan.openAlert(finding.rule()).isPresent()) {
      return;
    }
    final int occurrence = plan.nextOccurrence(finding.rule());
    final Alert alert =
        Alert.newBuilder()
            .setAlertId(Ids.alertId(plan.planId(), finding.rule(), occurrence))
            .setRule(finding.rule())
            .setSeverity(finding.severity())
            .setStatus(AlertStatus.OPEN)
            .setPlanId(plan.planId())
            .setCreditId(plan.creditId())
            .setAccountId(accountId)
            .setTriggeringEventId(triggeringEventId)
            .setExplanation(finding.explanation())
            .setEvidence(new LinkedHashMap<>(finding.evidence()))
            .setEventTime(eventTime)
            .setDecidedAt(decidedAt)
            .build();
    plan.open(alert);
    output.alert(alert);
  }

  /** Closes {@code alert} and republishes it RESOLVED, same id and severity; returns it. */
  static Alert resolve(
      final Plan plan,
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
      final Plan plan,
      final Alert alert,
      final long now,
      final Map<String, String> notes,
      final DecisionOutput output) {
    plan.close(alert.getAlertId());
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
      final Plan plan,
      final Alert alert,
      final Map<String, String> notes,
      final DecisionOutput output) {
    final Map<String, String> evidence = new LinkedHashMap<>(alert.getEvidence());
    evidence.putAll(notes);
    final Alert annotated = Alert.newBuilder(alert).setEvidence(evidence).build();
    plan.replaceOpen(annotated);
    output.alert(annotated);
    return annotated;
  }
}
