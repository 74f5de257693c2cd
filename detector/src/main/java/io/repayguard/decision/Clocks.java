package io.repayguard.decision;

import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.RelayClock;
import io.repayguard.detector.state.SourceClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * partitions) is dropped at the next report, so it cannot hold detector time back. Pure functions
 * over {@link ClockState}.
 */
public final class Clocks {
  /** Detector time before anything is known. */
  public static final long UNKNOWN = Long.MIN_VALUE;

  private Clocks() {}

  /** A clock that has heard from nobody. */
  public static ClockState empty() {
    return ClockState.newBuilder()
        .setSources(new ArrayList<>())
        .setRelays(new ArrayList<>())
        .setDetectorTime(UNKNOWN)
        .setArrivals(0)
        .build();
  }

  /** Records an input partition's report and moves detector time as far as reports allow. */
  public static void report(
      final ClockState clock,
      final Sources expected,
      final String source,
      final long maxEventTime,
      final long offset,
      final boolean idle) {
    if (expected.direct().contains(source)) {
      merge(clock.getSources(), source, maxEventTime, offset, idle);
    }
    forgetUnexpected(clock, expected);
    advanceTo(clock, derive(clock, expected));
  }

  /** Records a relay's view of its input partitions and moves detector time. */
  public static void reportRelay(
      final ClockState clock,
      final Sources expected,
      final String relay,
      final List<SourceClock> upstream) {
    if (!expected.relays().contains(relay)) {
      forgetUnexpected(clock, expected);
      advanceTo(clock, derive(clock, expected));
      return;
    }
    RelayClock known = null;
    for (final RelayClock r : clock.getRelays()) {
      if (r.getSource().equals(relay)) {
        known = r;
      }
    }
    if (known == null) {
      known = RelayClock.newBuilder().setSource(relay).setUpstream(new ArrayList<>()).build();
      clock.getRelays().add(known);
    }
    for (final SourceClock s : upstream) {
      if (expected.relayUpstream().contains(s.getSource())) {
        merge(known.getUpstream(), s.getSource(), s.getMaxEventTime(), s.getOffset(), s.getIdle());
      }
    }
    forgetUnexpected(clock, expected);
    advanceTo(clock, derive(clock, expected));
  }

  /**
   * Drops what the clock kept of sources the stage no longer expects. Reports from them are
   * ignored, so only a clock restored from an earlier topology has any. Called after a report is
   * merged: once every expected source has reported, a list longer than expected holds a stale one
   * (before that, detector time cannot move anyway), so the size check keeps this free on every
   * other report.
   */
  private static void forgetUnexpected(final ClockState clock, final Sources expected) {
    if (clock.getSources().size() > expected.direct().size()) {
      clock.getSources().removeIf(s -> !expected.direct().contains(s.getSource()));
    }
    if (clock.getRelays().size() > expected.relays().size()) {
      clock.getRelays().removeIf(r -> !expected.relays().contains(r.getSource()));
    }
    for (final RelayClock relay : clock.getRelays()) {
      if (relay.getUpstream().size() > expected.relayUpstream().size()) {
        relay.getUpstream().removeIf(s -> !expected.relayUpstream().contains(s.getSource()));
      }
    }
  }

  /** Moves detector time to {@code time} unless it is there already. */
  public static void advanceTo(final ClockState clock, final long time) {
    clock.setDetectorTime(Math.max(clock.getDetectorTime(), time));
  }

  /** True when everything expected reported, every input is idle and no relay holds time. */
  public static boolean allIdle(final ClockState clock, final Sources expected) {
    final Map<String, SourceClock> direct = byName(clock.getSources());
    final Bound relays = bound(clock, direct, expected.relayUpstream());
    return heardFromAll(clock, direct, expected)
        && !relays.blocks()
        && relays.time() == UNKNOWN
        && clock.getSources().stream().allMatch(SourceClock::getIdle);
  }

  /**
   * What holds detector time where it is, on one line for a log: sources not heard from yet, input
   * partitions not idle (with their largest eventTime), and relays behind this stage's direct view
   * of a partition (relay's offset / direct offset).
   */
  public static String describe(final ClockState clock, final Sources expected) {
    final Map<String, SourceClock> direct = byName(clock.getSources());
    final List<String> silent = new ArrayList<>();
    for (final String name : expected.direct()) {
      if (!direct.containsKey(name)) {
        silent.add(name);
      }
    }
    for (final String relay : expected.relays()) {
      if (findRelay(clock.getRelays(), relay) == null) {
        silent.add(relay);
      }
    }
    final List<String> active = new ArrayList<>();
    for (final SourceClock s : clock.getSources()) {
      if (!s.getIdle()) {
        active.add(s.getSource() + "@" + timeText(s.getMaxEventTime()));
      }
    }
    final List<String> relaysBehind = new ArrayList<>();
    for (final RelayClock relay : clock.getRelays()) {
      for (final String name : expected.relayUpstream()) {
        final SourceClock seen = find(relay.getUpstream(), name);
        final SourceClock latest = direct.get(name);
        final long seenOffset = seen == null ? -1 : seen.getOffset();
        if (latest != null && seenOffset < latest.getOffset()) {
          relaysBehind.add(
              relay.getSource() + " on " + name + " " + seenOffset + "/" + latest.getOffset());
        } else if (seen != null && !seen.getIdle()) {
          relaysBehind.add(
              relay.getSource() + " sees " + name + "@" + timeText(seen.getMaxEventTime()));
        }
      }
    }
    return "detector time "
        + timeText(clock.getDetectorTime())
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
  public static long maxEventTime(final ClockState clock) {
    long max = UNKNOWN;
    for (final SourceClock s : clock.getSources()) {
      max = Math.max(max, s.getMaxEventTime());
    }
    return max;
  }

  /** The smallest largest-eventTime of the non-idle sources in {@code sources}, if any. */
  public static long activeWatermark(final List<SourceClock> sources) {
    long min = UNKNOWN;
    boolean any = false;
    for (final SourceClock s : sources) {
      if (!s.getIdle() && (!any || s.getMaxEventTime() < min)) {
        min = s.getMaxEventTime();
        any = true;
      }
    }
    return any ? min : UNKNOWN;
  }

  private static long derive(final ClockState clock, final Sources expected) {
    final Map<String, SourceClock> direct = byName(clock.getSources());
    if (!heardFromAll(clock, direct, expected)) {
      return UNKNOWN;
    }
    if (activeWithoutTime(clock.getSources())) {
      return UNKNOWN;
    }
    final long inputs = activeWatermark(clock.getSources());
    final Bound relays = bound(clock, direct, expected.relayUpstream());
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

  private static Bound bound(
      final ClockState clock, final Map<String, SourceClock> direct, final Set<String> upstream) {
    long bound = UNKNOWN;
    for (final RelayClock relay : clock.getRelays()) {
      final List<SourceClock> seen = relay.getUpstream();
      final long b;
      if (caughtUp(seen, direct, upstream)) {
        if (activeWithoutTime(seen)) {
          return new Bound(UNKNOWN, true);
        }
        b = activeWatermark(seen);
      } else {
        if (behindWithoutTime(seen, direct, upstream)) {
          return new Bound(UNKNOWN, true);
        }
        b = smallestKnownTime(seen);
      }
      if (b != UNKNOWN) {
        bound = bound == UNKNOWN ? b : Math.min(bound, b);
      }
    }
    return new Bound(bound, false);
  }

  /** The smallest largest-eventTime in {@code sources} that is known, or {@link #UNKNOWN}. */
  private static long smallestKnownTime(final List<SourceClock> sources) {
    long min = UNKNOWN;
    for (final SourceClock s : sources) {
      final long t = s.getMaxEventTime();
      if (t != UNKNOWN && (min == UNKNOWN || t < min)) {
        min = t;
      }
    }
    return min;
  }

  /**
   * A relay behind on a partition whose time it does not know cannot bound anything. Walks the
   * relay's own entries (each names a partition once) rather than building a map of them: this runs
   * for every relay on every fact.
   */
  private static boolean behindWithoutTime(
      final List<SourceClock> relayView,
      final Map<String, SourceClock> direct,
      final Set<String> upstream) {
    int present = 0;
    for (final SourceClock seen : relayView) {
      if (!upstream.contains(seen.getSource())) {
        continue;
      }
      present++;
      if (seen.getMaxEventTime() == UNKNOWN && behind(seen, direct.get(seen.getSource()))) {
        return true;
      }
    }
    if (present == upstream.size()) {
      return false;
    }
    for (final String name : upstream) {
      final SourceClock latest = direct.get(name);
      if (latest != null && latest.getOffset() >= 0 && find(relayView, name) == null) {
        return true;
      }
    }
    return false;
  }

  /** An active source that knows no time yet holds detector time where it is. */
  private static boolean activeWithoutTime(final List<SourceClock> sources) {
    for (final SourceClock s : sources) {
      if (!s.getIdle() && s.getMaxEventTime() == UNKNOWN) {
        return true;
      }
    }
    return false;
  }

  private static boolean behind(final SourceClock seen, final SourceClock latest) {
    return latest != null && seen.getOffset() < latest.getOffset();
  }

  /** Whether the relay has heard from every upstream partition at least as far as this stage. */
  private static boolean caughtUp(
      final List<SourceClock> relayView,
      final Map<String, SourceClock> direct,
      final Set<String> upstream) {
    int present = 0;
    for (final SourceClock seen : relayView) {
      if (upstream.contains(seen.getSource())) {
        present++;
        if (behind(seen, direct.get(seen.getSource()))) {
          return false;
        }
      }
    }
    return present == upstream.size();
  }

  private static boolean heardFromAll(
      final ClockState clock, final Map<String, SourceClock> direct, final Sources expected) {
    for (final String name : expected.direct()) {
      if (!direct.containsKey(name)) {
        return false;
      }
    }
    for (final String relay : expected.relays()) {
      if (findRelay(clock.getRelays(), relay) == null) {
        return false;
      }
    }
    return true;
  }

  private static RelayClock findRelay(final List<RelayClock> relays, final String name) {
    for (final RelayClock r : relays) {
      if (r.getSource().equals(name)) {
        return r;
      }
    }
    return null;
  }

  /** The sources by name: one pass, so the checks above stay linear in the number of sources. */
  private static Map<String, SourceClock> byName(final List<SourceClock> sources) {
    final Map<String, SourceClock> byName = new HashMap<>(sources.size() * 2);
    for (final SourceClock s : sources) {
      byName.put(s.getSource(), s);
    }
    return byName;
  }

  private static void merge(
      final List<SourceClock> sources,
      final String source,
      final long maxEventTime,
      final long offset,
      final boolean idle) {
    final SourceClock existing = find(sources, source);
    if (existing == null) {
      sources.add(
          SourceClock.newBuilder()
              .setSource(source)
              .setMaxEventTime(maxEventTime)
              .setIdle(idle)
              .setOffset(offset)
              .build());
      return;
    }
    final boolean newer = offset < 0 || offset >= existing.getOffset();
    existing.setMaxEventTime(Math.max(existing.getMaxEventTime(), maxEventTime));
    existing.setOffset(Math.max(existing.getOffset(), offset));
    if (newer) {
      existing.setIdle(idle);
    }
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
