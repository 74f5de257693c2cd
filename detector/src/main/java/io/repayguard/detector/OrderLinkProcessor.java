package io.repayguard.detector;

import io.repayguard.decision.Clock;
import io.repayguard.decision.Clocks;
import io.repayguard.decision.Sources;
import io.repayguard.decision.StoredClocks;
import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.facts.OrderRef;
import io.repayguard.detector.facts.OrderUpdate;
import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.OrderLinkState;
import io.repayguard.detector.state.SourceClock;
import io.repayguard.events.MerchantOrder;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The order-link stage, keyed by orderId: sends each merchant order's latest state to every
 * borrowing that names it, as facts keyed by creditId.
 *
 * <p>Stateful. Every state of an order is sent to the borrowings that name it as it arrives, older
 * ones included: the decision stage applies each when detector time reaches its eventTime
 * (DESIGN.md, When a record takes effect), so a refund read ahead does not replace, too early, the
 * PAID state a plan decided before it needs. A borrowing that first names an order gets the state
 * in force at the borrowing's eventTime and every later one. This stage is a relay: with every fact
 * it sends, on a wall-clock schedule when anything changed, and at once when all its sources turn
 * idle or one turns active, it tells every facts partition its view of the credit-use and
 * merchant-order partitions it hears from (their time, idleness and the last offset it has
 * handled), so the decision stage can tell whether facts may still be on their way through here.
 */
final class OrderLinkProcessor implements Processor<byte[], byte[], Object, Object> {
  private static final String CLOCK_KEY = "clock";

  private final DetectorConfig config;
  private final Sources expected;
  private final AvroBinarySerde<Fact> facts = new AvroBinarySerde<>(Fact.getClassSchema());

  private ProcessorContext<Object, Object> context;
  private DeadLetters deadLetters;
  private String source;

  /** orderId → the order's latest state and the borrowings that named it. */
  private KeyValueStore<String, OrderLinkState> orders;

  /** {@value #CLOCK_KEY} → what each upstream partition last said about its time. */
  private KeyValueStore<String, ClockState> clocks;

  /** The clock as last read from or written to {@link #clocks}: read once, written through. */
  private Clock clock;

  /** Whether the view last told downstream said every source idle; null before any. */
  private Boolean toldIdle;

  /** Whether the clock table changed since it was last told downstream. */
  private boolean changed;

  OrderLinkProcessor(final DetectorConfig config) {
    this.config = config;
    this.expected = Sources.direct(config.orderLinkSources());
  }

  /**
   * Starts, or starts again on a revived or moved task: the clock is read from the store anew and
   * told downstream once, at the first scheduled tell, since the previous incarnation may have
   * stopped before it told what it had heard.
   */
  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    this.context = context;
    this.toldIdle = null;
    this.changed = true;
    this.clock = null;
    this.deadLetters = new DeadLetters(context, Names.ORDER_LINK_DLQ_SINK);
    this.source =
        DetectorConfig.sourceName(config.topics().orderLinks(), context.taskId().partition());
    this.orders = context.getStateStore(Names.ORDER_LINK_ORDERS_STORE);
    this.clocks = context.getStateStore(Names.ORDER_LINK_CLOCK_STORE);
    context.schedule(
        IngestProcessor.RETENTION_SCAN_INTERVAL,
        PunctuationType.WALL_CLOCK_TIME,
        wallNow -> forgetInactiveOrders());
    context.schedule(
        config.watermarkInterval(), PunctuationType.WALL_CLOCK_TIME, this::tellClockIfChanged);
  }

  private void tellClockIfChanged(final long wallNow) {
    if (changed && storedClock() != null) {
      tell(view(clock, StoredClocks.sources(clock.sources().values())), wallNow);
    }
  }

  /** The stored clock, null before any; read from the store once, then kept. */
  private Clock storedClock() {
    if (clock == null) {
      final ClockState stored = clocks.get(CLOCK_KEY);
      clock = stored == null ? null : StoredClocks.read(stored);
    }
    return clock;
  }

  /** Tells every facts partition {@code view}. */
  private void tell(final View view, final long timestamp) {
    context.forward(
        new Record<>(null, view.fact(source, null), timestamp), Names.ORDER_LINK_FACTS_SINK);
    toldIdle = view.idle();
    changed = false;
  }

  /**
   * Rule 10 at this stage: forgets orders not changed, nor named by a new borrowing, within the
   * inactivity horizon of this stage's detector time. A full scan, hourly by the wall clock.
   */
  private void forgetInactiveOrders() {
    if (storedClock() == null || clock.detectorTime() == Clocks.UNKNOWN) {
      return;
    }
    final long horizon = clock.detectorTime() - config.retention().inactive().toMillis();
    StoreScans.deleteWhere(orders, link -> link.getLastUpdate() <= horizon);
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    final Fact fact;
    try {
      fact = facts.decode(record.value());
    } catch (final SerializationException | NullPointerException e) {
      deadLetters.send(record, e.getClass().getName(), String.valueOf(e.getMessage()));
      return;
    }
    if (storedClock() == null) {
      clock = Clocks.empty();
    }
    Clocks.report(
        clock,
        expected,
        fact.getSource(),
        fact.getMaxEventTime(),
        fact.getOffset(),
        fact.getIdle());
    // Stored with every record, in the same transaction as this record's input offset: a task that
    // moves keeps what its previous incarnation heard, though that one never told it. A partition
    // that went idle says so once; a clock that forgot it would hold detector time for good.
    final ClockState stored = StoredClocks.write(clock);
    clocks.put(CLOCK_KEY, stored);
    changed = true;
    final View view = view(clock, stored.getSources());
    if (fact.getPayload() instanceof MerchantOrder order) {
      onOrder(order, view, record.timestamp());
    } else if (fact.getPayload() instanceof OrderRef ref) {
      onReference(ref, view, record.timestamp());
    }
    if (toldIdle == null || toldIdle != view.idle()) {
      tell(view, record.timestamp());
    }
  }

  private void onOrder(final MerchantOrder order, final View view, final long timestamp) {
    final OrderLinkState link = link(order.getOrderId());
    final List<MerchantOrder> history = history(link);
    int at = history.size();
    while (at > 0 && history.get(at - 1).getEventTime().isAfter(order.getEventTime())) {
      at--;
    }
    history.add(at, order);
    link.setHistory(history);
    link.setOrder(history.get(history.size() - 1));
    link.setLastUpdate(Math.max(link.getLastUpdate(), order.getEventTime().toEpochMilli()));
    orders.put(order.getOrderId(), link);
    for (final String creditId : link.getCreditIds()) {
      send(creditId, order, view, timestamp);
    }
  }

  private void onReference(final OrderRef ref, final View view, final long timestamp) {
    final OrderLinkState link = link(ref.getOrderId());
    if (link.getCreditIds().contains(ref.getCreditId())) {
      return;
    }
    link.getCreditIds().add(ref.getCreditId());
    link.setLastUpdate(Math.max(link.getLastUpdate(), ref.getEventTime()));
    orders.put(ref.getOrderId(), link);
    final List<MerchantOrder> history = history(link);
    int from = 0;
    for (int i = 0; i < history.size(); i++) {
      if (history.get(i).getEventTime().toEpochMilli() <= ref.getEventTime()) {
        from = i;
      }
    }
    for (final MerchantOrder state : history.subList(from, history.size())) {
      send(ref.getCreditId(), state, view, timestamp);
    }
  }

  /** The order's states by eventTime; state written before histories holds only the latest. */
  private static List<MerchantOrder> history(final OrderLinkState link) {
    final List<MerchantOrder> history = new ArrayList<>(link.getHistory());
    if (history.isEmpty() && link.getOrder() != null) {
      history.add(link.getOrder());
    }
    return history;
  }

  private OrderLinkState link(final String orderId) {
    final OrderLinkState stored = orders.get(orderId);
    return stored != null
        ? stored
        : OrderLinkState.newBuilder()
            .setOrder(null)
            .setHistory(new ArrayList<>())
            .setCreditIds(new ArrayList<>())
            .setLastUpdate(Long.MIN_VALUE)
            .build();
  }

  private void send(
      final String creditId, final MerchantOrder order, final View view, final long timestamp) {
    final OrderUpdate update =
        OrderUpdate.newBuilder().setCreditId(creditId).setOrder(order).build();
    context.forward(
        new Record<>(creditId, view.fact(source, update), timestamp), Names.ORDER_LINK_FACTS_SINK);
  }

  /**
   * This partition's view of its sources, computed once a record for every fact it sends; {@code
   * upstream} is the clock's sources as facts carry them.
   */
  private View view(final Clock clock, final List<SourceClock> upstream) {
    return new View(upstream, Clocks.maxEventTime(clock), Clocks.allIdle(clock, expected));
  }

  /**
   * What every fact this stage sends carries: its view of its sources. Facts share {@code
   * upstream}: a forwarded fact is serialized before {@code forward} returns.
   */
  private record View(List<SourceClock> upstream, long maxEventTime, boolean idle) {
    Fact fact(final String source, final Object payload) {
      return Fact.newBuilder()
          .setSource(source)
          .setMaxEventTime(maxEventTime)
          .setIdle(idle)
          .setOffset(-1)
          .setUpstream(upstream)
          .setPayload(payload)
          .build();
    }
  }
}
