package io.repayguard.cli;

import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.detector.http.DetectorHttpServer;
import io.repayguard.detector.http.PlanApi;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.HoldAction;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.Rule;
import io.repayguard.serde.AvroDeserializer;
import io.repayguard.serde.AvroSerdeConfig;
import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.GroupCatchUp;
import io.repayguard.sim.ScoreReader;
import io.repayguard.sim.Scoring;
import io.repayguard.sim.SimTopics;
import io.repayguard.sim.Simulation;
import io.repayguard.stack.LocalStack;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The whole product in one process: local stack, detector and simulator, then the score. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a local Kafka broker and schema registry, the detector and the "
          + "simulator in one process, prints a live summary every few seconds and ends with the "
          + "score table (precision and recall per rule). Ctrl-C stops early and still scores."
    })
final class DemoCommand implements Callable<Integer> {
  private static final String APPLICATION_ID = "repayguard-demo";
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration SUMMARY_EVERY = Duration.ofSeconds(5);

  /** How long Ctrl-C waits for the detector to drain and the score: catch-up waits up to 5. */
  private static final Duration STOP_WAIT = Duration.ofMinutes(7);

  /** Send times kept for the latency measure: minutes of events at demo rates. */
  private static final int LATENCY_MEMORY = 500_000;

  private static final String KAFKA_LOG =
      System.getenv()
          .getOrDefault(
              "REPAYGUARD_KAFKA_LOG",
              Path.of(System.getProperty("java.io.tmpdir"), "repayguard-kafka.log").toString());

  @ParentCommand RepayGuard parent;

  @Spec CommandSpec spec;

  @Mixin SimulationOptions simulation;

  @Option(
      names = "--duration",
      defaultValue = "2m",
      converter = Durations.class,
      description = "How long to simulate, unless --events is given (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description = "Broker port on 127.0.0.1; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--registry-port",
      defaultValue = "8081",
      description =
          "Schema registry port on 127.0.0.1; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description =
          "The detector's health and metrics on 127.0.0.1 (as detect --http-port); 0 picks a "
              + "free one (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--security",
      defaultValue = "plaintext",
      description =
          "plaintext, or sasl_ssl: the stack as stack --security sasl_ssl makes it, every client"
              + " of the demo on SASL_SSL and the registry on HTTPS with basic authentication"
              + " (default ${DEFAULT-VALUE}).")
  StackCommand.Security security;

  @Override
  public Integer call() throws Exception {
    final var options = simulation.simulator(Instant.now());
    final var run = simulation.run(duration, SimTopics.defaults());
    final long started = jvmStartNanos();
    final LocalStack stack =
        StackCommand.start(
            kafkaPort, registryPort, 6, null, security == StackCommand.Security.sasl_ssl);
    final Map<String, String> secured =
        stack
            .security()
            .map(s -> ConnectionOptions.readProperties(s.clientProperties()))
            .orElse(Map.of());
    final ClientSettings client =
        new ClientSettings(stack.bootstrapServers(), stack.schemaRegistryUrl(), secured);
    final Simulation sim = new Simulation(client, parent.out()).withoutProgress();
    final DetectionLatency latency = new DetectionLatency(LATENCY_MEMORY);
    sim.onSent(
        record -> {
          if (record.value() instanceof RepaymentEvent event) {
            latency.sent(event.getEventId(), System.nanoTime());
          }
        });
    // Ctrl-C: the hook stops the simulator and waits for this thread to drain, score and close;
    // exit() cannot be called while hooks run, so the hook halts with the code this thread sets.
    final CountDownLatch finished = new CountDownLatch(1);
    final AtomicBoolean stopping = new AtomicBoolean();
    final AtomicInteger exitCode = new AtomicInteger(UserException.UNUSABLE_ENVIRONMENT);
    final Thread hook =
        new Thread(
            () -> {
              stopping.set(true);
              sim.stop();
              try {
                if (!finished.await(STOP_WAIT.toMinutes(), TimeUnit.MINUTES)) {
                  spec.commandLine()
                      .getErr()
                      .println(
                          "repayguard: error: the demo did not stop within "
                              + STOP_WAIT.toMinutes()
                              + " minutes of Ctrl-C");
                }
              } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              parent.out().flush();
              spec.commandLine().getErr().flush();
              Runtime.getRuntime().halt(exitCode.get());
            },
            "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    final Path stateDir = Files.createTempDirectory("repayguard-demo-state");
    try (stack;
        DetectorRunner detector = startDetector(client, stateDir);
        DetectorHttpServer http = startHttp(detector, client);
        Monitor monitor = new Monitor(client, started, latency)) {
      if (!detector.awaitRunning(Duration.ofMinutes(1))) {
        throw new UserException(
            UserException.UNUSABLE_ENVIRONMENT,
            "the detector did not start within a minute (Kafka's logs: " + KAFKA_LOG + ")",
            null);
      }
      parent
          .out()
          .println(
              "demo: kafka="
                  + stack.bootstrapServers()
                  + " schema-registry="
                  + stack.schemaRegistryUrl()
                  + stack
                      .security()
                      .map(x -> " (SASL_SSL, client config " + x.clientProperties() + ")")
                      .orElse("")
                  + ", detector "
                  + APPLICATION_ID
                  + " running (dashboard at "
                  + http.uri()
                  + "/, health and metrics beside it), simulating "
                  + describe(run)
                  + " (Ctrl-C stops early and still scores; Kafka's own "
                  + "logs go to "
                  + KAFKA_LOG
                  + ")");
      final AtomicReference<Throwable> failed = new AtomicReference<>();
      final Thread producer =
          new Thread(
              () -> {
                try {
                  sim.run(options, run);
                } catch (final Throwable e) {
                  failed.set(e);
                }
              },
              "demo-simulator");
      producer.start();
      long nextSummary = System.nanoTime() + SUMMARY_EVERY.toNanos();
      while (producer.isAlive()) {
        monitor.poll();
        if (System.nanoTime() > nextSummary) {
          nextSummary += SUMMARY_EVERY.toNanos();
          parent.out().println(monitor.summary(sim.sent()));
        }
      }
      if (failed.get() != null) {
        throw new IllegalStateException(
            "the simulator failed: " + failed.get().getMessage(), failed.get());
      }
      parent.out().println("demo: simulator done; waiting for the detector to decide everything");
      try (GroupCatchUp catchUp = new GroupCatchUp(client.clientProperties(), APPLICATION_ID)) {
        while (!catchUp.caughtUp()) {
          monitor.poll();
          if (System.nanoTime() > nextSummary) {
            nextSummary += SUMMARY_EVERY.toNanos();
            parent.out().println(monitor.summary(sim.sent()));
          }
        }
        Thread.sleep(IDLE_TIMEOUT.plusSeconds(1).toMillis());
        catchUp.await(Duration.ofMinutes(5));
      }
      monitor.poll();
      parent.out().println(monitor.summary(sim.sent()));
      final Scoring.Report report =
          new ScoreReader(client)
              .score(SimTopics.GROUND_TRUTH, TopicNames.defaults().alerts(), Optional.empty());
      parent.out().print(report.render(5));
      parent.out().flush();
      exitCode.set(0);
    } catch (final Exception e) {
      if (stopping.get()) {
        // picocli would report it only after the hook has halted: report it here
        exitCode.set(RepayGuard.exitCode(e));
        spec.commandLine().getErr().println("repayguard: error: " + RepayGuard.message(e));
      }
      throw e;
    } finally {
      deleteQuietly(stateDir);
      finished.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (final IllegalStateException shuttingDown) {
      // the hook is running: it halts with exitCode once this returns
    }
    return 0;
  }

  /** Removes the detector's local state once it has closed; a leftover is only disk space. */
  static void deleteQuietly(final Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (final IOException e) {
      System.err.println("repayguard: could not delete " + dir + ": " + e.getMessage());
    }
  }

  /** When this JVM started, on the {@link System#nanoTime} scale: the user's start. */
  private static long jvmStartNanos() {
    final long sinceStartMillis =
        System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    return System.nanoTime() - sinceStartMillis * 1_000_000;
  }

  private String describe(final Simulation.Run run) {
    if (run.maxBorrowings().isPresent()) {
      return run.maxBorrowings().getAsLong() + " borrowings";
    }
    return run.maxEvents().isPresent()
        ? run.maxEvents().getAsLong() + " events"
        : duration.toSeconds() + " s";
  }

  private DetectorHttpServer startHttp(final DetectorRunner detector, final ClientSettings client) {
    try {
      return DetectorHttpServer.start(
          new InetSocketAddress("127.0.0.1", httpPort),
          detector.streams(),
          Optional.empty(),
          Optional.of(
              PlanApi.create(
                  detector.streams(), client.clientProperties(), detector.config().topics())));
    } catch (final IllegalStateException e) {
      throw new UserException(
          UserException.UNUSABLE_ENVIRONMENT, e.getMessage() + "; try --http-port 0", e);
    }
  }

  private static DetectorRunner startDetector(final ClientSettings client, final Path stateDir) {
    final DetectorConfig config =
        DetectorConfig.defaults(DetectorConfig.SourcePartitions.single())
            .withTopics(TopicNames.forApplication(APPLICATION_ID))
            .withIdleTimeout(IDLE_TIMEOUT);
    final Map<String, Object> props = new java.util.HashMap<>(client.clientProperties());
    props.put("commit.interval.ms", 100);
    return DetectorRunner.start(
        config, new DetectorRunner.Settings(APPLICATION_ID, stateDir, props));
  }

  /** Reads alerts and holds as they come and tells how far the detector is. */
  private static final class Monitor implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroDeserializer<Object> values = new AvroDeserializer<>();
    private final Admin admin;
    private final long started;
    private final DetectionLatency latency;
    private final Map<Rule, Long> opened = new EnumMap<>(Rule.class);
    private final Set<String> held = new HashSet<>();
    private long resolved;
    private Long firstAlertNanos;

    Monitor(final ClientSettings client, final long started, final DetectionLatency latency) {
      final Map<String, Object> props = client.clientProperties();
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
      values.configure(props, false);
      this.consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      final TopicNames t = TopicNames.defaults();
      final List<TopicPartition> partitions = new java.util.ArrayList<>();
      for (final String topic : List.of(t.alerts(), t.holdCommands())) {
        consumer
            .partitionsFor(topic, Duration.ofSeconds(15))
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      this.admin = Admin.create(client.clientProperties());
      this.started = started;
      this.latency = latency;
    }

    void poll() {
      for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        final Object value = values.deserialize(r.topic(), r.value());
        if (value instanceof Alert a && a.getStatus() == AlertStatus.OPEN) {
          opened.merge(a.getRule(), 1L, Long::sum);
          latency.alerted(a.getTriggeringEventId(), System.nanoTime());
          if (firstAlertNanos == null) {
            firstAlertNanos = System.nanoTime();
          }
        } else if (value instanceof Alert) {
          resolved++;
        } else if (value instanceof HoldCommand h) {
          if (h.getAction() == HoldAction.HOLD) {
            held.add(h.getPlanId());
          } else {
            held.remove(h.getPlanId());
          }
        }
      }
    }

    /** Three lines: traffic and progress, alerts by rule, holds and latency. */
    String summary(final long eventsIn) {
      final StringBuilder rules = new StringBuilder();
      opened.forEach(
          (rule, n) ->
              rules.append(rules.isEmpty() ? ": " : ", ").append(rule).append(' ').append(n));
      return String.format(
          Locale.ROOT,
          "[%3.0f s] events in %d | detector lag %s | first alert after %s%n"
              + "        alerts opened %d%s | resolved %d%n"
              + "        holds active %d | detection latency %s",
          (System.nanoTime() - started) / 1e9,
          eventsIn,
          lag(),
          firstAlertNanos == null
              ? "-"
              : String.format(Locale.ROOT, "%.1f s", (firstAlertNanos - started) / 1e9),
          opened.values().stream().mapToLong(Long::longValue).sum(),
          rules,
          resolved,
          held.size(),
          latency.describe());
    }

    /**
     * Records the detector has not committed yet, over its inputs and its internal topics, or "?"
     * when unknown. Commit markers count, so a few remain while the detector is busy.
     */
    private String lag() {
      try {
        final Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(APPLICATION_ID)
                .partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS);
        final Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
        long lag = 0;
        for (final var e : admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).entrySet()) {
          lag += Math.max(0, e.getValue().offset() - committed.get(e.getKey()).offset());
        }
        return lag + " records";
      } catch (final ExecutionException | java.util.concurrent.TimeoutException e) {
        return "?";
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
        return "?";
      }
    }

    @Override
    public void close() {
      consumer.close();
      admin.close();
    }
  }
}
