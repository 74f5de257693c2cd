package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code bench} over a backlog as a user runs it: the three runs side by side, each with what it
 * made the broker write, the ratios, then the detector's score.
 */
@Tag("integration")
class BenchBacklogTest {
  private static final Pattern WRITES =
      Pattern.compile(
          "bench: {5}it made the broker write ([0-9.]+) offsets per input record, commit markers"
              + " included \\((.*)\\)");
  private static final Pattern OVERALL =
      Pattern.compile("overall +(\\d+) +(\\d+) +(\\d+) +1\\.000 +1\\.000");

  @Test
  void shouldMeasureThePeersAndTheDetectorOnOneBacklogWithWhatEachWroteAndScoreTheDetector() {
    // When
    final RepayGuardCliTest.Run run =
        RepayGuardCliTest.run(
            "bench", "--events", "2000", "--anomaly-rate", "0.2", "--partitions", "1");

    // Then
    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .containsPattern("bench: end to end, \\(c\\)/\\(a\\) = [0-9.]+ and \\(c\\)/\\(b\\) = ");
    final List<Double> totals = new ArrayList<>();
    final List<String> topics = new ArrayList<>();
    final Matcher line = WRITES.matcher(run.out());
    while (line.find()) {
      totals.add(Double.parseDouble(line.group(1)));
      topics.add(line.group(2));
    }
    assertThat(totals).as(run.out()).hasSize(3);
    // the pass-through copies each input record once, and its output leads what it wrote
    assertThat(topics.get(0)).startsWith("pass-through 1.00");
    assertThat(totals.get(0)).isBetween(1.0, 1.1);
    // the join re-keys the repayment events through a repartition topic
    assertThat(topics.get(1)).contains("join-repayments-by-credit-repartition");
    // the detector writes each input to the facts log or the order-links topic, and more
    assertThat(topics.get(2)).contains("facts").contains("decision-");
    assertThat(totals.get(2)).isGreaterThan(1.5);
    final Matcher overall = OVERALL.matcher(run.out());
    assertThat(overall.find()).as(run.out()).isTrue();
    assertThat(Integer.parseInt(overall.group(2)))
        .isPositive()
        .isEqualTo(Integer.parseInt(overall.group(1)));
  }
}
