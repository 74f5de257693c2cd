package io.repayguard.detector;

import io.repayguard.events.RepaymentEvent;
import io.repayguard.rules.Contract;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Ingests repayment events: checks that every event of a plan names the creditId of the plan's
 * first event, and sends each to the facts log under its creditId (or its planId when it names
 * none, which only partitions it).
 */
final class RepaymentPlanIngest extends IngestProcessor<RepaymentEvent> {
  /** Marks, in {@link #firstCredit}, a plan whose first event named no creditId. */
  private static final String NO_CREDIT = "";
  /** Precedes a named creditId in {@link #firstCredit}, so an empty id differs from none. */
  private static final String NAMED = "=";

  /** planId → {@code "=" + creditId} its first valid event named, {@code ""} for none. */
  private KeyValueStore<String, String> firstCredit;

  RepaymentPlanIngest(final DetectorConfig config, final Deserializer<RepaymentEvent> decoder) {
    super(config.topics().repaymentPlan(), decoder, config,
        List.of(Names.REPAYMENT_PLAN_FACTS_SINK), Names.REPAYMENT_PLAN_DLQ_SINK);
  }

  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    super.init(context);
    this.firstCredit = context.getStateStore(Names.PLAN_CREDITS_STORE);
  }

  @Override
  Optional<String> violation(final String key, final RepaymentEvent value, final Instant now) {
    return Contract.violation(key, value, now).or(() -> {
      final String first = firstCredit.get(value.getPlanId());
      return first == null ? Optional.empty() : Contract.sameCredit(value,
          first.equals(NO_CREDIT) ? Optional.empty() : Optional.of(first.substring(1)));
    });
  }

  @Override
  long eventTime(final RepaymentEvent value) {
    return value.getEventTime().toEpochMilli();
  }

  @Override
  void route(final RepaymentEvent event, final long timestamp) {
    firstCredit.putIfAbsent(event.getPlanId(),
        event.getCreditId() == null ? NO_CREDIT : NAMED + event.getCreditId());
    final String key = event.getCreditId() == null ? event.getPlanId() : event.getCreditId();
    forward(Names.REPAYMENT_PLAN_FACTS_SINK, key, event, timestamp);
  }
}
