package io.repayguard.detector;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record the detector cannot use to the DLQ, unchanged, with headers saying why.
 *
 * <p>Headers: {@code repayguard.dlq.topic}, {@code .partition}, {@code .offset}, {@code
 * .error.class}, {@code .error.message}. Each letter is counted in the task metric {@code
 * dead-letter-total} (group {@code stream-repayguard-metrics}) and logged on one line.
 */
final class DeadLetters {
  static final String HEADER_TOPIC = "repayguard.dlq.topic";
  static final String HEADER_PARTITION = "repayguard.dlq.partition";
  static final String HEADER_OFFSET = "repayguard.dlq.offset";
  static final String HEADER_ERROR_CLASS = "repayguard.dlq.error.class";
  static final String HEADER_ERROR_MESSAGE = "repayguard.dlq.error.message";

  /** The error class named for a value that decodes but breaks DESIGN.md's contract. */
  static final String CONTRACT_VIOLATION = "ContractViolation";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private final ProcessorContext<?, ?> context;
  private final String sinkName;
  private final Sensor counter;

  DeadLetters(final ProcessorContext<?, ?> context, final String sinkName) {
    this.context = context;
    this.sinkName = sinkName;
    this.counter =
        context
            .metrics()
            .addRateTotalSensor(
                "repayguard",
                "dlq",
                "dead-letter",
                Sensor.RecordingLevel.INFO,
                "task-id",
                context.taskId().toString());
  }

  /** Forwards {@code original} to the DLQ sink with the reason. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  void send(final Record<byte[], byte[]> original, final String errorClass, final String message) {
    final RecordMetadata where = context.recordMetadata().orElseThrow();
    final Headers headers = new RecordHeaders(original.headers().toArray());
    headers.add(HEADER_TOPIC, bytes(where.topic()));
    headers.add(HEADER_PARTITION, bytes(Integer.toString(where.partition())));
    headers.add(HEADER_OFFSET, bytes(Long.toString(where.offset())));
    headers.add(HEADER_ERROR_CLASS, bytes(errorClass));
    headers.add(HEADER_ERROR_MESSAGE, bytes(message));
    ((ProcessorContext) context).forward(original.withHeaders(headers), sinkName);
    counter.record();
    LOG.warn(
        "Dead-lettered {}-{}@{}: {}: {}",
        where.topic(),
        where.partition(),
        where.offset(),
        errorClass,
        message);
  }

  private static byte[] bytes(final String text) {
    return (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
  }
}
