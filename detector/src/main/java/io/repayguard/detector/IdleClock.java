package io.repayguard.detector;

import java.util.Optional;

/**
 * The one place the wall clock moves detector time: while every source of a facts partition is
 * idle, detector time moves on with the wall clock from where it stood when all turned idle
 * (DESIGN.md, Time). Live mode only.
 *
 * <p>An advance is written into the facts log as a tick, so a replay sees it, but only when it
 * reaches the next queued decision: ticks that decide nothing would only fill the log. One tick at
 * a time: no new tick until the last one written has been read back.
 */
final class IdleClock {
  private Long idleSinceWallMs;
  private long detectorTimeAtIdle;
  private long lastTick = Long.MIN_VALUE;

  /**
   * The detector time to tick to at wall time {@code wallNowMs}, if a tick is due.
   *
   * <p>Stateful: remembers when all sources turned idle, as observed by these calls, and the last
   * tick handed out.
   */
  Optional<Long> tick(
      final long wallNowMs,
      final boolean allIdle,
      final Optional<Long> nextDue,
      final long detectorTime) {
    if (!allIdle) {
      idleSinceWallMs = null;
      return Optional.empty();
    }
    if (idleSinceWallMs == null) {
      idleSinceWallMs = wallNowMs;
      detectorTimeAtIdle = detectorTime;
      return Optional.empty();
    }
    final long target = detectorTimeAtIdle + (wallNowMs - idleSinceWallMs);
    final boolean lastTickApplied = detectorTime >= lastTick;
    if (nextDue.isEmpty() || target < nextDue.get() || target <= detectorTime || !lastTickApplied) {
      return Optional.empty();
    }
    lastTick = target;
    return Optional.of(target);
  }
}
