package io.repayguard.decision;

import io.repayguard.detector.state.OpenAlert;
import io.repayguard.detector.state.PlanState;
import io.repayguard.detector.state.RuleCount;
import io.repayguard.events.Alert;
import io.repayguard.events.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A {@link Plan} in the form the store keeps it, {@code PlanState}, and back. Writing what was read
 * gives the same state, field by field, but for {@code collectedMinor}, which no build reads and
 * which is written as 0.
 */
public final class StoredPlans {
  private StoredPlans() {}

  /** The plan {@code state} holds; the two share nothing. */
  public static Plan read(final PlanState state) {
    final List<Alert> open = new ArrayList<>(state.getOpenAlerts().size());
    for (final OpenAlert o : state.getOpenAlerts()) {
      open.add(o.getAlert());
    }
    final Map<Rule, Integer> occurrences = new LinkedHashMap<>();
    for (final RuleCount count : state.getOccurrences()) {
      occurrences.put(count.getRule(), count.getCount());
    }
    final Map<String, Rule> holdAlerts = new LinkedHashMap<>();
    for (int i = 0; i < state.getHoldAlertIds().size(); i++) {
      holdAlerts.put(state.getHoldAlertIds().get(i), state.getHoldRules().get(i));
    }
    return new Plan(
        state.getPlanId(),
        state.getCreditId(),
        state.getAccountId(),
        new LinkedHashSet<>(state.getSeenEventIds()),
        new ArrayList<>(state.getDecided()),
        state.getCreatedAt(),
        state.getClosedArrived(),
        state.getClosedAt(),
        open,
        occurrences,
        state.getHeld(),
        state.getHolds(),
        state.getReleases(),
        holdAlerts,
        state.getRedecisionDue(),
        state.getLastEventTime(),
        new LinkedHashSet<>(state.getOpsCommandIds()));
  }

  /** {@code plan} as the store keeps it; the two share nothing that either changes. */
  public static PlanState write(final Plan plan) {
    final List<OpenAlert> open = new ArrayList<>(plan.openAlerts().size());
    for (final Alert alert : plan.openAlerts()) {
      open.add(OpenAlert.newBuilder().setAlert(alert).build());
    }
    final List<RuleCount> occurrences = new ArrayList<>(plan.occurrences().size());
    plan.occurrences()
        .forEach(
            (rule, count) ->
                occurrences.add(RuleCount.newBuilder().setRule(rule).setCount(count).build()));
    return PlanState.newBuilder()
        .setPlanId(plan.planId())
        .setCreditId(plan.creditId())
        .setAccountId(plan.accountId())
        .setSeenEventIds(new ArrayList<>(plan.seenEventIds()))
        .setDecided(new ArrayList<>(plan.decidedEvents()))
        .setCreatedAt(plan.createdAt())
        .setClosedArrived(plan.closedArrived())
        .setCollectedMinor(0)
        .setOpenAlerts(open)
        .setOccurrences(occurrences)
        .setHeld(plan.held())
        .setHolds(plan.holds())
        .setReleases(plan.releases())
        .setHoldAlertIds(new ArrayList<>(plan.holdAlerts().keySet()))
        .setHoldRules(new ArrayList<>(plan.holdAlerts().values()))
        .setRedecisionDue(plan.redecisionDue())
        .setLastEventTime(plan.lastEventTime())
        .setClosedAt(plan.closedAt())
        .setOpsCommandIds(new ArrayList<>(plan.opsCommandIds()))
        .build();
  }
}
