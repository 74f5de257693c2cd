package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.decision.Clock;
import io.repayguard.decision.Clocks;
import io.repayguard.decision.StoredClocks;
import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.RelayClock;
import io.repayguard.detector.state.SourceClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decision stage's clock in its store: one entry a source beside a small head, so a fact
 * rewrites one entry, which carries detector time and the arrival count; a clock stored whole, as
 * before, is read and moved to that layout.
 */
class StoredClockTest {
  private static final long T0 = 1_772_323_200_000L;

  private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
  private KeyValueStore<String, ClockState> clockStore;

  @BeforeEach
  void setUp() {
    for (final String name :
        List.of(
            Names.BORROWINGS_STORE,
            Names.ORDERS_STORE,
            Names.PLANS_STORE,
            Names.CREDIT_PLANS_STORE,
            Names.PENDING_STORE,
            Names.EXPIRY_STORE,
            Names.DEFERRED_STORE)) {
      final KeyValueStore<?, ?> store =
          Stores.keyValueStoreBuilder(
                  Stores.inMemoryKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray())
              .withLoggingDisabled()
              .build();
      store.init(context.getStateStoreContext(), store);
      context.addStateStore(store);
    }
    clockStore =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Names.CLOCK_STORE),
                Serdes.String(),
                new AvroBinarySerde<ClockState>(ClockState.getClassSchema()))
            .withLoggingDisabled()
            .build();
    clockStore.init(context.getStateStoreContext(), clockStore);
    context.addStateStore(clockStore);
  }

  @Test
  void shouldReadAClockStoredWholeAndRewriteItOneEntryASource() {
    // Given: a clock stored whole under "clock", as detectors before this layout wrote it
    clockStore.put("clock", wholeClock());

    // When: the stage reads it, and a fact from credit-use/0 moves it
    final StoreBackedDecisionStore store = new StoreBackedDecisionStore(context);
    final Clock clock = store.clock();
    report(clock, "credit-use/0", T0 + 50);
    clock.countArrival();
    store.putClock(clock, "credit-use/0");

    // Then: every source has its own entry, the head holds no source, and a restarted stage
    // reads the same clock back
    assertThat(entries().keySet())
        .containsExactly(
            "clock",
            "relay/repayguard-order-links/0",
            "source/credit-use/0",
            "source/repayment-plan/0");
    assertThat(entries().get("clock").getSources()).isEmpty();
    final Clock reread = new StoreBackedDecisionStore(context).clock();
    assertThat(reread.detectorTime()).isEqualTo(T0 + 10);
    assertThat(reread.arrivals()).isEqualTo(8);
    assertThat(reread.sources().values())
        .extracting(Clock.Source::name, Clock.Source::maxEventTime)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("credit-use/0", T0 + 50),
            org.assertj.core.groups.Tuple.tuple("repayment-plan/0", T0 + 10));
    assertThat(reread.relayNames()).containsExactly("repayguard-order-links/0");
    assertThat(StoredClocks.write(reread).getRelays().get(0).getUpstream())
        .extracting(SourceClock::getSource, SourceClock::getMaxEventTime)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("credit-use/0", T0 + 20));
  }

  @Test
  void shouldWriteOnlyTheEntryAFactChanged() {
    // Given: a clock already in the per-source layout
    final StoreBackedDecisionStore store = new StoreBackedDecisionStore(context);
    final Clock clock = store.clock();
    addSourcesOf(clock, wholeClock());
    store.putClock(clock, null);
    final ClockState planEntryBefore = entries().get("source/repayment-plan/0");

    // When: credit-use/0 reports; repayment-plan/0's entry is changed only in memory
    report(clock, "credit-use/0", T0 + 99);
    report(clock, "repayment-plan/0", T0 + 77);
    store.putClock(clock, "credit-use/0");

    // Then
    assertThat(entries().get("source/credit-use/0").getSources().get(0).getMaxEventTime())
        .isEqualTo(T0 + 99);
    assertThat(entries().get("source/repayment-plan/0")).isEqualTo(planEntryBefore);
  }

  @Test
  void shouldCarryDetectorTimeAndArrivalsInTheChangedEntryAloneAndReadThemBack() {
    // Given: a clock in the per-source layout, its head written once
    final StoreBackedDecisionStore store = new StoreBackedDecisionStore(context);
    final Clock clock = store.clock();
    addSourcesOf(clock, wholeClock());
    StoredClocks.addTo(clock, new ClockState(new ArrayList<>(), new ArrayList<>(), T0 + 10, 7L));
    store.putClock(clock, null);
    final ClockState headBefore = entries().get("clock");

    // When: two facts from repayment-plan/0 move detector time and count arrivals
    for (int fact = 1; fact <= 2; fact++) {
      report(clock, "repayment-plan/0", T0 + 10 + fact);
      Clocks.advanceTo(clock, T0 + 10 + fact);
      assertThat(clock.countArrival()).isEqualTo(7 + fact);
      store.putClock(clock, "repayment-plan/0");
    }

    // Then: one put a fact, the head untouched, and a restarted stage reads the latest numbers
    assertThat(entries().get("clock")).isEqualTo(headBefore);
    assertThat(entries().get("source/repayment-plan/0").getArrivals()).isEqualTo(9);
    final Clock reread = new StoreBackedDecisionStore(context).clock();
    assertThat(reread.detectorTime()).isEqualTo(T0 + 12);
    assertThat(reread.arrivals()).isEqualTo(9);
  }

  /** A report from {@code source} that its largest eventTime is now {@code time}. */
  private static void report(final Clock clock, final String source, final long time) {
    StoredClocks.addTo(
        clock,
        new ClockState(
            new ArrayList<>(List.of(source(source, time))), new ArrayList<>(), Long.MIN_VALUE, 0L));
  }

  /** Adds {@code state}'s input partitions, not its relays, time or arrivals. */
  private static void addSourcesOf(final Clock clock, final ClockState state) {
    StoredClocks.addTo(
        clock, new ClockState(state.getSources(), new ArrayList<>(), Long.MIN_VALUE, 0L));
  }

  private Map<String, ClockState> entries() {
    final Map<String, ClockState> entries = new TreeMap<>();
    try (KeyValueIterator<String, ClockState> all = clockStore.all()) {
      while (all.hasNext()) {
        final KeyValue<String, ClockState> entry = all.next();
        entries.put(entry.key, entry.value);
      }
    }
    return entries;
  }

  private static ClockState wholeClock() {
    final List<SourceClock> sources = new ArrayList<>();
    sources.add(source("credit-use/0", T0 + 20));
    sources.add(source("repayment-plan/0", T0 + 10));
    final List<SourceClock> upstream = new ArrayList<>();
    upstream.add(source("credit-use/0", T0 + 20));
    final List<RelayClock> relays = new ArrayList<>();
    relays.add(
        RelayClock.newBuilder()
            .setSource("repayguard-order-links/0")
            .setUpstream(upstream)
            .build());
    return ClockState.newBuilder()
        .setSources(sources)
        .setRelays(relays)
        .setDetectorTime(T0 + 10)
        .setArrivals(7)
        .build();
  }

  private static SourceClock source(final String name, final long time) {
    return SourceClock.newBuilder()
        .setSource(name)
        .setMaxEventTime(time)
        .setIdle(false)
        .setOffset(3)
        .build();
  }
}
