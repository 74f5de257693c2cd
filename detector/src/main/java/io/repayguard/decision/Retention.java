package io.repayguard.decision;

import java.time.Duration;

/**
 * How long state is kept, in detector time (DESIGN.md rule 10).
 *
 * @param closedPlan a plan is forgotten this long after its PLAN_CLOSED (or its last event, if
 *     later)
 * @param inactive an open plan, a borrowing or an order is forgotten this long after its last event
 *     or update
 */
public record Retention(Duration closedPlan, Duration inactive) {
  /** 90 days after a plan closes, 400 days after anything's last update. */
  public static final Retention DEFAULT = new Retention(Duration.ofDays(90), Duration.ofDays(400));

  public Retention {
    if (closedPlan.isNegative() || inactive.isNegative()) {
      throw new IllegalArgumentException("retention horizons must not be negative");
    }
  }
}
