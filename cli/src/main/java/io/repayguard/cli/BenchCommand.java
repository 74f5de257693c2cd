package io.repayguard.cli;

import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.DetectorSerdes;
import io.repayguard.detector.TopicNames;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.GroupCatchUp;
import io.repayguard.sim.ScoreReader;
import io.repayguard.sim.SimTopics;
import io.repayguard.sim.Simulation;
import io.repayguard.sim.Simulator;
import io.repayguard.sim.TopicReader;
import io.repayguard.stack.LocalStack;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Measures the detector beside plain Kafka Streams: publishes a simulated backlog to a fresh local
 * stack, then runs on it, one after another with their own application ids, (a) a pass-through of
 * the inputs, (b) the versioned-table join of {@link BenchPeers} and (c) the detector, each until
 * it has processed everything; then scores the detector's alerts against the ground truth.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures detector throughput on a fresh local stack: publishes --events "
          + "simulated input records as fast as the broker takes them, then runs on that same "
          + "backlog, one after another, (a) a plain Kafka Streams pass-through of the three "
          + "inputs, (b) the versioned-table join a Kafka Streams user would write instead "
          + "(both exactly_once_v2; --no-peers skips them) and (c) the detector, each until it has "
          + "processed everything. Prints records/s, the ratios (c)/(a) and (c)/(b), heap, RSS "
          + "and bytes allocated per input record, then the detector's score against the "
          + "simulator's ground truth.",
      "With --rate R the detector runs first and the simulator publishes at R input "
          + "records/s while it runs (no peers): bench prints the alert latency p50, p99 and "
          + "p99.9, from sending a repayment event to reading its alert, then drains and scores "
          + "as on a backlog. --borrowings N sizes the world by borrowings instead of --events."
    })
final class BenchCommand implements Callable<Integer> {
  private static final String APPLICATION_ID = "repayguard-bench";
  private static final String PASS_THROUGH_ID = "repayguard-bench-pass-through";
  private static final String JOIN_ID = "repayguard-bench-join";
  private static final String PASS_THROUGH_OUTPUT = "repayguard-bench-pass-through";
  private static final String UNMATCHED_OUTPUT = "repayguard-bench-unmatched";
  private static final Duration POLL_EVERY = Duration.ofMillis(250);
  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);
  private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(5);
  private static final long MIB = 1024 * 1024;

  /** Send times kept for the latency measure, as the demo keeps them. */
  private static final int LATENCY_MEMORY = 500_000;

  private static final Set<KafkaStreams.State> STOPPED =
      Set.of(
          KafkaStreams.State.ERROR,
          KafkaStreams.State.PENDING_ERROR,
          KafkaStreams.State.NOT_RUNNING,
          KafkaStreams.State.PENDING_SHUTDOWN);

  @ParentCommand RepayGuard parent;

  @Mixin SimulationOptions simulation;

  @Option(
      names = "--partitions",
      defaultValue = "6",
      description = "Partitions per topic (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--stream-threads",
      defaultValue = "1",
      description = "Kafka Streams threads of each run (default ${DEFAULT-VALUE}).")
  int streamThreads;

  @Option(
      names = "--peers",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run the pass-through and the join before the detector (default on; "
              + "--no-peers measures the detector alone).")
  boolean peers;

  @Option(
      names = "--commit-interval",
      converter = Durations.class,
      description = "Kafka Streams' commit.interval.ms for every run (default: the detector's).")
  Duration commitInterval;

  @Option(
      names = "--watermark-interval",
      converter = Durations.class,
      description =
          "How often each input partition tells the other stages its time (default: the "
              + "detector's, 500ms); shorter lowers alert latency and adds clock records.")
  Duration watermarkInterval;

  @Option(
      names = "--streams-property",
      paramLabel = "KEY=VALUE",
      description =
          "A Kafka Streams or client property for every run, repeatable, to measure "
              + "a setting (e.g. max.poll.records=5000).")
  Map<String, String> streamsProperties = new HashMap<>();

  @Option(
      names = "--timeout",
      defaultValue = "10m",
      converter = Durations.class,
      description = "Give up when a run has not caught up by then (default ${DEFAULT-VALUE}).")
  Duration timeout;

  /**
   * What one run measured.
   *
   * @param inputs backlog records in the topics this run reads
   * @param inputsRead seconds from start until every input record was committed as read
   * @param done seconds from start until its internal topics were read to their ends too
   * @param allocatedBytes heap bytes its stream threads allocated
   * @param cpuNanos CPU time its stream threads used
   * @param heapUsedBytes heap in use when it had caught up, broker and registry included
   * @param rssBytes the whole process's resident set then
   */
  private record Measured(
      long inputs,
      double inputsRead,
      double done,
      long allocatedBytes,
      long cpuNanos,
      long heapUsedBytes,
      OptionalLong rssBytes,
      Map<String, Long> written) {
    double inputsReadRate() {
      return inputs / inputsRead;
    }

    double endToEndRate() {
      return inputs / done;
    }

    Measured withWritten(final Map<String, Long> offsets) {
      return new Measured(
          inputs, inputsRead, done, allocatedBytes, cpuNanos, heapUsedBytes, rssBytes, offsets);
    }
  }

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (simulation.events == null && simulation.borrowings == null) {
      simulation.events = 20_000L;
    }
    final boolean live =
        spec.commandLine().getParseResult().hasMatchedOption("--rate")
            && !"max".equalsIgnoreCase(simulation.rate);
    if (!live) {
      simulation.rate = "max";
    }
    final PrintStream out = parent.out();
    // bad flags are refused before a broker starts
    if (watermarkInterval != null
        && (watermarkInterval.isNegative() || watermarkInterval.isZero())) {
      throw UserException.badInput("--watermark-interval must be more than 0");
    }
    final Simulator.Options world = simulation.simulator(Instant.now());
    final Simulation.Run run = simulation.run(Duration.ZERO, SimTopics.defaults());
    if (live) {
      return live(world, run, out);
    }
    final LocalStack stack = StackCommand.start(0, 0, partitions, null);
    final Path stateDir = Files.createTempDirectory("repayguard-bench-state");
    try (stack) {
      final ClientSettings client =
          new ClientSettings(stack.bootstrapServers(), stack.schemaRegistryUrl(), Map.of());
      if (peers) {
        LocalStack.createTopics(
            stack.bootstrapServers(), partitions, List.of(PASS_THROUGH_OUTPUT, UNMATCHED_OUTPUT));
      }
      final Simulation.Summary published =
          new Simulation(client, new PrintStream(PrintStream.nullOutputStream())).run(world, run);
      out.printf(
          Locale.ROOT,
          "bench: published %d input records (%d borrowings) in %.1f s (%.0f records/s)%n",
          published.events(),
          published.borrowings(),
          published.took().toMillis() / 1000.0,
          published.rate());
      final TopicNames topics = TopicNames.forApplication(APPLICATION_ID);
      try (Admin admin = Admin.create(client.clientProperties());
          TopicReader reader = new TopicReader(client)) {
        final Bench bench =
            new Bench(admin, reader, reader.committedEnds(topics.inputs()), client, stateDir, out);
        if (peers) {
          bench.passThrough(topics);
          bench.join(topics);
        }
        bench.detector(topics);
      }
    } finally {
      DemoCommand.deleteQuietly(stateDir);
    }
    return 0;
  }

  /**
   * {@code --rate R}: the detector runs first, then the simulator publishes at R input records/s
   * while an alert reader measures detection latency; after the last record, the run drains and is
   * scored like a backlog.
   */
  private int live(final Simulator.Options world, final Simulation.Run run, final PrintStream out)
      throws Exception {
    if (spec.commandLine().getParseResult().hasMatchedOption("--peers") && peers) {
      throw UserException.badInput(
          "--rate measures alert latency on a live stream; the peers measure a backlog, "
              + "run them without --rate");
    }
    final LocalStack stack = StackCommand.start(0, 0, partitions, null);
    final Path stateDir = Files.createTempDirectory("repayguard-bench-state");
    final TopicNames topics = TopicNames.forApplication(APPLICATION_ID);
    try (stack) {
      final ClientSettings client =
          new ClientSettings(stack.bootstrapServers(), stack.schemaRegistryUrl(), Map.of());
      final StreamThreadAllocations allocations = new StreamThreadAllocations();
      final long started = System.nanoTime();
      try (DetectorRunner runner =
              DetectorRunner.start(
                  detectorConfig(topics),
                  new DetectorRunner.Settings(APPLICATION_ID, stateDir, properties(client)));
          AlertLatencyReader alerts =
              new AlertLatencyReader(client, topics.alerts(), LATENCY_MEMORY);
          Admin admin = Admin.create(client.clientProperties());
          TopicReader reader = new TopicReader(client)) {
        if (!runner.awaitRunning(Duration.ofMinutes(1))) {
          throw new UserException(
              UserException.UNUSABLE_ENVIRONMENT,
              "the detector did not start within a minute",
              null);
        }
        final Simulation sim =
            new Simulation(client, new PrintStream(PrintStream.nullOutputStream()));
        sim.onSent(
            record -> {
              if (record.value() instanceof RepaymentEvent event) {
                alerts.latency().sent(event.getEventId(), System.nanoTime());
              }
            });
        final CompletableFuture<Simulation.Summary> publishing =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return sim.run(world, run);
                  } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(e);
                  }
                });
        long maxLag = 0;
        long nextReport = started + REPORT_EVERY.toNanos();
        while (!publishing.isDone()) {
          allocations.sample();
          final long lag =
              lag(
                  reader.committedEnds(topics.inputs()),
                  admin
                      .listConsumerGroupOffsets(APPLICATION_ID)
                      .partitionsToOffsetAndMetadata()
                      .get(30, TimeUnit.SECONDS));
          maxLag = Math.max(maxLag, lag);
          if (System.nanoTime() > nextReport) {
            nextReport += REPORT_EVERY.toNanos();
            out.printf(
                Locale.ROOT,
                "[%3.0f s] published %d, input lag %d, alert latency so far %s (%d alerts)%n",
                (System.nanoTime() - started) / 1e9,
                sim.sent(),
                lag,
                alerts.latency().describe(),
                alerts.latency().count());
          }
          TimeUnit.MILLISECONDS.sleep(POLL_EVERY.toMillis());
        }
        final Simulation.Summary published = join(publishing);
        alerts.latency().startTail();
        out.printf(
            Locale.ROOT,
            "bench: published %d input records (%d borrowings) in %.1f s (%.0f records/s, "
                + "asked %s/s) while the detector ran; the largest input lag seen was %d "
                + "records%n",
            published.events(),
            published.borrowings(),
            published.took().toMillis() / 1000.0,
            published.rate(),
            simulation.rate,
            maxLag);
        final Bench bench =
            new Bench(admin, reader, reader.committedEnds(topics.inputs()), client, stateDir, out);
        final Measured m =
            bench.drain(
                APPLICATION_ID,
                runner.streams(),
                topics.inputs(),
                List.of(topics.orderLinks(), topics.facts()),
                started,
                allocations);
        out.printf(
            Locale.ROOT,
            "bench: (c) the detector decided everything %.1f s after it started%n",
            m.done());
        bench.printResources(m);
        bench.settle(runner.config());
        out.printf(
            Locale.ROOT,
            "bench: alert latency, from sending a repayment event to reading the OPEN alert it "
                + "triggered (read_committed; grace, every stage's exactly-once commit, the "
                + "clock reports and the reader's poll included): %s over %d alerts read while "
                + "publishing; after the last record, %s (those wait for the idle timeout)%n",
            alerts.latency().describe(),
            alerts.latency().count(),
            alerts.latency().describeTail());
        bench.printScore(topics);
      }
    } finally {
      DemoCommand.deleteQuietly(stateDir);
    }
    return 0;
  }

  private static Simulation.Summary join(final CompletableFuture<Simulation.Summary> publishing)
      throws InterruptedException {
    try {
      return publishing.get();
    } catch (final ExecutionException e) {
      final Throwable cause =
          e.getCause() instanceof CompletionException c && c.getCause() != null
              ? c.getCause()
              : e.getCause();
      throw new UserException(
          UserException.UNUSABLE_ENVIRONMENT, "publishing failed: " + cause.getMessage(), cause);
    }
  }

  private DetectorConfig detectorConfig(final TopicNames topics) {
    final DetectorConfig config =
        DetectorConfig.defaults(DetectorConfig.SourcePartitions.single()).withTopics(topics);
    return watermarkInterval == null ? config : config.withWatermarkInterval(watermarkInterval);
  }

  private Map<String, Object> properties(final ClientSettings client) {
    final Map<String, Object> props = new HashMap<>(client.clientProperties());
    props.put("num.stream.threads", streamThreads);
    if (commitInterval != null) {
      props.put("commit.interval.ms", commitInterval.toMillis());
    }
    props.putAll(streamsProperties);
    return props;
  }

  /** The runs over one published backlog, sharing the stack's clients. */
  private final class Bench {
    private final Admin admin;
    private final TopicReader reader;
    private final Map<TopicPartition, Long> inputEnds;
    private final ClientSettings client;
    private final Path stateDir;
    private final PrintStream out;

    /** What (a) and (b) measured; null until they ran, or when --no-peers. */
    private Measured passThroughRun;

    private Measured joinRun;

    Bench(
        final Admin admin,
        final TopicReader reader,
        final Map<TopicPartition, Long> inputEnds,
        final ClientSettings client,
        final Path stateDir,
        final PrintStream out) {
      this.admin = admin;
      this.reader = reader;
      this.inputEnds = inputEnds;
      this.client = client;
      this.stateDir = stateDir;
      this.out = out;
    }

    /** (a): every input record copied to one output topic. */
    void passThrough(final TopicNames topics) throws Exception {
      final Measured m =
          runPeer(
              PASS_THROUGH_ID,
              BenchPeers.buildPassThrough(topics, PASS_THROUGH_OUTPUT),
              topics.inputs(),
              List.of());
      out.printf(
          Locale.ROOT,
          "bench: (a) the pass-through read %d input records in %.1f s "
              + "(%.0f records/s) and committed everything in %.1f s (%.0f input records/s end "
              + "to end); it wrote %d records%n",
          m.inputs(),
          m.inputsRead(),
          m.inputsReadRate(),
          m.done(),
          m.endToEndRate(),
          reader.count(PASS_THROUGH_OUTPUT));
      printResources(m);
      passThroughRun = m;
    }

    /** (b): repayment events re-keyed by creditId, left-joined to versioned borrowings. */
    void join(final TopicNames topics) throws Exception {
      final Duration grace =
          DetectorConfig.defaults(DetectorConfig.SourcePartitions.single()).grace();
      final Topology topology =
          BenchPeers.buildUnmatchedJoin(
              topics,
              UNMATCHED_OUTPUT,
              DetectorSerdes.fromConfig(client.clientProperties()).repaymentEvent().deserializer(),
              grace);
      final Measured m =
          runPeer(
              JOIN_ID,
              topology,
              List.of(topics.creditUse(), topics.repaymentPlan()),
              List.of(JOIN_ID + "-" + BenchPeers.REPAYMENTS_BY_CREDIT + "-repartition"));
      out.printf(
          Locale.ROOT,
          "bench: (b) the versioned-table join (grace %d min, history %d "
              + "days; it needs no merchant orders) read %d input records in %.1f s (%.0f "
              + "records/s) and joined everything in %.1f s (%.0f input records/s end to end); "
              + "it found %d repayment events without a borrowing%n",
          grace.toMinutes(),
          BenchPeers.BORROWINGS_HISTORY.toDays(),
          m.inputs(),
          m.inputsRead(),
          m.inputsReadRate(),
          m.done(),
          m.endToEndRate(),
          reader.count(UNMATCHED_OUTPUT));
      printResources(m);
      joinRun = m;
    }

    /** (c): the detector, then its score once the idle partitions let it decide the rest. */
    void detector(final TopicNames topics) throws Exception {
      final Map<String, Long> before = topicEnds();
      final StreamThreadAllocations allocations = new StreamThreadAllocations();
      final long started = System.nanoTime();
      try (DetectorRunner runner =
          DetectorRunner.start(
              detectorConfig(topics),
              new DetectorRunner.Settings(APPLICATION_ID, stateDir, properties()))) {
        final Measured m =
            drain(
                    APPLICATION_ID,
                    runner.streams(),
                    topics.inputs(),
                    List.of(topics.orderLinks(), topics.facts()),
                    started,
                    allocations)
                .withWritten(writtenSince(before));
        final long facts =
            reader.committedEnds(List.of(topics.facts())).values().stream()
                .mapToLong(Long::longValue)
                .sum();
        out.printf(
            Locale.ROOT,
            "bench: (c) the detector read %d input records in %.1f s "
                + "(%.0f records/s) and decided everything in %.1f s (%.0f input records/s end "
                + "to end; facts log %d offsets, %.0f/s)%n",
            m.inputs(),
            m.inputsRead(),
            m.inputsReadRate(),
            m.done(),
            m.endToEndRate(),
            facts,
            facts / m.done());
        printResources(m);
        if (passThroughRun != null && joinRun != null) {
          out.printf(
              Locale.ROOT,
              "bench: end to end, (c)/(a) = %.2f and (c)/(b) = %.2f (the "
                  + "detector's input records/s over the pass-through's and the join's)%n",
              m.endToEndRate() / passThroughRun.endToEndRate(),
              m.endToEndRate() / joinRun.endToEndRate());
        }
        score(runner.config(), topics);
      }
    }

    private Measured runPeer(
        final String applicationId,
        final Topology topology,
        final List<String> inputs,
        final List<String> internal)
        throws Exception {
      final Map<String, Long> before = topicEnds();
      final KafkaStreams streams =
          new KafkaStreams(
              topology,
              DetectorRunner.streamsProperties(
                  new DetectorRunner.Settings(applicationId, stateDir, properties())));
      // the failure itself is logged by Streams; drain() sees the client stop
      streams.setUncaughtExceptionHandler(e -> StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
      final StreamThreadAllocations allocations = new StreamThreadAllocations();
      final long started = System.nanoTime();
      try {
        streams.start();
        return drain(applicationId, streams, inputs, internal, started, allocations)
            .withWritten(writtenSince(before));
      } finally {
        streams.close(Duration.ofSeconds(30));
      }
    }

    private Map<String, Object> properties() {
      return BenchCommand.this.properties(client);
    }

    /**
     * Waits until {@code group} has committed every record of the backlog in {@code inputs} and
     * read its {@code internal} topics to their ends, sampling the stream threads' allocations as
     * it goes.
     */
    Measured drain(
        final String group,
        final KafkaStreams streams,
        final List<String> inputs,
        final List<String> internal,
        final long started,
        final StreamThreadAllocations allocations)
        throws InterruptedException, ExecutionException, TimeoutException {
      final Map<TopicPartition, Long> ends = new HashMap<>(inputEnds);
      ends.keySet().removeIf(p -> !inputs.contains(p.topic()));
      final long records = ends.values().stream().mapToLong(Long::longValue).sum();
      Double inputsDoneAt = null;
      long nextReport = started + REPORT_EVERY.toNanos();
      while (true) {
        allocations.sample();
        if (STOPPED.contains(streams.state())) {
          throw new UserException(
              UserException.UNUSABLE_ENVIRONMENT,
              group + " stopped (" + streams.state() + "); its log says why",
              null);
        }
        final Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        final long inputLag = lag(ends, committed);
        // internal topics may not exist before the inputs are read: Streams creates some
        final Map<TopicPartition, Long> internalEnds =
            inputLag > 0 || internal.isEmpty() ? Map.of() : reader.committedEnds(internal);
        final long internalLag = lag(internalEnds, committed);
        final double elapsed = (System.nanoTime() - started) / 1e9;
        if (inputLag == 0 && inputsDoneAt == null) {
          inputsDoneAt = elapsed;
        }
        if (inputsDoneAt != null && internalLag == 0) {
          allocations.sample();
          return new Measured(
              records,
              inputsDoneAt,
              elapsed,
              allocations.allocatedBytes(),
              allocations.cpuNanos(),
              ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
              rssBytes(),
              Map.of());
        }
        if (System.nanoTime() > nextReport) {
          nextReport += REPORT_EVERY.toNanos();
          out.printf(
              Locale.ROOT,
              "[%3.0f s] %s: input lag %d%s%n",
              elapsed,
              group,
              inputLag,
              inputLag > 0
                  ? mostBehind(ends, committed)
                  : ", internal lag " + internalLag + mostBehind(internalEnds, committed));
        }
        if (elapsed > timeout.toSeconds()) {
          throw new UserException(
              UserException.UNUSABLE_ENVIRONMENT,
              group
                  + " did not "
                  + "catch up within "
                  + timeout
                  + " (input lag "
                  + inputLag
                  + (inputLag > 0 ? "" : ", internal lag " + internalLag)
                  + ")",
              null);
        }
        TimeUnit.MILLISECONDS.sleep(POLL_EVERY.toMillis());
      }
    }

    /**
     * The sum of every topic's read_committed end offsets, the broker's own topics included: what a
     * run wrote is the difference between two of these.
     */
    private Map<String, Long> topicEnds()
        throws InterruptedException, ExecutionException, TimeoutException {
      final Set<String> names =
          admin
              .listTopics(new ListTopicsOptions().listInternal(true))
              .names()
              .get(30, TimeUnit.SECONDS);
      final Map<String, Long> ends = new TreeMap<>();
      reader.committedEnds(names).forEach((p, end) -> ends.merge(p.topic(), end, Long::sum));
      return ends;
    }

    /** {@code topic} without the bench's application ids in front (theirs prefix their topics). */
    private static String withoutApplicationId(final String topic) {
      for (final String id : List.of(PASS_THROUGH_ID, JOIN_ID, APPLICATION_ID)) {
        if (topic.startsWith(id + "-")) {
          return topic.substring(id.length() + 1);
        }
      }
      return topic;
    }

    /** The offsets written to each topic since {@code before} (see {@link #topicEnds}). */
    private Map<String, Long> writtenSince(final Map<String, Long> before)
        throws InterruptedException, ExecutionException, TimeoutException {
      final Map<String, Long> written = new TreeMap<>();
      topicEnds()
          .forEach(
              (topic, end) -> {
                final long n = end - before.getOrDefault(topic, 0L);
                if (n > 0) {
                  written.put(topic, n);
                }
              });
      return written;
    }

    void printResources(final Measured m) {
      out.printf(
          Locale.ROOT,
          "bench:     heap used %d MiB, process RSS %s (both with the "
              + "in-process broker and registry), stream threads allocated %.0f bytes and used"
              + " %.0f microseconds of CPU per input record%n",
          m.heapUsedBytes() / MIB,
          m.rssBytes().isPresent() ? m.rssBytes().getAsLong() / MIB + " MiB" : "unknown",
          (double) m.allocatedBytes() / m.inputs(),
          m.cpuNanos() / 1e3 / m.inputs());
      if (!m.written().isEmpty()) {
        printWrites(m);
      }
    }

    /**
     * Prints the offsets the run made the broker write per input record, commit markers included
     * (each costs the broker an append, as a record does), with the topics that took most, named
     * without the application id's prefix.
     */
    private void printWrites(final Measured m) {
      final List<Map.Entry<String, Long>> written = new ArrayList<>(m.written().entrySet());
      written.sort(Map.Entry.<String, Long>comparingByValue().reversed());
      final long total = written.stream().mapToLong(Map.Entry::getValue).sum();
      final StringBuilder top = new StringBuilder();
      for (final Map.Entry<String, Long> topic : written.subList(0, Math.min(8, written.size()))) {
        top.append(top.isEmpty() ? "" : ", ")
            .append(withoutApplicationId(topic.getKey()))
            .append(String.format(Locale.ROOT, " %.2f", (double) topic.getValue() / m.inputs()));
      }
      out.printf(
          Locale.ROOT,
          "bench:     it made the broker write %.2f offsets per input record, commit markers "
              + "included (%s)%n",
          (double) total / m.inputs(),
          top);
    }

    /**
     * Scores the alerts against the ground truth, once the detector's partitions have gone idle and
     * what they were holding back is decided: the last events of a backlog wait for that.
     */
    private void score(final DetectorConfig config, final TopicNames topics)
        throws InterruptedException {
      settle(config);
      printScore(topics);
    }

    /** Waits for the partitions to go idle and the detector to decide what they held back. */
    void settle(final DetectorConfig config) throws InterruptedException {
      out.println(
          "bench: waiting for the detector's partitions to go idle and the last "
              + "events to be decided, then scoring against the ground truth");
      Thread.sleep(config.idleTimeout().plus(config.watermarkInterval()).plusSeconds(1).toMillis());
      try (GroupCatchUp catchUp = new GroupCatchUp(client.clientProperties(), APPLICATION_ID)) {
        catchUp.await(SETTLE_TIMEOUT);
      }
    }

    void printScore(final TopicNames topics) {
      out.print(
          new ScoreReader(client)
              .score(SimTopics.GROUND_TRUTH, topics.alerts(), Optional.empty())
              .render(5));
    }
  }

  /** Offsets not yet committed by a group; transaction markers count, as offsets do. */
  private static long lag(
      final Map<TopicPartition, Long> ends,
      final Map<TopicPartition, OffsetAndMetadata> committed) {
    long lag = 0;
    for (final var end : ends.entrySet()) {
      lag += behind(end, committed);
    }
    return lag;
  }

  /**
   * How far a group's commit is behind one partition's end; the last offset of a partition is a
   * commit marker once the producer commits.
   */
  private static long behind(
      final Map.Entry<TopicPartition, Long> end,
      final Map<TopicPartition, OffsetAndMetadata> committed) {
    final OffsetAndMetadata done = committed.get(end.getKey());
    return Math.max(0, end.getValue() - (done == null ? 0 : done.offset()));
  }

  /** The partition furthest behind, as {@code " (most behind: topic-p, n)"}; empty when none is. */
  private static String mostBehind(
      final Map<TopicPartition, Long> ends,
      final Map<TopicPartition, OffsetAndMetadata> committed) {
    TopicPartition worst = null;
    long most = 0;
    for (final var end : ends.entrySet()) {
      final long behind = behind(end, committed);
      if (behind > most) {
        most = behind;
        worst = end.getKey();
      }
    }
    return worst == null ? "" : " (most behind: " + worst + ", " + most + ")";
  }

  /** This process's resident set from {@code /proc/self/status}; empty where there is none. */
  private static OptionalLong rssBytes() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(line -> line.startsWith("VmRSS:"))
          .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
          .findFirst();
    } catch (final IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
