package io.repayguard.detector;

import io.repayguard.decision.Clocks;
import io.repayguard.detector.facts.Fact;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage for one input partition: decodes and checks each record, dead-letters what breaks
 * the contract, and forwards the rest as facts carrying this partition's clock.
 *
 * <p>Keeps, in memory, the largest eventTime read from its partition, the offset of the last record
 * handled, and whether the partition is idle (read to its end offset, as {@link InputLag} tells,
 * and no valid record for {@code idle-timeout} of wall-clock time). It tells every downstream
 * partition its clock on a wall-clock schedule when the clock or the offset moved, at once when the
 * partition turns idle or active again, and with every fact. The offset lets the decision stage
 * tell whether the order-link stage has caught up with this partition, so every fact carries the
 * offset last told to every downstream partition, never a newer one: a data fact goes to one
 * partition, and an offset only the decision stage heard would hold its detector time until the
 * order-link stage heard it too, which never happens when this task moves to another instance
 * before it tells the offset (its next incarnation starts from nothing). The first record of an
 * incarnation is told at once, before its facts, as a partition turning active is. Downstream never
 * lowers a clock, so a restart that forgets the largest eventTime loses nothing.
 *
 * <p>A partition whose records do not make time ({@link #keepsTime()} false: the ops topic) tells
 * no watermarks, and its facts carry no clock.
 *
 * @param <T> the input's Avro value type
 */
abstract class IngestProcessor<T extends SpecificRecord>
    implements Processor<byte[], byte[], Object, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);

  /** A quiet partition not at its end offset for this long is logged: detector time waits. */
  private static final long STUCK_MS = 10_000;

  /** How often, by the wall clock, stages scan their stores for state past its horizon. */
  static final Duration RETENTION_SCAN_INTERVAL = Duration.ofHours(1);

  private final String topic;
  private final Deserializer<T> decoder;
  private final Duration idleTimeout;
  private final Duration watermarkInterval;
  private final List<String> watermarkSinks;
  private final String dlqSink;
  private final DetectorConfig.Replay replay;
  private final InputLag inputLag;

  private ProcessorContext<Object, Object> context;
  private DeadLetters deadLetters;
  private String source;
  private long maxEventTime = Clocks.UNKNOWN;
  private long offset = -1;
  private long toldMaxEventTime = Clocks.UNKNOWN;
  private long toldOffset = -1;
  private boolean idle;
  private long lastArrivalWallMs;

  /** Whether this quiet spell was already logged as not at the end offset. */
  private boolean warnedNotAtEnd;

  IngestProcessor(
      final String topic,
      final Deserializer<T> decoder,
      final DetectorConfig config,
      final List<String> watermarkSinks,
      final String dlqSink,
      final InputLag inputLag) {
    this.topic = topic;
    this.decoder = decoder;
    this.idleTimeout = config.idleTimeout();
    this.watermarkInterval = config.watermarkInterval();
    this.watermarkSinks = watermarkSinks;
    this.dlqSink = dlqSink;
    this.replay = config.replay();
    this.inputLag = inputLag;
  }

  /**
   * Starts, or starts again: Kafka Streams calls this on the same instance when it revives a task
   * after an aborted transaction, so the clock starts from nothing rather than from records whose
   * facts were aborted (downstream never lowers a clock, so nothing is lost).
   */
  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    this.context = context;
    this.deadLetters = new DeadLetters(context, dlqSink);
    this.source = DetectorConfig.sourceName(topic, context.taskId().partition());
    this.maxEventTime = Clocks.UNKNOWN;
    this.offset = -1;
    this.toldMaxEventTime = Clocks.UNKNOWN;
    this.toldOffset = -1;
    this.idle = false;
    this.warnedNotAtEnd = false;
    this.lastArrivalWallMs = context.currentSystemTimeMs();
    context.schedule(watermarkInterval, PunctuationType.WALL_CLOCK_TIME, this::tellClockIfMoved);
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    if (context.recordMetadata().filter(m -> replay.beyondEnd(source, m.offset())).isPresent()) {
      return;
    }
    context.recordMetadata().ifPresent(m -> offset = Math.max(offset, m.offset()));
    final String key =
        record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      deadLetters.send(record, DeadLetters.CONTRACT_VIOLATION, "value is null");
      return;
    }
    if (DeadLetters.tooLarge(record)) {
      // its fact would not fit in a Kafka request: the thread would die on it at every restart
      deadLetters.send(record, DeadLetters.RECORD_TOO_LARGE, DeadLetters.tooLargeMessage(record));
      return;
    }
    final T value;
    try {
      value = decoder.deserialize(topic, record.value());
    } catch (final RuntimeException e) {
      deadLetters.send(record, e.getClass().getName(), String.valueOf(e.getMessage()));
      return;
    }
    final Optional<String> violation =
        violation(key, value, Instant.ofEpochMilli(context.currentSystemTimeMs()));
    if (violation.isPresent()) {
      deadLetters.send(record, DeadLetters.CONTRACT_VIOLATION, violation.get());
      return;
    }
    lastArrivalWallMs = context.currentSystemTimeMs();
    warnedNotAtEnd = false;
    maxEventTime = Math.max(maxEventTime, eventTime(value));
    if (idle || toldOffset < 0) {
      // turning active, or this incarnation's first record: told before its facts, so that a
      // relay that has not heard it counts as behind on data the decision stage may already read
      idle = false;
      tellClock(record.timestamp());
    }
    if (replay.forgets(eventTime(value))) {
      return;
    }
    route(value, record.timestamp());
  }

  /** The contract violation of {@code value} under {@code key}, if any. */
  abstract Optional<String> violation(String key, T value, Instant now);

  /** The value's eventTime in millis. */
  abstract long eventTime(T value);

  /** Forwards the facts {@code value} gives rise to, through {@link #forward}. */
  abstract void route(T value, long timestamp);

  /**
   * Whether this partition's records count toward detector time. The ops topic's do not (DESIGN.md,
   * Manual resolution): a person's command is not event time.
   */
  boolean keepsTime() {
    return true;
  }

  /** Forwards {@code payload} under {@code key} to {@code sink}, with this partition's clock. */
  final void forward(
      final String sink, final String key, final Object payload, final long timestamp) {
    context.forward(new Record<>(key, fact(payload), timestamp), sink);
  }

  /** The largest eventTime read from this partition since start, or Long.MIN_VALUE. */
  final long maxEventTime() {
    return maxEventTime;
  }

  private void tellClockIfMoved(final long wallNow) {
    final long quiet = wallNow - lastArrivalWallMs;
    if (!idle && !warnedNotAtEnd && quiet >= Math.max(STUCK_MS, 10 * idleTimeout.toMillis())) {
      warnedNotAtEnd = true;
      LOG.warn(
          "{}: nothing read for {} s, but the consumer does not report it read to its end offset"
              + " ({}); detector time waits for this partition",
          source,
          quiet / 1000,
          inputLag.describe(topic, context.taskId().partition()));
    }
    if (!idle
        && wallNow - lastArrivalWallMs >= idleTimeout.toMillis()
        && inputLag.atEnd(topic, context.taskId().partition())) {
      idle = true;
      tellClock(wallNow);
    } else if (maxEventTime > toldMaxEventTime || offset > toldOffset) {
      tellClock(wallNow);
    }
  }

  private void tellClock(final long timestamp) {
    toldMaxEventTime = maxEventTime;
    toldOffset = offset;
    for (final String sink : watermarkSinks) {
      context.forward(new Record<>(null, fact(null), timestamp), sink);
    }
  }

  private Fact fact(final Object payload) {
    if (!keepsTime()) {
      return Fact.newBuilder()
          .setSource(source)
          .setMaxEventTime(Clocks.UNKNOWN)
          .setIdle(true)
          .setOffset(-1)
          .setPayload(payload)
          .build();
    }
    return Fact.newBuilder()
        .setSource(source)
        .setMaxEventTime(maxEventTime)
        .setIdle(idle)
        .setOffset(toldOffset)
        .setPayload(payload)
        .build();
  }
}
