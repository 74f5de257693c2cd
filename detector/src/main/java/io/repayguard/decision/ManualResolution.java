package io.repayguard.decision;

import io.repayguard.events.Alert;
import io.repayguard.events.OpsCommand;
import io.repayguard.rules.HoldPolicy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Manual resolution (DESIGN.md rule 11): an analyst's command about one of a plan's open alerts,
 * applied when the decision stage reads it, at the detector time it finds.
 *
 * <p>{@code RESOLVE} republishes the open alert RESOLVED (same id and severity) with {@code
 * resolvedBy} and {@code resolution} in its evidence, then re-checks the hold, so a RELEASE follows
 * when no open alert at or above the hold severity is left. {@code ACKNOWLEDGE} republishes it OPEN
 * with {@code acknowledgedBy} and {@code acknowledgedAt} (issuedAt as ISO-8601 UTC, e.g. {@code
 * 2026-03-02T00:01:00Z}) and keeps it stored so; it changes no hold. A command whose commandId the
 * plan has read before, or about a rule with no open alert, publishes nothing and is reported to
 * the output as ignored. Stateless: it changes the plan it is given.
 */
final class ManualResolution {
  static final String ACKNOWLEDGED_BY = "acknowledgedBy";
  static final String ACKNOWLEDGED_AT = "acknowledgedAt";
  static final String RESOLVED_BY = "resolvedBy";
  static final String RESOLUTION = "resolution";

  private ManualResolution() {}

  /**
   * Applies {@code command} to {@code plan} at detector time {@code now}. Its commandId is
   * remembered whatever it did, so a redelivery cannot act later on an alert opened since.
   *
   * @return whether the plan changed and must be stored
   */
  static boolean apply(
      final Plan plan,
      final OpsCommand command,
      final long now,
      final HoldPolicy holdPolicy,
      final DecisionOutput output) {
    if (!plan.readOpsCommand(command.getCommandId())) {
      output.opsCommandIgnored(command, "its commandId was read before (a redelivery)");
      return false;
    }
    final Optional<Alert> open = plan.openAlert(command.getRule());
    if (open.isEmpty()) {
      output.opsCommandIgnored(command, "the plan has no open " + command.getRule() + " alert");
      return true;
    }
    output.stepStarts();
    switch (command.getAction()) {
      case RESOLVE -> {
        PlanAlerts.resolve(
            plan,
            open.get(),
            now,
            notes(RESOLVED_BY, command.getAnalyst(), RESOLUTION, command.getReason()),
            output);
        Holds.step(plan, holdPolicy, now, output);
      }
      case ACKNOWLEDGE ->
          PlanAlerts.annotate(
              plan,
              open.get(),
              notes(
                  ACKNOWLEDGED_BY,
                  command.getAnalyst(),
                  ACKNOWLEDGED_AT,
                  command.getIssuedAt().toString()),
              output);
    }
    return true;
  }

  /** Two evidence entries in a fixed order, so republished alerts are byte-for-byte stable. */
  private static Map<String, String> notes(
      final String key1, final String value1, final String key2, final String value2) {
    final Map<String, String> notes = new LinkedHashMap<>();
    notes.put(key1, value1);
    notes.put(key2, value2);
    return notes;
  }
}
