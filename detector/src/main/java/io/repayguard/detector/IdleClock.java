package io.repayguard.detector;

import java.util.Optional;

/**
 * The one place the wall clock moves detector time: while every source of a facts partition is
 * idle and decisions wait, detector time moves on with the wall clock from where it stood when
 * all turned idle (DESIGN.md, Time). Live mode only.
 *
 * <p>Its advances are written into the facts log as ticks, so a replay sees them. While nothing
 * waits it writes nothing: an idle detector then leaves no trace in the log, and detector time
 * resumes from the wall clock when work arrives (see README, Time).
 */
final class IdleClock {
  private Long idleSinceWallMs;
  private long detectorTimeAtIdle;

  /**
   * The detector time to tick to at wall time {@code wallNowMs}, if detector time should move.
   *
   * <p>Stateful: remembers when all sources turned idle, as observed by these calls.
   */
  Optional<Long> tick(final long wallNowMs, final boolean allIdle, final boolean pending,
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
    if (!pending) {
      return Optional.empty();
    }
    final long target = detectorTimeAtIdle + (wallNowMs - idleSinceWallMs);
    return target > detectorTime ? Optional.of(target) : Optional.empty();
  }
}
