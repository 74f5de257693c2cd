package io.repayguard.cli;

import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.SimTopics;
import io.repayguard.sim.Simulation;
import io.repayguard.sim.TopicReader;
import io.repayguard.stack.LocalStack;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Measures the detector: publishes a simulated backlog to a fresh local stack, starts the
 * detector on it and times how long each stage takes to work through it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measures detector throughput on a fresh local stack: publishes --events "
        + "simulated input records as fast as the broker takes them, then starts the detector "
        + "and prints how long it takes to read the inputs and to decide everything they gave "
        + "rise to (records/s)."})
final class BenchCommand implements Callable<Integer> {
  private static final String APPLICATION_ID = "repayguard-bench";
  private static final Duration POLL_EVERY = Duration.ofMillis(250);
  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

  @ParentCommand
  RepayGuard parent;

  @Mixin
  SimulationOptions simulation;

  @Option(names = "--partitions", defaultValue = "6",
      description = "Partitions per topic (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--stream-threads", defaultValue = "1",
      description = "Kafka Streams threads of the detector (default ${DEFAULT-VALUE}).")
  int streamThreads;

  @Option(names = "--timeout", defaultValue = "10m", converter = Durations.class,
      description = "Give up when the detector has not caught up by then (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    if (simulation.events == null) {
      simulation.events = 20_000L;
    }
    simulation.rate = "max";
    final PrintStream out = parent.out();
    final LocalStack stack = StackCommand.start(0, 0, partitions, null);
    final Path stateDir = Files.createTempDirectory("repayguard-bench-state");
    try (stack) {
      final ClientSettings client = new ClientSettings(stack.bootstrapServers(),
          stack.schemaRegistryUrl(), Map.of());
      final Simulation.Summary published = new Simulation(client, new PrintStream(
          PrintStream.nullOutputStream())).run(simulation.simulator(Instant.now()),
          simulation.run(Duration.ZERO, SimTopics.defaults()));
      out.printf(Locale.ROOT, "bench: published %d input records in %.1f s (%.0f records/s)%n",
          published.events(), published.took().toMillis() / 1000.0, published.rate());
      final TopicNames topics = TopicNames.defaults();
      try (Admin admin = Admin.create(client.clientProperties());
           TopicReader reader = new TopicReader(client)) {
        final Map<TopicPartition, Long> inputEnds = reader.committedEnds(topics.inputs());
        final Map<String, Object> props = new HashMap<>(client.clientProperties());
        props.put("num.stream.threads", streamThreads);
        final long started = System.nanoTime();
        try (DetectorRunner ignored = DetectorRunner.start(
            DetectorConfig.defaults(DetectorConfig.SourcePartitions.single()),
            new DetectorRunner.Settings(APPLICATION_ID, stateDir, props))) {
          measure(admin, reader, topics, inputEnds, started, out);
        }
      }
    } finally {
      DemoCommand.deleteQuietly(stateDir);
    }
    return 0;
  }

  private void measure(final Admin admin, final TopicReader reader, final TopicNames topics,
      final Map<TopicPartition, Long> inputEnds, final long started, final PrintStream out)
      throws InterruptedException, ExecutionException, TimeoutException {
    final long inputs = inputEnds.values().stream().mapToLong(Long::longValue).sum();
    final List<String> internal = List.of(topics.orderLinks(), topics.facts());
    Double inputsDoneAt = null;
    long nextReport = started + REPORT_EVERY.toNanos();
    while (true) {
      final Map<TopicPartition, OffsetAndMetadata> committed = admin
          .listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS);
      final long inputLag = lag(inputEnds, committed);
      final long internalLag = lag(reader.committedEnds(internal), committed);
      final double elapsed = (System.nanoTime() - started) / 1e9;
      if (inputLag == 0 && inputsDoneAt == null) {
        inputsDoneAt = elapsed;
      }
      if (inputsDoneAt != null && internalLag == 0) {
        final long facts = reader.committedEnds(List.of(topics.facts())).values().stream()
            .mapToLong(Long::longValue).sum();
        out.printf(Locale.ROOT, "bench: the detector read %d input records in %.1f s "
                + "(%.0f records/s) and decided everything in %.1f s (%.0f input records/s end "
                + "to end; facts log %d offsets, %.0f/s)%n",
            inputs, inputsDoneAt, inputs / inputsDoneAt, elapsed, inputs / elapsed, facts,
            facts / elapsed);
        return;
      }
      if (System.nanoTime() > nextReport) {
        nextReport += REPORT_EVERY.toNanos();
        out.printf(Locale.ROOT, "[%3.0f s] input lag %d, internal lag %d%n", elapsed, inputLag,
            internalLag);
      }
      if (elapsed > timeout.toSeconds()) {
        throw new UserException(UserException.UNUSABLE_ENVIRONMENT, "the detector did not "
            + "catch up within " + timeout + " (input lag " + inputLag + ", internal lag "
            + internalLag + ")", null);
      }
      TimeUnit.MILLISECONDS.sleep(POLL_EVERY.toMillis());
    }
  }

  /** Offsets not yet committed by the detector; transaction markers count, as offsets do. */
  private static long lag(final Map<TopicPartition, Long> ends,
      final Map<TopicPartition, OffsetAndMetadata> committed) {
    long lag = 0;
    for (final var end : ends.entrySet()) {
      final OffsetAndMetadata done = committed.get(end.getKey());
      // the last offset of a partition is a commit marker once the producer commits
      final long behind = end.getValue() - (done == null ? 0 : done.offset());
      lag += Math.max(0, behind);
    }
    return lag;
  }
}
