package io.repayguard.detector;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCreditUse;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.decision.Clock;
import io.repayguard.decision.Clocks;
import io.repayguard.decision.Sources;
import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.OrderLinkState;
import io.repayguard.events.CreditUse;
import io.repayguard.serde.AvroSerdeConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * A task that moves to another instance (a scale-out or scale-in, a clean shutdown) between hearing
 * something and telling it downstream. Its next incarnation must still let the decision stage learn
 * that every partition went idle and that the order-link stage caught up, or detector time waits
 * forever and the last decisions are never made (ScaleOutTest missed them on CI). Real ingest and
 * order-link processors; the decision stage's clock is {@link Clocks} as the engine drives it.
 */
class MovedTaskTest {
  private final Map<String, Object> serdeConfig =
      Map.of(
          AvroSerdeConfig.SCHEMA_REGISTRY_URL,
          "mock://moved-" + UUID.randomUUID(),
          AvroSerdeConfig.SPECIFIC_AVRO_READER,
          true);
  private final DetectorConfig config =
      DetectorConfig.defaults(DetectorConfig.SourcePartitions.single());
  private final CreditUseInput input = new CreditUseInput(config, serdeConfig);
  private final Sources expected = config.decisionSources();
  private final AvroBinarySerde<Fact> facts = new AvroBinarySerde<>(Fact.getClassSchema());
  private final Clock decisionClock = Clocks.empty();
  private final String creditUse = DetectorConfig.sourceName(config.topics().creditUse(), 0);
  private final String merchantOrder =
      DetectorConfig.sourceName(config.topics().merchantOrder(), 0);
  private final String repaymentPlan =
      DetectorConfig.sourceName(config.topics().repaymentPlan(), 0);
  private long wallMs = DetectorTestDriver.WALL_START.toEpochMilli();
  private final List<KeyValueStore<String, ?>> relayStores = relayStores();
  private OrderLinkProcessor relay = new OrderLinkProcessor(config);
  private MockProcessorContext<Object, Object> relayContext = relayContext();

  @Test
  void shouldLetDetectorTimeMoveWhenTheIngestMovedBeforeTellingItsLastOffset() {
    // Given: every other input partition idle and empty
    givenMerchantOrdersAndPlansIdle();
    // credit-use/0 read a borrowing and told its clock, then read one more and moved
    final CreditUseIngest first = input.ingest();
    final MockProcessorContext<Object, Object> firstContext = ingestContext();
    first.init(firstContext);
    input.process(first, firstContext, 0, borrowing("c-1", T0));
    punctuate(firstContext);
    input.process(first, firstContext, 1, borrowing("c-2", T0 + 1_000));
    deliver(firstContext);

    // When: the partition's next incarnation finds it read to its end and quiet
    final CreditUseIngest second = input.ingest();
    final MockProcessorContext<Object, Object> secondContext = ingestContext();
    second.init(secondContext);
    wallMs += config.idleTimeout().toMillis();
    secondContext.setCurrentSystemTimeMs(wallMs);
    punctuate(secondContext);
    deliver(secondContext);

    // Then: every source is idle and caught up, so detector time is the largest eventTime read
    assertThat(Clocks.allIdle(decisionClock, expected))
        .as(Clocks.describe(decisionClock, expected))
        .isTrue();
    assertThat(decisionClock.detectorTime()).isEqualTo(T0 + 1_000);
  }

  @Test
  void shouldHoldDetectorTimeWhileTheRelayHasNotHeardOfAPartitionWithData() {
    // Given: every other partition idle, and the relay heard that
    givenMerchantOrdersAndPlansIdle();

    // When: credit-use/0's first record, a borrowing naming an order, reaches the decision stage
    // before the relay has read anything from credit-use/0
    final CreditUseIngest ingest = input.ingest();
    final MockProcessorContext<Object, Object> context = ingestContext();
    ingest.init(context);
    input.process(ingest, context, 0, borrowing("c-1", T0, "o-1"));
    deliver(context, false);

    // Then: the order's state may still come through the relay, so detector time waits
    assertThat(decisionClock.detectorTime())
        .as(Clocks.describe(decisionClock, expected))
        .isEqualTo(Clocks.UNKNOWN);
  }

  @Test
  void shouldHoldDetectorTimeWhenAPartitionIdleBeforeTheMoveGetsDataAfterIt() {
    // Given: credit-use/0 read a borrowing and went idle, and everyone heard that
    givenMerchantOrdersAndPlansIdle();
    final CreditUseIngest first = input.ingest();
    final MockProcessorContext<Object, Object> firstContext = ingestContext();
    first.init(firstContext);
    input.process(first, firstContext, 0, borrowing("c-1", T0));
    wallMs += config.idleTimeout().toMillis();
    firstContext.setCurrentSystemTimeMs(wallMs);
    punctuate(firstContext);
    deliver(firstContext);
    final long before = decisionClock.detectorTime();

    // When: on another instance, the partition's next record, a borrowing a day later naming an
    // order, reaches the decision stage before the relay has read it
    final CreditUseIngest second = input.ingest();
    final MockProcessorContext<Object, Object> secondContext = ingestContext();
    second.init(secondContext);
    input.process(second, secondContext, 1, borrowing("c-2", T0 + 86_400_000L, "o-2"));
    deliver(secondContext, false);

    // Then: the partition is active again and the relay is behind on it: time stays
    assertThat(before).isEqualTo(T0);
    assertThat(decisionClock.detectorTime())
        .as(Clocks.describe(decisionClock, expected))
        .isEqualTo(T0);
  }

  @Test
  void shouldKeepWhatTheOrderLinkTaskHeardWhenItMovedBeforeTellingIt() {
    // Given: both partitions the order-link stage hears from are active; it told that
    relay.init(relayContext);
    toBoth(report(repaymentPlan, Clocks.UNKNOWN, -1, true));
    toBoth(report(merchantOrder, T0, 0, false));
    toBoth(report(creditUse, T0 + 1_000, 0, false));
    // credit-use/0 went idle; the order-link task heard it (and committed that) but did not tell
    // anyone before it moved: its view is not all idle yet
    toBoth(report(creditUse, T0 + 1_000, 0, true));
    moveRelay();

    // When: the last active partition goes idle
    toBoth(report(merchantOrder, T0, 0, true));

    // Then
    assertThat(Clocks.allIdle(decisionClock, expected))
        .as(Clocks.describe(decisionClock, expected))
        .isTrue();
    assertThat(decisionClock.detectorTime()).isEqualTo(T0 + 1_000);
  }

  @Test
  void shouldTellWhatTheOrderLinkTaskHeardWhenItMovedAndNothingMoreComes() {
    // Given: the order-link task heard credit-use/0 move on, committed that, and moved before its
    // scheduled tell
    relay.init(relayContext);
    toBoth(report(repaymentPlan, Clocks.UNKNOWN, -1, true));
    toBoth(report(merchantOrder, T0, 0, true));
    toBoth(report(creditUse, T0, 0, false));
    toBoth(report(creditUse, T0 + 1_000, 5, false));
    moveRelay();

    // When: its next incarnation's scheduled tell comes, with nothing new to read
    wallMs += config.watermarkInterval().toMillis();
    punctuateRelay();

    // Then: the decision stage learns the relay caught up to offset 5
    assertThat(Clocks.describe(decisionClock, expected)).doesNotContain("0/5");
    assertThat(decisionClock.detectorTime()).isEqualTo(T0 + 1_000);
  }

  /** The relay starts; merchant-order/0 and repayment-plan/0 report idle and empty. */
  private void givenMerchantOrdersAndPlansIdle() {
    relay.init(relayContext);
    toBoth(report(merchantOrder, Clocks.UNKNOWN, -1, true));
    toBoth(report(repaymentPlan, Clocks.UNKNOWN, -1, true));
  }

  private static CreditUse borrowing(final String creditId, final long eventTime) {
    return borrowing(creditId, eventTime, null);
  }

  private static CreditUse borrowing(
      final String creditId, final long eventTime, final String merchantOrderId) {
    return aCreditUse()
        .setCreditId(creditId)
        .setMerchantOrderId(merchantOrderId)
        .setEventTime(Instant.ofEpochMilli(eventTime))
        .build();
  }

  private static Fact report(
      final String source, final long maxEventTime, final long offset, final boolean idle) {
    return Fact.newBuilder()
        .setSource(source)
        .setMaxEventTime(maxEventTime)
        .setIdle(idle)
        .setOffset(offset)
        .setPayload(null)
        .build();
  }

  /** An input partition's report reaches the decision stage and, when it hears it, the relay. */
  private void toBoth(final Fact report) {
    toDecision(report);
    if (expected.relayUpstream().contains(report.getSource())) {
      toRelay(report);
    }
  }

  /** The order-link task starts on another instance, from the state its predecessor committed. */
  private void moveRelay() {
    relay = new OrderLinkProcessor(config);
    relayContext = relayContext();
    relay.init(relayContext);
  }

  private void punctuateRelay() {
    relayContext.setCurrentSystemTimeMs(wallMs);
    for (final MockProcessorContext.CapturedPunctuator p : relayContext.scheduledPunctuators()) {
      p.getPunctuator().punctuate(wallMs);
    }
    relayForwardsToDecision();
  }

  private MockProcessorContext<Object, Object> ingestContext() {
    final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(wallMs);
    return context;
  }

  private MockProcessorContext<Object, Object> relayContext() {
    final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(wallMs);
    relayStores.forEach(context::addStateStore);
    return context;
  }

  /** The order-link stage's stores, kept across its incarnations as their changelogs keep them. */
  private List<KeyValueStore<String, ?>> relayStores() {
    final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    return List.of(
        store(context, Names.ORDER_LINK_ORDERS_STORE, OrderLinkState.getClassSchema()),
        store(context, Names.ORDER_LINK_CLOCK_STORE, ClockState.getClassSchema()));
  }

  private static <T extends SpecificRecord> KeyValueStore<String, T> store(
      final MockProcessorContext<Object, Object> context, final String name, final Schema schema) {
    final KeyValueStore<String, T> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(name), Serdes.String(), new AvroBinarySerde<T>(schema))
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  private void punctuate(final MockProcessorContext<Object, Object> context) {
    for (final MockProcessorContext.CapturedPunctuator p : context.scheduledPunctuators()) {
      p.getPunctuator().punctuate(wallMs);
    }
  }

  /** Sends what an ingest forwarded to the decision stage and the relay, in order. */
  private void deliver(final MockProcessorContext<Object, Object> context) {
    deliver(context, true);
  }

  /** As {@link #deliver}; the relay's share only when {@code relayReads}. */
  private void deliver(
      final MockProcessorContext<Object, Object> context, final boolean relayReads) {
    for (final CapturedForward<?, ?> forward : context.forwarded()) {
      final Fact fact = (Fact) forward.record().value();
      final String sink = forward.childName().orElseThrow();
      if (sink.equals(Names.CREDIT_USE_FACTS_SINK)) {
        toDecision(fact);
      } else if (sink.equals(Names.CREDIT_USE_ORDER_LINKS_SINK) && relayReads) {
        toRelay(fact);
      }
    }
    context.resetForwards();
  }

  /** The relay handles {@code fact}; what it forwards reaches the decision stage. */
  private void toRelay(final Fact fact) {
    relay.process(new Record<>(null, facts.serializer().serialize("order-links", fact), wallMs));
    relayForwardsToDecision();
  }

  private void relayForwardsToDecision() {
    for (final CapturedForward<?, ?> forward : relayContext.forwarded()) {
      toDecision((Fact) forward.record().value());
    }
    relayContext.resetForwards();
  }

  /** What the decision engine does with a fact's clock. */
  private void toDecision(final Fact fact) {
    if (expected.relays().contains(fact.getSource())) {
      Clocks.reportRelay(decisionClock, expected, fact.getSource(), fact.getUpstream());
    } else {
      Clocks.report(
          decisionClock,
          expected,
          fact.getSource(),
          fact.getMaxEventTime(),
          fact.getOffset(),
          fact.getIdle());
    }
  }
}
