package io.repayguard.rules;

import io.repayguard.events.Severity;

/**
 * Whether a plan must be held: exactly when one of its open alerts is at or above the hold
 * severity.
 */
public final class HoldPolicy {
  private final Severity threshold;

  public HoldPolicy(final Severity threshold) {
    this.threshold = threshold;
  }

  /** True when {@code severity} alone would hold a plan. */
  public boolean holds(final Severity severity) {
    return severity.ordinal() >= threshold.ordinal();
  }
}
