package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/** ConsumerLag reads the main consumer's per-partition records-lag, and nothing else. */
class ConsumerLagTest {
  private final Map<MetricName, Metric> metrics = new HashMap<>();
  private final ConsumerLag lag = new ConsumerLag();

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

  private void put(final String name, final String topic, final int partition, final double value) {
    final MetricName metricName =
        new MetricName(
            name,
            "consumer-fetch-manager-metrics",
            "",
            Map.of(
                "client-id",
                "c-StreamThread-1-consumer",
                "topic",
                topic,
                "partition",
                Integer.toString(partition)));
    metrics.put(
        metricName,
        new Metric() {
          @Override
          public MetricName metricName() {
            return metricName;
          }

          @Override
          public Object metricValue() {
            return value;
          }
        });
  }
}
