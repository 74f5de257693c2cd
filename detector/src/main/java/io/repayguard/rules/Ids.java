package io.repayguard.rules;

import io.repayguard.events.HoldAction;
import io.repayguard.events.Rule;

/**
 * Deterministic ids: an alert's from (plan, rule, occurrence), a command's from (plan, action,
 * occurrence).
 *
 * <p>A replay or a retried transaction reproduces them, so consumers can deduplicate. The plan id
 * comes first and the last two segments are fixed words and numbers, so no two inputs collide even
 * when a plan id contains a slash.
 */
public final class Ids {
  private Ids() {}

  /** {@code p1/NO_BORROWING/1} for the first NO_BORROWING alert of plan p1. */
  public static String alertId(final String planId, final Rule rule, final int occurrence) {
    return planId + "/" + rule.name() + "/" + occurrence;
  }

  /** {@code p1/HOLD/1} for the first HOLD of plan p1. */
  public static String commandId(
      final String planId, final HoldAction action, final int occurrence) {
    return planId + "/" + action.name() + "/" + occurrence;
  }
}
