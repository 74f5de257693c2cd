package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.scenario.ExpectedOutputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every golden scenario end to end: a real KRaft broker with 6 partitions per topic (and the
 * late-data ones again on 3), the detector under Kafka Streams exactly-once, the file published
 * through {@code publish}'s code with its barriers, and every committed output compared with the
 * expected multiset.
 *
 * <p>Each case has topics, a group and a detector of its own, and spends most of its time waiting
 * for a rebalance, a commit or an idle timeout, so the cases run side by side.
 */
@Tag("integration")
class BrokerScenarioTest {
  private static BrokerHarness harness;

  @BeforeAll
  static void startStack() {
    harness = new BrokerHarness();
  }

  @AfterAll
  static void stopStack() {
    harness.close();
  }

  static Stream<String> scenarios() throws IOException {
    try (Stream<Path> files =
        Files.list(BrokerHarness.scenario("01-happy-path.jsonl").getParent())) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".jsonl") && !n.endsWith(".expected.jsonl"))
          .map(n -> n.substring(0, n.length() - ".jsonl".length()))
          .sorted()
          .toList()
          .stream();
    }
  }

  @Execution(ExecutionMode.CONCURRENT)
  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldProduceExactlyTheExpectedOutputsOnSixPartitions(final String name) throws Exception {
    runScenario(name, BrokerHarness.PARTITIONS);
  }

  /** The scenarios where late data meets grace: their outputs must not depend on partitioning. */
  @Execution(ExecutionMode.CONCURRENT)
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "04-late-borrowing-within-grace",
        "05-late-borrowing-after-grace",
        "07-order-paid-late",
        "11-duplicate-plan"
      })
  void shouldProduceTheSameOutputsOnThreePartitions(final String name) throws Exception {
    runScenario(name, 3);
  }

  private static void runScenario(final String name, final int partitions) throws Exception {
    // Given
    final TopicNames topics = BrokerHarness.uniqueTopics(name.substring(0, 2));
    final String group = "it-" + topics.creditUse().replace('.', '-');
    try (DetectorRunner detector =
        harness.startDetector(
            BrokerHarness.config(topics), group, BrokerHarness.tempDir("rg-it"), partitions)) {
      // When
      harness.publish(BrokerHarness.scenario(name + ".jsonl"), topics, group);
      harness.barrier(group);

      // Then
      assertThat(harness.outputsAsExpected(topics))
          .containsExactlyInAnyOrderElementsOf(
              ExpectedOutputs.read(BrokerHarness.scenario(name + ".expected.jsonl")));
    }
  }
}
