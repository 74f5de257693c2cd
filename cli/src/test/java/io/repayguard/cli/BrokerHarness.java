package io.repayguard.cli;

import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.events.Alert;
import io.repayguard.events.HoldCommand;
import io.repayguard.serde.AvroDeserializer;
import io.repayguard.serde.AvroSerdeConfig;
import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.GroupCatchUp;
import io.repayguard.sim.Publisher;
import io.repayguard.sim.TopicReader;
import io.repayguard.stack.LocalStack;
import io.repayguard.stack.StackOptions;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A real local stack for broker-backed tests, and helpers to run the detector on topics of its own,
 * publish files through {@link Publisher} and read every output back.
 */
final class BrokerHarness implements AutoCloseable {
  static final int PARTITIONS = 6;
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);
  static final Duration WATERMARK_INTERVAL = Duration.ofMillis(200);

  private final LocalStack stack;

  BrokerHarness() {
    this.stack = LocalStack.start(new StackOptions(0, 0, PARTITIONS, null, List.of()));
  }

  LocalStack stack() {
    return stack;
  }

  ClientSettings client() {
    return new ClientSettings(stack.bootstrapServers(), stack.schemaRegistryUrl(), Map.of());
  }

  /** Topic names unique to one test, so tests never see each other's records. */
  static TopicNames uniqueTopics(final String label) {
    final String p = label + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    final TopicNames d = TopicNames.defaults();
    return new TopicNames(
        p + d.creditUse(),
        p + d.merchantOrder(),
        p + d.repaymentPlan(),
        p + d.ops(),
        p + d.alerts(),
        p + d.holdCommands(),
        p + d.dlq(),
        p + d.orderLinks(),
        p + d.facts());
  }

  /** The test defaults: DESIGN.md's rules, a short idle timeout so barriers are quick. */
  static DetectorConfig config(final TopicNames topics) {
    return DetectorConfig.defaults(DetectorConfig.SourcePartitions.single())
        .withTopics(topics)
        .withIdleTimeout(IDLE_TIMEOUT)
        .withWatermarkInterval(WATERMARK_INTERVAL);
  }

  /** Creates the inputs with {@link #PARTITIONS} partitions and starts a detector on them. */
  DetectorRunner startDetector(
      final DetectorConfig config, final String applicationId, final Path stateDir) {
    return startDetector(config, applicationId, stateDir, PARTITIONS);
  }

  /** Creates the inputs with {@code partitions} partitions and starts a detector on them. */
  DetectorRunner startDetector(
      final DetectorConfig config,
      final String applicationId,
      final Path stateDir,
      final int partitions) {
    LocalStack.createTopics(stack.bootstrapServers(), partitions, config.topics().inputs());
    final Map<String, Object> props = new HashMap<>(client().clientProperties());
    props.put("commit.interval.ms", 100);
    return DetectorRunner.start(
        config, new DetectorRunner.Settings(applicationId, stateDir, props));
  }

  /** Publishes {@code file} into {@code topics}, waiting for {@code group} at barriers. */
  void publish(final Path file, final TopicNames topics, final String group)
      throws InterruptedException {
    final TopicNames d = TopicNames.defaults();
    new Publisher(client(), new PrintStream(PrintStream.nullOutputStream()))
        .publish(
            new Publisher.Options(
                file,
                java.util.Optional.of(group),
                Duration.ZERO,
                IDLE_TIMEOUT,
                Duration.ofMinutes(2),
                Map.of(
                    d.creditUse(),
                    topics.creditUse(),
                    d.merchantOrder(),
                    topics.merchantOrder(),
                    d.repaymentPlan(),
                    topics.repaymentPlan(),
                    d.ops(),
                    topics.ops())));
  }

  /** Waits as a barrier does: the group caught up, its inputs idle, and caught up again. */
  void barrier(final String group) throws InterruptedException {
    try (GroupCatchUp catchUp = new GroupCatchUp(client().clientProperties(), group)) {
      catchUp.await(Duration.ofMinutes(2));
      Thread.sleep(IDLE_TIMEOUT.plusSeconds(1).toMillis());
      catchUp.await(Duration.ofMinutes(2));
    }
  }

  /** Every committed record of the output topics, projected like an expected-outputs file. */
  List<Map<String, String>> outputsAsExpected(final TopicNames topics) {
    final List<Map<String, String>> outputs = new ArrayList<>();
    for (final ConsumerRecord<byte[], byte[]> r : readAll(topics.alerts())) {
      final Alert a = (Alert) decode(r);
      outputs.add(
          new TreeMap<>(
              Map.of(
                  "topic",
                  "repayment-alerts",
                  "key",
                  key(r),
                  "rule",
                  a.getRule().name(),
                  "severity",
                  a.getSeverity().name(),
                  "status",
                  a.getStatus().name())));
    }
    for (final ConsumerRecord<byte[], byte[]> r : readAll(topics.holdCommands())) {
      outputs.add(
          new TreeMap<>(
              Map.of(
                  "topic",
                  "repayment-hold-commands",
                  "key",
                  key(r),
                  "action",
                  ((HoldCommand) decode(r)).getAction().name())));
    }
    for (final ConsumerRecord<byte[], byte[]> r : readAll(topics.dlq())) {
      outputs.add(new TreeMap<>(Map.of("topic", "repayguard-dlq", "key", key(r))));
    }
    return outputs;
  }

  /** Decoded alerts of {@code topic}, in partition then offset order. */
  List<Alert> alerts(final String topic) {
    return readAll(topic).stream().map(r -> (Alert) decode(r)).toList();
  }

  /** Decoded hold commands of {@code topic}, in partition then offset order. */
  List<HoldCommand> holds(final String topic) {
    return readAll(topic).stream().map(r -> (HoldCommand) decode(r)).toList();
  }

  /** Every committed record of {@code topic}, read_committed, up to its settled end. */
  List<ConsumerRecord<byte[], byte[]>> readAll(final String topic) {
    try (TopicReader reader = new TopicReader(client())) {
      return reader.records(topic);
    }
  }

  private Object decode(final ConsumerRecord<byte[], byte[]> record) {
    final AvroDeserializer<Object> values = new AvroDeserializer<>();
    values.configure(
        Map.of(
            AvroSerdeConfig.SCHEMA_REGISTRY_URL,
            stack.schemaRegistryUrl(),
            AvroSerdeConfig.SPECIFIC_AVRO_READER,
            true),
        false);
    return values.deserialize(record.topic(), record.value());
  }

  private static String key(final ConsumerRecord<byte[], byte[]> record) {
    return record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8);
  }

  static Path scenario(final String name) {
    try {
      return Path.of(BrokerHarness.class.getResource("/scenarios/" + name).toURI());
    } catch (final java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path tempDir(final String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (final java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stack.close();
  }
}
