package io.repayguard.decision;

import io.repayguard.decision.Clock.Source;
import io.repayguard.detector.state.SourceClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Detector time from what each source last reported: a watermark over the input partitions that are
 * not idle, held back by relays that have not caught up.
 *
 * <p>An input partition reports its largest eventTime, the last input offset it handled and whether
 * it is idle; its time and offset only ever grow. A relay (the order-link stage) reports its own
 * view of the input partitions it hears from. A relay whose view of every such partition has
 * reached the offset this stage heard directly has forwarded everything those records gave rise to,
 * so it holds time back only through its own non-idle partitions; a relay behind that holds time
 * back to the smallest time in its view, idle partitions included, because facts it has not
 * forwarded yet may still come from any of them.
 *
 * <p>Detector time is the smallest of those bounds; with none (everything idle and caught up), the
 * largest eventTime any input partition reported. An expected source that has not reported blocks
 * detector time. Detector time never goes back. Only expected sources count: a report from any
 * other is ignored, and a source the clock kept from an earlier topology (a renamed topic, fewer
 * partitions) is dropped at the next report, so it cannot hold detector time back. Functions over a
 * {@link Clock}.
 */
public final class Clocks {
  /** Detector time before anything is known. */
  public static final long UNKNOWN = Long.MIN_VALUE;

  private Clocks() {}

  /** A clock that has heard from nobody. */
  public static Clock empty() {
    return new Clock();
  }

  /** Records an input partition's report and moves detector time as far as reports allow. */
  public static void report(
      final Clock clock,
      final Sources expected,
      final String source,
      final long maxEventTime,
      final long offset,
      final boolean idle) {
    if (expected.direct().contains(source)) {
      Clock.merge(clock.directSources(), source, maxEventTime, offset, idle);
    }
    forgetUnexpected(clock, expected);
    advanceTo(clock, derive(clock, expected));
  }

  /** Records a relay's view of its input partitions and moves detector time. */
  public static void reportRelay(
      final Clock clock,
      final Sources expected,
      final String relay,
      final List<SourceClock> upstream) {
    if (expected.relays().contains(relay)) {
      final Map<String, Source> view = clock.viewOf(relay);
      for (final SourceClock s : upstream) {
        if (expected.relayUpstream().contains(s.getSource())) {
          Clock.merge(view, s.getSource(), s.getMaxEventTime(), s.getOffset(), s.getIdle());
        }
      }
    }
    forgetUnexpected(clock, expected);
    advanceTo(clock, derive(clock, expected));
  }

  /**
   * Drops what the clock kept of sources the stage no longer expects. Reports from them are
   * ignored, so only a clock restored from an earlier topology has any. Called after a report is
   * merged: once every expected source has reported, a map larger than expected holds a stale one
   * (before that, detector time cannot move anyway), so the size check keeps this free on every
   * other report.
   */
  private static void forgetUnexpected(final Clock clock, final Sources expected) {
    if (clock.directSources().size() > expected.direct().size()) {
      clock.directSources().keySet().removeIf(name -> !expected.direct().contains(name));
    }
    if (clock.relayViews().size() > expected.relays().size()) {
      clock.relayViews().keySet().removeIf(name -> !expected.relays().contains(name));
    }
    for (final Map<String, Source> view : clock.relayViews().values()) {
      if (view.size() > expected.relayUpstream().size()) {
        view.keySet().removeIf(name -> !expected.relayUpstream().contains(name));
      }
    }
  }

  /** Moves detector time to {@code time} unless it is there already. */
  public static void advanceTo(final Clock clock, final long time) {
    clock.advanceTo(time);
  }

  /** True when everything expected reported, every input is idle and no relay holds time. */
  public static boolean allIdle(final Clock clock, final Sources expected) {
    final Bound relays = bound(clock, expected.relayUpstream());
    return heardFromAll(clock, expected)
        && !relays.blocks()
        && relays.time() == UNKNOWN
        && clock.directSources().values().stream().allMatch(Source::idle);
  }

  /**
   * What holds detector time where it is, on one line for a log: sources not heard from yet, input
   * partitions not idle (with their largest eventTime), and relays behind this stage's direct view
   * of a partition (relay's offset / direct offset).
   */
  public static String describe(final Clock clock, final Sources expected) {
    final Map<String, Source> direct = clock.directSources();
    final List<String> silent = new ArrayList<>();
    for (final String name : expected.direct()) {
      if (!direct.containsKey(name)) {
        silent.add(name);
      }
    }
    for (final String relay : expected.relays()) {
      if (!clock.relayViews().containsKey(relay)) {
        silent.add(relay);
      }
    }
    final List<String> active = new ArrayList<>();
    for (final Source s : direct.values()) {
      if (!s.idle()) {
        active.add(s.name() + "@" + timeText(s.maxEventTime()));
      }
    }
    final List<String> relaysBehind = new ArrayList<>();
    for (final Map.Entry<String, Map<String, Source>> relay : clock.relayViews().entrySet()) {
      for (final String name : expected.relayUpstream()) {
        final Source seen = relay.getValue().get(name);
        final Source latest = direct.get(name);
        final long seenOffset = seen == null ? -1 : seen.offset();
        if (latest != null && seenOffset < latest.offset()) {
          relaysBehind.add(
              relay.getKey() + " on " + name + " " + seenOffset + "/" + latest.offset());
        } else if (seen != null && !seen.idle()) {
          relaysBehind.add(relay.getKey() + " sees " + name + "@" + timeText(seen.maxEventTime()));
        }
      }
    }
    return "detector time "
        + timeText(clock.detectorTime())
        + "; not heard from "
        + silent
        + "; not idle "
        + active
        + "; relays "
        + relaysBehind;
  }

  private static String timeText(final long time) {
    return time == UNKNOWN ? "unknown" : Instant.ofEpochMilli(time).toString();
  }

  /** The largest eventTime any input partition reported, or {@link #UNKNOWN}. */
  public static long maxEventTime(final Clock clock) {
    long max = UNKNOWN;
    for (final Source s : clock.directSources().values()) {
      max = Math.max(max, s.maxEventTime());
    }
    return max;
  }

  /** The smallest largest-eventTime of the non-idle sources in {@code sources}, if any. */
  public static long activeWatermark(final Collection<Source> sources) {
    long min = UNKNOWN;
    boolean any = false;
    for (final Source s : sources) {
      if (!s.idle() && (!any || s.maxEventTime() < min)) {
        min = s.maxEventTime();
        any = true;
      }
    }
    return any ? min : UNKNOWN;
  }

  private static long derive(final Clock clock, final Sources expected) {
    if (!heardFromAll(clock, expected)) {
      return UNKNOWN;
    }
    final Collection<Source> direct = clock.directSources().values();
    if (activeWithoutTime(direct)) {
      return UNKNOWN;
    }
    final long inputs = activeWatermark(direct);
    final Bound relays = bound(clock, expected.relayUpstream());
    if (relays.blocks()) {
      return UNKNOWN;
    }
    if (inputs == UNKNOWN && relays.time() == UNKNOWN) {
      return maxEventTime(clock);
    }
    if (inputs == UNKNOWN || relays.time() == UNKNOWN) {
      return Math.max(inputs, relays.time());
    }
    return Math.min(inputs, relays.time());
  }

  /**
   * How far relays let detector time go: to {@code time} ({@link #UNKNOWN} for no limit), or not at
   * all ({@code blocks}) while a relay is behind on a partition it has never had data from.
   */
  private record Bound(long time, boolean blocks) {}

  private static final Bound NO_BOUND = new Bound(UNKNOWN, false);
  private static final Bound BLOCKS = new Bound(UNKNOWN, true);

  private static Bound bound(final Clock clock, final Set<String> upstream) {
    final Map<String, Source> direct = clock.directSources();
    long bound = UNKNOWN;
    for (final Map<String, Source> seen : clock.relayViews().values()) {
      final long b;
      if (caughtUp(seen, direct, upstream)) {
        if (activeWithoutTime(seen.values())) {
          return BLOCKS;
        }
        b = activeWatermark(seen.values());
      } else {
        if (behindWithoutTime(seen, direct, upstream)) {
          return BLOCKS;
        }
        b = smallestKnownTime(seen.values());
      }
      if (b != UNKNOWN) {
        bound = bound == UNKNOWN ? b : Math.min(bound, b);
      }
    }
    return bound == UNKNOWN ? NO_BOUND : new Bound(bound, false);
  }

  /** The smallest largest-eventTime in {@code sources} that is known, or {@link #UNKNOWN}. */
  private static long smallestKnownTime(final Collection<Source> sources) {
    long min = UNKNOWN;
    for (final Source s : sources) {
      final long t = s.maxEventTime();
      if (t != UNKNOWN && (min == UNKNOWN || t < min)) {
        min = t;
      }
    }
    return min;
  }

  /** A relay behind on a partition whose time it does not know cannot bound anything. */
  private static boolean behindWithoutTime(
      final Map<String, Source> relayView,
      final Map<String, Source> direct,
      final Set<String> upstream) {
    int present = 0;
    for (final Source seen : relayView.values()) {
      if (!upstream.contains(seen.name())) {
        continue;
      }
      present++;
      if (seen.maxEventTime() == UNKNOWN && behind(seen, direct.get(seen.name()))) {
        return true;
      }
    }
    if (present == upstream.size()) {
      return false;
    }
    for (final String name : upstream) {
      final Source latest = direct.get(name);
      if (latest != null && latest.offset() >= 0 && !relayView.containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  /** An active source that knows no time yet holds detector time where it is. */
  private static boolean activeWithoutTime(final Collection<Source> sources) {
    for (final Source s : sources) {
      if (!s.idle() && s.maxEventTime() == UNKNOWN) {
        return true;
      }
    }
    return false;
  }

  private static boolean behind(final Source seen, final Source latest) {
    return latest != null && seen.offset() < latest.offset();
  }

  /** Whether the relay has heard from every upstream partition at least as far as this stage. */
  private static boolean caughtUp(
      final Map<String, Source> relayView,
      final Map<String, Source> direct,
      final Set<String> upstream) {
    int present = 0;
    for (final Source seen : relayView.values()) {
      if (upstream.contains(seen.name())) {
        present++;
        if (behind(seen, direct.get(seen.name()))) {
          return false;
        }
      }
    }
    return present == upstream.size();
  }

  private static boolean heardFromAll(final Clock clock, final Sources expected) {
    for (final String name : expected.direct()) {
      if (!clock.directSources().containsKey(name)) {
        return false;
      }
    }
    for (final String relay : expected.relays()) {
      if (!clock.relayViews().containsKey(relay)) {
        return false;
      }
    }
    return true;
  }
}
