package io.repayguard.sim;

import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.GroundTruth;
import io.repayguard.serde.AvroDeserializer;
import io.repayguard.serde.AvroSerdeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads ground truth and alerts from Kafka, read_committed, up to the end offsets seen at start,
 * and scores them with {@link Scoring}.
 *
 * <p>With {@code since}, only ground truth injected and alerts triggered at or after it count.
 */
public final class ScoreReader {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private final ClientSettings settings;

  public ScoreReader(final ClientSettings settings) {
    this.settings = settings;
  }

  /** Reads both topics and scores them. */
  public Scoring.Report score(final String groundTruthTopic, final String alertsTopic,
      final Optional<Instant> since) {
    final long from = since.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
    final List<Scoring.Expected> truth = new ArrayList<>();
    read(groundTruthTopic, value -> {
      final GroundTruth t = (GroundTruth) value;
      if (t.getInjectedAt().toEpochMilli() >= from) {
        truth.add(new Scoring.Expected(t.getPlanId(), Set.copyOf(t.getExpectedRules()),
            t.getCause()));
      }
    });
    final List<Scoring.Raised> raised = new ArrayList<>();
    read(alertsTopic, value -> {
      final Alert a = (Alert) value;
      if (a.getStatus() == AlertStatus.OPEN && a.getEventTime().toEpochMilli() >= from) {
        raised.add(new Scoring.Raised(a.getPlanId(), a.getRule()));
      }
    });
    return Scoring.score(truth, raised);
  }

  private void read(final String topic, final Consumer<Object> sink) {
    final Map<String, Object> props = settings.clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
    final AvroDeserializer<Object> values = new AvroDeserializer<>();
    values.configure(props, false);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15))
          .stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException("topic " + topic + " does not exist");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      final long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within "
              + READ_TIMEOUT.toSeconds() + " s");
        }
        for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))
              && r.value() != null) {
            sink.accept(values.deserialize(topic, r.value()));
          }
        }
      }
    }
  }
}
