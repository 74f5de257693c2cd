package io.repayguard.sim;

import io.repayguard.events.CreditStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.GroundTruth;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Generates a consumer-credit world in event-time order: accounts (some pairs sharing one
 * identity), merchant orders, borrowings repaid in 3, 6 or 12 monthly installments, and the
 * anomalies of DESIGN.md injected at a rate, each with a {@link GroundTruth} record listing the
 * alerts its plan must open.
 *
 * <p>Deterministic for a seed: the same options give the same records; nothing reads the wall
 * clock. Records come in bursts (an opening burst per borrowing, then one per plan step); what a
 * decision must see is in the same burst, within a few minutes of event time, and what it must not
 * see is days later, beyond any read skew. {@link #stop()} finishes the bursts already started,
 * drops the rest, and ends with a clock record that moves detector time past every pending
 * decision.
 */
public final class Simulator implements Iterator<SimRecord> {
  static final long MINUTE = Duration.ofMinutes(1).toMillis();
  static final long DAY = Duration.ofDays(1).toMillis();
  static final long MONTH = 30 * DAY;

  /** The fee cap the generated plans respect and the amount anomaly breaks (DESIGN.md default). */
  static final long MAX_FEE_BPS = 800;

  /**
   * Benign early ends (reversal, refund, restructuring) come this many days after the plan at
   * least.
   */
  static final int EARLY_END_MIN_DAYS = 8;

  /** The clock record comes this long after the last event, far past the 5-minute grace. */
  static final long CLOCK_AFTER = 30 * MINUTE;

  /**
   * The longest a borrowing's records span, with a day to spare: a plan restructured at its early
   * end (up to {@code EARLY_END_MIN_DAYS} + 12 days after it), then 12 monthly installments, each
   * collected within two days.
   */
  public static final Duration PLAN_SPAN = Duration.ofDays(EARLY_END_MIN_DAYS + 12 + 12 * 30 + 3);

  /**
   * How to simulate.
   *
   * @param accounts number of credit accounts
   * @param anomalyRate share of borrowings whose plan gets an injected anomaly, 0 to 1
   * @param mix relative weight of each injected cause
   * @param start event time of the first borrowing
   * @param limit no borrowing starts after this event time (keep it behind the broker's clock)
   */
  public record Options(
      int accounts,
      long seed,
      double anomalyRate,
      Map<Rule, Integer> mix,
      Instant start,
      Instant limit) {
    public Options {
      if (accounts < 2) {
        throw new IllegalArgumentException("accounts must be at least 2, got " + accounts);
      }
      if (anomalyRate < 0 || anomalyRate > 1) {
        throw new IllegalArgumentException(
            "anomaly-rate must be between 0 and 1, got " + anomalyRate);
      }
      mix = Map.copyOf(mix);
      if (mix.values().stream().anyMatch(w -> w < 0)
          || mix.values().stream().mapToInt(Integer::intValue).sum() <= 0) {
        throw new IllegalArgumentException("mix weights must be 0 or more, and one positive");
      }
    }

    /** Every cause with weight 1. */
    public static Map<Rule, Integer> evenMix() {
      final Map<Rule, Integer> mix = new EnumMap<>(Rule.class);
      for (final Rule rule : Rule.values()) {
        mix.put(rule, 1);
      }
      return mix;
    }

    /** Reads {@code NO_BORROWING=2,ORDER_NOT_PAID=1}; causes not named get weight 0. */
    public static Map<Rule, Integer> parseMix(final String text) {
      final Map<Rule, Integer> mix = new EnumMap<>(Rule.class);
      for (final String part : text.split(",")) {
        final String[] kv = part.trim().split("=");
        if (kv.length != 2) {
          throw new IllegalArgumentException("mix entry '" + part + "' is not RULE=WEIGHT");
        }
        final Rule rule;
        try {
          rule = Rule.valueOf(kv[0].trim().toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "mix names unknown rule '"
                  + kv[0].trim()
                  + "' (one of "
                  + List.of(Rule.values())
                  + ")",
              e);
        }
        try {
          mix.put(rule, Integer.parseInt(kv[1].trim()));
        } catch (final NumberFormatException e) {
          throw new IllegalArgumentException(
              "mix weight '" + kv[1].trim() + "' is not a whole number", e);
        }
      }
      return mix;
    }
  }

  /**
   * A record waiting for its publish time; {@code burstStart} is its burst's first publish time.
   */
  private record Entry(
      long publishAt, long seq, long burstStart, SimRecord record, Runnable step) {}

  private final Options options;
  private final String p;
  private final SplittableRandom random;
  private final String[] identities;
  private final int[] linked;
  private long arrivalSpacing;
  private long arrivalLimit;
  private final PriorityQueue<Entry> queue =
      new PriorityQueue<>(
          (a, b) ->
              a.publishAt != b.publishAt
                  ? Long.compare(a.publishAt, b.publishAt)
                  : Long.compare(a.seq, b.seq));
  private final Map<Rule, Long> injected = new EnumMap<>(Rule.class);
  private final Map<Rule, Long> smoothWeights = new EnumMap<>(Rule.class);
  private long seq;
  private long nextArrival;
  private long borrowings;
  private long lastPublishAt;
  private long lastEventTime;
  private boolean stopRequested;
  private long borrowingLimit = Long.MAX_VALUE;
  private Long stoppedAt;
  private boolean clockSent;
  private SimRecord ready;
  private List<Entry> burst;

  public Simulator(final Options options) {
    this.options = options;
    this.p = "s" + options.seed() + "-";
    this.random = new SplittableRandom(options.seed());
    this.identities = new String[options.accounts()];
    this.linked = new int[options.accounts()];
    for (int i = 0; i < options.accounts(); i++) {
      linked[i] = -1;
      if (i > 0 && linked[i - 1] < 0 && random.nextInt(10) == 0) {
        identities[i] = identities[i - 1];
        linked[i] = i - 1;
        linked[i - 1] = i;
      } else {
        identities[i] = p + "i" + i;
      }
    }
    final long perDay = Math.max(1000, options.accounts() / 10);
    this.arrivalSpacing = DAY / perDay;
    this.arrivalLimit = options.limit().toEpochMilli();
    this.nextArrival = options.start().toEpochMilli();
    this.lastEventTime = nextArrival;
  }

  /** Stops starting new bursts; those already started are finished, then the clock record. */
  public void stop() {
    stopRequested = true;
  }

  /**
   * A world of {@code limit} borrowings whose plans all play out before {@link Options#limit()}:
   * they arrive, closer together if need be, between the start and {@link #PLAN_SPAN} before the
   * limit; then their plans finish and the clock record comes. Call before the first record.
   *
   * @throws IllegalArgumentException when the start is not more than {@link #PLAN_SPAN} before the
   *     limit
   */
  public void limitBorrowings(final long limit) {
    final long window =
        options.limit().toEpochMilli() - PLAN_SPAN.toMillis() - options.start().toEpochMilli();
    if (limit < 1 || window <= 0) {
      throw new IllegalArgumentException(
          "a world of borrowings needs its start more than "
              + PLAN_SPAN.toDays()
              + " days before its limit, so that every plan plays out");
    }
    borrowingLimit = limit;
    arrivalLimit = options.start().toEpochMilli() + window;
    // arrivals are spaced uniformly in [spacing / 2, 3 * spacing / 2]: all fit in the window
    arrivalSpacing = Math.max(1, Math.min(arrivalSpacing, window * 2 / (3 * limit)));
  }

  /** How many anomalies of each cause were injected into the borrowings started so far. */
  public Map<Rule, Long> injected() {
    return Map.copyOf(injected);
  }

  /** Borrowings started so far, benign and anomalous. */
  public long borrowings() {
    return borrowings;
  }

  /** The largest eventTime generated so far. */
  public long lastEventTime() {
    return lastEventTime;
  }

  @Override
  public boolean hasNext() {
    if (ready == null) {
      ready = produce();
    }
    return ready != null;
  }

  @Override
  public SimRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    final SimRecord record = ready;
    ready = null;
    return record;
  }

  private SimRecord produce() {
    while (true) {
      if (stopRequested && stoppedAt == null) {
        stoppedAt = lastPublishAt;
      }
      final boolean starting = stoppedAt == null;
      // past the limit of borrowings, the started ones play out whole, then the clock record
      final boolean arriving = starting && borrowings < borrowingLimit;
      if (arriving && nextArrival > arrivalLimit) {
        stopRequested = true;
        continue;
      }
      if (arriving && (queue.isEmpty() || nextArrival <= queue.peek().publishAt())) {
        startBorrowing(nextArrival);
        nextArrival += arrivalSpacing / 2 + random.nextLong(arrivalSpacing);
        continue;
      }
      final Entry entry = queue.poll();
      if (entry == null) {
        return clockOnce();
      }
      if (entry.step() != null) {
        if (starting) {
          entry.step().run();
        }
        continue;
      }
      if (!starting && entry.burstStart() > stoppedAt) {
        continue;
      }
      lastPublishAt = entry.publishAt();
      if (entry.record().kind() != SimRecord.Kind.GROUND_TRUTH) {
        lastEventTime = Math.max(lastEventTime, entry.record().timestamp());
      }
      return entry.record();
    }
  }

  private SimRecord clockOnce() {
    if (clockSent) {
      return null;
    }
    clockSent = true;
    final long time = lastEventTime + CLOCK_AFTER;
    lastEventTime = time;
    final CreditUse clock =
        CreditUse.newBuilder()
            .setCreditId(p + "clock")
            .setAccountId(p + "a0")
            .setIdentityId(identities[0])
            .setMerchantOrderId(null)
            .setAmountMinor(100)
            .setCurrency("CNY")
            .setInstallmentCount(1)
            .setStatus(CreditStatus.APPROVED)
            .setEventTime(Instant.ofEpochMilli(time))
            .build();
    return new SimRecord(SimRecord.Kind.CREDIT_USE, clock.getCreditId(), clock, time);
  }

  // ---- one borrowing and its plan -------------------------------------------------------------

  /** What is injected into one borrowing's plan; variant picks among a cause's forms. */
  private record Injection(Rule cause, int variant) {}

  private void startBorrowing(final long t0) {
    final long i = borrowings++;
    final int account = random.nextInt(options.accounts());
    final long principal = (100 + random.nextLong(19_900)) * 100;
    final int count = new int[] {3, 6, 12}[random.nextInt(3)];
    final long feeBps = new long[] {0, 200, 400, 600, 800}[random.nextInt(5)];
    final Injection injection = nextInjection(i);
    final boolean cash = injection == null && random.nextInt(10) == 0;
    final int benign = injection == null ? random.nextInt(100) : 100;
    final Borrowing b =
        new Borrowing(
            p + "c" + i,
            cash ? null : p + "o" + i,
            "m-" + random.nextInt(200),
            account,
            principal,
            count,
            t0);
    final long total = principal + principal * feeBps / 10_000;
    openBurst();
    if (injection != null && injection.cause() == Rule.NO_BORROWING) {
      final Plan plan =
          new Plan(
              p + "p" + i,
              injection.variant() == 0 ? null : b.creditId,
              account,
              count,
              total,
              t0 + MINUTE);
      planCreated(plan, false);
      truth(
          plan,
          "NO_BORROWING: "
              + (plan.creditId == null
                  ? "plan names no borrowing"
                  : "borrowing " + plan.creditId + " never arrives"),
          plan.createdAt,
          Rule.NO_BORROWING);
      closeBurst();
      plan.scheduleInstallment(1);
      return;
    }
    orderRecords(b, injection);
    final boolean creditAfterPlan = injection == null && benign < 5;
    creditRecord(b, CreditStatus.APPROVED, t0, creditAfterPlan ? t0 + MINUTE + 20_000 : t0);
    if (injection != null && injection.cause() == Rule.BORROWING_REVERSED) {
      creditRecord(b, CreditStatus.REVERSED, t0 + 2 * MINUTE, t0 + 2 * MINUTE);
    }
    final Plan plan =
        new Plan(
            p + "p" + i,
            b.creditId,
            planAccount(account, injection),
            count,
            planTotal(principal, total, injection),
            t0 + MINUTE);
    plan.overCollect =
        injection != null
            && injection.cause() == Rule.AMOUNT_EXCEEDS_BORROWING
            && injection.variant() == 1;
    plan.principal = principal;
    planCreated(plan, injection == null && benign >= 5 && benign < 10);
    Plan duplicate = null;
    if (injection != null && injection.cause() == Rule.DUPLICATE_PLAN) {
      duplicate = new Plan(p + "p" + i + "d", b.creditId, account, count, total, t0 + 2 * MINUTE);
      duplicate.principal = principal;
      planCreated(duplicate, false);
      truth(
          duplicate,
          "DUPLICATE_PLAN: second open plan for borrowing " + b.creditId,
          duplicate.createdAt,
          Rule.DUPLICATE_PLAN);
    } else if (injection != null && !plan.overCollect) {
      truth(plan, describe(injection, b, plan), plan.createdAt, injection.cause());
    }
    closeBurst();
    if (duplicate != null) {
      duplicate.scheduleInstallment(1);
    }
    if (injection == null && !cash && benign >= 10 && benign < 16) {
      scheduleEarlyEnd(plan, b, benign < 13 ? EarlyEnd.REVERSAL : EarlyEnd.REFUND);
    } else if (injection == null && benign >= 16 && benign < 20) {
      scheduleEarlyEnd(plan, b, EarlyEnd.RESTRUCTURE);
    } else {
      plan.scheduleInstallment(1);
    }
  }

  /** Smooth weighted round robin over the mix: counts track the weights within one. */
  private Injection nextInjection(final long index) {
    final double rate = options.anomalyRate();
    if ((long) Math.floor((index + 1) * rate) <= (long) Math.floor(index * rate)) {
      return null;
    }
    final long totalWeight = options.mix().values().stream().mapToLong(Integer::longValue).sum();
    Rule best = null;
    for (final Rule rule : Rule.values()) {
      final long weight = options.mix().getOrDefault(rule, 0);
      if (weight == 0) {
        continue;
      }
      smoothWeights.merge(rule, weight, Long::sum);
      if (best == null || smoothWeights.get(rule) > smoothWeights.get(best)) {
        best = rule;
      }
    }
    smoothWeights.merge(best, -totalWeight, Long::sum);
    injected.merge(best, 1L, Long::sum);
    final int variants =
        switch (best) {
          case NO_BORROWING, ACCOUNT_MISMATCH, AMOUNT_EXCEEDS_BORROWING -> 2;
          case ORDER_NOT_PAID -> 4;
          default -> 1;
        };
    return new Injection(best, random.nextInt(variants));
  }

  private static final OrderStatus[] NOT_PAID = {
    OrderStatus.CANCELLED, OrderStatus.FAILED, OrderStatus.REFUNDED, null
  };

  private void orderRecords(final Borrowing b, final Injection injection) {
    if (b.orderId == null) {
      return;
    }
    final OrderStatus bad =
        injection != null && injection.cause() == Rule.ORDER_NOT_PAID
            ? NOT_PAID[injection.variant()]
            : OrderStatus.PAID;
    if (injection != null && injection.cause() == Rule.ORDER_NOT_PAID && bad == null) {
      return;
    }
    orderRecord(b, OrderStatus.CREATED, b.t0 - 2 * MINUTE);
    orderRecord(b, bad == OrderStatus.REFUNDED ? OrderStatus.PAID : bad, b.t0 - MINUTE);
    if (bad == OrderStatus.REFUNDED) {
      orderRecord(b, OrderStatus.REFUNDED, b.t0 + 90_000);
    }
  }

  private int planAccount(final int account, final Injection injection) {
    if (injection == null || injection.cause() != Rule.ACCOUNT_MISMATCH) {
      return account;
    }
    if (injection.variant() == 1 && linked[account] >= 0) {
      return linked[account];
    }
    int other = random.nextInt(options.accounts());
    while (identities[other].equals(identities[account])) {
      other = (other + 1) % options.accounts();
    }
    return other;
  }

  private long planTotal(final long principal, final long total, final Injection injection) {
    if (injection == null || injection.cause() != Rule.AMOUNT_EXCEEDS_BORROWING) {
      return total;
    }
    if (injection.variant() == 1) {
      return principal;
    }
    return principal * (10_000 + MAX_FEE_BPS) / 10_000 + 1 + random.nextLong(principal / 10 + 1);
  }

  private String describe(final Injection injection, final Borrowing b, final Plan plan) {
    return switch (injection.cause()) {
      case BORROWING_REVERSED ->
          "BORROWING_REVERSED: borrowing " + b.creditId + " reversed, its plan still collects";
      case ORDER_NOT_PAID ->
          "ORDER_NOT_PAID: order "
              + b.orderId
              + " "
              + (NOT_PAID[injection.variant()] == null
                  ? "never sent"
                  : NOT_PAID[injection.variant()]);
      case ACCOUNT_MISMATCH ->
          "ACCOUNT_MISMATCH: plan collects from "
              + (identities[plan.account].equals(identities[b.account])
                  ? "a linked account of the borrower (MEDIUM)"
                  : "a foreign account (HIGH)");
      case AMOUNT_EXCEEDS_BORROWING ->
          "AMOUNT_EXCEEDS_BORROWING: plan total "
              + plan.total
              + " above principal "
              + b.principal
              + " plus 8%";
      default -> injection.cause().name();
    };
  }

  // ---- plan life ------------------------------------------------------------------------------

  private enum EarlyEnd {
    REVERSAL,
    REFUND,
    RESTRUCTURE
  }

  /**
   * A benign early end, days after creation and before the first installment: decided events only.
   */
  private void scheduleEarlyEnd(final Plan plan, final Borrowing b, final EarlyEnd kind) {
    final long at = plan.createdAt + EARLY_END_MIN_DAYS * DAY + random.nextLong(12 * DAY);
    schedule(
        at,
        () -> {
          openBurst();
          planEvent(plan, RepaymentEventType.PLAN_CLOSED, 0, 0, at, "closed");
          if (kind == EarlyEnd.REFUND) {
            orderRecord(b, OrderStatus.REFUNDED, at + MINUTE);
          }
          if (kind == EarlyEnd.RESTRUCTURE) {
            final Plan next =
                new Plan(
                    plan.planId + "r",
                    plan.creditId,
                    plan.account,
                    plan.count,
                    plan.total,
                    at + MINUTE);
            next.principal = plan.principal;
            planCreated(next, false);
            closeBurst();
            next.scheduleInstallment(1);
            return;
          }
          creditRecord(b, CreditStatus.REVERSED, at + 2 * MINUTE, at + 2 * MINUTE);
          closeBurst();
        });
  }

  private void planCreated(final Plan plan, final boolean redeliver) {
    planEvent(plan, RepaymentEventType.PLAN_CREATED, 0, plan.total, plan.createdAt, "created");
    if (redeliver) {
      planEvent(
          plan,
          RepaymentEventType.PLAN_CREATED,
          0,
          plan.total,
          plan.createdAt,
          "created",
          plan.createdAt + 5_000);
    }
  }

  /** A borrowing as the world knows it. */
  private record Borrowing(
      String creditId,
      String orderId,
      String merchant,
      int account,
      long principal,
      int count,
      long t0) {}

  /** One repayment plan; schedules its installments, collections and close step by step. */
  private final class Plan {
    final String planId;
    final String creditId;
    final int account;
    final int count;
    final long total;
    final long createdAt;
    long principal;
    boolean overCollect;
    long collected;
    boolean truthSent;

    Plan(
        final String planId,
        final String creditId,
        final int account,
        final int count,
        final long total,
        final long createdAt) {
      this.planId = planId;
      this.creditId = creditId;
      this.account = account;
      this.count = count;
      this.total = total;
      this.createdAt = createdAt;
    }

    long installment(final int no) {
      final long base = total / count;
      return no == count ? total - base * (count - 1) : base;
    }

    void scheduleInstallment(final int no) {
      final long due = createdAt + no * MONTH;
      schedule(
          due,
          () -> {
            openBurst();
            planEvent(
                this, RepaymentEventType.INSTALLMENT_DUE, no, installment(no), due, "due-" + no);
            closeBurst();
            final long at = due + random.nextLong(2 * DAY);
            schedule(at, () -> collect(no, at));
          });
    }

    private void collect(final int no, final long at) {
      final long amount = overCollect ? installment(no) * 5 / 4 : installment(no);
      collected += amount;
      openBurst();
      planEvent(this, RepaymentEventType.REPAYMENT_COLLECTED, no, amount, at, "col-" + no);
      if (random.nextInt(50) == 0) {
        planEvent(
            this, RepaymentEventType.REPAYMENT_COLLECTED, no, amount, at, "col-" + no, at + 3_000);
      }
      if (overCollect && !truthSent && exceedsCap(collected, principal)) {
        truthSent = true;
        truth(
            this,
            "AMOUNT_EXCEEDS_BORROWING: collected "
                + collected
                + " above principal "
                + principal
                + " plus 8%",
            at,
            Rule.AMOUNT_EXCEEDS_BORROWING);
      }
      if (no == count) {
        planEvent(this, RepaymentEventType.PLAN_CLOSED, 0, 0, at + MINUTE, "closed");
      }
      closeBurst();
      if (no < count) {
        scheduleInstallment(no + 1);
      }
    }
  }

  /** DESIGN.md's fee cap test; simulated amounts are far too small to overflow. */
  static boolean exceedsCap(final long total, final long principal) {
    return total * 10_000 > principal * (10_000 + MAX_FEE_BPS);
  }

  // ---- records --------------------------------------------------------------------------------

  private void planEvent(
      final Plan plan,
      final RepaymentEventType type,
      final int no,
      final long amount,
      final long time,
      final String suffix) {
    planEvent(plan, type, no, amount, time, suffix, time);
  }

  private void planEvent(
      final Plan plan,
      final RepaymentEventType type,
      final int no,
      final long amount,
      final long time,
      final String suffix,
      final long publishAt) {
    final RepaymentEvent event =
        RepaymentEvent.newBuilder()
            .setEventId(plan.planId + "-" + suffix)
            .setPlanId(plan.planId)
            .setCreditId(plan.creditId)
            .setAccountId(p + "a" + plan.account)
            .setIdentityId(identities[plan.account])
            .setType(type)
            .setInstallmentNo(no)
            .setInstallmentCount(plan.count)
            .setAmountMinor(amount)
            .setCurrency("CNY")
            .setEventTime(Instant.ofEpochMilli(time))
            .build();
    add(publishAt, new SimRecord(SimRecord.Kind.REPAYMENT_PLAN, plan.planId, event, time));
  }

  private void creditRecord(
      final Borrowing b, final CreditStatus status, final long time, final long publishAt) {
    final CreditUse credit =
        CreditUse.newBuilder()
            .setCreditId(b.creditId)
            .setAccountId(p + "a" + b.account)
            .setIdentityId(identities[b.account])
            .setMerchantOrderId(b.orderId)
            .setAmountMinor(b.principal)
            .setCurrency("CNY")
            .setInstallmentCount(b.count)
            .setStatus(status)
            .setEventTime(Instant.ofEpochMilli(time))
            .build();
    add(publishAt, new SimRecord(SimRecord.Kind.CREDIT_USE, b.creditId, credit, time));
  }

  private void orderRecord(final Borrowing b, final OrderStatus status, final long time) {
    final MerchantOrder order =
        MerchantOrder.newBuilder()
            .setOrderId(b.orderId)
            .setMerchantId(b.merchant)
            .setAccountId(p + "a" + b.account)
            .setAmountMinor(b.principal)
            .setCurrency("CNY")
            .setStatus(status)
            .setEventTime(Instant.ofEpochMilli(time))
            .build();
    add(time, new SimRecord(SimRecord.Kind.MERCHANT_ORDER, b.orderId, order, time));
  }

  private void truth(
      final Plan plan, final String cause, final long injectedAt, final Rule... rules) {
    final GroundTruth truth =
        GroundTruth.newBuilder()
            .setPlanId(plan.planId)
            .setCreditId(plan.creditId)
            .setAccountId(p + "a" + plan.account)
            .setExpectedRules(List.of(rules))
            .setCause(cause)
            .setSeed(options.seed())
            .setInjectedAt(Instant.ofEpochMilli(injectedAt))
            .build();
    final long after = burst.stream().mapToLong(Entry::publishAt).max().orElse(injectedAt);
    add(
        Math.max(after, injectedAt) + 1,
        new SimRecord(SimRecord.Kind.GROUND_TRUTH, plan.planId, truth, injectedAt));
  }

  private void openBurst() {
    burst = new ArrayList<>();
  }

  private void add(final long publishAt, final SimRecord record) {
    burst.add(new Entry(publishAt, 0, 0, record, null));
  }

  /** Queues the burst's records; each remembers the burst's first publish time. */
  private void closeBurst() {
    final long start = burst.stream().mapToLong(Entry::publishAt).min().orElse(0);
    for (final Entry e : burst) {
      queue.add(new Entry(e.publishAt(), seq++, start, e.record(), null));
    }
    burst = null;
  }

  private void schedule(final long at, final Runnable step) {
    queue.add(new Entry(at, seq++, at, null, step));
  }
}
