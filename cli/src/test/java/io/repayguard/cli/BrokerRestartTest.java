package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.scenario.ExpectedOutputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, crashes: the broker (and the registry) stopped and started again on the same data
 * directory and ports while the detector keeps running; the outputs stay exact, each once.
 */
@Tag("integration")
class BrokerRestartTest {
  private static BrokerHarness harness;

  @BeforeAll
  static void startStack(@TempDir final Path data) {
    harness = new BrokerHarness(data);
  }

  @AfterAll
  static void stopStack() {
    harness.close();
  }

  @Test
  void shouldDecideExactlyWhenTheBrokerRestartsUnderTheDetector(@TempDir final Path dir)
      throws Exception {
    // Given: scenario 05 split after its second barrier, where the plan is held and pending
    final List<String> lines =
        Files.readAllLines(BrokerHarness.scenario("05-late-borrowing-after-grace.jsonl"));
    int barriers = 0;
    int split = 0;
    while (barriers < 2) {
      if (lines.get(split++).contains("\"barrier\"")) {
        barriers++;
      }
    }
    final Path first = Files.write(dir.resolve("first.jsonl"), lines.subList(0, split));
    final Path second =
        Files.write(dir.resolve("second.jsonl"), lines.subList(split, lines.size()));
    final TopicNames topics = BrokerHarness.uniqueTopics("broker-restart");
    final String group = "it-broker-restart-" + topics.creditUse().substring(15, 23);

    // When: the first half, the broker restarted under the running detector, the second half
    try (DetectorRunner detector =
        harness.startDetector(BrokerHarness.config(topics), group, dir.resolve("state"))) {
      harness.publish(first, topics, group);
      final long stopped = System.nanoTime();
      harness.restartStack();
      System.out.printf("broker restarted in %.1f s%n", (System.nanoTime() - stopped) / 1e9);
      harness.publish(second, topics, group);
      harness.barrier(group);
      assertThat(detector.streams().state().isRunningOrRebalancing()).isTrue();
    }

    // Then
    assertThat(harness.outputsAsExpected(topics))
        .containsExactlyInAnyOrderElementsOf(
            ExpectedOutputs.read(
                BrokerHarness.scenario("05-late-borrowing-after-grace.expected.jsonl")));
  }
}
