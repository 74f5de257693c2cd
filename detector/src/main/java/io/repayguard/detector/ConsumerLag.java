package io.repayguard.detector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@link InputLag} from the main consumer's own per-partition lag ({@code records-lag} of {@code
 * consumer-fetch-manager-metrics}: the last stable offset a read_committed consumer may read up to,
 * less its position, so transaction markers count as read).
 *
 * <p>A partition whose lag metric is missing is at its end only when the group has committed its
 * end offset (or it is empty): the consumer records the metric only on a fetch that returns the
 * partition, and a quiet partition newly given to this instance may get none while it stays quiet
 * (CI saw detector time held back for minutes after tasks moved). Committed offsets lag processing
 * by up to a commit interval, so this errs towards "not yet". Kafka Streams builds its whole metric
 * map anew on every call (thousands of metrics: a profile of {@code bench} found 6 % of the stream
 * thread in it when it was read every 200 ms), so the lag metrics are looked up at most every
 * {@link #REINDEX_MS} ms and their values read live on every call. A metric removed since the last
 * look-up (its partition revoked) may still be read until the next: harmless, since a task newly
 * given that partition cannot call it idle before idle-timeout, and the look-up is redone well
 * within that.
 *
 * <p>Thread-safe: stream threads ask, the first to find the index stale rebuilds it.
 */
public final class ConsumerLag implements InputLag {
  static final long REINDEX_MS = 1_000;
  private static final long LOOKUP_TIMEOUT_MS = 2_000;
  private static final String GROUP = "consumer-fetch-manager-metrics";
  private static final String NAME = "records-lag";

  private final LongSupplier wallClock;
  private volatile Supplier<Map<MetricName, ? extends Metric>> metrics = Map::of;

  /**
   * For partitions the consumer has no lag metric of: whether each is at its end by the group's
   * committed offsets; unknown (not at end) until attached.
   */
  private volatile Function<Set<TopicPartition>, Set<TopicPartition>> committedAtEnd =
      p -> Set.of();

  /** Partitions without a metric asked about since the last look at committed offsets. */
  private final Set<TopicPartition> unmeasured = new HashSet<>();

  /** Of those, the ones the last look found at their end. */
  private Set<TopicPartition> committedAtEndFound = Set.of();

  /** When committed offsets were last looked at; meaningless while none was asked. */
  private long committedAtMs = Long.MIN_VALUE;

  private Map<TopicPartition, List<Metric>> index = Map.of();

  /** When the index was last built; meaningless while {@link #indexed} is false. */
  private long indexedAtMs;

  private boolean indexed;

  public ConsumerLag() {
    this(System::currentTimeMillis);
  }

  ConsumerLag(final LongSupplier wallClock) {
    this.wallClock = wallClock;
  }

  /** Reads from {@code streams} from now on; until then every partition counts as behind. */
  public void attach(final KafkaStreams streams) {
    attach(streams::metrics);
  }

  /**
   * As {@link #attach(KafkaStreams)}, and for a partition the consumer has no lag metric of (it
   * records one only on a fetch that returns the partition, so a quiet partition newly assigned may
   * have none for as long as it stays quiet) asks {@code admin}: at its end when the group {@code
   * group} has committed an offset at or past its read_committed end offset, or it holds nothing.
   */
  public void attach(final KafkaStreams streams, final Admin admin, final String group) {
    attach(streams);
    committedAtEnd = partitions -> committedAtEnd(admin, group, partitions);
  }

  /** Uses {@code lookup} for partitions without a lag metric (tests). */
  void attachCommitted(final Function<Set<TopicPartition>, Set<TopicPartition>> lookup) {
    committedAtEnd = lookup;
  }

  private static Set<TopicPartition> committedAtEnd(
      final Admin admin, final String group, final Set<TopicPartition> partitions) {
    try {
      final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
      final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin
              .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
              .all()
              .get(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      final Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      final Set<TopicPartition> atEnd = new HashSet<>();
      ends.forEach(
          (partition, end) -> {
            final OffsetAndMetadata done = committed.get(partition);
            if (end.offset() == 0 || (done != null && done.offset() >= end.offset())) {
              atEnd.add(partition);
            }
          });
      return atEnd;
    } catch (final ExecutionException | TimeoutException e) {
      return Set.of();
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      return Set.of();
    }
  }

  /** Reads from {@code source}, a client's metrics, from now on. */
  void attach(final Supplier<Map<MetricName, ? extends Metric>> source) {
    metrics = source;
    synchronized (this) {
      indexed = false;
    }
  }

  /**
   * At its end when every lag metric of the partition says 0 or less, and one at least does; with
   * no metric, when the group's committed offset has reached its end (looked up at most every
   * {@link #REINDEX_MS} ms, for every such partition at once).
   */
  @Override
  public boolean atEnd(final String topic, final int partition) {
    final TopicPartition tp = new TopicPartition(topic, partition);
    boolean measured = false;
    for (final Metric metric : index().getOrDefault(tp, List.of())) {
      if (metric.metricValue() instanceof Double lag && !lag.isNaN()) {
        if (lag > 0) {
          return false;
        }
        measured = true;
      }
    }
    return measured || committedAtEnd(tp);
  }

  private synchronized boolean committedAtEnd(final TopicPartition partition) {
    unmeasured.add(partition);
    final long now = wallClock.getAsLong();
    if (committedAtMs == Long.MIN_VALUE || now - committedAtMs >= REINDEX_MS) {
      committedAtEndFound = Set.copyOf(committedAtEnd.apply(Set.copyOf(unmeasured)));
      unmeasured.clear();
      committedAtMs = now;
    }
    return committedAtEndFound.contains(partition);
  }

  @Override
  public String describe(final String topic, final int partition) {
    final List<Object> values = new ArrayList<>();
    for (final Metric metric :
        index().getOrDefault(new TopicPartition(topic, partition), List.of())) {
      values.add(metric.metricValue());
    }
    return values.isEmpty() ? "no records-lag metric" : "records-lag " + values;
  }

  private synchronized Map<TopicPartition, List<Metric>> index() {
    final long now = wallClock.getAsLong();
    if (!indexed || now - indexedAtMs >= REINDEX_MS) {
      final Map<TopicPartition, List<Metric>> fresh = new HashMap<>();
      for (final Map.Entry<MetricName, ? extends Metric> m : metrics.get().entrySet()) {
        final MetricName name = m.getKey();
        final String topic = name.tags().get("topic");
        final String partition = name.tags().get("partition");
        if (NAME.equals(name.name())
            && GROUP.equals(name.group())
            && topic != null
            && partition != null) {
          fresh
              .computeIfAbsent(
                  new TopicPartition(topic, Integer.parseInt(partition)), p -> new ArrayList<>(1))
              .add(m.getValue());
        }
      }
      index = fresh;
      indexedAtMs = now;
      indexed = true;
    }
    return index;
  }
}
