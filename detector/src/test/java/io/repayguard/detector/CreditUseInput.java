package io.repayguard.detector;

import io.repayguard.events.CreditUse;
import io.repayguard.serde.AvroSerializer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Feeds borrowings to real credit-use ingest processors under a {@link MockProcessorContext}, as
 * Kafka Streams would from credit-use partition 0: registry-encoded bytes, keyed by creditId.
 */
final class CreditUseInput {
  private final DetectorConfig config;
  private final Map<String, Object> serdeConfig;

  CreditUseInput(final DetectorConfig config, final Map<String, Object> serdeConfig) {
    this.config = config;
    this.serdeConfig = serdeConfig;
  }

  /** A new ingest processor, as a new task or incarnation gets; every partition at its end. */
  CreditUseIngest ingest() {
    return new CreditUseIngest(
        config,
        DetectorSerdes.fromConfig(serdeConfig).creditUse().deserializer(),
        InputLag.NO_CONSUMER);
  }

  /** {@code ingest} reads {@code borrowing} at {@code offset}. */
  void process(
      final CreditUseIngest ingest,
      final MockProcessorContext<Object, Object> context,
      final long offset,
      final CreditUse borrowing) {
    context.setRecordMetadata(config.topics().creditUse(), 0, offset);
    final AvroSerializer<CreditUse> serializer = new AvroSerializer<>();
    serializer.configure(serdeConfig, false);
    ingest.process(
        new Record<>(
            borrowing.getCreditId().getBytes(StandardCharsets.UTF_8),
            serializer.serialize(config.topics().creditUse(), borrowing),
            borrowing.getEventTime().toEpochMilli()));
  }
}
