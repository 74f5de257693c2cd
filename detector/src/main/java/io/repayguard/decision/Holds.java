package io.repayguard.decision;

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
      final Plan plan, final HoldPolicy policy, final long now, final DecisionOutput output) {
    final List<Alert> holding = new ArrayList<>();
    for (final Alert open : plan.openAlerts()) {
      if (policy.holds(open.getSeverity())) {
        holding.add(open);
      }
    }
    if (!holding.isEmpty()) {
      final boolean starts = !plan.held();
      final int hold = starts ? plan.startHold() : plan.holds();
      holding.forEach(plan::addToHold);
      if (starts) {
        output.command(command(plan, HoldAction.HOLD, hold, now));
      }
    } else if (plan.held()) {
      output.command(command(plan, HoldAction.RELEASE, plan.release(), now));
    }
  }

  private static HoldCommand command(
      final Plan plan, final HoldAction action, final int occurrence, final long now) {
    return HoldCommand.newBuilder()
        .setCommandId(Ids.commandId(plan.planId(), action, occurrence))
        .setAction(action)
        .setPlanId(plan.planId())
        .setAccountId(plan.accountId())
        .setRules(new ArrayList<>(plan.holdAlerts().values()))
        .setAlertIds(new ArrayList<>(plan.holdAlerts().keySet()))
        .setDecidedAt(Instant.ofEpochMilli(now))
        .build();
  }
}
