package io.repayguard.cli;

import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.sim.SimTopics;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9, scale-out: the same simulated world (same seed, so the same records), published as a
 * backlog before the detector starts, gives exactly its ground truth, each output once, whether
 * every topic has 1, 3 or 12 partitions.
 */
@Tag("integration")
class PartitionCountTest {
  private static BrokerHarness harness;

  @BeforeAll
  static void startStack() {
    harness = new BrokerHarness();
  }

  @AfterAll
  static void stopStack() {
    harness.close();
  }

  @Execution(ExecutionMode.CONCURRENT)
  @ParameterizedTest(name = "{0} partitions")
  @ValueSource(ints = {1, 3, 12})
  void shouldDecideTheSameWorldExactlyOnAnyPartitionCount(
      final int partitions, @TempDir final Path dir) throws Exception {
    // Given: the world as a backlog
    final TopicNames topics = BrokerHarness.uniqueTopics("p" + partitions);
    final String id = "it-partitions-" + partitions + "-" + topics.creditUse().substring(4, 12);
    final SimTopics sim = harness.simTopics(topics, partitions);
    harness.simulate(sim, 4_000, OptionalLong.empty(), 31);

    // When
    try (DetectorRunner detector =
        harness.startDetector(BrokerHarness.config(topics), id, dir, partitions)) {
      harness.barrier(id);
    }

    // Then
    harness.assertExactlyTheGroundTruthOnce(sim, topics);
  }
}
