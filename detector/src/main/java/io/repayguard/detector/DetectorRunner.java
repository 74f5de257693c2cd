package io.repayguard.detector;

import io.repayguard.serde.AvroSerdeConfig;
import io.repayguard.serde.SchemaRegistryClient;
import io.repayguard.serde.SchemaRegistryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the detector's lifecycle: checks the cluster and registry, creates the topics the detector
 * writes (and the ops topic, partitioned like repayment-plan, when it is missing), starts Kafka
 * Streams exactly once, and waits; a failure of the streams is rethrown.
 *
 * <p>It never cleans up local state: that is a reset, an explicit step of its own.
 */
public final class DetectorRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DetectorRunner.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Where and as whom to run.
   *
   * @param clientProperties bootstrap servers, schema registry URL and any further Kafka, Streams
   *     or serde properties, passed through
   */
  public record Settings(
      String applicationId, Path stateDir, Map<String, Object> clientProperties) {
    public Settings {
      clientProperties = Map.copyOf(clientProperties);
    }
  }

  private final KafkaStreams streams;
  private final DetectorConfig config;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Looks up committed offsets for {@link ConsumerLag}; closed with the detector. */
  private final Admin lagAdmin;

  private DetectorRunner(
      final KafkaStreams streams, final DetectorConfig config, final Admin lagAdmin) {
    this.streams = streams;
    this.config = config;
    this.lagAdmin = lagAdmin;
  }

  /**
   * Prepares the cluster and starts the detector; fails with a one-line {@link
   * IllegalStateException} when Kafka or the registry cannot be used.
   */
  public static DetectorRunner start(final DetectorConfig requested, final Settings settings) {
    checkRegistry(settings.clientProperties());
    final DetectorConfig config =
        prepareTopics(requested, settings.applicationId(), settings.clientProperties());
    final ConsumerLag inputLag = new ConsumerLag();
    final Topology topology =
        DetectorTopology.build(
            config, DetectorSerdes.fromConfig(settings.clientProperties()), inputLag);
    LOG.info("Starting detector {} with {}", settings.applicationId(), config);
    LOG.debug("Detector topology (also: ./repayguard detect --describe)\n{}", topology.describe());
    final KafkaStreams streams = new KafkaStreams(topology, detectorProperties(settings));
    final Map<String, Object> adminProps = new HashMap<>(settings.clientProperties());
    adminProps.putIfAbsent("request.timeout.ms", (int) CALL_TIMEOUT.toMillis());
    adminProps.putIfAbsent("default.api.timeout.ms", (int) CALL_TIMEOUT.toMillis());
    final Admin lagAdmin = Admin.create(adminProps);
    inputLag.attach(streams, lagAdmin, settings.applicationId());
    final DetectorRunner runner = new DetectorRunner(streams, config, lagAdmin);
    streams.setUncaughtExceptionHandler(runner::onUncaught);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            runner.stopped.countDown();
          }
        });
    streams.start();
    return runner;
  }

  /** The settings the detector runs with, partition counts resolved. */
  public DetectorConfig config() {
    return config;
  }

  /** The running Kafka Streams instance, for state and metrics. */
  public KafkaStreams streams() {
    return streams;
  }

  /**
   * Blocks until the detector has joined its group and runs its tasks; false when it has not within
   * {@code timeout}. Throws when it stopped instead.
   */
  public boolean awaitRunning(final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (stopped.getCount() == 0) {
        final Throwable cause = failure.get();
        throw new IllegalStateException(
            "the detector stopped while starting"
                + (cause == null ? "" : ": " + cause.getMessage()),
            cause);
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    return true;
  }

  /** Blocks until the detector stops; rethrows what stopped it, if anything did. */
  public void awaitTermination() throws InterruptedException {
    stopped.await();
    final Throwable cause = failure.get();
    if (cause != null) {
      throw new IllegalStateException("the detector stopped: " + cause.getMessage(), cause);
    }
  }

  @Override
  public void close() {
    try {
      streams.close(Duration.ofSeconds(30));
    } finally {
      lagAdmin.close(Duration.ofSeconds(5));
    }
  }

  private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onUncaught(
      final Throwable e) {
    LOG.error("Detector failed", e);
    failure.compareAndSet(null, e);
    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  /**
   * The Kafka Streams properties the detector runs with: exactly_once_v2, explicit internal names,
   * bounded RocksDB memory, a 16 MiB cache, then {@code settings}' own properties. Public so a
   * benchmark can run other topologies under the same settings.
   */
  public static Properties streamsProperties(final Settings settings) {
    final Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 16L * 1024 * 1024);
    // Streams' 10 s default aborts a transaction when a loaded 2-core box stalls the thread
    // (seen in the demo: fenced producer, task migration, minutes of lag); commits still happen
    // every commit interval, this only bounds how long a stuck transaction may live.
    props.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 60_000);
    props.putAll(settings.clientProperties());
    // The early-commit limit only counts transactional state stores (KIP-892), which the detector
    // does not enable, yet Streams sums every store's uncommitted bytes on every loop to check it:
    // 2.6 % of the stream thread in a profile of bench. Off unless a user turns those stores on.
    if (!Boolean.parseBoolean(
        String.valueOf(props.get(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG)))) {
      props.putIfAbsent(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, -1L);
    }
    final Object guarantee = props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
    if (!StreamsConfig.EXACTLY_ONCE_V2.equals(String.valueOf(guarantee))) {
      throw new IllegalArgumentException(guaranteeRefused(guarantee));
    }
    return props;
  }

  /**
   * The detector's own properties: {@link #streamsProperties} with {@code max.task.idle.ms} at -1
   * unless {@code settings} say otherwise. The repayment-plan task also reads the ops topic, which
   * is nearly always empty; at Streams' default of 0 the task asks before every record whether the
   * empty partition may still fetch data, formatting a log line each time it does (about 12 % of
   * the stream thread's CPU and 12 KB of allocation per input record, measured by JFR on {@code
   * bench}). The detector orders records across partitions by its own watermarks, never by Streams'
   * timestamp synchronization within a task, so it has no use for that idling.
   */
  public static Properties detectorProperties(final Settings settings) {
    final Properties props = streamsProperties(settings);
    if (!settings.clientProperties().containsKey(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)) {
      props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    }
    return props;
  }

  /** The one line that refuses a processing guarantee other than exactly_once_v2. */
  public static String guaranteeRefused(final Object guarantee) {
    return "processing.guarantee="
        + guarantee
        + " is refused: the detector writes alerts and "
        + "hold commands exactly once (exactly_once_v2, DESIGN.md rule 8); remove the setting";
  }

  private static void checkRegistry(final Map<String, Object> clientProperties) {
    final SchemaRegistryClient registry = AvroSerdeConfig.from(clientProperties).newClient();
    try {
      registry.latest("credit-use-value");
    } catch (final SchemaRegistryException e) {
      if (e.errorCode() < 0) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
  }

  private static DetectorConfig prepareTopics(
      final DetectorConfig config,
      final String applicationId,
      final Map<String, Object> clientProperties) {
    final Map<String, Object> adminProps = new HashMap<>(clientProperties);
    adminProps.putIfAbsent("request.timeout.ms", (int) CALL_TIMEOUT.toMillis());
    adminProps.putIfAbsent("default.api.timeout.ms", (int) CALL_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(adminProps)) {
      final Object bootstrap = clientProperties.get("bootstrap.servers");
      try {
        admin.describeCluster().nodes().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (final ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "cannot reach Kafka at " + bootstrap + " (" + rootMessage(e) + ")", e);
      }
      final TopicNames topics = config.topics();
      refuseToLeaveLegacyLog(admin, applicationId, topics);
      final Map<String, Integer> inputs =
          partitionCounts(
              admin, List.of(topics.creditUse(), topics.merchantOrder(), topics.repaymentPlan()));
      final int partitions = inputs.values().stream().mapToInt(Integer::intValue).max().orElse(1);
      prepareOpsTopic(admin, topics, inputs.get(topics.repaymentPlan()));
      createMissing(admin, topics.outputs(), partitions);
      final int orderLinks =
          partitionCounts(admin, List.of(topics.orderLinks())).get(topics.orderLinks());
      return config.withPartitions(
          new DetectorConfig.SourcePartitions(
              inputs.get(topics.creditUse()),
              inputs.get(topics.merchantOrder()),
              inputs.get(topics.repaymentPlan()),
              orderLinks));
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing topics", e);
    }
  }

  /**
   * Refuses to start on a new facts log when this application id has read the facts log of the name
   * used before the detector's own topics were named after their application id: its unread facts,
   * and replay's history, would be left behind.
   */
  private static void refuseToLeaveLegacyLog(
      final Admin admin, final String applicationId, final TopicNames topics)
      throws InterruptedException {
    final TopicNames legacy = TopicNames.defaults();
    if (topics.facts().equals(legacy.facts())) {
      return;
    }
    final Set<TopicPartition> read;
    try {
      read =
          admin
              .listConsumerGroupOffsets(applicationId)
              .partitionsToOffsetAndMetadata()
              .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
              .keySet();
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot read the committed offsets of " + applicationId + ": " + rootMessage(e), e);
    }
    if (read.stream().anyMatch(p -> p.topic().equals(legacy.facts()))) {
      throw new IllegalStateException(
          applicationId
              + " has read the facts log "
              + legacy.facts()
              + ", which is now named "
              + topics.facts()
              + " by default: to keep it, and replay's history in it, set topic."
              + legacy.facts()
              + "="
              + legacy.facts()
              + " and topic."
              + legacy.orderLinks()
              + "="
              + legacy.orderLinks());
    }
  }

  /**
   * Makes sure the ops topic has as many partitions as repayment-plan, creating it so if missing:
   * an ops command finds its plan through the plan-credit store of the same-numbered repayment-plan
   * partition, so with other counts it would miss its plan.
   */
  private static void prepareOpsTopic(
      final Admin admin, final TopicNames topics, final int planPartitions)
      throws InterruptedException {
    createMissing(admin, List.of(topics.ops()), planPartitions);
    final int opsPartitions = partitionCounts(admin, List.of(topics.ops())).get(topics.ops());
    if (opsPartitions != planPartitions) {
      throw new IllegalStateException(
          "topic "
              + topics.ops()
              + " has "
              + opsPartitions
              + " partitions but "
              + topics.repaymentPlan()
              + " has "
              + planPartitions
              + ": they "
              + "must match, since an ops command reaches its plan through the repayment-plan "
              + "partition of the same number");
    }
  }

  private static Map<String, Integer> partitionCounts(final Admin admin, final List<String> names)
      throws InterruptedException {
    final Map<String, Integer> counts = new HashMap<>();
    for (final String name : names) {
      try {
        final TopicDescription description = describeSoonAfterCreation(admin, name);
        counts.put(name, description.partitions().size());
      } catch (final ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          throw new IllegalStateException(
              "topic "
                  + name
                  + " does not exist: create it (or run "
                  + "./repayguard stack, which creates every topic)",
              e);
        }
        throw new IllegalStateException("cannot describe topic " + name + ": " + rootMessage(e), e);
      } catch (final TimeoutException e) {
        throw new IllegalStateException("timed out describing topic " + name, e);
      }
    }
    return counts;
  }

  /** Describes a topic, allowing a few seconds for one created just now to show everywhere. */
  private static TopicDescription describeSoonAfterCreation(final Admin admin, final String name)
      throws ExecutionException, InterruptedException, TimeoutException {
    final long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      try {
        return admin
            .describeTopics(List.of(name))
            .topicNameValues()
            .get(name)
            .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (final ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  private static void createMissing(
      final Admin admin, final List<String> names, final int partitions)
      throws InterruptedException {
    final Set<String> existing;
    try {
      existing = admin.listTopics().names().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list topics: " + rootMessage(e), e);
    }
    final List<NewTopic> missing = new ArrayList<>();
    for (final String name : names) {
      if (!existing.contains(name)) {
        missing.add(
            new NewTopic(name, Optional.of(partitions), Optional.empty())
                .configs(Map.of("retention.ms", "-1")));
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    try {
      admin.createTopics(missing).all().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      LOG.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
      awaitMetadata(admin, missing.stream().map(NewTopic::name).toList());
    } catch (final ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topics: " + rootMessage(e), e);
      }
    } catch (final TimeoutException e) {
      throw new IllegalStateException("timed out creating topics", e);
    }
  }

  /** Waits until new topics show in metadata: a create returns before every broker knows. */
  private static void awaitMetadata(final Admin admin, final List<String> names)
      throws InterruptedException {
    final long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
    while (true) {
      try {
        admin.describeTopics(names).allTopicNames().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return;
      } catch (final ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "created topics " + names + " did not appear: " + rootMessage(e), e);
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  private static String rootMessage(final Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
