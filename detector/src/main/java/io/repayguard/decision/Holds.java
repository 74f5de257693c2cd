package io.repayguard.decision;

import io.repayguard.detector.state.OpenAlert;
import io.repayguard.detector.state.PlanState;
import io.repayguard.events.Alert;
import io.repayguard.events.HoldAction;
import io.repayguard.events.HoldCommand;
import io.repayguard.rules.HoldPolicy;
import io.repayguard.rules.Ids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Rule 6: after a step a plan is held exactly when it has an open alert at or above the hold
 * severity; HOLD when that starts, RELEASE when it ends, never two HOLDs in a row.
 *
 * <p>A RELEASE names the alerts that were part of the hold, so the freeze service can log why it
 * had frozen the plan.
 */
final class Holds {
  private Holds() {}

  static void step(
      final PlanState plan, final HoldPolicy policy, final long now, final DecisionOutput output) {
    final List<Alert> holding = new ArrayList<>();
    for (final OpenAlert open : plan.getOpenAlerts()) {
      if (policy.holds(open.getAlert().getSeverity())) {
        holding.add(open.getAlert());
      }
    }
    if (!holding.isEmpty()) {
      final boolean starts = !plan.getHeld();
      if (starts) {
        plan.setHeld(true);
        plan.setHolds(plan.getHolds() + 1);
        plan.setHoldAlertIds(new ArrayList<>());
        plan.setHoldRules(new ArrayList<>());
      }
      for (final Alert alert : holding) {
        if (!plan.getHoldAlertIds().contains(alert.getAlertId())) {
          plan.getHoldAlertIds().add(alert.getAlertId());
          plan.getHoldRules().add(alert.getRule());
        }
      }
      if (starts) {
        output.command(command(plan, HoldAction.HOLD, plan.getHolds(), now));
      }
    } else if (plan.getHeld()) {
      plan.setHeld(false);
      plan.setReleases(plan.getReleases() + 1);
      output.command(command(plan, HoldAction.RELEASE, plan.getReleases(), now));
    }
  }

  private static HoldCommand command(
      final PlanState plan, final HoldAction action, final int occurrence, final long now) {
    return HoldCommand.newBuilder()
        .setCommandId(Ids.commandId(plan.getPlanId(), action, occurrence))
        .setAction(action)
        .setPlanId(plan.getPlanId())
        .setAccountId(plan.getAccountId())
        .setRules(new ArrayList<>(plan.getHoldRules()))
        .setAlertIds(new ArrayList<>(plan.getHoldAlertIds()))
        .setDecidedAt(Instant.ofEpochMilli(now))
        .build();
  }
}
