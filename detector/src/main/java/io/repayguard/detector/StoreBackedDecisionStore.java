package io.repayguard.detector;

import io.repayguard.decision.Clocks;
import io.repayguard.decision.DecisionStore;
import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.Deferred;
import io.repayguard.detector.state.Expiry;
import io.repayguard.detector.state.PendingWork;
import io.repayguard.detector.state.PlanIds;
import io.repayguard.detector.state.PlanState;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/** The decision engine's state in Kafka Streams state stores, one set per facts partition. */
final class StoreBackedDecisionStore implements DecisionStore {
  private static final String CLOCK_KEY = "clock";

  /** creditId → the borrowing's latest arrived state. */
  private final KeyValueStore<String, CreditUse> borrowings;
  /** (creditId, orderId), see {@link #orderKey} → the order's latest arrived state. */
  private final KeyValueStore<String, MerchantOrder> orders;
  /** planId → everything known of the plan. */
  private final KeyValueStore<String, PlanState> plans;
  /** creditId → ids of the plans that name it. */
  private final KeyValueStore<String, PlanIds> creditPlans;
  /** {@value #CLOCK_KEY} → the partition's clock. */
  private final KeyValueStore<String, ClockState> clock;
  /** The clock as last read or written; null until first read. */
  private ClockState current;
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
    this.pending = new DueQueue<>(context.<KeyValueStore<Bytes, PendingWork>>getStateStore(
        Names.PENDING_STORE));
    this.expiries = new DueQueue<>(context.<KeyValueStore<Bytes, Expiry>>getStateStore(
        Names.EXPIRY_STORE));
    this.deferred = new DueQueue<>(context.<KeyValueStore<Bytes, Deferred>>getStateStore(
        Names.DEFERRED_STORE));
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
  public Optional<PlanState> plan(final String planId) {
    return Optional.ofNullable(plans.get(planId));
  }

  @Override
  public void putPlan(final PlanState plan) {
    plans.put(plan.getPlanId(), plan);
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
   * The clock, read from its store once and then kept: the engine reads it on every fact, and a
   * store read decodes the whole clock. Every change is still written through.
   */
  @Override
  public ClockState clock() {
    if (current == null) {
      final ClockState stored = clock.get(CLOCK_KEY);
      current = stored == null ? Clocks.empty() : stored;
    }
    return current;
  }

  @Override
  public void putClock(final ClockState state) {
    current = state;
    clock.put(CLOCK_KEY, state);
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
}
