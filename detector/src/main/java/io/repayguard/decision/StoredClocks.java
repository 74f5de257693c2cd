package io.repayguard.decision;

import io.repayguard.decision.Clock.Source;
import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.RelayClock;
import io.repayguard.detector.state.SourceClock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A {@link Clock} in the form the stores and the facts log keep it, {@code ClockState} and {@code
 * SourceClock}, and back: the whole clock, or one entry for one source or relay.
 */
public final class StoredClocks {
  private StoredClocks() {}

  /** The clock {@code state} holds; the two share nothing. */
  public static Clock read(final ClockState state) {
    final Clock clock = new Clock();
    addTo(clock, state);
    return clock;
  }

  /**
   * Adds what {@code entry} holds to {@code clock}: its sources and relays, and its detector time
   * and arrival count where they are larger. Entries of one clock name each source once; a source
   * named twice keeps the larger time and offset.
   */
  public static void addTo(final Clock clock, final ClockState entry) {
    for (final SourceClock s : entry.getSources()) {
      Clock.merge(
          clock.directSources(), s.getSource(), s.getMaxEventTime(), s.getOffset(), s.getIdle());
    }
    for (final RelayClock relay : entry.getRelays()) {
      final Map<String, Source> view = clock.viewOf(relay.getSource());
      for (final SourceClock s : relay.getUpstream()) {
        Clock.merge(view, s.getSource(), s.getMaxEventTime(), s.getOffset(), s.getIdle());
      }
    }
    clock.restore(entry.getDetectorTime(), entry.getArrivals());
  }

  /** The whole clock as one state. */
  public static ClockState write(final Clock clock) {
    final List<RelayClock> relays = new ArrayList<>(clock.relayViews().size());
    clock
        .relayViews()
        .forEach((name, view) -> relays.add(new RelayClock(name, sources(view.values()))));
    return state(clock, sources(clock.directSources().values()), relays);
  }

  /** The clock's detector time and arrival count, without any source. */
  public static ClockState head(final Clock clock) {
    return state(clock, new ArrayList<>(), new ArrayList<>());
  }

  /** The entry of input partition {@code source}: it alone, with the clock's time and count. */
  public static ClockState sourceEntry(final Clock clock, final Source source) {
    return state(clock, sources(List.of(source)), new ArrayList<>());
  }

  /**
   * The entry of relay {@code name}, which the clock must have heard from: its view alone, with the
   * clock's time and count.
   */
  public static ClockState relayEntry(final Clock clock, final String name) {
    final List<RelayClock> relay = new ArrayList<>(1);
    relay.add(new RelayClock(name, sources(clock.relayViews().get(name).values())));
    return state(clock, new ArrayList<>(), relay);
  }

  /** {@code sources} as the facts log and the stores keep them. */
  public static List<SourceClock> sources(final Collection<Source> sources) {
    final List<SourceClock> stored = new ArrayList<>(sources.size());
    for (final Source s : sources) {
      stored.add(new SourceClock(s.name(), s.maxEventTime(), s.idle(), s.offset()));
    }
    return stored;
  }

  private static ClockState state(
      final Clock clock, final List<SourceClock> sources, final List<RelayClock> relays) {
    return new ClockState(sources, relays, clock.detectorTime(), clock.arrivals());
  }
}
