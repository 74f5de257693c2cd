package io.repayguard.decision;

import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.Deferred;
import io.repayguard.detector.state.Expiry;
import io.repayguard.detector.state.PendingWork;
import io.repayguard.detector.state.PlanState;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.serde.TrustedAvroClasses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * A {@link DecisionStore} in maps, for engine tests.
 *
 * <p>Like a state store it keeps copies: what the engine changes after a put or a get is not stored
 * until it puts again, so a forgotten put shows up in a test.
 */
final class MapDecisionStore implements DecisionStore {
  static {
    TrustedAvroClasses.install();
  }

  /** A place in a queue: due detector time, then arrival number, then the tie break. */
  private record Slot(long due, long seq, String tieBreak) {}

  private final Map<String, CreditUse> borrowings = new HashMap<>();
  private final Map<String, MerchantOrder> orders = new HashMap<>();
  private final Map<String, PlanState> plans = new HashMap<>();
  private final Map<String, List<String>> creditPlans = new HashMap<>();
  private final TreeMap<Slot, PendingWork> pending =
      new TreeMap<>(
          Comparator.comparingLong(Slot::due)
              .thenComparingLong(Slot::seq)
              .thenComparing(Slot::tieBreak));
  private final TreeMap<Slot, Expiry> expiries =
      new TreeMap<>(
          Comparator.comparingLong(Slot::due)
              .thenComparingLong(Slot::seq)
              .thenComparing(Slot::tieBreak));
  private final TreeMap<Slot, Deferred> deferred =
      new TreeMap<>(Comparator.comparingLong(Slot::due).thenComparingLong(Slot::seq));
  private ClockState clock;

  /** Ids of the plans held, for retention tests. */
  java.util.Set<String> planIds() {
    return java.util.Set.copyOf(plans.keySet());
  }

  /** Ids of the borrowings held, for retention tests. */
  /** The (creditId/orderId) pairs whose order is kept. */
  java.util.Set<String> orderKeys() {
    return new java.util.TreeSet<>(orders.keySet());
  }

  java.util.Set<String> borrowingIds() {
    return java.util.Set.copyOf(borrowings.keySet());
  }

  @Override
  public void scheduleExpiry(final long at, final long seq, final Expiry expiry) {
    expiries.put(new Slot(at, seq, DecisionStore.tieBreak(expiry)), copy(expiry));
  }

  @Override
  public Optional<Expiry> takeExpired(final long detectorTime) {
    if (expiries.isEmpty() || expiries.firstKey().due() > detectorTime) {
      return Optional.empty();
    }
    return Optional.of(expiries.pollFirstEntry().getValue());
  }

  @Override
  public void deletePlan(final String planId) {
    plans.remove(planId);
  }

  @Override
  public void deleteBorrowing(final String creditId) {
    borrowings.remove(creditId);
  }

  @Override
  public void deleteOrder(final String creditId, final String orderId) {
    orders.remove(creditId + "/" + orderId);
  }

  @Override
  public Optional<CreditUse> borrowing(final String creditId) {
    return Optional.ofNullable(borrowings.get(creditId)).map(MapDecisionStore::copy);
  }

  @Override
  public void putBorrowing(final CreditUse borrowing) {
    borrowings.put(borrowing.getCreditId(), copy(borrowing));
  }

  @Override
  public Optional<MerchantOrder> order(final String creditId, final String orderId) {
    return Optional.ofNullable(orders.get(creditId + "/" + orderId)).map(MapDecisionStore::copy);
  }

  @Override
  public void putOrder(final String creditId, final MerchantOrder order) {
    orders.put(creditId + "/" + order.getOrderId(), copy(order));
  }

  @Override
  public Optional<Plan> plan(final String planId) {
    return Optional.ofNullable(plans.get(planId))
        .map(MapDecisionStore::copy)
        .map(StoredPlans::read);
  }

  @Override
  public void putPlan(final Plan plan) {
    plans.put(plan.planId(), copy(StoredPlans.write(plan)));
  }

  @Override
  public List<String> plansOf(final String creditId) {
    return creditId == null
        ? List.of()
        : List.copyOf(creditPlans.getOrDefault(creditId, List.of()));
  }

  @Override
  public void putPlansOf(final String creditId, final List<String> planIds) {
    if (planIds.isEmpty()) {
      creditPlans.remove(creditId);
    } else {
      creditPlans.put(creditId, new ArrayList<>(planIds));
    }
  }

  @Override
  public Clock clock() {
    return clock == null ? Clocks.empty() : StoredClocks.read(clock);
  }

  @Override
  public void putClock(final Clock state, final String changed) {
    clock = StoredClocks.write(state);
  }

  @Override
  public void schedule(final long due, final long seq, final PendingWork work) {
    pending.put(new Slot(due, seq, DecisionStore.tieBreak(work)), copy(work));
  }

  @Override
  public Optional<PendingWork> takeDue(final long detectorTime) {
    if (pending.isEmpty() || pending.firstKey().due() > detectorTime) {
      return Optional.empty();
    }
    return Optional.of(pending.pollFirstEntry().getValue());
  }

  @Override
  public void defer(final long eventTime, final long seq, final Deferred record) {
    deferred.put(new Slot(eventTime, seq, ""), copy(record));
  }

  @Override
  public Optional<Deferred> takeDeferred(final long detectorTime) {
    if (deferred.isEmpty() || deferred.firstKey().due() > detectorTime) {
      return Optional.empty();
    }
    return Optional.of(deferred.pollFirstEntry().getValue());
  }

  @Override
  public Optional<Long> nextDeferred() {
    return deferred.isEmpty() ? Optional.empty() : Optional.of(deferred.firstKey().due());
  }

  @Override
  public Optional<Long> nextDue() {
    return pending.isEmpty() ? Optional.empty() : Optional.of(pending.firstKey().due());
  }

  private static <T extends SpecificRecord> T copy(final T value) {
    return SpecificData.getForSchema(value.getSchema()).deepCopy(value.getSchema(), value);
  }
}
