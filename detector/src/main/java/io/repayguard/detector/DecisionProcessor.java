package io.repayguard.detector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.repayguard.decision.Clocks;
import io.repayguard.decision.DecisionEngine;
import io.repayguard.decision.DecisionOutput;
import io.repayguard.decision.DecisionSettings;
import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.facts.Flush;
import io.repayguard.detector.facts.OrderRef;
import io.repayguard.detector.facts.OrderUpdate;
import io.repayguard.detector.facts.Tick;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision stage: feeds each fact of its facts partition to the {@link DecisionEngine} and
 * publishes the alerts and hold commands it decides.
 *
 * <p>A thin adapter: state lives in stores ({@link StoreBackedDecisionStore}), rules in the engine.
 * Outputs carry the timestamp of the fact that caused them. In live mode an {@link IdleClock} may
 * write ticks into this partition of the facts log. An analyst's command that changed nothing is
 * counted in the task metric {@code ops-command-ignored-total} (group {@code
 * stream-repayguard-metrics}) and logged on one line.
 */
final class DecisionProcessor implements Processor<byte[], byte[], Object, Object>, DecisionOutput {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionProcessor.class);

  /** Detector time still with decisions waiting this long (or ten idle-timeouts) is logged. */
  private static final long STUCK_MS = 10_000;

  /**
   * Alerts published, by rule, severity and status, in Micrometer's global registry (what {@code
   * /metrics} serves; without a registry attached, a no-op). Counted when forwarded: a transaction
   * aborted and done again counts its alerts twice, the topic holds them once.
   */
  static final String ALERTS_PUBLISHED = "repayguard.alerts.published";

  /** Hold commands published, by action; counted as {@link #ALERTS_PUBLISHED} is. */
  static final String HOLDS_PUBLISHED = "repayguard.hold.commands.published";

  /**
   * The wall clock minus this partition's detector time, in seconds, per decision task (NaN before
   * its first clock): how far behind the present its decisions are. On a backlog of old history it
   * is large by nature; live, it is grace plus the pipeline's delay.
   */
  static final String DETECTOR_TIME_BEHIND = "repayguard.detector.time.behind";

  /** Facts the decision stage read, per decision task. */
  static final String FACTS_READ = "repayguard.facts.read";

  /** Repayment events waiting for their grace to pass, per decision task. */
  static final String DECISIONS_PENDING = "repayguard.decisions.pending";

  /** Repayment events decided (rule 3), per decision task, whether or not they raised an alert. */
  static final String DECISIONS_MADE = "repayguard.decisions.made";

  /**
   * The largest eventTime this partition has read minus its detector time, in seconds (NaN before
   * both are known): the grace and whatever an idle or slow input partition holds back.
   */
  static final String BEHIND_EVENT_TIME = "repayguard.detector.time.behind.event.time";

  /**
   * Wall clock at an OPEN alert's publication minus its triggering event's eventTime: grace plus
   * the pipeline's delay live; large by nature on a backlog of old history.
   */
  static final String DECISION_LATENCY = "repayguard.alert.decision.latency";

  private static final Timer.Builder LATENCY =
      Timer.builder(DECISION_LATENCY)
          .description(
              "Wall clock at an OPEN alert's publication minus its triggering event's eventTime"
                  + " (grace included)")
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(100))
          .maximumExpectedValue(Duration.ofDays(1));

  private final DetectorConfig config;
  private final AvroBinarySerde<Fact> facts = new AvroBinarySerde<>(Fact.getClassSchema());
  private IdleClock idleClock;

  private ProcessorContext<Object, Object> context;
  private DeadLetters deadLetters;
  private Sensor opsIgnored;
  private DecisionEngine engine;
  private long currentTimestamp;

  /** Detector time after the last fact, for the gauge, which another thread reads. */
  private volatile long detectorTime = Clocks.UNKNOWN;

  private Gauge behind;
  private Counter factsRead;
  private Counter decisionsMade;
  private Gauge pending;
  private StoreBackedDecisionStore decisionStore;

  /** Decisions pending after the last fact, for the gauge, which another thread reads. */
  private volatile double pendingDecisions = Double.NaN;

  private Gauge behindEventTime;

  /** The largest eventTime read, for the gauge, which another thread reads. */
  private volatile long maxEventTimeRead = Clocks.UNKNOWN;

  private Timer latency;

  /** Detector time at the last stall check, since when (wall clock), and whether it was logged. */
  private long stuckAt;

  private long stuckSinceWallMs;
  private boolean warnedStuck;

  /** Plans with an alert published in the current decision step: their commands follow. */
  private final Set<String> publishedPlans = new HashSet<>();

  DecisionProcessor(final DetectorConfig config) {
    this.config = config;
  }

  /**
   * Starts, or starts again: Kafka Streams calls this on the same instance when it revives a task
   * after an aborted transaction, so the clock is read from the store again and the idle clock
   * forgets the aborted run's last tick.
   */
  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    this.context = context;
    this.idleClock = new IdleClock();
    this.deadLetters = new DeadLetters(context, Names.DECISION_DLQ_SINK);
    this.opsIgnored =
        context
            .metrics()
            .addRateTotalSensor(
                "repayguard",
                "ops",
                "ops-command-ignored",
                Sensor.RecordingLevel.INFO,
                "task-id",
                context.taskId().toString());
    this.decisionStore = new StoreBackedDecisionStore(context);
    this.engine =
        new DecisionEngine(
            new DecisionSettings(
                config.grace().toMillis(),
                config.maxFeeBps(),
                config.holdSeverity(),
                config.decisionSources(),
                config.retention()),
            decisionStore,
            this);
    this.detectorTime = engine.detectorTime();
    this.behind =
        Gauge.builder(DETECTOR_TIME_BEHIND, this, DecisionProcessor::secondsBehind)
            .description(
                "Wall clock minus the partition's detector time, in seconds (NaN before its"
                    + " first clock)")
            .baseUnit("seconds")
            .tag("task", context.taskId().toString())
            .register(Metrics.globalRegistry);
    this.factsRead =
        Counter.builder(FACTS_READ)
            .description("Facts the decision stage read")
            .tag("task", context.taskId().toString())
            .register(Metrics.globalRegistry);
    this.decisionsMade =
        Counter.builder(DECISIONS_MADE)
            .description("Repayment events decided, whether or not they raised an alert")
            .tag("task", context.taskId().toString())
            .register(Metrics.globalRegistry);
    this.pending =
        Gauge.builder(DECISIONS_PENDING, this, p -> p.pendingDecisions)
            .description(
                "Repayment events waiting for their grace to pass (NaN before the first fact)")
            .tag("task", context.taskId().toString())
            .register(Metrics.globalRegistry);
    this.behindEventTime =
        Gauge.builder(BEHIND_EVENT_TIME, this, DecisionProcessor::secondsBehindEventTime)
            .description(
                "The largest eventTime the partition read minus its detector time, in seconds"
                    + " (NaN before both are known)")
            .baseUnit("seconds")
            .tag("task", context.taskId().toString())
            .register(Metrics.globalRegistry);
    this.latency = LATENCY.register(Metrics.globalRegistry);
    if (config.liveClock()) {
      context.schedule(
          config.watermarkInterval(), PunctuationType.WALL_CLOCK_TIME, this::tickWhileIdle);
    }
    this.stuckSinceWallMs = Long.MIN_VALUE;
    this.warnedStuck = false;
    context.schedule(
        config.watermarkInterval(), PunctuationType.WALL_CLOCK_TIME, this::warnIfStuck);
  }

  /**
   * Logs once, with what holds it, when decisions wait and detector time has not moved for ten
   * idle-timeouts (at least 10 s) of wall clock while some source is not idle: an operator then
   * sees which partition or relay detector time waits for. With every source idle, a wait is the
   * end of the data, not a stall, unless live mode's idle clock should have reached the next
   * decision by now.
   */
  private void warnIfStuck(final long wallNowMs) {
    final long time = engine.detectorTime();
    if (stuckSinceWallMs == Long.MIN_VALUE || time != stuckAt) {
      stuckAt = time;
      stuckSinceWallMs = wallNowMs;
      warnedStuck = false;
      return;
    }
    final long quiet = wallNowMs - stuckSinceWallMs;
    final Optional<Long> due = engine.nextDue();
    final long threshold = Math.max(STUCK_MS, 10 * config.idleTimeout().toMillis());
    if (warnedStuck || quiet < threshold || due.isEmpty()) {
      return;
    }
    if (engine.allIdle() && (!config.liveClock() || quiet < due.get() - time + threshold)) {
      return;
    }
    warnedStuck = true;
    LOG.warn(
        "{}: decisions wait and detector time has not moved for {} s: {}",
        context.taskId(),
        quiet / 1000,
        engine.describeClock());
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    if (context
        .recordMetadata()
        .filter(
            m ->
                config
                    .replay()
                    .beyondEnd(DetectorConfig.sourceName(m.topic(), m.partition()), m.offset()))
        .isPresent()) {
      return;
    }
    final Fact fact;
    try {
      fact = facts.decode(record.value());
    } catch (final SerializationException | NullPointerException e) {
      deadLetters.send(record, e.getClass().getName(), String.valueOf(e.getMessage()));
      return;
    }
    if (fact.getPayload() instanceof Flush && !fromFlushTopic()) {
      deadLetters.send(
          record,
          DeadLetters.CONTRACT_VIOLATION,
          "a flush request outside a replay's control topic");
      return;
    }
    final Optional<Long> time = eventTime(fact.getPayload());
    if (time.filter(config.replay()::forgets).isPresent()) {
      fact.setPayload(null);
    } else if (time.isPresent() && time.get() > maxEventTimeRead) {
      maxEventTimeRead = time.get();
    }
    factsRead.increment();
    currentTimestamp = record.timestamp();
    publishedPlans.clear();
    engine.onFact(fact);
    detectorTime = engine.detectorTime();
    pendingDecisions = decisionStore.pendingDecisions();
  }

  private double secondsBehindEventTime() {
    final long time = detectorTime;
    final long read = maxEventTimeRead;
    return time == Clocks.UNKNOWN || read == Clocks.UNKNOWN
        ? Double.NaN
        : Math.max(0, read - time) / 1000.0;
  }

  @Override
  public void decided(final RepaymentEvent event) {
    decisionsMade.increment();
  }

  private double secondsBehind() {
    final long time = detectorTime;
    return time == Clocks.UNKNOWN ? Double.NaN : (System.currentTimeMillis() - time) / 1000.0;
  }

  @Override
  public void close() {
    if (behind != null) {
      Metrics.globalRegistry.remove(behind);
    }
    if (factsRead != null) {
      Metrics.globalRegistry.remove(factsRead);
      Metrics.globalRegistry.remove(decisionsMade);
      Metrics.globalRegistry.remove(behindEventTime);
      Metrics.globalRegistry.remove(pending);
    }
  }

  /** Only a replay's own control topic may ask to decide everything pending. */
  private boolean fromFlushTopic() {
    final String flushTopic = config.replay().flushTopic();
    return flushTopic != null
        && context.recordMetadata().filter(m -> m.topic().equals(flushTopic)).isPresent();
  }

  @Override
  public void stepStarts() {
    publishedPlans.clear();
  }

  /** The eventTime of a data payload; empty for ticks, flushes and pure clock facts. */
  private static Optional<Long> eventTime(final Object payload) {
    final Instant time;
    if (payload instanceof CreditUse c) {
      time = c.getEventTime();
    } else if (payload instanceof MerchantOrder o) {
      time = o.getEventTime();
    } else if (payload instanceof RepaymentEvent e) {
      time = e.getEventTime();
    } else if (payload instanceof OrderUpdate u) {
      time = u.getOrder().getEventTime();
    } else if (payload instanceof OrderRef r) {
      return Optional.of(r.getEventTime());
    } else {
      return Optional.empty();
    }
    return Optional.of(time.toEpochMilli());
  }

  /** Publishes {@code alert} when its event falls in the publication window. */
  @Override
  public void alert(final Alert alert) {
    if (!config.publication().contains(alert.getEventTime().toEpochMilli())) {
      return;
    }
    publishedPlans.add(alert.getPlanId());
    context.forward(
        new Record<>(alert.getPlanId(), alert, currentTimestamp), Names.DECISION_ALERTS_SINK);
    Counter.builder(ALERTS_PUBLISHED)
        .description("Alerts published, by rule, severity and status")
        .tag("rule", alert.getRule().name())
        .tag("severity", alert.getSeverity().name())
        .tag("status", alert.getStatus().name())
        .register(Metrics.globalRegistry)
        .increment();
    if (alert.getStatus() == AlertStatus.OPEN
        && !alert.getEvidence().containsKey("acknowledgedBy")) {
      latency.record(
          Math.max(0, System.currentTimeMillis() - alert.getEventTime().toEpochMilli()),
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Publishes {@code command} when it follows a published alert of its plan: a HOLD or RELEASE is
   * always caused by an alert opened or resolved in the same step.
   */
  @Override
  public void command(final HoldCommand command) {
    if (!config.publication().holds() || !publishedPlans.contains(command.getPlanId())) {
      return;
    }
    context.forward(
        new Record<>(command.getPlanId(), command, currentTimestamp), Names.DECISION_HOLDS_SINK);
    Counter.builder(HOLDS_PUBLISHED)
        .description("Hold commands published, by action")
        .tag("action", command.getAction().name())
        .register(Metrics.globalRegistry)
        .increment();
  }

  @Override
  public void opsCommandIgnored(final OpsCommand command, final String why) {
    opsIgnored.record();
    LOG.info(
        "Ops command {} ({} {} of plan {} by {}) changed nothing: {}",
        command.getCommandId(),
        command.getAction(),
        command.getRule(),
        command.getPlanId(),
        command.getAnalyst(),
        why);
  }

  private void tickWhileIdle(final long wallNowMs) {
    idleClock
        .tick(wallNowMs, engine.allIdle(), engine.nextDue(), engine.detectorTime())
        .ifPresent(
            time -> {
              final int partition = context.taskId().partition();
              final Fact tick =
                  Fact.newBuilder()
                      .setSource("tick/" + partition)
                      .setMaxEventTime(time)
                      .setIdle(true)
                      .setPayload(
                          Tick.newBuilder().setPartition(partition).setDetectorTime(time).build())
                      .build();
              context.forward(new Record<>(null, tick, wallNowMs), Names.DECISION_TICKS_SINK);
            });
  }
}
