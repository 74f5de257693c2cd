package io.repayguard.cli;

import io.repayguard.detector.AvroBinarySerde;
import io.repayguard.detector.BoundedRocksDbConfig;
import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorSerdes;
import io.repayguard.detector.DetectorTopology;
import io.repayguard.detector.TopicNames;
import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.facts.Flush;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.HoldAction;
import io.repayguard.events.HoldCommand;
import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.GroupCatchUp;
import io.repayguard.sim.TopicReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Runs a bounded replay (DESIGN.md, Replay): the decision stage over the live facts log (or the
 * whole detector over the input topics) with a fresh application id, outputs to suffixed topics,
 * stopping at the end offsets seen at start.
 *
 * <p>It never writes a production topic: outputs go to {@code <topic><suffix>} (a suffix is
 * required), hold commands only with {@code --holds}, and the facts log is only read. Afterwards it
 * removes its internal topics, consumer group and local state unless told to keep them.
 */
final class ReplayRunner {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  /**
   * One replay's settings.
   *
   * @param live the live detector's settings: its topics and the rules to replay with
   * @param fromInputs replay from the input topics instead of the facts log
   * @param flush at the end, decide what is still pending and report it apart
   * @param lookback treat records with an eventTime before {@code window.from - lookback} as never
   *     having arrived
   */
  record Options(
      String runId,
      DetectorConfig live,
      DetectorConfig.Publication window,
      String suffix,
      boolean fromInputs,
      boolean flush,
      Optional<Duration> lookback,
      boolean compare,
      boolean keep,
      Path stateDir) {}

  /**
   * What the replay published, and how it compares with live.
   *
   * @param flushed alerts decided by {@code --flush}: pending when history ended, so live has not
   *     decided them yet; not part of {@code opened} nor of the comparison
   */
  record Result(
      String applicationId,
      long recordsRead,
      Duration took,
      Map<String, Integer> openedByRuleAndSeverity,
      int holds,
      int releases,
      List<Alert> opened,
      List<Alert> flushed,
      Optional<Comparison> comparison) {}

  /** The difference between the replay's opened alerts and live's, by alertId. */
  record Comparison(List<Alert> added, List<Alert> vanished, List<Alert[]> severityChanged) {}

  private final ClientSettings client;
  private final PrintStream out;

  ReplayRunner(final ClientSettings client, final PrintStream out) {
    this.client = client;
    this.out = out;
  }

  Result run(final Options options) throws InterruptedException {
    final String applicationId = "repayguard-replay-" + options.runId();
    final TopicNames live = options.live().topics();
    final TopicNames replay = replayTopics(live, options);
    final String flushTopic = options.flush() ? applicationId + "-flush" : null;
    final long started = System.nanoTime();
    try (Admin admin = Admin.create(adminProperties());
        TopicReader reader = new TopicReader(client)) {
      final Map<String, Integer> partitions = partitionCounts(admin, live);
      final List<String> sources = options.fromInputs() ? live.inputs() : List.of(live.facts());
      createTopics(admin, replay, flushTopic, options, partitions.get(live.facts()));
      final List<String> outputs = List.of(replay.alerts(), replay.holdCommands());
      final Map<TopicPartition, Long> outputStarts = reader.committedEnds(outputs);
      final Map<TopicPartition, Long> sourceEnds = reader.committedEnds(sources);
      final DetectorConfig config =
          options
              .live()
              .withTopics(replay)
              .withLiveClock(false)
              .withPublication(options.window())
              .withReplay(
                  new DetectorConfig.Replay(
                      bounds(sourceEnds),
                      flushTopic,
                      options
                          .lookback()
                          .map(l -> options.window().fromMillis() - l.toMillis())
                          .orElse(Long.MIN_VALUE)))
              .withPartitions(
                  new DetectorConfig.SourcePartitions(
                      partitions.get(live.creditUse()),
                      partitions.get(live.merchantOrder()),
                      partitions.get(live.repaymentPlan()),
                      options.fromInputs()
                          ? partitions.get(live.facts())
                          : partitions.get(live.orderLinks())));
      final Topology topology =
          options.fromInputs()
              ? DetectorTopology.build(config, DetectorSerdes.fromConfig(client.clientProperties()))
              : DetectorTopology.buildDecisionStage(
                  config, DetectorSerdes.fromConfig(client.clientProperties()));
      out.println(
          "replay "
              + options.runId()
              + ": "
              + (options.fromInputs()
                  ? "from the input topics "
                      + live.inputs()
                      + " (where data arrived late, decisions can differ from live)"
                  : "from the facts log " + live.facts())
              + " to "
              + replay.alerts()
              + (options.window().holds() ? " and " + replay.holdCommands() : "")
              + ", up to "
              + total(sourceEnds)
              + " records"
              + options
                  .lookback()
                  .map(
                      l ->
                          " (look-back "
                              + l
                              + ": records before that are "
                              + "skipped, so a plan whose borrowing is older raises NO_BORROWING)")
                  .orElse(""));
      final Map<TopicPartition, Long> flushStarts = new HashMap<>();
      final Map<TopicPartition, Long> outputEnds = new HashMap<>();
      final long read =
          runToEnd(
              topology,
              applicationId,
              options,
              sourceEnds,
              config,
              () -> {
                flushStarts.putAll(reader.settledEnds(outputs));
                if (flushTopic != null) {
                  flush(reader, applicationId, flushTopic, options);
                }
                outputEnds.putAll(reader.settledEnds(outputs));
              });
      final Result result =
          summarize(
              reader,
              applicationId,
              read,
              Duration.ofNanos(System.nanoTime() - started),
              replay,
              new Outputs(outputStarts, flushStarts, outputEnds),
              options);
      if (!options.keep()) {
        cleanUp(admin, applicationId, replay, options);
      }
      return result;
    }
  }

  /** The replay stops before these offsets, named as the detector names its sources. */
  private static Map<String, Long> bounds(final Map<TopicPartition, Long> ends) {
    final Map<String, Long> bounds = new HashMap<>();
    ends.forEach((p, end) -> bounds.put(DetectorConfig.sourceName(p.topic(), p.partition()), end));
    return bounds;
  }

  /** Tells every decision partition to decide what is pending, and waits until it has. */
  private void flush(
      final TopicReader reader,
      final String applicationId,
      final String flushTopic,
      final Options options)
      throws InterruptedException {
    final AvroBinarySerde<Fact> facts = new AvroBinarySerde<>(Fact.getClassSchema());
    final Map<TopicPartition, Long> ends = new HashMap<>();
    final Map<String, Object> props = client.clientProperties();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (final TopicPartition p : reader.committedEnds(List.of(flushTopic)).keySet()) {
        final Fact flush =
            Fact.newBuilder()
                .setSource("replay-flush")
                .setMaxEventTime(Long.MIN_VALUE)
                .setIdle(true)
                .setPayload(Flush.newBuilder().setPartition(p.partition()).build())
                .build();
        final RecordMetadata sent =
            producer
                .send(
                    new ProducerRecord<>(
                        flushTopic,
                        p.partition(),
                        null,
                        facts.serializer().serialize(flushTopic, flush)))
                .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        ends.put(p, sent.offset() + 1);
      }
    } catch (final ExecutionException | TimeoutException e) {
      throw new UserException(
          UserException.UNUSABLE_ENVIRONMENT,
          "cannot write the flush " + "requests to " + flushTopic + ": " + e.getMessage(),
          e);
    }
    out.println(
        "replay "
            + options.runId()
            + ": history read; deciding what is still pending "
            + "(--flush)");
    try (GroupCatchUp catchUp = new GroupCatchUp(client.clientProperties(), applicationId)) {
      final long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (!catchUp.caughtUpTo(ends)) {
        if (System.nanoTime() > deadline) {
          throw new UserException(
              UserException.UNUSABLE_ENVIRONMENT,
              "the flush did not " + "finish within 5 minutes",
              null);
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  private TopicNames replayTopics(final TopicNames live, final Options options) {
    final String suffix = options.suffix();
    final String privateSuffix = suffix + "-" + options.runId();
    return new TopicNames(
        live.creditUse(),
        live.merchantOrder(),
        live.repaymentPlan(),
        live.ops(),
        live.alerts() + suffix,
        live.holdCommands() + suffix,
        live.dlq() + suffix,
        options.fromInputs() ? live.orderLinks() + privateSuffix : live.orderLinks(),
        options.fromInputs() ? live.facts() + privateSuffix : live.facts());
  }

  /** A step that runs once history is read, before the run's Kafka Streams closes. */
  private interface AtEnd {
    void run() throws InterruptedException;
  }

  private long runToEnd(
      final Topology topology,
      final String applicationId,
      final Options options,
      final Map<TopicPartition, Long> sourceEnds,
      final DetectorConfig config,
      final AtEnd atEnd)
      throws InterruptedException {
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final KafkaStreams streams =
        new KafkaStreams(topology, streamsProperties(applicationId, options.stateDir()));
    streams.setUncaughtExceptionHandler(
        e -> {
          failure.compareAndSet(null, e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    final long total = total(sourceEnds);
    final long started = System.nanoTime();
    try (GroupCatchUp catchUp = new GroupCatchUp(client.clientProperties(), applicationId)) {
      streams.start();
      long lastProgress = System.nanoTime();
      while (!catchUp.caughtUpTo(sourceEnds)) {
        if (failure.get() != null) {
          throw new IllegalStateException(
              "the replay failed: " + failure.get().getMessage(), failure.get());
        }
        if (System.nanoTime() - lastProgress > PROGRESS_EVERY.toNanos()) {
          lastProgress = System.nanoTime();
          progress(catchUp, sourceEnds, total, started);
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
      if (options.fromInputs()) {
        Thread.sleep(
            config.idleTimeout().plus(config.watermarkInterval()).plusSeconds(1).toMillis());
        catchUp.await(Duration.ofMinutes(5));
      }
      atEnd.run();
    } finally {
      // Leave the group on close, so the run's consumer group can be deleted right away.
      streams.close(
          CloseOptions.timeout(Duration.ofSeconds(30))
              .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      if (!options.keep()) {
        streams.cleanUp();
      }
    }
    return total;
  }

  private void progress(
      final GroupCatchUp catchUp,
      final Map<TopicPartition, Long> ends,
      final long total,
      final long started)
      throws InterruptedException {
    try {
      final Map<TopicPartition, OffsetAndMetadata> committed = catchUp.committed();
      long done = 0;
      for (final Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        final OffsetAndMetadata c = committed.get(end.getKey());
        done += Math.min(end.getValue(), c == null ? 0 : c.offset());
      }
      final double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
      out.printf(
          "replayed %d/%d records (%.0f%%), %.0f records/s%n",
          done, total, 100.0 * done / Math.max(1, total), done / seconds);
    } catch (final ExecutionException | TimeoutException e) {
      out.println("replay progress unavailable: " + e.getMessage());
    }
  }

  /** Where the run's outputs begin, where its flush's begin, and where they end. */
  private record Outputs(
      Map<TopicPartition, Long> starts,
      Map<TopicPartition, Long> flushStarts,
      Map<TopicPartition, Long> ends) {}

  private Result summarize(
      final TopicReader reader,
      final String applicationId,
      final long read,
      final Duration took,
      final TopicNames replay,
      final Outputs outputs,
      final Options options) {
    final List<Alert> opened = new ArrayList<>();
    final Map<String, Integer> byRule = new TreeMap<>();
    for (final Object value :
        reader.values(replay.alerts(), outputs.starts(), outputs.flushStarts())) {
      final Alert alert = (Alert) value;
      if (alert.getStatus() == AlertStatus.OPEN) {
        opened.add(alert);
        byRule.merge(alert.getRule() + " " + alert.getSeverity(), 1, Integer::sum);
      }
    }
    final List<Alert> flushed = new ArrayList<>();
    if (options.flush()) {
      for (final Object value :
          reader.values(replay.alerts(), outputs.flushStarts(), outputs.ends())) {
        if (((Alert) value).getStatus() == AlertStatus.OPEN) {
          flushed.add((Alert) value);
        }
      }
    }
    int holds = 0;
    int releases = 0;
    if (options.window().holds()) {
      for (final Object value :
          reader.values(replay.holdCommands(), outputs.starts(), outputs.flushStarts())) {
        if (((HoldCommand) value).getAction() == HoldAction.HOLD) {
          holds++;
        } else {
          releases++;
        }
      }
    }
    final Optional<Comparison> comparison =
        options.compare()
            ? Optional.of(compare(opened, liveOpened(reader, options)))
            : Optional.empty();
    return new Result(
        applicationId, read, took, byRule, holds, releases, opened, flushed, comparison);
  }

  private static List<Alert> liveOpened(final TopicReader reader, final Options options) {
    final List<Alert> live = new ArrayList<>();
    for (final Object value : reader.values(options.live().topics().alerts())) {
      final Alert alert = (Alert) value;
      if (alert.getStatus() == AlertStatus.OPEN
          && options.window().contains(alert.getEventTime().toEpochMilli())) {
        live.add(alert);
      }
    }
    return live;
  }

  static Comparison compare(final List<Alert> replayed, final List<Alert> live) {
    final Map<String, Alert> liveById = new TreeMap<>();
    live.forEach(a -> liveById.put(a.getAlertId(), a));
    final Map<String, Alert> replayById = new TreeMap<>();
    replayed.forEach(a -> replayById.put(a.getAlertId(), a));
    final List<Alert> added = new ArrayList<>();
    final List<Alert[]> changed = new ArrayList<>();
    replayById.forEach(
        (id, alert) -> {
          final Alert before = liveById.get(id);
          if (before == null) {
            added.add(alert);
          } else if (before.getSeverity() != alert.getSeverity()) {
            changed.add(new Alert[] {before, alert});
          }
        });
    final List<Alert> vanished = new ArrayList<>();
    liveById.forEach(
        (id, alert) -> {
          if (!replayById.containsKey(id)) {
            vanished.add(alert);
          }
        });
    return new Comparison(added, vanished, changed);
  }

  private Map<String, Integer> partitionCounts(final Admin admin, final TopicNames live)
      throws InterruptedException {
    final List<String> names =
        List.of(
            live.creditUse(),
            live.merchantOrder(),
            live.repaymentPlan(),
            live.orderLinks(),
            live.facts(),
            live.alerts());
    try {
      final Map<String, TopicDescription> described =
          admin
              .describeTopics(names)
              .allTopicNames()
              .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      final Map<String, Integer> counts = new HashMap<>();
      described.forEach((name, d) -> counts.put(name, d.partitions().size()));
      return counts;
    } catch (final ExecutionException | TimeoutException e) {
      throw new UserException(
          UserException.UNUSABLE_ENVIRONMENT,
          "cannot describe the live "
              + "detector's topics "
              + names
              + " (has the detector run on this cluster?): "
              + e.getMessage(),
          e);
    }
  }

  private void createTopics(
      final Admin admin,
      final TopicNames replay,
      final String flushTopic,
      final Options options,
      final int partitions)
      throws InterruptedException {
    final List<String> wanted =
        new ArrayList<>(List.of(replay.alerts(), replay.dlq(), replay.holdCommands()));
    if (flushTopic != null) {
      wanted.add(flushTopic);
    }
    if (options.fromInputs()) {
      wanted.add(replay.orderLinks());
      wanted.add(replay.facts());
    }
    try {
      final Set<String> existing =
          admin.listTopics().names().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      final List<NewTopic> missing =
          wanted.stream()
              .filter(t -> !existing.contains(t))
              .map(
                  t ->
                      new NewTopic(t, Optional.of(partitions), Optional.empty())
                          .configs(Map.of("retention.ms", "-1")))
              .toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        final long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline
            && !admin
                .listTopics()
                .names()
                .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .containsAll(wanted)) {
          TimeUnit.MILLISECONDS.sleep(100);
        }
      }
    } catch (final ExecutionException | TimeoutException e) {
      throw new UserException(
          UserException.UNUSABLE_ENVIRONMENT,
          "cannot create the replay's " + "topics: " + e.getMessage(),
          e);
    }
  }

  private void cleanUp(
      final Admin admin, final String applicationId, final TopicNames replay, final Options options)
      throws InterruptedException {
    try {
      final List<String> internal =
          new ArrayList<>(
              admin.listTopics().names().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
                  .filter(t -> t.startsWith(applicationId + "-"))
                  .toList());
      if (options.fromInputs()) {
        internal.add(replay.orderLinks());
        internal.add(replay.facts());
      }
      if (!internal.isEmpty()) {
        admin.deleteTopics(internal).all().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      admin
          .deleteConsumerGroups(List.of(applicationId))
          .all()
          .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (final ExecutionException | TimeoutException e) {
      out.println(
          "replay: could not remove everything of " + applicationId + ": " + e.getMessage());
    }
  }

  private Properties streamsProperties(final String applicationId, final Path stateDir) {
    final Properties props = new Properties();
    props.putAll(client.clientProperties());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
    // the facts task also reads the flush topic, empty until the run has settled: no idling (see
    // DetectorRunner.detectorProperties)
    props.putIfAbsent(
        StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    return props;
  }

  private Map<String, Object> adminProperties() {
    final Map<String, Object> props = client.clientProperties();
    props.put("request.timeout.ms", (int) CALL_TIMEOUT.toMillis());
    props.put("default.api.timeout.ms", (int) CALL_TIMEOUT.toMillis());
    return props;
  }

  private static long total(final Map<TopicPartition, Long> ends) {
    return ends.values().stream().mapToLong(Long::longValue).sum();
  }
}
