package io.repayguard.decision;

import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.facts.Flush;
import io.repayguard.detector.facts.OrderUpdate;
import io.repayguard.detector.facts.Tick;
import io.repayguard.detector.state.Deferred;
import io.repayguard.detector.state.Expiry;
import io.repayguard.detector.state.ExpiryKind;
import io.repayguard.detector.state.PendingWork;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import io.repayguard.rules.DuplicatePlans;
import io.repayguard.rules.Finding;
import io.repayguard.rules.HoldPolicy;
import io.repayguard.rules.Rules;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, for one partition of the facts log, whether a valid borrowing backs each repayment
 * event, and publishes alerts and hold commands (DESIGN.md, Detection semantics).
 *
 * <p>Stateful through a {@link DecisionStore}; emits through a {@link DecisionOutput} while it
 * handles a fact. Its outputs are a function of the sequence of facts alone (no wall clock), so a
 * replay of the same facts yields the same alerts, ids included. Each fact: the source's clock is
 * recorded (detector time may move; a tick moves it to the tick's time); the payload takes effect
 * at once when detector time has reached its eventTime, else it waits in the store until then
 * (DESIGN.md, When a record takes effect); then what detector time has reached runs in time order:
 * waiting records at their eventTime, queued decisions at their due time, a record before a
 * decision due at the same time.
 */
public final class DecisionEngine {
  private final DecisionSettings settings;
  private final DecisionStore store;
  private final DecisionOutput output;
  private final HoldPolicy holdPolicy;

  public DecisionEngine(
      final DecisionSettings settings, final DecisionStore store, final DecisionOutput output) {
    this.settings = settings;
    this.store = store;
    this.output = output;
    this.holdPolicy = new HoldPolicy(settings.holdSeverity());
  }

  /** Handles one fact of the log; may emit alerts and commands. */
  public void onFact(final Fact fact) {
    if (fact.getPayload() instanceof Flush) {
      flush();
      return;
    }
    if (fact.getPayload() instanceof OpsCommand command) {
      onOpsCommand(command);
      return;
    }
    final Clock clock = store.clock();
    String reported = null;
    if (fact.getPayload() instanceof Tick tick) {
      Clocks.advanceTo(clock, tick.getDetectorTime());
    } else if (settings.sources().relays().contains(fact.getSource())) {
      Clocks.reportRelay(clock, settings.sources(), fact.getSource(), fact.getUpstream());
      reported = fact.getSource();
    } else {
      Clocks.report(
          clock,
          settings.sources(),
          fact.getSource(),
          fact.getMaxEventTime(),
          fact.getOffset(),
          fact.getIdle());
      reported = fact.getSource();
    }
    final long seq = clock.countArrival();
    store.putClock(clock, reported);
    final long now = clock.detectorTime();
    final Object payload = fact.getPayload();
    final long eventTime = eventTime(payload);
    if (eventTime != Clocks.UNKNOWN && eventTime > now) {
      store.defer(eventTime, seq, Deferred.newBuilder().setPayload(payload).setSeq(seq).build());
    } else {
      takeEffect(payload, now, seq);
    }
    runDueWork(now);
    forgetExpired(now, seq);
  }

  /** The eventTime of a borrowing, order update or repayment event; UNKNOWN for anything else. */
  private static long eventTime(final Object payload) {
    if (payload instanceof CreditUse borrowing) {
      return borrowing.getEventTime().toEpochMilli();
    } else if (payload instanceof OrderUpdate update) {
      return update.getOrder().getEventTime().toEpochMilli();
    } else if (payload instanceof RepaymentEvent event) {
      return event.getEventTime().toEpochMilli();
    }
    return Clocks.UNKNOWN;
  }

  /**
   * Applies a record at detector time {@code now}: the time it takes effect, which for a record
   * that waited is its own eventTime. {@code seq} is its arrival number.
   */
  private void takeEffect(final Object payload, final long now, final long seq) {
    if (payload instanceof CreditUse borrowing) {
      onBorrowing(borrowing, now, seq);
    } else if (payload instanceof OrderUpdate update) {
      onOrder(update, now, seq);
    } else if (payload instanceof RepaymentEvent event) {
      onRepaymentEvent(event, seq);
    }
  }

  /**
   * Decides everything still pending, each decision at its own due time, as if detector time ran on
   * with no more data (replay's {@code --flush}). Decisions a flushed decision schedules, such as a
   * re-decision one grace after a late borrowing, run too.
   */
  public void flush() {
    final Clock clock = store.clock();
    for (Optional<Long> due = nextDue(); due.isPresent(); due = nextDue()) {
      Clocks.advanceTo(clock, due.get());
      final long seq = clock.countArrival();
      store.putClock(clock, null);
      runDueWork(clock.detectorTime());
      forgetExpired(clock.detectorTime(), seq);
    }
  }

  /** Current detector time of this partition. */
  public long detectorTime() {
    return store.clock().detectorTime();
  }

  /** What holds this partition's detector time, on one line (see {@link Clocks#describe}). */
  public String describeClock() {
    return Clocks.describe(store.clock(), settings.sources());
  }

  /** True when every source of this partition reports idle. */
  public boolean allIdle() {
    return Clocks.allIdle(store.clock(), settings.sources());
  }

  /**
   * The detector time at which something next happens, if anything waits: a queued decision falls
   * due or a record read ahead takes effect.
   */
  public Optional<Long> nextDue() {
    final Optional<Long> decision = store.nextDue();
    final Optional<Long> record = store.nextDeferred();
    if (decision.isEmpty() || record.isEmpty()) {
      return decision.isPresent() ? decision : record;
    }
    return Optional.of(Math.min(decision.get(), record.get()));
  }

  private void onBorrowing(final CreditUse borrowing, final long now, final long seq) {
    final Optional<CreditUse> before = store.borrowing(borrowing.getCreditId());
    if (before.isPresent() && borrowing.getEventTime().isBefore(before.get().getEventTime())) {
      return;
    }
    store.putBorrowing(borrowing);
    if (before.isPresent()) {
      return;
    }
    store.scheduleExpiry(
        inactiveUntil(borrowing.getEventTime().toEpochMilli()),
        seq,
        expiry(ExpiryKind.BORROWING, borrowing.getCreditId()));
    final long arrival = now == Clocks.UNKNOWN ? borrowing.getEventTime().toEpochMilli() : now;
    for (final String planId : store.plansOf(borrowing.getCreditId())) {
      final Plan plan = store.plan(planId).orElseThrow();
      if (plan.openAlert(Rule.NO_BORROWING).isPresent() && plan.redecisionDue() == null) {
        final long due = saturatedAdd(arrival, settings.graceMillis());
        plan.redecisionDue(due);
        store.putPlan(plan);
        store.schedule(due, seq, PendingWork.newBuilder().setPlanId(planId).setEvent(null).build());
      }
    }
  }

  private void onOrder(final OrderUpdate update, final long now, final long seq) {
    final MerchantOrder order = update.getOrder();
    final String creditId = update.getCreditId();
    final Optional<MerchantOrder> before = store.order(creditId, order.getOrderId());
    if (before.isEmpty()) {
      store.scheduleExpiry(
          inactiveUntil(order.getEventTime().toEpochMilli()),
          seq,
          Expiry.newBuilder()
              .setKind(ExpiryKind.ORDER)
              .setId(order.getOrderId())
              .setCreditId(creditId)
              .build());
    }
    final MerchantOrder latest =
        before.isPresent() && order.getEventTime().isBefore(before.get().getEventTime())
            ? before.get()
            : order;
    store.putOrder(creditId, latest);
    if (latest.getStatus() != OrderStatus.PAID) {
      return;
    }
    for (final String planId : store.plansOf(update.getCreditId())) {
      final Plan plan = store.plan(planId).orElseThrow();
      output.stepStarts();
      final boolean resolved =
          plan.openAlert(Rule.ORDER_NOT_PAID)
              .filter(a -> order.getOrderId().equals(a.getEvidence().get("orderId")))
              .map(
                  a ->
                      PlanAlerts.resolve(
                          plan, a, now, "order " + order.getOrderId() + " is PAID", output))
              .isPresent();
      if (resolved) {
        Holds.step(plan, holdPolicy, now, output);
        store.putPlan(plan);
      }
    }
  }

  private void onRepaymentEvent(final RepaymentEvent event, final long seq) {
    final Optional<Plan> existing = store.plan(event.getPlanId());
    final Plan plan = existing.orElseGet(() -> Plan.startedBy(event));
    if (!plan.arrived(event)) {
      return;
    }
    if (existing.isEmpty()) {
      store.scheduleExpiry(expiresAt(plan), seq, expiry(ExpiryKind.PLAN, plan.planId()));
      if (event.getCreditId() != null) {
        final List<String> plans = new ArrayList<>(store.plansOf(event.getCreditId()));
        plans.add(event.getPlanId());
        store.putPlansOf(event.getCreditId(), plans);
      }
    }
    if (event.getType() == RepaymentEventType.PLAN_CLOSED) {
      plan.closed(event.getEventTime().toEpochMilli());
      store.putPlan(plan);
      store.scheduleExpiry(expiresAt(plan), seq, expiry(ExpiryKind.PLAN, plan.planId()));
      return;
    }
    store.putPlan(plan);
    store.schedule(
        saturatedAdd(event.getEventTime().toEpochMilli(), settings.graceMillis()),
        seq,
        PendingWork.newBuilder().setPlanId(event.getPlanId()).setEvent(event).build());
  }

  /**
   * Rule 11: applies an analyst's command at once, in facts-log order. It records no clock and runs
   * no queued work: an ops command neither moves nor waits for detector time.
   */
  private void onOpsCommand(final OpsCommand command) {
    final Optional<Plan> plan = store.plan(command.getPlanId());
    if (plan.isEmpty()) {
      output.opsCommandIgnored(command, "no state for the plan on this partition");
    } else if (ManualResolution.apply(plan.get(), command, detectorTime(), holdPolicy, output)) {
      store.putPlan(plan.get());
    }
  }

  /**
   * Runs, in time order, everything detector time {@code now} has reached: a record that waited
   * takes effect at its eventTime, keeping its arrival number; a decision runs at {@code now}; at
   * equal times the record goes first, since data that arrives before a decision counts.
   */
  private void runDueWork(final long now) {
    while (true) {
      final Optional<Long> record = store.nextDeferred().filter(t -> t <= now);
      final Optional<Long> decision = store.nextDue().filter(t -> t <= now);
      if (record.isPresent() && (decision.isEmpty() || record.get() <= decision.get())) {
        final Deferred waited = store.takeDeferred(now).orElseThrow();
        takeEffect(waited.getPayload(), record.get(), waited.getSeq());
      } else if (decision.isPresent()) {
        final PendingWork work = store.takeDue(now).orElseThrow();
        if (work.getEvent() != null) {
          decide(work.getEvent(), now);
        } else {
          redecide(work.getPlanId(), now);
        }
      } else {
        return;
      }
    }
  }

  /**
   * Rule 10: forgets plans, borrowings and orders whose retention horizon detector time passed. A
   * check whose entity was used since, or is still named by a kept plan, is queued again for its
   * new horizon.
   */
  private void forgetExpired(final long now, final long seq) {
    Optional<Expiry> due = store.takeExpired(now);
    while (due.isPresent()) {
      final Optional<Long> horizon = horizon(due.get());
      if (horizon.isPresent() && horizon.get() > now) {
        store.scheduleExpiry(horizon.get(), seq, due.get());
      } else if (horizon.isPresent()) {
        forget(due.get());
      }
      due = store.takeExpired(now);
    }
  }

  /** When the entity a retention check is about may be forgotten; empty when it is gone. */
  private Optional<Long> horizon(final Expiry check) {
    final String id = check.getId();
    return switch (check.getKind()) {
      case PLAN -> store.plan(id).map(this::expiresAt);
      case BORROWING -> store.borrowing(id).map(this::expiresAt);
      case ORDER ->
          store
              .order(check.getCreditId(), id)
              .map(
                  o ->
                      Math.max(
                          inactiveUntil(o.getEventTime().toEpochMilli()),
                          store
                              .borrowing(check.getCreditId())
                              .map(this::expiresAt)
                              .orElse(Clocks.UNKNOWN)));
    };
  }

  private void forget(final Expiry check) {
    final String id = check.getId();
    switch (check.getKind()) {
      case PLAN -> {
        final String creditId = store.plan(id).map(Plan::creditId).orElse(null);
        store.deletePlan(id);
        if (creditId != null) {
          final List<String> plans = new ArrayList<>(store.plansOf(creditId));
          plans.remove(id);
          store.putPlansOf(creditId, plans);
        }
      }
      case BORROWING -> store.deleteBorrowing(id);
      case ORDER -> store.deleteOrder(check.getCreditId(), id);
    }
  }

  /** When a plan may be forgotten: 90 days after it closed, else 400 days after its last event. */
  private long expiresAt(final Plan plan) {
    final long last = plan.lastEventTime();
    final long horizon =
        plan.closedArrived()
            ? saturatedAdd(
                Math.max(last, plan.closedAt()), settings.retention().closedPlan().toMillis())
            : inactiveUntil(last);
    final long lastDecision = saturatedAdd(last, settings.graceMillis());
    return plan.redecisionDue() == null
        ? Math.max(horizon, lastDecision)
        : Math.max(Math.max(horizon, lastDecision), plan.redecisionDue());
  }

  /**
   * When a borrowing may be forgotten: 400 days after its last update, and never before a plan that
   * names it is forgotten (rule 10: a long plan must not lose its borrowing).
   */
  private long expiresAt(final CreditUse borrowing) {
    long horizon = inactiveUntil(borrowing.getEventTime().toEpochMilli());
    for (final String planId : store.plansOf(borrowing.getCreditId())) {
      horizon = Math.max(horizon, store.plan(planId).map(this::expiresAt).orElse(horizon));
    }
    return horizon;
  }

  private long inactiveUntil(final long lastUpdate) {
    return saturatedAdd(lastUpdate, settings.retention().inactive().toMillis());
  }

  private static Expiry expiry(final ExpiryKind kind, final String id) {
    return Expiry.newBuilder().setKind(kind).setId(id).build();
  }

  /** Rule 3: judges a newly decided event against the latest borrowing and order. */
  private void decide(final RepaymentEvent event, final long now) {
    final Step step = new Step(now);
    final Plan plan = step.plan(event.getPlanId());
    final Optional<CreditUse> borrowing =
        Optional.ofNullable(event.getCreditId()).flatMap(store::borrowing);
    plan.decided(event);
    output.decided(event);
    final Optional<BigInteger> total =
        switch (event.getType()) {
          case PLAN_CREATED -> Optional.of(BigInteger.valueOf(event.getAmountMinor()));
          case REPAYMENT_COLLECTED -> Optional.of(plan.collectedMinor());
          default -> Optional.empty();
        };
    step.apply(event, judge(event, plan, borrowing, total, false, step));
    step.finish();
  }

  /** Rule 5: a late borrowing resolves NO_BORROWING and re-judges the decided events. */
  private void redecide(final String planId, final long now) {
    final Step step = new Step(now);
    final Plan plan = step.plan(planId);
    plan.redecisionDue(null);
    final Optional<CreditUse> borrowing =
        Optional.ofNullable(plan.creditId()).flatMap(store::borrowing);
    final Optional<io.repayguard.events.Alert> noBorrowing = plan.openAlert(Rule.NO_BORROWING);
    if (borrowing.isEmpty() || noBorrowing.isEmpty()) {
      step.finish();
      return;
    }
    PlanAlerts.resolve(
        plan, noBorrowing.get(), now, "borrowing " + plan.creditId() + " arrived late", output);
    BigInteger collected = BigInteger.ZERO;
    for (final RepaymentEvent event : plan.decidedEvents()) {
      Optional<BigInteger> total = Optional.empty();
      if (event.getType() == RepaymentEventType.PLAN_CREATED) {
        total = Optional.of(BigInteger.valueOf(event.getAmountMinor()));
      } else if (event.getType() == RepaymentEventType.REPAYMENT_COLLECTED) {
        collected = collected.add(BigInteger.valueOf(event.getAmountMinor()));
        total = Optional.of(collected);
      }
      step.apply(event, judge(event, plan, borrowing, total, true, step));
    }
    step.finish();
  }

  private List<Finding> judge(
      final RepaymentEvent event,
      final Plan plan,
      final Optional<CreditUse> borrowing,
      final Optional<BigInteger> total,
      final boolean borrowingRulesOnly,
      final Step step) {
    final Optional<MerchantOrder> order =
        borrowing
            .filter(b -> b.getMerchantOrderId() != null)
            .flatMap(b -> store.order(b.getCreditId(), b.getMerchantOrderId()));
    final List<Finding> findings =
        new ArrayList<>(
            Rules.judge(event, borrowing, order, total, settings.maxFeeBps(), borrowingRulesOnly));
    if (event.getType() == RepaymentEventType.PLAN_CREATED && borrowing.isPresent()) {
      findings.addAll(DuplicatePlans.judge(plan.creditId(), view(plan), siblings(plan, step)));
    }
    return findings;
  }

  private List<DuplicatePlans.PlanView> siblings(final Plan plan, final Step step) {
    final List<DuplicatePlans.PlanView> views = new ArrayList<>();
    for (final String planId : store.plansOf(plan.creditId())) {
      if (planId.equals(plan.planId())) {
        continue;
      }
      final Plan sibling = step.plan(planId);
      if (sibling.createdAt() != null) {
        views.add(view(sibling));
      }
    }
    return views;
  }

  private static DuplicatePlans.PlanView view(final Plan plan) {
    return new DuplicatePlans.PlanView(
        plan.planId(),
        plan.createdAt() == null ? Long.MAX_VALUE : plan.createdAt(),
        plan.closedArrived());
  }

  private static long saturatedAdd(final long a, final long b) {
    final long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /**
   * One decision or resolution step: the plans it touched, written back and hold-checked once at
   * the end (rule 6).
   */
  private final class Step {
    private final long now;
    private final Map<String, Plan> touched = new LinkedHashMap<>();

    Step(final long now) {
      this.now = now;
      output.stepStarts();
    }

    Plan plan(final String planId) {
      return touched.computeIfAbsent(
          planId,
          id ->
              store
                  .plan(id)
                  .orElseThrow(() -> new IllegalStateException("no state for plan " + id)));
    }

    void apply(final RepaymentEvent trigger, final List<Finding> findings) {
      for (final Finding finding : findings) {
        final Plan target = plan(finding.planId());
        final String accountId =
            target.planId().equals(trigger.getPlanId())
                ? trigger.getAccountId()
                : target.accountId();
        PlanAlerts.openIfNew(
            target,
            finding,
            accountId,
            trigger.getEventId(),
            trigger.getEventTime(),
            Instant.ofEpochMilli(now),
            output);
      }
    }

    void finish() {
      for (final Plan plan : touched.values()) {
        Holds.step(plan, holdPolicy, now, output);
        store.putPlan(plan);
      }
    }
  }
}
