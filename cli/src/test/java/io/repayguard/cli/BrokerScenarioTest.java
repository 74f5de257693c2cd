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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden scenario end to end: a real KRaft broker with 6 partitions per topic, the
 * detector under Kafka Streams exactly-once, the file published through {@code publish}'s code
 * with its barriers, and every committed output compared with the expected multiset.
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
    try (Stream<Path> files = Files.list(BrokerHarness.scenario("01-happy-path.jsonl").getParent())) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".jsonl") && !n.endsWith(".expected.jsonl"))
          .map(n -> n.substring(0, n.length() - ".jsonl".length()))
          .sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldProduceExactlyTheExpectedOutputsOnSixPartitions(final String name) throws Exception {
    // Given
    final TopicNames topics = BrokerHarness.uniqueTopics(name.substring(0, 2));
    final String group = "it-" + topics.creditUse().replace('.', '-');
    try (DetectorRunner detector = harness.startDetector(BrokerHarness.config(topics), group,
        BrokerHarness.tempDir("rg-it"))) {
      // When
      harness.publish(BrokerHarness.scenario(name + ".jsonl"), topics, group);
      harness.barrier(group);

      // Then
      assertThat(harness.outputsAsExpected(topics)).containsExactlyInAnyOrderElementsOf(
          ExpectedOutputs.read(BrokerHarness.scenario(name + ".expected.jsonl")));
    }
  }
}
