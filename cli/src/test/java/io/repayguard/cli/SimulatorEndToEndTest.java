package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.events.Rule;
import io.repayguard.sim.ScoreReader;
import io.repayguard.sim.Scoring;
import io.repayguard.sim.SimTopics;
import io.repayguard.sim.Simulation;
import io.repayguard.sim.Simulator;
import io.repayguard.stack.LocalStack;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A simulated world through a real broker and detector scores precision = recall = 1. */
@Tag("integration")
class SimulatorEndToEndTest {
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
  void shouldDetectEveryInjectedAnomalyAndNothingElse() throws InterruptedException {
    // Given
    final TopicNames topics = BrokerHarness.uniqueTopics("sim");
    final SimTopics simTopics =
        new SimTopics(
            topics.creditUse(),
            topics.merchantOrder(),
            topics.repaymentPlan(),
            topics.alerts() + ".ground-truth");
    LocalStack.createTopics(
        harness.stack().bootstrapServers(),
        BrokerHarness.PARTITIONS,
        List.of(simTopics.groundTruth()));
    final String group = "sim-e2e-" + System.nanoTime();
    final Instant now = Instant.now();
    final Simulator.Options options =
        new Simulator.Options(
            2000,
            42,
            0.05,
            Simulator.Options.evenMix(),
            now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(365)),
            now.minus(Duration.ofHours(2)));
    try (DetectorRunner detector =
        harness.startDetector(
            BrokerHarness.config(topics), group, BrokerHarness.tempDir("sim-e2e"))) {

      // When
      final Simulation.Summary summary =
          new Simulation(harness.client(), System.out)
              .run(
                  options,
                  new Simulation.Run(
                      OptionalLong.of(500), OptionalLong.of(10_000), Optional.empty(), simTopics));
      final long waitStart = System.nanoTime();
      harness.barrier(group);
      System.out.printf(
          "detector done %d ms after the simulator%n", (System.nanoTime() - waitStart) / 1_000_000);
      final Scoring.Report report =
          new ScoreReader(harness.client())
              .score(simTopics.groundTruth(), topics.alerts(), Optional.empty());

      // Then
      System.out.println(report.render(10));
      final java.util.Set<String> falsePlans = new java.util.HashSet<>();
      report.falseAlarms().stream().limit(5).forEach(d -> falsePlans.add(d.planId()));
      harness.alerts(topics.alerts()).stream()
          .filter(a -> falsePlans.contains(a.getPlanId()))
          .forEach(a -> System.out.println("FALSE " + a));
      assertThat(summary.events()).isGreaterThanOrEqualTo(10_000);
      for (final Rule rule : Rule.values()) {
        assertThat(report.perRule().get(rule).expected()).as("expected %s", rule).isPositive();
      }
      assertThat(report.misses()).isEmpty();
      assertThat(report.falseAlarms()).isEmpty();
      assertThat(report.perfect()).isTrue();
    }
  }
}
