package io.repayguard.decision;

import io.repayguard.detector.state.Deferred;
import io.repayguard.detector.state.Expiry;
import io.repayguard.detector.state.PendingWork;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import java.util.List;
import java.util.Optional;

/**
 * The state the decision engine reads and writes, for one partition of the facts log.
 *
 * <p>The Kafka Streams adapter backs it with state stores; tests back it with maps.
 */
public interface DecisionStore {

  /** The latest arrived state of a borrowing. */
  Optional<CreditUse> borrowing(String creditId);

  void putBorrowing(CreditUse borrowing);

  /**
   * The latest arrived state of merchant order {@code orderId} as borrowing {@code creditId} knows
   * it. Kept per borrowing, so an order lives as long as a borrowing that names it (rule 10).
   */
  Optional<MerchantOrder> order(String creditId, String orderId);

  void putOrder(String creditId, MerchantOrder order);

  /** The plan as last put; changes to it are kept only by putting it again. */
  Optional<Plan> plan(String planId);

  void putPlan(Plan plan);

  /** Ids of the plans that name {@code creditId}, in arrival order. */
  List<String> plansOf(String creditId);

  void putPlansOf(String creditId, List<String> planIds);

  /** The partition's clock; {@link Clocks#empty()} before the first fact. */
  Clock clock();

  /**
   * Writes the clock back. {@code changed} names the one source or relay whose entry the last
   * report changed, or is null when only detector time and the arrival count moved, so a store can
   * write that entry alone rather than every source's.
   */
  void putClock(Clock clock, String changed);

  /**
   * Queues {@code work} to run once detector time reaches {@code due}; ties run by {@code seq},
   * then by {@link #tieBreak(PendingWork)}. One fact may queue several works with the same due time
   * and seq (a late borrowing re-decides every plan naming it): all are kept.
   */
  void schedule(long due, long seq, PendingWork work);

  /** Removes and returns the earliest queued work due at {@code detectorTime}, if any. */
  Optional<PendingWork> takeDue(long detectorTime);

  /** The due detector time of the earliest queued work, if any. */
  Optional<Long> nextDue();

  /**
   * Queues a retention check of {@code expiry}'s entity for when detector time reaches {@code at};
   * like {@link #schedule}, checks with the same time and seq are all kept.
   */
  void scheduleExpiry(long at, long seq, Expiry expiry);

  /** Removes and returns the earliest retention check due at {@code detectorTime}, if any. */
  Optional<Expiry> takeExpired(long detectorTime);

  /**
   * Keeps {@code record} (a borrowing, order update or repayment event read ahead of detector time)
   * until detector time reaches {@code eventTime}; records with the same eventTime come back in
   * {@code seq} order.
   */
  void defer(long eventTime, long seq, Deferred record);

  /** Removes and returns the earliest deferred record whose eventTime is at or before the time. */
  Optional<Deferred> takeDeferred(long detectorTime);

  /** The eventTime of the earliest deferred record, if any waits. */
  Optional<Long> nextDeferred();

  void deletePlan(String planId);

  void deleteBorrowing(String creditId);

  void deleteOrder(String creditId, String orderId);

  /** What orders, and keeps apart, works queued with the same due time and seq. */
  static String tieBreak(final PendingWork work) {
    return work.getPlanId() + "/" + (work.getEvent() == null ? "" : work.getEvent().getEventId());
  }

  /** What orders, and keeps apart, retention checks queued with the same time and seq. */
  static String tieBreak(final Expiry expiry) {
    return expiry.getKind()
        + "/"
        + expiry.getId()
        + (expiry.getCreditId() == null ? "" : "/" + expiry.getCreditId());
  }
}
