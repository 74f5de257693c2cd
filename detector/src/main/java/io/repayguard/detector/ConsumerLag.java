package io.repayguard.detector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@link InputLag} from the main consumer's own per-partition lag ({@code records-lag} of {@code
 * consumer-fetch-manager-metrics}: the last stable offset a read_committed consumer may read up to,
 * less its position, so transaction markers count as read).
 *
 * <p>A partition whose lag is unknown (not fetched yet, assigned elsewhere) is not at its end.
 * Kafka Streams builds its whole metric map anew on every call (thousands of metrics: a profile of
 * {@code bench} found 6 % of the stream thread in it when it was read every 200 ms), so the lag
 * metrics are looked up at most every {@link #REINDEX_MS} ms and their values read live on every
 * call. A metric removed since the last look-up (its partition revoked) may still be read until the
 * next: harmless, since a task newly given that partition cannot call it idle before idle-timeout,
 * and the look-up is redone well within that.
 *
 * <p>Thread-safe: stream threads ask, the first to find the index stale rebuilds it.
 */
public final class ConsumerLag implements InputLag {
  static final long REINDEX_MS = 1_000;
  private static final String GROUP = "consumer-fetch-manager-metrics";
  private static final String NAME = "records-lag";

  private final LongSupplier wallClock;
  private volatile Supplier<Map<MetricName, ? extends Metric>> metrics = Map::of;
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

  /** Reads from {@code source}, a client's metrics, from now on. */
  void attach(final Supplier<Map<MetricName, ? extends Metric>> source) {
    metrics = source;
    synchronized (this) {
      indexed = false;
    }
  }

  /** At its end when every lag metric of the partition says 0 or less, and one at least does. */
  @Override
  public boolean atEnd(final String topic, final int partition) {
    boolean measured = false;
    for (final Metric metric :
        index().getOrDefault(new TopicPartition(topic, partition), List.of())) {
      if (metric.metricValue() instanceof Double lag && !lag.isNaN()) {
        if (lag > 0) {
          return false;
        }
        measured = true;
      }
    }
    return measured;
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
