package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.TopicNames;
import io.repayguard.sim.SimTopics;
import io.repayguard.sim.Simulation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, crashes: the detector in its own JVM killed with SIGKILL five times at random points
 * while a simulated world streams in (mid-transaction whenever the kill lands there), restarted
 * each time with the same application id, once with its state directory deleted. At the end the
 * alerts and holds, read_committed, score precision = recall = 1 against the simulator's ground
 * truth, and no alert or hold command is there twice.
 */
@Tag("integration")
class CrashRestartTest {
  private static final int KILLS = 5;
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
  void shouldLoseAndDuplicateNothingAcrossFiveKills(@TempDir final Path dir) throws Exception {
    // Given: a detector process whose dead members leave the group within seconds
    final TopicNames topics = BrokerHarness.uniqueTopics("crash");
    final String id = "it-crash-" + topics.creditUse().substring(6, 14);
    final SimTopics sim = harness.simTopics(topics);
    final Path config = dir.resolve("detector.properties");
    Files.writeString(
        config,
        BrokerHarness.detectorProperties(
            topics, Map.of("commit.interval.ms", "100", "session.timeout.ms", "6000")));
    final Path state = dir.resolve("state");
    final Path stderr = dir.resolve("stderr.log");
    final Random random = new Random(7);

    // When: the world streams in while the detector is killed five times
    DetectorProcess detector = start(id, stderr, state, config);
    final CompletableFuture<Simulation.Summary> world =
        CompletableFuture.supplyAsync(() -> harness.simulate(sim, 6_000, OptionalLong.of(300), 11));
    try {
      for (int kill = 1; kill <= KILLS; kill++) {
        TimeUnit.MILLISECONDS.sleep(1_000 + random.nextInt(4_000));
        detector.signal("KILL");
        assertThat(detector.process().waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
        detector.close();
        final boolean wipe = kill == 3;
        if (wipe) {
          Utils.delete(state.toFile());
        }
        final long restarted = System.nanoTime();
        detector = start(id, stderr, state, config);
        System.out.printf(
            "kill %d: restarted%s, running with a member in its group %.1f s later%n",
            kill,
            wipe ? " with its state directory deleted" : "",
            (System.nanoTime() - restarted) / 1e9);
      }
      final Simulation.Summary summary = world.get(5, TimeUnit.MINUTES);
      final long settling = System.nanoTime();
      harness.barrier(id);
      System.out.printf(
          "%d events; decided everything %.1f s after the last kill's restart%n",
          summary.events(), (System.nanoTime() - settling) / 1e9);
    } finally {
      detector.close();
    }

    // Then: exactly the injected anomalies, each output once
    harness.assertExactlyTheGroundTruthOnce(sim, topics);
  }

  private static DetectorProcess start(
      final String id, final Path stderr, final Path state, final Path config) throws Exception {
    return DetectorProcess.startInGroup(harness, id, stderr, state, config);
  }
}
