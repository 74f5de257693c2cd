package io.repayguard.decision;

import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.SourceClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Detector time from what each source last reported: a watermark over the sources that are not
 * idle.
 *
 * <p>Each source's watermark and largest eventTime only ever grow. Detector time is the smallest
 * watermark of the sources that are not idle; when all are idle, the largest eventTime any source
 * saw. An expected source that has not reported yet blocks detector time: it may hold data not
 * read yet. Detector time never goes back. Pure functions over {@link ClockState}.
 */
public final class Clocks {
  /** Detector time before anything is known. */
  public static final long UNKNOWN = Long.MIN_VALUE;

  private Clocks() {}

  /** A clock that has heard from nobody. */
  public static ClockState empty() {
    return ClockState.newBuilder().setSources(new ArrayList<>()).setDetectorTime(UNKNOWN)
        .setArrivals(0).build();
  }

  /** Records a source's report and moves detector time as far as the reports allow. */
  public static void report(final ClockState clock, final Set<String> expected,
      final String source, final long watermark, final long maxEventTime, final boolean idle) {
    final SourceClock existing = find(clock.getSources(), source);
    if (existing == null) {
      clock.getSources().add(SourceClock.newBuilder().setSource(source).setWatermark(watermark)
          .setMaxEventTime(maxEventTime).setIdle(idle).build());
    } else {
      existing.setWatermark(Math.max(existing.getWatermark(), watermark));
      existing.setMaxEventTime(Math.max(existing.getMaxEventTime(), maxEventTime));
      existing.setIdle(idle);
    }
    advanceTo(clock, derive(clock, expected));
  }

  /** Moves detector time to {@code time} unless it is there already. */
  public static void advanceTo(final ClockState clock, final long time) {
    clock.setDetectorTime(Math.max(clock.getDetectorTime(), time));
  }

  /** True when every expected source reported and every known source is idle. */
  public static boolean allIdle(final ClockState clock, final Set<String> expected) {
    return heardFromAll(clock, expected) && clock.getSources().stream().allMatch(SourceClock::getIdle);
  }

  /** The largest eventTime any source has seen, or {@link #UNKNOWN}. */
  public static long maxEventTime(final ClockState clock) {
    return clock.getSources().stream().mapToLong(SourceClock::getMaxEventTime)
        .max().orElse(UNKNOWN);
  }

  private static long derive(final ClockState clock, final Set<String> expected) {
    if (!heardFromAll(clock, expected)) {
      return UNKNOWN;
    }
    final long active = clock.getSources().stream().filter(s -> !s.getIdle())
        .mapToLong(SourceClock::getWatermark).min().orElse(UNKNOWN);
    if (clock.getSources().stream().anyMatch(s -> !s.getIdle())) {
      return active;
    }
    return maxEventTime(clock);
  }

  private static boolean heardFromAll(final ClockState clock, final Set<String> expected) {
    final List<SourceClock> sources = clock.getSources();
    return expected.stream().allMatch(name -> find(sources, name) != null);
  }

  private static SourceClock find(final List<SourceClock> sources, final String name) {
    for (final SourceClock s : sources) {
      if (s.getSource().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
