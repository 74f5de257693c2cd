package io.repayguard.sim;

import io.repayguard.serde.AvroDeserializer;
import io.repayguard.serde.AvroSerdeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic's committed records, read_committed, between offsets.
 *
 * <p>Without an explicit stop it reads to the topic's <em>settled</em> end: the read_committed end
 * once it meets the log end, so a transaction whose markers are still on their way is waited for
 * rather than cut off. (A consumer group's committed offsets can show before the markers of the
 * same transaction reach every output partition.) A topic that never settles within {@link
 * #SETTLE_TIMEOUT}, because a producer keeps a transaction open, is read to its read_committed end.
 */
public final class TopicReader implements AutoCloseable {
  static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AvroDeserializer<Object> values = new AvroDeserializer<>();

  public TopicReader(final ClientSettings settings) {
    final Map<String, Object> props = settings.clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
    values.configure(props, false);
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.admin = Admin.create(settings.clientProperties());
  }

  /** Every committed record of {@code topic} from its beginning to its settled end. */
  public List<ConsumerRecord<byte[], byte[]>> records(final String topic) {
    return records(topic, Map.of(), Map.of());
  }

  /**
   * Every committed record of {@code topic} from {@code starts} (else the beginning) up to {@code
   * stops} (else the settled end now), in partition order.
   */
  public List<ConsumerRecord<byte[], byte[]>> records(
      final String topic,
      final Map<TopicPartition, Long> starts,
      final Map<TopicPartition, Long> stops) {
    final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    read(topic, starts, stops, records::add);
    return records;
  }

  /** How many committed records {@code topic} holds, to its settled end; keeps none of them. */
  public long count(final String topic) {
    final long[] count = {0};
    read(topic, Map.of(), Map.of(), r -> count[0]++);
    return count[0];
  }

  private void read(
      final String topic,
      final Map<TopicPartition, Long> starts,
      final Map<TopicPartition, Long> stops,
      final Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    final List<TopicPartition> partitions =
        consumer.partitionsFor(topic, CALL_TIMEOUT).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    if (partitions.isEmpty()) {
      throw new IllegalArgumentException("topic " + topic + " does not exist");
    }
    final Map<TopicPartition, Long> ends = new HashMap<>(settledEnds(List.of(topic)));
    stops.forEach((p, stop) -> ends.computeIfPresent(p, (k, end) -> Math.min(end, stop)));
    consumer.assign(partitions);
    // the beginning is the log start offset, which retention may have moved past 0
    consumer.seekToBeginning(partitions.stream().filter(p -> !starts.containsKey(p)).toList());
    starts.forEach(
        (p, offset) -> {
          if (partitions.contains(p)) {
            consumer.seek(p, offset);
          }
        });
    final long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "could not read " + topic + " to its end within " + READ_TIMEOUT.toSeconds() + " s");
      }
      for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
          sink.accept(r);
        }
      }
    }
  }

  /** The decoded values of {@link #records(String, Map, Map)}, tombstones left out. */
  public List<Object> values(
      final String topic,
      final Map<TopicPartition, Long> starts,
      final Map<TopicPartition, Long> stops) {
    return records(topic, starts, stops).stream()
        .filter(r -> r.value() != null)
        .map(r -> values.deserialize(r.topic(), r.value()))
        .toList();
  }

  /** The decoded values of {@code topic} from its beginning to its settled end. */
  public List<Object> values(final String topic) {
    return values(topic, Map.of(), Map.of());
  }

  /** The read_committed end offset of every partition of {@code topics}, now. */
  public Map<TopicPartition, Long> committedEnds(final Collection<String> topics) {
    try {
      return ends(topics, IsolationLevel.READ_COMMITTED);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the ends of " + topics, e);
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot read the end offsets of " + topics + ": " + e.getMessage(), e);
    }
  }

  /** The settled end offset of every partition of {@code topics} (see the class comment). */
  public Map<TopicPartition, Long> settledEnds(final Collection<String> topics) {
    try {
      final long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
      while (true) {
        final Map<TopicPartition, Long> committed = committedEnds(topics);
        if (committed.equals(ends(topics, IsolationLevel.READ_UNCOMMITTED))
            || System.nanoTime() > deadline) {
          return committed;
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the ends of " + topics, e);
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot read the end offsets of " + topics + ": " + e.getMessage(), e);
    }
  }

  private Map<TopicPartition, Long> ends(
      final Collection<String> topics, final IsolationLevel isolation)
      throws ExecutionException, InterruptedException, TimeoutException {
    final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin
        .describeTopics(topics)
        .allTopicNames()
        .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .forEach(
            (name, d) ->
                d.partitions()
                    .forEach(
                        p ->
                            latest.put(
                                new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    final Map<TopicPartition, Long> ends = new HashMap<>();
    admin
        .listOffsets(latest, new ListOffsetsOptions(isolation))
        .all()
        .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .forEach((partition, info) -> ends.put(partition, info.offset()));
    return ends;
  }

  @Override
  public void close() {
    consumer.close();
    admin.close();
  }
}
