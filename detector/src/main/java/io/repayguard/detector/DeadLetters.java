package io.repayguard.detector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
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
 *
 * <p>A letter must fit in one Kafka request, or the detector's producer fails and Kafka Streams
 * stops the thread on the same record after every restart. So a key and value over {@link
 * #MAX_RECORD_BYTES} together are not copied: the letter carries an empty value (and no key, if the
 * key alone is over) and {@code repayguard.dlq.value.bytes} / {@code .key.bytes} with their sizes;
 * the original stays where the topic, partition and offset headers say.
 */
final class DeadLetters {
  static final String HEADER_TOPIC = "repayguard.dlq.topic";
  static final String HEADER_PARTITION = "repayguard.dlq.partition";
  static final String HEADER_OFFSET = "repayguard.dlq.offset";
  static final String HEADER_ERROR_CLASS = "repayguard.dlq.error.class";
  static final String HEADER_ERROR_MESSAGE = "repayguard.dlq.error.message";

  /**
   * Dead letters by reason in Micrometer's global registry ({@code /metrics}: {@code
   * repayguard_dead_letters_total{reason}}), counted when forwarded as the alerts are.
   */
  static final String DEAD_LETTERS = "repayguard.dead.letters";

  static final String HEADER_VALUE_BYTES = "repayguard.dlq.value.bytes";
  static final String HEADER_KEY_BYTES = "repayguard.dlq.key.bytes";

  /**
   * The largest key and value the detector takes from an input, and copies into a letter: well
   * under Kafka's default of 1 MiB per request, with room for a fact's clock fields and the
   * letter's headers.
   */
  static final int MAX_RECORD_BYTES = 900 * 1024;

  /** The error class named for a record whose key and value are over {@link #MAX_RECORD_BYTES}. */
  static final String RECORD_TOO_LARGE = "RecordTooLarge";

  private static final int MAX_MESSAGE_CHARS = 4096;

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
    headers.add(HEADER_ERROR_MESSAGE, bytes(shortened(message)));
    final boolean cutValue = tooLarge(original);
    final boolean cutKey = size(original.key()) > MAX_RECORD_BYTES;
    if (cutValue) {
      headers.add(HEADER_VALUE_BYTES, bytes(Integer.toString(size(original.value()))));
    }
    if (cutKey) {
      headers.add(HEADER_KEY_BYTES, bytes(Integer.toString(size(original.key()))));
    }
    Record<byte[], byte[]> letter = original.withHeaders(headers);
    letter = cutValue ? letter.withValue(new byte[0]) : letter;
    letter = cutKey ? letter.withKey(null) : letter;
    ((ProcessorContext) context).forward(letter, sinkName);
    counter.record();
    Counter.builder(DEAD_LETTERS)
        .description("Records sent to the DLQ, by reason (the error class)")
        .tag("reason", errorClass)
        .register(Metrics.globalRegistry)
        .increment();
    LOG.warn(
        "Dead-lettered {}-{}@{}: {}: {}",
        where.topic(),
        where.partition(),
        where.offset(),
        errorClass,
        message);
  }

  /** Whether {@code record}'s key and value together are over {@link #MAX_RECORD_BYTES}. */
  static boolean tooLarge(final Record<byte[], byte[]> record) {
    return size(record.key()) + size(record.value()) > MAX_RECORD_BYTES;
  }

  /** The one-line reason for a record {@link #tooLarge}. */
  static String tooLargeMessage(final Record<byte[], byte[]> record) {
    return "key and value of "
        + (size(record.key()) + size(record.value()))
        + " bytes are over the detector's limit of "
        + MAX_RECORD_BYTES
        + " bytes";
  }

  private static int size(final byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  private static String shortened(final String message) {
    return message == null || message.length() <= MAX_MESSAGE_CHARS
        ? message
        : message.substring(0, MAX_MESSAGE_CHARS) + "...";
  }

  private static byte[] bytes(final String text) {
    return (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
  }
}
