package io.repayguard.detector;

import io.repayguard.events.OpsCommand;
import io.repayguard.serde.AvroSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes an analyst's {@link OpsCommand} to the ops topic as DESIGN.md's Manual resolution says:
 * keyed by its planId, stamped with its issuedAt, idempotent, acknowledged by every replica. What
 * {@code ./repayguard ack|resolve} and the HTTP API's {@code POST .../ack|resolve} both use.
 */
public final class OpsCommandSender implements AutoCloseable {
  private static final Duration MAX_BLOCK = Duration.ofSeconds(15);

  private final KafkaProducer<String, OpsCommand> producer;

  /** A sender with {@code clientProperties} (bootstrap servers, schema registry, security). */
  public OpsCommandSender(final Map<String, Object> clientProperties) {
    final Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) MAX_BLOCK.toMillis());
    final AvroSerializer<OpsCommand> values = new AvroSerializer<>();
    values.configure(props, false);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), values);
  }

  /** Sends {@code command} to {@code topic} and waits up to {@code timeout} for the broker. */
  public RecordMetadata send(final String topic, final OpsCommand command, final Duration timeout)
      throws ExecutionException, TimeoutException, InterruptedException {
    return producer
        .send(
            new ProducerRecord<>(
                topic, null, command.getIssuedAt().toEpochMilli(), command.getPlanId(), command))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    producer.close();
  }
}
