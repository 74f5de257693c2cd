package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DetectionLatencyTest {
  private static final long MS = 1_000_000;

  @Test
  void quantilesByNearestRankFromSendToAlert() {
    final DetectionLatency latency = new DetectionLatency(1000);
    for (int i = 1; i <= 100; i++) {
      latency.sent("e" + i, 0);
      latency.alerted("e" + i, i * 10 * MS);
    }

    assertThat(latency.quantileMillis(0.50)).contains(500L);
    assertThat(latency.quantileMillis(0.99)).contains(990L);
    assertThat(latency.describe()).isEqualTo("p50 500 ms, p99 990 ms, p99.9 1000 ms");
  }

  @Test
  void aRedeliveryKeepsTheFirstSendAndUnknownEventsAreNotCounted() {
    final DetectionLatency latency = new DetectionLatency(1000);
    latency.sent("e1", 0);
    latency.sent("e1", 900 * MS);
    latency.alerted("e1", 1000 * MS);
    latency.alerted("never sent", 5 * MS);

    assertThat(latency.quantileMillis(0.5)).contains(1000L);
    assertThat(latency.quantileMillis(0.99)).contains(1000L);
  }

  @Test
  void forgetsTheOldestSendsBeyondItsCapacity() {
    final DetectionLatency latency = new DetectionLatency(2);
    latency.sent("e1", 0);
    latency.sent("e2", 0);
    latency.sent("e3", 0);
    latency.alerted("e1", 12_000 * MS);
    assertThat(latency.describe()).isEqualTo("p50 -, p99 -, p99.9 -");

    latency.alerted("e3", 12_000 * MS);
    assertThat(latency.describe()).isEqualTo("p50 12.0 s, p99 12.0 s, p99.9 12.0 s");
  }

  @Test
  void countsTheAlertsReadAfterTheLastSendApart() {
    final DetectionLatency latency = new DetectionLatency(1000);
    latency.sent("e1", 0);
    latency.sent("e2", 0);
    latency.sent("e3", 0);
    latency.alerted("e1", 200 * MS);

    latency.startTail();
    latency.alerted("e2", 2_500 * MS);
    latency.alerted("e3", 3_100 * MS);

    assertThat(latency.describe()).isEqualTo("p50 200 ms, p99 200 ms, p99.9 200 ms");
    assertThat(latency.count()).isEqualTo(1);
    assertThat(latency.describeTail()).isEqualTo("2 alerts, the slowest 3100 ms");
  }
}
