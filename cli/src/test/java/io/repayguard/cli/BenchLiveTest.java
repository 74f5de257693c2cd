package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --rate R --borrowings N} as a user runs it: its own stack, the detector running
 * while the simulator publishes at a fixed rate, alert latency printed, then the score.
 */
@Tag("integration")
class BenchLiveTest {
  private static final Pattern LATENCY =
      Pattern.compile(
          "bench: alert latency, from sending a repayment event to reading the OPEN alert it"
              + " triggered .*: p50 \\d+ ms, p99 [0-9.]+ m?s, p99\\.9 [0-9.]+ m?s over (\\d+)"
              + " alerts read while publishing; after the last record, (\\d+) alerts.*");
  private static final Pattern OVERALL =
      Pattern.compile("overall +(\\d+) +(\\d+) +(\\d+) +1\\.000 +1\\.000");

  @Test
  void shouldMeasureAlertLatencyWhilePublishingAtARateAndScoreTheWorld() {
    // When
    final RepayGuardCliTest.Run run =
        RepayGuardCliTest.run(
            "bench",
            "--rate",
            "400",
            "--borrowings",
            "150",
            "--anomaly-rate",
            "0.2",
            "--partitions",
            "2");

    // Then
    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .containsPattern("bench: published \\d+ input records \\(150 borrowings\\)");
    final Matcher latency = LATENCY.matcher(run.out());
    assertThat(latency.find()).as(run.out()).isTrue();
    final int measured = Integer.parseInt(latency.group(1));
    final int tail = Integer.parseInt(latency.group(2));
    final Matcher overall = OVERALL.matcher(run.out());
    assertThat(overall.find()).as(run.out()).isTrue();
    final int raised = Integer.parseInt(overall.group(2));
    assertThat(raised).isPositive().isEqualTo(Integer.parseInt(overall.group(1)));
    // every OPEN alert was read and measured, before or after the last record
    assertThat(measured + tail).isEqualTo(raised);
    assertThat(measured).isPositive();
  }
}
