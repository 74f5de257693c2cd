package io.repayguard.cli;

import static org.awaitility.Awaitility.await;

import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.sim.SimTopics;
import io.repayguard.sim.Simulation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, scale-out: one detector instance, then three, then one again, on 6 partitions with a
 * standby replica of every task, while a simulated world streams in, so tasks move between
 * instances in the middle of the stream twice. The outputs are exactly the single instance's (the
 * ground truth, each once).
 */
@Tag("integration")
class ScaleOutTest {
  private static final Map<String, Object> STANDBY =
      Map.of("num.standby.replicas", 1, "session.timeout.ms", 6000);
  private static BrokerHarness harness;

  @BeforeAll
  static void startStack() {
    harness = new BrokerHarness();
  }

  @AfterAll
  static void stopStack() {
    harness.close();
  }

  @Test
  void shouldDecideExactlyOnceWhileInstancesComeAndGo(@TempDir final Path dir) throws Exception {
    // Given
    final TopicNames topics = BrokerHarness.uniqueTopics("scale");
    final String id = "it-scale-" + topics.creditUse().substring(6, 14);
    final SimTopics sim = harness.simTopics(topics);

    // When: 1 instance, 3 from a third of the stream on, 1 again from two thirds on
    try (DetectorRunner first = start(id, topics, dir.resolve("a"))) {
      final CompletableFuture<Simulation.Summary> world =
          CompletableFuture.supplyAsync(
              () -> harness.simulate(sim, 6_000, OptionalLong.of(300), 23));
      TimeUnit.SECONDS.sleep(6);
      final long grown = System.nanoTime();
      try (DetectorRunner second = start(id, topics, dir.resolve("b"));
          DetectorRunner third = start(id, topics, dir.resolve("c"))) {
        final List<DetectorRunner> three = List.of(first, second, third);
        await()
            .atMost(Duration.ofMinutes(1))
            .until(() -> three.stream().allMatch(r -> activeTasks(r) > 0));
        System.out.printf(
            "3 instances own active tasks %s %.1f s after two joined%n",
            three.stream().map(ScaleOutTest::activeTasks).toList(),
            (System.nanoTime() - grown) / 1e9);
        TimeUnit.SECONDS.sleep(6);
      }
      world.get(5, TimeUnit.MINUTES);
      harness.awaitTheGroundTruth(sim, topics, id);
    }

    // Then
    harness.assertExactlyTheGroundTruthOnce(sim, topics);
  }

  private static int activeTasks(final DetectorRunner runner) {
    return runner.streams().metadataForLocalThreads().stream()
        .mapToInt(t -> t.activeTasks().size())
        .sum();
  }

  private static DetectorRunner start(
      final String id, final TopicNames topics, final Path stateDir) {
    return harness.startDetector(
        BrokerHarness.config(topics), id, stateDir, BrokerHarness.PARTITIONS, STANDBY);
  }
}
