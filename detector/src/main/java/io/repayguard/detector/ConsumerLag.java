package io.repayguard.detector;

import java.util.HashMap;
import java.util.Map;
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
 * <p>A partition whose lag is unknown (not fetched yet, assigned elsewhere) is not at its end. The
 * metrics are read at most every {@link #REFRESH_MS} ms, since Kafka Streams builds its metric map
 * anew on every call. Thread-safe: stream threads ask, the first to find the view stale rebuilds
 * it.
 */
public final class ConsumerLag implements InputLag {
  static final long REFRESH_MS = 200;
  private static final String GROUP = "consumer-fetch-manager-metrics";
  private static final String NAME = "records-lag";

  private volatile Supplier<Map<MetricName, ? extends Metric>> metrics = Map::of;
  private Map<TopicPartition, Double> lags = Map.of();

  /** When the view was last read; 0, long ago, before the first read. */
  private long readAtMs;

  /** Reads from {@code streams} from now on; until then every partition counts as behind. */
  public void attach(final KafkaStreams streams) {
    attach(streams::metrics);
  }

  /** Reads from {@code source}, a client's metrics, from now on. */
  void attach(final Supplier<Map<MetricName, ? extends Metric>> source) {
    metrics = source;
  }

  @Override
  public boolean atEnd(final String topic, final int partition) {
    final Double lag = lags().get(new TopicPartition(topic, partition));
    return lag != null && lag <= 0;
  }

  private synchronized Map<TopicPartition, Double> lags() {
    final long now = System.currentTimeMillis();
    if (now - readAtMs >= REFRESH_MS) {
      final Map<TopicPartition, Double> fresh = new HashMap<>();
      for (final Map.Entry<MetricName, ? extends Metric> m : metrics.get().entrySet()) {
        final MetricName name = m.getKey();
        final String topic = name.tags().get("topic");
        final String partition = name.tags().get("partition");
        if (NAME.equals(name.name())
            && GROUP.equals(name.group())
            && topic != null
            && partition != null
            && m.getValue().metricValue() instanceof Double lag
            && !lag.isNaN()) {
          fresh.merge(new TopicPartition(topic, Integer.parseInt(partition)), lag, Math::max);
        }
      }
      lags = fresh;
      readAtMs = now;
    }
    return lags;
  }
}
