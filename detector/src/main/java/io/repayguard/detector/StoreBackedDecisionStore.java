package io.repayguard.detector;

import io.repayguard.decision.Clock;
import io.repayguard.decision.Clocks;
import io.repayguard.decision.DecisionStore;
import io.repayguard.decision.Plan;
import io.repayguard.decision.StoredClocks;
import io.repayguard.decision.StoredPlans;
import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.Deferred;
import io.repayguard.detector.state.Expiry;
import io.repayguard.detector.state.PendingWork;
import io.repayguard.detector.state.PlanIds;
import io.repayguard.detector.state.PlanState;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** The decision engine's state in Kafka Streams state stores, one set per facts partition. */
final class StoreBackedDecisionStore implements DecisionStore {
  /**
   * The clock's head: detector time and the arrival count (and every source, as written before).
   */
  private static final String CLOCK_KEY = "clock";

  /** Prefix of one input partition's clock entry, followed by its name. */
  private static final String SOURCE_KEY = "source/";

  /** Prefix of one relay partition's clock entry, followed by its name. */
  private static final String RELAY_KEY = "relay/";

  /** creditId → the borrowing's latest arrived state. */
  private final KeyValueStore<String, CreditUse> borrowings;

  /** (creditId, orderId), see {@link #orderKey} → the order's latest arrived state. */
  private final KeyValueStore<String, MerchantOrder> orders;

  /** planId → everything known of the plan. */
  private final KeyValueStore<String, PlanState> plans;

  /** creditId → ids of the plans that name it. */
  private final KeyValueStore<String, PlanIds> creditPlans;

  /**
   * The partition's clock, one entry a source: {@value #SOURCE_KEY}name → a ClockState holding that
   * one input partition; {@value #RELAY_KEY}name → one holding that one relay; {@value #CLOCK_KEY}
   * → none, for when no source changed. Every entry also carries detector time and the arrival
   * count as they were when it was written; both only grow, so the clock's are the largest. A fact
   * changes one source, so it rewrites one small entry, and nothing else.
   */
  private final KeyValueStore<String, ClockState> clock;

  /** The clock as last read or written; null until first read. */
  private Clock current;

  /** Keys of the source and relay entries in the store; rewritten whole when they differ. */
  private final Set<String> entryKeys = new HashSet<>();

  /** Whether the store holds a clock written whole under {@value #CLOCK_KEY}, as before. */
  private boolean wholeClockStored;

  /** Decisions waiting for detector time, by (due detector time, arrival number, plan/event). */
  private final DueQueue<PendingWork> pending;

  /** Retention checks, by (detector time of the check, arrival number, kind/id). */
  private final DueQueue<Expiry> expiries;

  /** Records read ahead of detector time, by (eventTime, arrival number). */
  private final DueQueue<Deferred> deferred;

  StoreBackedDecisionStore(final ProcessorContext<?, ?> context) {
    this.borrowings = context.getStateStore(Names.BORROWINGS_STORE);
    this.orders = context.getStateStore(Names.ORDERS_STORE);
    this.plans = context.getStateStore(Names.PLANS_STORE);
    this.creditPlans = context.getStateStore(Names.CREDIT_PLANS_STORE);
    this.clock = context.getStateStore(Names.CLOCK_STORE);
    this.pending =
        new DueQueue<>(
            context.<KeyValueStore<Bytes, PendingWork>>getStateStore(Names.PENDING_STORE));
    this.expiries =
        new DueQueue<>(context.<KeyValueStore<Bytes, Expiry>>getStateStore(Names.EXPIRY_STORE));
    this.deferred =
        new DueQueue<>(context.<KeyValueStore<Bytes, Deferred>>getStateStore(Names.DEFERRED_STORE));
  }

  @Override
  public Optional<CreditUse> borrowing(final String creditId) {
    return Optional.ofNullable(borrowings.get(creditId));
  }

  @Override
  public void putBorrowing(final CreditUse borrowing) {
    borrowings.put(borrowing.getCreditId(), borrowing);
  }

  @Override
  public Optional<MerchantOrder> order(final String creditId, final String orderId) {
    return Optional.ofNullable(orders.get(orderKey(creditId, orderId)));
  }

  @Override
  public void putOrder(final String creditId, final MerchantOrder order) {
    orders.put(orderKey(creditId, order.getOrderId()), order);
  }

  /** creditId, a NUL, then orderId: ids are printable, so no two pairs share a key. */
  private static String orderKey(final String creditId, final String orderId) {
    return creditId + '\u0000' + orderId;
  }

  @Override
  public Optional<Plan> plan(final String planId) {
    return Optional.ofNullable(plans.get(planId)).map(StoredPlans::read);
  }

  @Override
  public void putPlan(final Plan plan) {
    plans.put(plan.planId(), StoredPlans.write(plan));
  }

  @Override
  public List<String> plansOf(final String creditId) {
    final PlanIds ids = creditId == null ? null : creditPlans.get(creditId);
    return ids == null ? List.of() : ids.getPlanIds();
  }

  @Override
  public void putPlansOf(final String creditId, final List<String> planIds) {
    if (planIds.isEmpty()) {
      creditPlans.delete(creditId);
    } else {
      creditPlans.put(creditId, PlanIds.newBuilder().setPlanIds(new ArrayList<>(planIds)).build());
    }
  }

  /**
   * The clock, read from its store once and then kept: the engine reads it on every fact. Every
   * change is still written through.
   */
  @Override
  public Clock clock() {
    if (current == null) {
      current = Clocks.empty();
      try (KeyValueIterator<String, ClockState> entries = clock.all()) {
        while (entries.hasNext()) {
          final KeyValue<String, ClockState> entry = entries.next();
          StoredClocks.addTo(current, entry.value);
          if (entry.key.equals(CLOCK_KEY)) {
            wholeClockStored =
                !entry.value.getSources().isEmpty() || !entry.value.getRelays().isEmpty();
          } else {
            entryKeys.add(entry.key);
          }
        }
      }
    }
    return current;
  }

  /**
   * Writes the entry {@code changed} names, carrying detector time and the arrival count, so a fact
   * costs one put; the head entry is written only when no source changed. Both numbers only grow,
   * so reading takes the largest of every entry's.
   */
  @Override
  public void putClock(final Clock state, final String changed) {
    current = state;
    if (wholeClockStored
        || entryKeys.size() != state.sources().size() + state.relayNames().size()) {
      writeEveryEntry(state);
    } else if (changed == null || !writeEntry(state, changed)) {
      clock.put(CLOCK_KEY, StoredClocks.head(state));
    }
  }

  /** Writes the entry of source or relay {@code name}; false when the clock has none. */
  private boolean writeEntry(final Clock state, final String name) {
    final Clock.Source source = state.sources().get(name);
    if (source != null) {
      clock.put(SOURCE_KEY + name, StoredClocks.sourceEntry(state, source));
      return true;
    }
    if (state.relayNames().contains(name)) {
      clock.put(RELAY_KEY + name, StoredClocks.relayEntry(state, name));
      return true;
    }
    return false;
  }

  /** Rewrites every entry, the head too, and deletes those of sources the clock no longer has. */
  private void writeEveryEntry(final Clock state) {
    final Set<String> keys = new HashSet<>();
    for (final Clock.Source source : state.sources().values()) {
      keys.add(SOURCE_KEY + source.name());
      clock.put(SOURCE_KEY + source.name(), StoredClocks.sourceEntry(state, source));
    }
    for (final String relay : state.relayNames()) {
      keys.add(RELAY_KEY + relay);
      clock.put(RELAY_KEY + relay, StoredClocks.relayEntry(state, relay));
    }
    clock.put(CLOCK_KEY, StoredClocks.head(state));
    entryKeys.removeAll(keys);
    entryKeys.forEach(clock::delete);
    entryKeys.clear();
    entryKeys.addAll(keys);
    wholeClockStored = false;
  }

  @Override
  public void schedule(final long due, final long seq, final PendingWork work) {
    pending.add(due, seq, DecisionStore.tieBreak(work), work);
  }

  @Override
  public Optional<PendingWork> takeDue(final long detectorTime) {
    return pending.takeDue(detectorTime);
  }

  @Override
  public void scheduleExpiry(final long at, final long seq, final Expiry expiry) {
    expiries.add(at, seq, DecisionStore.tieBreak(expiry), expiry);
  }

  @Override
  public Optional<Expiry> takeExpired(final long detectorTime) {
    return expiries.takeDue(detectorTime);
  }

  @Override
  public void defer(final long eventTime, final long seq, final Deferred record) {
    deferred.add(eventTime, seq, "", record);
  }

  @Override
  public Optional<Deferred> takeDeferred(final long detectorTime) {
    return deferred.takeDue(detectorTime);
  }

  @Override
  public Optional<Long> nextDeferred() {
    return deferred.nextDue();
  }

  @Override
  public void deletePlan(final String planId) {
    plans.delete(planId);
  }

  @Override
  public void deleteBorrowing(final String creditId) {
    borrowings.delete(creditId);
  }

  @Override
  public void deleteOrder(final String creditId, final String orderId) {
    orders.delete(orderKey(creditId, orderId));
  }

  @Override
  public Optional<Long> nextDue() {
    return pending.nextDue();
  }

  /** Repayment events waiting for their grace to pass: decisions pending. */
  long pendingDecisions() {
    return pending.size();
  }
}
