package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * ConsumerLag reads the main consumer's per-partition records-lag, and the group's committed
 * offsets for a partition the consumer has no lag metric of.
 */
class ConsumerLagTest {
  private final Map<MetricName, Metric> metrics = new HashMap<>();
  private final Map<MetricName, Double> values = new HashMap<>();
  private long wallMs = 1_000_000;
  private final ConsumerLag lag = new ConsumerLag(() -> wallMs);

  @Test
  void shouldCallAPartitionAtItsEndOnlyWhenItsLagIsKnownAndZero() {
    // Given
    lag.attach(() -> metrics);
    put("records-lag", "credit-use", 0, 0.0);
    put("records-lag", "credit-use", 1, 12.0);
    put("records-lag", "credit-use", 2, Double.NaN);
    put("records-lag-max", "credit-use", 3, 0.0);

    // When / Then
    assertThat(lag.atEnd("credit-use", 0)).isTrue();
    assertThat(lag.atEnd("credit-use", 1)).isFalse();
    assertThat(lag.atEnd("credit-use", 2)).as("lag not measured yet").isFalse();
    assertThat(lag.atEnd("credit-use", 3)).as("only records-lag counts").isFalse();
    assertThat(lag.atEnd("credit-use", 4)).as("never fetched").isFalse();
  }

  @Test
  void shouldCallEveryPartitionBehindBeforeItIsAttached() {
    put("records-lag", "credit-use", 0, 0.0);

    assertThat(lag.atEnd("credit-use", 0)).isFalse();
  }

  @Test
  void shouldReadTheLagLiveAndFindNewAndRemovedPartitionsWithinTheReindexInterval() {
    // Given
    lag.attach(() -> metrics);
    put("records-lag", "credit-use", 0, 5.0);
    assertThat(lag.atEnd("credit-use", 0)).isFalse();

    // When the consumer reads to the end, a partition is assigned, and one is revoked
    put("records-lag", "credit-use", 0, 0.0);
    put("records-lag", "credit-use", 1, 0.0);

    // Then the value is live, the new partition is found after the interval
    assertThat(lag.atEnd("credit-use", 0)).as("value read live").isTrue();
    assertThat(lag.atEnd("credit-use", 1)).as("not looked up yet").isFalse();
    wallMs += ConsumerLag.REINDEX_MS;
    assertThat(lag.atEnd("credit-use", 1)).isTrue();

    metrics.clear();
    wallMs += ConsumerLag.REINDEX_MS;
    assertThat(lag.atEnd("credit-use", 0)).as("metric removed").isFalse();
  }

  @Test
  void shouldTakeTheLargestLagWhenTwoConsumersReportAPartition() {
    lag.attach(() -> metrics);
    put("records-lag", "credit-use", 0, 0.0);
    put("records-lag", "credit-use", 0, "c-StreamThread-2-consumer", 3.0);

    assertThat(lag.atEnd("credit-use", 0)).isFalse();
  }

  @Test
  void shouldAskTheCommittedOffsetsOnlyForPartitionsWithoutALagMetricAndAtMostOnceAnInterval() {
    // Given: partition 0 has a lag metric, 1 and 2 have none; the group has committed 1's end
    lag.attach(() -> metrics);
    final List<Set<TopicPartition>> asked = new ArrayList<>();
    lag.attachCommitted(
        partitions -> {
          asked.add(partitions);
          return Set.of(new TopicPartition("credit-use", 1));
        });
    put("records-lag", "credit-use", 0, 4.0);

    // When / Then
    assertThat(lag.atEnd("credit-use", 0)).as("its metric decides").isFalse();
    assertThat(lag.atEnd("credit-use", 1)).as("committed its end").isTrue();
    assertThat(lag.atEnd("credit-use", 2)).as("not asked about yet").isFalse();
    assertThat(asked).containsExactly(Set.of(new TopicPartition("credit-use", 1)));
    wallMs += ConsumerLag.REINDEX_MS;
    assertThat(lag.atEnd("credit-use", 2)).as("asked, not at its end").isFalse();
    assertThat(asked)
        .containsExactly(
            Set.of(new TopicPartition("credit-use", 1)),
            Set.of(new TopicPartition("credit-use", 2)));
  }

  private void put(final String name, final String topic, final int partition, final double value) {
    put(name, topic, partition, "c-StreamThread-1-consumer", value);
  }

  /** Sets a metric's value; the metric object stays the one registered first, as Kafka's do. */
  private void put(
      final String name,
      final String topic,
      final int partition,
      final String clientId,
      final double value) {
    final MetricName metricName =
        new MetricName(
            name,
            "consumer-fetch-manager-metrics",
            "",
            Map.of(
                "client-id", clientId, "topic", topic, "partition", Integer.toString(partition)));
    values.put(metricName, value);
    metrics.computeIfAbsent(
        metricName,
        n ->
            new Metric() {
              @Override
              public MetricName metricName() {
                return n;
              }

              @Override
              public Object metricValue() {
                return values.get(n);
              }
            });
  }
}
