package io.repayguard.decision;

import io.repayguard.events.Severity;
import java.util.Set;

/**
 * What the decision stage needs to know besides its input.
 *
 * @param graceMillis how long after an event's eventTime (in detector time) it is decided
 * @param maxFeeBps the fee cap of AMOUNT_EXCEEDS_BORROWING, in basis points of the principal
 * @param holdSeverity the lowest severity of an open alert that holds a plan
 * @param sources the sources that must have reported before detector time can move
 * @param retention how long state outlives its last use
 */
public record DecisionSettings(
    long graceMillis, int maxFeeBps, Severity holdSeverity, Sources sources, Retention retention) {

  /** Settings with only direct sources and the default retention. */
  public DecisionSettings(
      final long graceMillis,
      final int maxFeeBps,
      final Severity holdSeverity,
      final Set<String> directSources) {
    this(graceMillis, maxFeeBps, holdSeverity, Sources.direct(directSources), Retention.DEFAULT);
  }

  public DecisionSettings {
    if (graceMillis < 0) {
      throw new IllegalArgumentException("grace must not be negative");
    }
    if (maxFeeBps < 0) {
      throw new IllegalArgumentException("maxFeeBps must not be negative");
    }
  }
}
