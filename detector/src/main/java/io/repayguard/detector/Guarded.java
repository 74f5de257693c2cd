package io.repayguard.detector;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A processor that sends a record its inner processor throws on to the DLQ, with the exception's
 * class and message, instead of letting the exception stop the stream thread: one poisoned record
 * must never stop the detector (DESIGN.md, issue 9). Kafka's own exceptions pass through (a fenced
 * producer, a migrated task, a failed store): Kafka Streams must see those to keep exactly-once.
 *
 * <p>What the inner processor did before it threw stays done: stores it wrote and records it
 * forwarded are committed with the dead letter. Each processor validates its input before it
 * changes anything, so this catches defects, not bad input; the log line says so, with the stack
 * trace at debug level.
 */
final class Guarded implements Processor<byte[], byte[], Object, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(Guarded.class);

  private final Processor<byte[], byte[], Object, Object> inner;
  private final String dlqSink;
  private ProcessorContext<Object, Object> context;
  private DeadLetters deadLetters;

  Guarded(final Processor<byte[], byte[], Object, Object> inner, final String dlqSink) {
    this.inner = inner;
    this.dlqSink = dlqSink;
  }

  /** Starts, or starts again on a revived task: letters then go through the new context. */
  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    this.context = context;
    this.deadLetters = null;
    inner.init(context);
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    try {
      inner.process(record);
    } catch (final KafkaException e) {
      throw e;
    } catch (final RuntimeException e) {
      LOG.error(
          "Processing a record failed unexpectedly (a defect, not bad input): {}: {}; it goes to"
              + " the DLQ and the detector goes on",
          e.getClass().getName(),
          e.getMessage());
      LOG.debug("The failure", e);
      if (deadLetters == null) {
        deadLetters = new DeadLetters(context, dlqSink);
      }
      deadLetters.send(record, e.getClass().getName(), String.valueOf(e.getMessage()));
    }
  }

  @Override
  public void close() {
    inner.close();
  }
}
