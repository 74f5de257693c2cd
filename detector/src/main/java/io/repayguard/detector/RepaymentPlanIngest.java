package io.repayguard.detector;

import io.repayguard.decision.Clocks;
import io.repayguard.detector.state.PlanCredit;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.rules.Contract;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Ingests repayment events: checks that every event of a plan names the creditId of the plan's
 * first event, and sends each to the facts log under its creditId (or its planId when it names
 * none, which only partitions it).
 */
final class RepaymentPlanIngest extends IngestProcessor<RepaymentEvent> {
  /** planId → the creditId its first valid event named, and its latest eventTime. */
  private KeyValueStore<String, PlanCredit> firstCredit;

  private final long inactiveMillis;

  RepaymentPlanIngest(
      final DetectorConfig config,
      final Deserializer<RepaymentEvent> decoder,
      final InputLag inputLag) {
    super(
        config.topics().repaymentPlan(),
        decoder,
        config,
        List.of(Names.REPAYMENT_PLAN_FACTS_SINK),
        Names.REPAYMENT_PLAN_DLQ_SINK,
        inputLag);
    this.inactiveMillis = config.retention().inactive().toMillis();
  }

  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    super.init(context);
    this.firstCredit = context.getStateStore(Names.PLAN_CREDITS_STORE);
    context.schedule(
        RETENTION_SCAN_INTERVAL, PunctuationType.WALL_CLOCK_TIME, wallNow -> forgetInactivePlans());
  }

  @Override
  Optional<String> violation(final String key, final RepaymentEvent value, final Instant now) {
    return Contract.violation(key, value, now)
        .or(
            () -> {
              final PlanCredit first = firstCredit.get(value.getPlanId());
              return first == null
                  ? Optional.empty()
                  : Contract.sameCredit(value, Optional.ofNullable(first.getCreditId()));
            });
  }

  /**
   * Rule 10 at this stage: forgets plans whose latest event is older than the inactivity horizon by
   * this partition's event time. A full scan, hourly by the wall clock.
   */
  private void forgetInactivePlans() {
    if (maxEventTime() == Clocks.UNKNOWN) {
      return;
    }
    final long horizon = maxEventTime() - inactiveMillis;
    StoreScans.deleteWhere(firstCredit, plan -> plan.getLastEventTime() <= horizon);
  }

  @Override
  long eventTime(final RepaymentEvent value) {
    return value.getEventTime().toEpochMilli();
  }

  @Override
  void route(final RepaymentEvent event, final long timestamp) {
    final PlanCredit known = firstCredit.get(event.getPlanId());
    final long eventTime = event.getEventTime().toEpochMilli();
    if (known == null) {
      firstCredit.put(
          event.getPlanId(),
          PlanCredit.newBuilder()
              .setCreditId(event.getCreditId())
              .setLastEventTime(eventTime)
              .build());
    } else if (eventTime > known.getLastEventTime()) {
      known.setLastEventTime(eventTime);
      firstCredit.put(event.getPlanId(), known);
    }
    forward(
        Names.REPAYMENT_PLAN_FACTS_SINK,
        factsKey(event.getPlanId(), event.getCreditId()),
        event,
        timestamp);
  }

  /** The facts-log key of a plan's facts (see {@link FactsKey}). */
  static String factsKey(final String planId, final String creditId) {
    return FactsKey.of(planId, creditId);
  }
}
