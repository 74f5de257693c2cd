package io.repayguard.cli;

import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.HistoryFile;
import io.repayguard.sim.SimTopics;
import io.repayguard.sim.Simulation;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Publishes simulated credit traffic with labelled anomalies. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes a simulated consumer-credit world (borrowings, orders, repayment "
          + "plans over months of event time) with anomalies injected at --anomaly-rate, and the "
          + "ground truth of each to repayguard-ground-truth.",
      "Deterministic for a seed. Ends with a clock record that lets the detector decide "
          + "everything; Ctrl-C stops early and still finishes cleanly."
    })
final class SimulateCommand implements Callable<Integer> {

  @ParentCommand RepayGuard parent;

  @Mixin ConnectionOptions connection;

  @Mixin SimulationOptions simulation;

  @Option(
      names = "--duration",
      defaultValue = "2m",
      converter = Durations.class,
      description = "How long to publish, unless --events is given (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--to-file",
      paramLabel = "FILE",
      description =
          "Write the world's input records to FILE (one JSON record per line, the "
              + "format publish loads) instead of publishing them; needs --events. No ground truth.")
  Path toFile;

  @Override
  public Integer call() throws InterruptedException {
    if (toFile != null) {
      if (simulation.events == null) {
        throw UserException.badInput("--to-file needs --events N");
      }
      if (simulation.borrowings != null) {
        throw UserException.badInput("--to-file is sized by --events N, not --borrowings");
      }
      try {
        HistoryFile.write(
            toFile, simulation.simulator(Instant.now()), simulation.events, parent.out());
      } catch (final UncheckedIOException e) {
        throw UserException.badInput(e.getMessage());
      }
      return 0;
    }
    final ClientSettings settings = connection.resolve(parent.env(), Map.of());
    final var options = simulation.simulator(Instant.now());
    final var run = simulation.run(duration, SimTopics.defaults());
    Preflight.requireKafka(settings);
    final Simulation sim = new Simulation(settings, parent.out());
    final CountDownLatch done = new CountDownLatch(1);
    final Thread hook =
        new Thread(
            () -> {
              sim.stop();
              try {
                done.await();
              } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "simulate-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      sim.run(options, run);
    } finally {
      done.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (final IllegalStateException shuttingDown) {
      parent.out().println("stopped early");
    }
    return 0;
  }
}
