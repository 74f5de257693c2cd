package io.repayguard.cli;

import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.serde.AvroDeserializer;
import io.repayguard.serde.AvroSerdeConfig;
import io.repayguard.sim.ClientSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads an alerts topic from its beginning, read_committed, on a thread of its own, and tells
 * {@link DetectionLatency} when each OPEN alert arrived.
 */
final class AlertLatencyReader implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(100);

  private final DetectionLatency latency;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final Thread thread;

  AlertLatencyReader(final ClientSettings client, final String alerts, final int memory) {
    this.latency = new DetectionLatency(memory);
    final Map<String, Object> props = client.clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
    final AvroDeserializer<Object> values = new AvroDeserializer<>();
    values.configure(props, false);
    final KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    final List<TopicPartition> partitions =
        consumer.partitionsFor(alerts, Duration.ofSeconds(15)).stream()
            .map(p -> new TopicPartition(alerts, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.thread =
        new Thread(
            () -> {
              try (consumer) {
                while (running.get()) {
                  for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (values.deserialize(r.topic(), r.value()) instanceof Alert a
                        && a.getStatus() == AlertStatus.OPEN) {
                      latency.alerted(a.getTriggeringEventId(), System.nanoTime());
                    }
                  }
                }
              } catch (final RuntimeException e) {
                failure.set(e);
              }
            },
            "bench-alert-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /** The send times and latencies measured so far. */
  DetectionLatency latency() {
    final RuntimeException e = failure.get();
    if (e != null) {
      throw new IllegalStateException("the alert reader failed: " + e.getMessage(), e);
    }
    return latency;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(Duration.ofSeconds(10).toMillis());
  }
}
