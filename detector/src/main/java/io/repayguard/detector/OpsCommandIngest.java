package io.repayguard.detector;

import io.repayguard.detector.state.PlanCredit;
import io.repayguard.events.OpsCommand;
import io.repayguard.rules.Contract;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Ingests analysts' commands (DESIGN.md, Manual resolution): checks each, and sends it to the facts
 * partition where its plan's state lives.
 *
 * <p>The facts log is keyed by creditId, but a command names only its planId. It runs in the task
 * of the same-numbered repayment-plan partition (both topics are keyed by planId and have as many
 * partitions), and looks the creditId up in the plan-credit store that {@link RepaymentPlanIngest}
 * keeps there. A plan that store does not know goes under its planId, like a plan that names no
 * borrowing; the decision stage then finds no state for it, counts it and changes nothing.
 *
 * <p>Its records are not event time: it tells no watermarks and its facts carry no clock, so the
 * ops topic never holds detector time back nor moves it.
 */
final class OpsCommandIngest extends IngestProcessor<OpsCommand> {
  /** planId → the creditId its first valid event named; read only, written by the plan ingest. */
  private KeyValueStore<String, PlanCredit> planCredits;

  OpsCommandIngest(final DetectorConfig config, final Deserializer<OpsCommand> decoder) {
    // keeps no time, so it never asks whether its partition is read to the end
    super(
        config.topics().ops(),
        decoder,
        config,
        List.of(),
        Names.OPS_DLQ_SINK,
        InputLag.NO_CONSUMER);
  }

  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    super.init(context);
    this.planCredits = context.getStateStore(Names.PLAN_CREDITS_STORE);
  }

  @Override
  Optional<String> violation(final String key, final OpsCommand value, final Instant now) {
    return Contract.violation(key, value, now);
  }

  @Override
  long eventTime(final OpsCommand value) {
    return value.getIssuedAt().toEpochMilli();
  }

  @Override
  boolean keepsTime() {
    return false;
  }

  @Override
  void route(final OpsCommand command, final long timestamp) {
    final PlanCredit plan = planCredits.get(command.getPlanId());
    final String creditId = plan == null ? null : plan.getCreditId();
    forward(
        Names.OPS_FACTS_SINK,
        RepaymentPlanIngest.factsKey(command.getPlanId(), creditId),
        command,
        timestamp);
  }
}
