package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.TopicNames;
import io.repayguard.sim.SimTopics;
import io.repayguard.sim.Simulation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, fast restarts: {@code detect --instance-id} makes the detector a static member of its
 * group, so an instance killed (SIGKILL) or stopped (SIGTERM, a rolling restart) and started again
 * under the same id takes its tasks back at once, at Kafka's default 45 s session timeout, instead
 * of waiting for the dead member to time out. Measured from the restart to the first input offset
 * committed past where the old instance stopped, printed, and the outputs still exact.
 */
@Tag("integration")
@Tag("alone") // its bar is wall time: it runs after the others, with nothing beside it
class StaticMembershipTest {
  /** Kafka's default session timeout: without static membership a restart waits for it. */
  private static final long SESSION_TIMEOUT_SECONDS = 45;

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
  void shouldResumeDecidingWithinSecondsOfARestartUnderTheSameInstanceId(@TempDir final Path dir)
      throws Exception {
    // Given: Kafka's default session timeout, records streaming in for 50 s, so that each
    // restart has new records to decide
    final TopicNames topics = BrokerHarness.uniqueTopics("static");
    final String id = "it-static-" + topics.creditUse().substring(7, 15);
    final SimTopics sim = harness.simTopics(topics);
    final Path config = dir.resolve("detector.properties");
    Files.writeString(
        config, BrokerHarness.detectorProperties(topics, Map.of("commit.interval.ms", "100")));
    final Path state = dir.resolve("state");
    final Path stderr = dir.resolve("stderr.log");
    DetectorProcess detector = start(id, stderr, state, config);
    final CompletableFuture<Simulation.Summary> world =
        CompletableFuture.supplyAsync(
            () -> harness.simulate(sim, 15_000, OptionalLong.of(300), 13));
    try (Admin admin = Admin.create(harness.client().clientProperties())) {
      for (final String signal : List.of("KILL", "TERM")) {
        TimeUnit.SECONDS.sleep(4);

        // When: stopped, then started again under the same instance id and state
        detector.signal(signal);
        assertThat(detector.process().waitFor(30, TimeUnit.SECONDS)).as("stopped").isTrue();
        detector.close();
        final long stoppedAt = committed(admin, id, topics.inputs());
        final long restarted = System.nanoTime();
        detector = start(id, stderr, state, config);
        while (committed(admin, id, topics.inputs()) <= stoppedAt) {
          assertThat(System.nanoTime() - restarted)
              .as("deciding again within the session timeout")
              .isLessThan(TimeUnit.SECONDS.toNanos(SESSION_TIMEOUT_SECONDS));
          TimeUnit.MILLISECONDS.sleep(100);
        }
        final double seconds = (System.nanoTime() - restarted) / 1e9;
        System.out.printf(
            "SIG%s, restarted with the same --instance-id: deciding again %.1f s after the "
                + "restart (JVM start included; session timeout %d s)%n",
            signal, seconds, SESSION_TIMEOUT_SECONDS);

        // Then
        assertThat(seconds).isLessThan(20);
      }
      world.get(5, TimeUnit.MINUTES);
      harness.barrier(id);
    } finally {
      detector.close();
    }

    // Then: exactly the injected anomalies, each output once
    harness.assertExactlyTheGroundTruthOnce(sim, topics);
  }

  private static DetectorProcess start(
      final String id, final Path stderr, final Path state, final Path config) throws Exception {
    return DetectorProcess.startInGroup(
        harness, id, stderr, state, config, "--instance-id", "detector-a");
  }

  /** The input offsets {@code group} has committed, summed over every input partition. */
  private static long committed(final Admin admin, final String group, final List<String> inputs)
      throws InterruptedException, ExecutionException {
    return admin
        .listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata()
        .get()
        .entrySet()
        .stream()
        .filter(e -> inputs.contains(e.getKey().topic()) && e.getValue() != null)
        .map(Map.Entry::getValue)
        .mapToLong(OffsetAndMetadata::offset)
        .sum();
  }
}
