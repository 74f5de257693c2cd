package io.repayguard.detector;

import static io.repayguard.detector.Names.BORROWINGS_STORE;
import static io.repayguard.detector.Names.CLOCK_STORE;
import static io.repayguard.detector.Names.CREDIT_PLANS_STORE;
import static io.repayguard.detector.Names.DEFERRED_STORE;
import static io.repayguard.detector.Names.EXPIRY_STORE;
import static io.repayguard.detector.Names.ORDERS_STORE;
import static io.repayguard.detector.Names.ORDER_LINK_CLOCK_STORE;
import static io.repayguard.detector.Names.ORDER_LINK_ORDERS_STORE;
import static io.repayguard.detector.Names.PENDING_STORE;
import static io.repayguard.detector.Names.PLANS_STORE;
import static io.repayguard.detector.Names.PLAN_CREDITS_STORE;

import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.Deferred;
import io.repayguard.detector.state.Expiry;
import io.repayguard.detector.state.OrderLinkState;
import io.repayguard.detector.state.PendingWork;
import io.repayguard.detector.state.PlanCredit;
import io.repayguard.detector.state.PlanIds;
import io.repayguard.detector.state.PlanState;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The detector topology, as a pure function of its settings and serdes.
 *
 * <p>Three stages, joined through two topics the detector owns:
 *
 * <ol>
 *   <li>ingest, one sub-topology for the three data inputs and the ops topic when the inputs have
 *       as many partitions each (else one per data input, ops with the plans), so one task per
 *       partition number reads partition n of each together, in timestamp order, and there are a
 *       third as many ingest tasks: decode, check the contract (failures to the DLQ), forward facts
 *       with the partition's clock; borrowings and plan events to the facts log, orders and
 *       borrowings' order references to the order-links topic. Analysts' ops commands go through
 *       the plan-credit store, which sends each to its plan's facts partition; they carry no clock;
 *   <li>order-link, keyed by orderId: sends each order's latest state to the borrowings naming it,
 *       in the facts log;
 *   <li>decision, one task per facts partition: the {@code DecisionEngine} over state stores,
 *       writing alerts and hold commands.
 * </ol>
 *
 * Every source reads from the earliest offset; every node and store is named in {@link Names}.
 */
public final class DetectorTopology {
  private DetectorTopology() {}

  /**
   * Builds the topology for a TopologyTestDriver, where every partition is always read to its end
   * ({@link InputLag#NO_CONSUMER}); no I/O, nothing started.
   */
  public static Topology build(final DetectorConfig config, final DetectorSerdes serdes) {
    return build(config, serdes, InputLag.NO_CONSUMER);
  }

  /**
   * Builds the topology; no I/O, nothing started. {@code inputLag} tells the ingest stage whether
   * an input partition is read to its end, the half of idleness a processor cannot see itself.
   */
  public static Topology build(
      final DetectorConfig config, final DetectorSerdes serdes, final InputLag inputLag) {
    final TopicNames topics = config.topics();
    final Topology topology = new Topology();
    final ByteArrayDeserializer bytesIn = new ByteArrayDeserializer();
    final ByteArraySerializer bytesOut = new ByteArraySerializer();
    final StringSerializer keys = new StringSerializer();
    final FactPartitioner partitioner = new FactPartitioner();
    final AvroBinarySerde<Fact> factSerde = new AvroBinarySerde<>(Fact.getClassSchema());

    topology.addSource(
        AutoOffsetReset.earliest(), Names.CREDIT_USE_SOURCE, bytesIn, bytesIn, topics.creditUse());
    topology.addProcessor(
        Names.CREDIT_USE_INGEST,
        supplier(
            () -> new CreditUseIngest(config, serdes.creditUse().deserializer(), inputLag),
            Set.of(),
            Names.CREDIT_USE_DLQ_SINK),
        Names.CREDIT_USE_SOURCE);
    topology.addSink(
        Names.CREDIT_USE_FACTS_SINK,
        topics.facts(),
        keys,
        factSerde.serializer(),
        partitioner,
        Names.CREDIT_USE_INGEST);
    topology.addSink(
        Names.CREDIT_USE_ORDER_LINKS_SINK,
        topics.orderLinks(),
        keys,
        factSerde.serializer(),
        partitioner,
        Names.CREDIT_USE_INGEST);
    topology.addSink(
        Names.CREDIT_USE_DLQ_SINK, topics.dlq(), bytesOut, bytesOut, Names.CREDIT_USE_INGEST);

    topology.addSource(
        AutoOffsetReset.earliest(),
        Names.MERCHANT_ORDER_SOURCE,
        bytesIn,
        bytesIn,
        topics.merchantOrder());
    topology.addProcessor(
        Names.MERCHANT_ORDER_INGEST,
        supplier(
            () -> new MerchantOrderIngest(config, serdes.merchantOrder().deserializer(), inputLag),
            Set.of(),
            Names.MERCHANT_ORDER_DLQ_SINK),
        Names.MERCHANT_ORDER_SOURCE);
    topology.addSink(
        Names.MERCHANT_ORDER_ORDER_LINKS_SINK,
        topics.orderLinks(),
        keys,
        factSerde.serializer(),
        partitioner,
        Names.MERCHANT_ORDER_INGEST);
    topology.addSink(
        Names.MERCHANT_ORDER_FACTS_SINK,
        topics.facts(),
        keys,
        factSerde.serializer(),
        partitioner,
        Names.MERCHANT_ORDER_INGEST);
    topology.addSink(
        Names.MERCHANT_ORDER_DLQ_SINK,
        topics.dlq(),
        bytesOut,
        bytesOut,
        Names.MERCHANT_ORDER_INGEST);

    topology.addSource(
        AutoOffsetReset.earliest(),
        Names.REPAYMENT_PLAN_SOURCE,
        bytesIn,
        bytesIn,
        topics.repaymentPlan());
    topology.addProcessor(
        Names.REPAYMENT_PLAN_INGEST,
        supplier(
            () -> new RepaymentPlanIngest(config, serdes.repaymentEvent().deserializer(), inputLag),
            Set.of(store(PLAN_CREDITS_STORE, avro(PlanCredit.getClassSchema()))),
            Names.REPAYMENT_PLAN_DLQ_SINK),
        Names.REPAYMENT_PLAN_SOURCE);
    topology.addSink(
        Names.REPAYMENT_PLAN_FACTS_SINK,
        topics.facts(),
        keys,
        factSerde.serializer(),
        partitioner,
        Names.REPAYMENT_PLAN_INGEST);
    topology.addSink(
        Names.REPAYMENT_PLAN_DLQ_SINK,
        topics.dlq(),
        bytesOut,
        bytesOut,
        Names.REPAYMENT_PLAN_INGEST);

    topology.addSource(
        AutoOffsetReset.earliest(), Names.OPS_SOURCE, bytesIn, bytesIn, topics.ops());
    topology.addProcessor(
        Names.OPS_INGEST,
        supplier(
            () -> new OpsCommandIngest(config, serdes.opsCommand().deserializer()),
            Set.of(),
            Names.OPS_DLQ_SINK),
        Names.OPS_SOURCE);
    // Sharing the plan-credit store puts the ops source in the plan ingest's task, and the other
    // inputs too when they have as many partitions (see the class comment); those two ingests
    // never touch the store. With other counts they keep a sub-topology each: one task per
    // partition number would then need the store's changelog to have as many partitions as the
    // largest input, and a detector that ran before with one a plan partition would not start.
    topology.connectProcessorAndStateStores(Names.OPS_INGEST, PLAN_CREDITS_STORE);
    if (oneIngestTask(config.partitions())) {
      topology.connectProcessorAndStateStores(Names.CREDIT_USE_INGEST, PLAN_CREDITS_STORE);
      topology.connectProcessorAndStateStores(Names.MERCHANT_ORDER_INGEST, PLAN_CREDITS_STORE);
    }
    topology.addSink(
        Names.OPS_FACTS_SINK,
        topics.facts(),
        keys,
        factSerde.serializer(),
        partitioner,
        Names.OPS_INGEST);
    topology.addSink(Names.OPS_DLQ_SINK, topics.dlq(), bytesOut, bytesOut, Names.OPS_INGEST);

    topology.addSource(
        AutoOffsetReset.earliest(),
        Names.ORDER_LINKS_SOURCE,
        bytesIn,
        bytesIn,
        topics.orderLinks());
    topology.addProcessor(
        Names.ORDER_LINK,
        supplier(
            () -> new OrderLinkProcessor(config),
            Set.of(
                store(ORDER_LINK_ORDERS_STORE, avro(OrderLinkState.getClassSchema())),
                store(ORDER_LINK_CLOCK_STORE, avro(ClockState.getClassSchema()))),
            Names.ORDER_LINK_DLQ_SINK),
        Names.ORDER_LINKS_SOURCE);
    topology.addSink(
        Names.ORDER_LINK_FACTS_SINK,
        topics.facts(),
        keys,
        factSerde.serializer(),
        partitioner,
        Names.ORDER_LINK);
    topology.addSink(Names.ORDER_LINK_DLQ_SINK, topics.dlq(), bytesOut, bytesOut, Names.ORDER_LINK);

    addDecisionStage(topology, config, serdes, factSerde, partitioner);
    return topology;
  }

  /**
   * The decision stage alone, reading the facts log as it is: what replay runs. Without the live
   * clock it writes nothing back into the log.
   */
  public static Topology buildDecisionStage(
      final DetectorConfig config, final DetectorSerdes serdes) {
    final Topology topology = new Topology();
    addDecisionStage(
        topology,
        config,
        serdes,
        new AvroBinarySerde<>(Fact.getClassSchema()),
        new FactPartitioner());
    return topology;
  }

  private static void addDecisionStage(
      final Topology topology,
      final DetectorConfig config,
      final DetectorSerdes serdes,
      final AvroBinarySerde<Fact> factSerde,
      final FactPartitioner partitioner) {
    final TopicNames topics = config.topics();
    final ByteArrayDeserializer bytesIn = new ByteArrayDeserializer();
    final ByteArraySerializer bytesOut = new ByteArraySerializer();
    final StringSerializer keys = new StringSerializer();
    topology.addSource(
        AutoOffsetReset.earliest(), Names.FACTS_SOURCE, bytesIn, bytesIn, topics.facts());
    final String flushTopic = config.replay().flushTopic();
    if (flushTopic != null) {
      topology.addSource(
          AutoOffsetReset.earliest(), Names.Replay.FLUSH_SOURCE, bytesIn, bytesIn, flushTopic);
    }
    topology.addProcessor(
        Names.DECISION,
        supplier(
            () -> new DecisionProcessor(config),
            Set.of(
                store(BORROWINGS_STORE, avro(CreditUse.getClassSchema())),
                store(ORDERS_STORE, avro(MerchantOrder.getClassSchema())),
                store(PLANS_STORE, avro(PlanState.getClassSchema())),
                store(CREDIT_PLANS_STORE, avro(PlanIds.getClassSchema())),
                store(CLOCK_STORE, avro(ClockState.getClassSchema())),
                // read from their head on every fact: not in the record cache but each in a
                // write-back
                // buffer of its own (see DueQueue, WriteBackStore)
                queue(PENDING_STORE, avro(PendingWork.getClassSchema())),
                queue(EXPIRY_STORE, avro(Expiry.getClassSchema())),
                queue(DEFERRED_STORE, avro(Deferred.getClassSchema()))),
            Names.DECISION_DLQ_SINK),
        flushTopic == null
            ? new String[] {Names.FACTS_SOURCE}
            : new String[] {Names.FACTS_SOURCE, Names.Replay.FLUSH_SOURCE});
    topology.addSink(
        Names.DECISION_ALERTS_SINK,
        topics.alerts(),
        keys,
        serdes.alert().serializer(),
        Names.DECISION);
    if (config.publication().holds()) {
      topology.addSink(
          Names.DECISION_HOLDS_SINK,
          topics.holdCommands(),
          keys,
          serdes.holdCommand().serializer(),
          Names.DECISION);
    }
    if (config.liveClock()) {
      topology.addSink(
          Names.DECISION_TICKS_SINK,
          topics.facts(),
          keys,
          factSerde.serializer(),
          partitioner,
          Names.DECISION);
    }
    topology.addSink(Names.DECISION_DLQ_SINK, topics.dlq(), bytesOut, bytesOut, Names.DECISION);
  }

  /**
   * Whether the three data inputs are read by one ingest task per partition number: when they have
   * as many partitions each.
   */
  static boolean oneIngestTask(final DetectorConfig.SourcePartitions partitions) {
    return partitions.creditUse() == partitions.repaymentPlan()
        && partitions.merchantOrder() == partitions.repaymentPlan();
  }

  private static <T extends SpecificRecord> Serde<T> avro(final org.apache.avro.Schema schema) {
    return new AvroBinarySerde<>(schema);
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(
      final String name, final Serde<V> values) {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), Serdes.String(), values)
        .withCachingEnabled();
  }

  private static <V> StoreBuilder<KeyValueStore<Bytes, V>> queue(
      final String name, final Serde<V> values) {
    return WriteBackStore.over(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Bytes(), values)
            .withCachingDisabled());
  }

  /** Supplies {@code processor}, {@link Guarded}: what it throws on goes to {@code dlqSink}. */
  private static ProcessorSupplier<byte[], byte[], Object, Object> supplier(
      final Supplier<Processor<byte[], byte[], Object, Object>> processor,
      final Set<StoreBuilder<?>> stores,
      final String dlqSink) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<byte[], byte[], Object, Object> get() {
        return new Guarded(processor.get(), dlqSink);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return stores;
      }
    };
  }
}
