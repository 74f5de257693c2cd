package io.repayguard.stack;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a real single-node Apache Kafka broker in this JVM, in KRaft mode with the broker and
 * controller roles combined in one node.
 *
 * <p>The node is Kafka's own {@code kafka.server.KafkaRaftServer}, the class behind {@code
 * kafka-server-start.sh}. Before the first start its storage is formatted with {@link Formatter},
 * like {@code kafka-storage.sh format}; the quorum is static ({@code controller.quorum.voters},
 * {@code kraft.version=0}), so a persistent data directory can be restarted with other ports. Every
 * listener binds 127.0.0.1 only: {@code PLAINTEXT} for clients (or, secured, {@code SASL_SSL} and
 * {@code MTLS}) and {@code CONTROLLER}, on a free port of its own, for the quorum.
 *
 * <p>The configuration makes transactions and {@code exactly_once_v2} Kafka Streams work on one
 * node (every internal topic with replication factor 1 and min ISR 1), disables topic
 * auto-creation, creates new topics with 1 partition, and keeps records whatever their timestamps
 * ({@code log.retention.ms=-1}, {@code log.retention.bytes=-1}) unless a topic says otherwise.
 * Kafka's default {@code log.message.timestamp.after.max.ms} (one hour) stays: a record stamped
 * more than an hour ahead of the broker's clock is refused, records from any time in the past are
 * accepted. Share and streams groups are available as Kafka 4.4 enables them by default; nothing
 * unstable is turned on.
 *
 * <p>The broker logs through SLF4J and is chatty at INFO; an application that embeds it usually
 * sets {@code kafka}, {@code org.apache.kafka}, {@code state.change.logger} and {@code
 * org.apache.kafka.clients} (client config dumps) to WARN.
 */
public final class LocalKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

  private static final int NODE_ID = 1;
  private static final String HOST = "127.0.0.1";
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String SECURED_LISTENER = "SASL_SSL";

  /** The secured broker's second client listener: TLS with client certificates (mTLS). */
  private static final String MTLS_LISTENER = "MTLS";

  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String META_PROPERTIES = "meta.properties";

  private final KafkaRaftServer server;
  private final int port;

  /** The mTLS listener's port on a secured broker; 0 otherwise. */
  private final int mtlsPort;

  private final Path dataDir;
  private final boolean deleteDataOnClose;
  private boolean closed;

  private final LocalSecurity security;

  private LocalKafka(
      final KafkaRaftServer server,
      final int port,
      final int mtlsPort,
      final Path dataDir,
      final boolean deleteDataOnClose,
      final LocalSecurity security) {
    this.security = security;
    this.server = server;
    this.port = port;
    this.mtlsPort = mtlsPort;
    this.dataDir = dataDir;
    this.deleteDataOnClose = deleteDataOnClose;
  }

  /**
   * Formats storage if needed, starts the broker and returns once it serves clients.
   *
   * @param port the client port on 127.0.0.1, or 0 to pick a free one
   * @param dataDirOrNull where the broker keeps its data across restarts (formatted only if it is
   *     not formatted yet), or null for a temporary directory deleted on {@link #close()}
   */
  public static LocalKafka start(final int port, final Path dataDirOrNull) {
    return start(port, dataDirOrNull, Map.of());
  }

  /**
   * Like {@link #start(int, Path)}, with broker properties that override the local defaults.
   *
   * <p>Meant for tests that need, say, a faster retention check; listener, node and directory
   * settings are not meant to be overridden.
   */
  public static LocalKafka start(
      final int port, final Path dataDirOrNull, final Map<String, String> brokerOverrides) {
    return start(port, dataDirOrNull, brokerOverrides, false);
  }

  /**
   * Like {@link #start(int, Path, Map)}; {@code secured} serves clients on a SASL_SSL listener
   * (SCRAM-SHA-512, see {@link LocalSecurity}) instead of PLAINTEXT, and on a second one, TLS with
   * client certificates (mTLS), on the next port ({@code port + 1}, or a free one for port 0).
   */
  public static LocalKafka start(
      final int port,
      final Path dataDirOrNull,
      final Map<String, String> brokerOverrides,
      final boolean secured) {
    final long startNanos = System.nanoTime();
    final int brokerPort = FreePorts.orFree(port);
    final int controllerPort = controllerPortOtherThan(brokerPort);
    final int mtlsPort =
        !secured
            ? 0
            : port == 0
                ? FreePorts.pick(3).stream()
                    .filter(p -> p != brokerPort && p != controllerPort)
                    .findFirst()
                    .orElseThrow()
                : port + 1;
    final boolean temporary = dataDirOrNull == null;
    final Path dir =
        temporary ? createTempDir() : createDirectories(dataDirOrNull.toAbsolutePath());
    final KafkaRaftServer server;
    final LocalSecurity security;
    try {
      if (secured
          && Files.exists(dir.resolve(META_PROPERTIES))
          && !Files.exists(LocalSecurity.securityDir(dir))) {
        throw new IllegalStateException(
            "the Kafka data in "
                + dir
                + " was first started without SASL_SSL, and its users cannot be added now:"
                + " start the secured stack on a new data directory");
      }
      security = secured ? LocalSecurity.prepare(dir) : null;
      final Map<String, Object> props =
          brokerConfig(brokerPort, controllerPort, mtlsPort, dir, brokerOverrides, security);
      formatIfNeeded(dir, security);
      server = startServer(new KafkaConfig(props, false));
    } catch (final RuntimeException e) {
      if (temporary) {
        delete(dir);
        if (secured) {
          delete(LocalSecurity.securityDir(dir));
        }
      }
      throw e;
    }
    LOG.info(
        "Kafka broker ready at {}:{} in {} ms, data in {}",
        HOST,
        brokerPort,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        dir);
    final LocalKafka kafka = new LocalKafka(server, brokerPort, mtlsPort, dir, temporary, security);
    if (security != null) {
      try {
        security.writeClientFiles(HOST + ":" + brokerPort, HOST + ":" + mtlsPort, Optional.empty());
      } catch (final RuntimeException e) {
        kafka.close();
        throw e;
      }
    }
    return kafka;
  }

  /**
   * The properties the stack's own clients connect with: bootstrap servers, and the security of a
   * secured broker.
   */
  public Map<String, Object> clientProperties() {
    final Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers());
    if (security != null) {
      props.putAll(security.adminClient());
    }
    return props;
  }

  /** The security of a broker started secured; empty for a PLAINTEXT one. */
  public Optional<LocalSecurity> security() {
    return Optional.ofNullable(security);
  }

  /** Returns the address clients bootstrap from, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /** The address of the mTLS listener of a secured broker. */
  public Optional<String> mtlsBootstrapServers() {
    return security == null ? Optional.empty() : Optional.of(HOST + ":" + mtlsPort);
  }

  /**
   * Shuts the broker down cleanly and waits until it has stopped.
   *
   * <p>A temporary data directory is deleted afterwards; a given one is kept. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop(server);
    if (deleteDataOnClose) {
      delete(dataDir);
      if (security != null) {
        delete(LocalSecurity.securityDir(dataDir));
      }
    }
    LOG.info("Kafka broker at {} stopped", bootstrapServers());
  }

  private static Map<String, Object> brokerConfig(
      final int brokerPort,
      final int controllerPort,
      final int mtlsPort,
      final Path dir,
      final Map<String, String> overrides,
      final LocalSecurity security) {
    final String brokerListener = security == null ? BROKER_LISTENER : SECURED_LISTENER;
    final String mtls = security == null ? "" : "," + MTLS_LISTENER + "://" + HOST + ":" + mtlsPort;
    final Map<String, Object> props = new LinkedHashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put(
        "listeners",
        brokerListener
            + "://"
            + HOST
            + ":"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + HOST
            + ":"
            + controllerPort
            + mtls);
    props.put("advertised.listeners", brokerListener + "://" + HOST + ":" + brokerPort + mtls);
    props.put(
        "listener.security.protocol.map",
        brokerListener
            + ":"
            + brokerListener
            + ","
            + CONTROLLER_LISTENER
            + ":PLAINTEXT"
            + (security == null ? "" : "," + MTLS_LISTENER + ":SSL"));
    props.put("inter.broker.listener.name", brokerListener);
    if (security != null) {
      props.putAll(security.brokerProperties(brokerListener, MTLS_LISTENER));
    }
    props.put("log.dirs", dir.toString());
    props.put("metadata.log.dir", dir.toString());

    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("min.insync.replicas", "1");
    props.put("default.replication.factor", "1");
    props.put("num.partitions", "1");
    props.put("auto.create.topics.enable", "false");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("log.retention.ms", "-1");
    props.put("log.retention.bytes", "-1");
    // The default 128 MiB compaction buffer is sized for production logs, not a laptop.
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    props.putAll(overrides);
    return props;
  }

  private static void formatIfNeeded(final Path dir, final LocalSecurity security) {
    if (Files.exists(dir.resolve(META_PROPERTIES))) {
      LOG.debug("Kafka storage in {} is already formatted", dir);
      return;
    }
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(output, true, UTF_8)) {
      new Formatter()
          .setPrintStream(print)
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setMetadataLogDirectory(dir.toString())
          .addDirectory(dir.toString())
          .setScramArguments(security == null ? List.of() : security.scramArguments())
          .run();
    } catch (final Exception e) {
      throw new IllegalStateException("Cannot format Kafka storage in " + dir, e);
    }
    LOG.debug("Formatted Kafka storage: {}", output.toString(UTF_8).strip());
  }

  private static KafkaRaftServer startServer(final KafkaConfig config) {
    final KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      server.startup();
      return server;
    } catch (final RuntimeException e) {
      try {
        stop(server);
      } catch (final RuntimeException stopFailure) {
        e.addSuppressed(stopFailure);
      }
      throw e;
    }
  }

  private static int controllerPortOtherThan(final int brokerPort) {
    return FreePorts.pick(2).stream()
        .filter(candidate -> candidate != brokerPort)
        .findFirst()
        .orElseThrow();
  }

  private static void stop(final KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory("repayguard-kafka-");
    } catch (final IOException e) {
      throw new UncheckedIOException("Cannot create a temporary Kafka data directory", e);
    }
  }

  private static Path createDirectories(final Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (final IOException e) {
      throw new UncheckedIOException("Cannot create Kafka data directory " + dir, e);
    }
  }

  private static void delete(final Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (final IOException e) {
      throw new UncheckedIOException("Cannot delete Kafka data directory " + dir, e);
    }
  }
}
