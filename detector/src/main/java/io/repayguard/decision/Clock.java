package io.repayguard.decision;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A stage's view of time, the engine's own model of it: what every source last said, detector time
 * derived from that ({@link Clocks} derives it) and the count of facts seen. The store keeps it as
 * a {@code ClockState} ({@link StoredClocks} maps one to the other).
 *
 * <p>Sources are kept by name, in the order they were first heard from.
 */
public final class Clock {
  private final Map<String, Source> sources = new LinkedHashMap<>();
  private final Map<String, Map<String, Source>> relays = new LinkedHashMap<>();
  private final Map<String, Source> sourcesView = Collections.unmodifiableMap(sources);
  private final Set<String> relayNames = Collections.unmodifiableSet(relays.keySet());
  private long detectorTime = Clocks.UNKNOWN;
  private long arrivals;

  /** What one input partition last said of its time. */
  public static final class Source {
    private final String name;
    private long maxEventTime;
    private long offset;
    private boolean idle;

    Source(final String name, final long maxEventTime, final long offset, final boolean idle) {
      this.name = name;
      this.maxEventTime = maxEventTime;
      this.offset = offset;
      this.idle = idle;
    }

    /** Its name, e.g. credit-use/3. */
    public String name() {
      return name;
    }

    /** Largest eventTime it reported (never lowered); {@link Clocks#UNKNOWN} before any. */
    public long maxEventTime() {
      return maxEventTime;
    }

    /** Largest input offset it said it had handled (never lowered); -1 before any. */
    public long offset() {
      return offset;
    }

    /** Whether its latest report said idle. */
    public boolean idle() {
      return idle;
    }

    /**
     * Takes in a report: time and offset only grow; idleness is taken from a report at least as new
     * as the last (by offset; a report without one, {@code offset < 0}, counts as new).
     */
    void merge(final long maxEventTime, final long offset, final boolean idle) {
      final boolean newer = offset < 0 || offset >= this.offset;
      this.maxEventTime = Math.max(this.maxEventTime, maxEventTime);
      this.offset = Math.max(this.offset, offset);
      if (newer) {
        this.idle = idle;
      }
    }
  }

  /** The input partitions heard from directly, by name. */
  public Map<String, Source> sources() {
    return sourcesView;
  }

  /** The relays heard from, in the order they were first heard from. */
  public Set<String> relayNames() {
    return relayNames;
  }

  /** Current detector time; never goes back. {@link Clocks#UNKNOWN} before any. */
  public long detectorTime() {
    return detectorTime;
  }

  /** Facts seen so far: the arrival number of the last one. */
  public long arrivals() {
    return arrivals;
  }

  /** Counts one more fact and returns its arrival number. */
  public long countArrival() {
    return ++arrivals;
  }

  /** Moves detector time to {@code time} unless it is there already. */
  void advanceTo(final long time) {
    detectorTime = Math.max(detectorTime, time);
  }

  /** Merges a report of source {@code name} into {@code into}, adding the source when new. */
  static void merge(
      final Map<String, Source> into,
      final String name,
      final long maxEventTime,
      final long offset,
      final boolean idle) {
    final Source known = into.get(name);
    if (known == null) {
      into.put(name, new Source(name, maxEventTime, offset, idle));
    } else {
      known.merge(maxEventTime, offset, idle);
    }
  }

  /** The mutable sources of this clock, for {@link Clocks} and {@link StoredClocks}. */
  Map<String, Source> directSources() {
    return sources;
  }

  /** The mutable view of {@code relay}, created empty when the relay is new. */
  Map<String, Source> viewOf(final String relay) {
    return relays.computeIfAbsent(relay, r -> new LinkedHashMap<>());
  }

  /** The mutable relays of this clock, for {@link Clocks}. */
  Map<String, Map<String, Source>> relayViews() {
    return relays;
  }

  /** Sets what a stored clock says of detector time and arrivals, keeping the largest of each. */
  void restore(final long detectorTime, final long arrivals) {
    this.detectorTime = Math.max(this.detectorTime, detectorTime);
    this.arrivals = Math.max(this.arrivals, arrivals);
  }
}
