package io.repayguard.detector;

import io.repayguard.events.Alert;
import io.repayguard.events.CreditUse;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.scenario.ScenarioFile;
import io.repayguard.serde.AvroDeserializer;
import io.repayguard.serde.AvroSerdeConfig;
import io.repayguard.serde.AvroSerializer;
import io.repayguard.serde.MockSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The detector topology in a TopologyTestDriver, with the scenario files' vocabulary: publish a
 * record, pass a barrier, read the outputs.
 *
 * <p>A barrier advances the driver's wall clock past the idle timeout, then a few watermark
 * intervals more, so every partition reports idle and every due decision runs.
 */
final class DetectorTestDriver implements AutoCloseable {
  static final Instant WALL_START = Instant.parse("2026-11-01T00:00:00Z");

  private final String scope = "ttd-" + UUID.randomUUID();
  private final DetectorConfig config;
  private final TopologyTestDriver driver;
  private final Map<String, Object> serdeConfig;
  private final AvroSerializer<GenericContainer> valueSerializer = new AvroSerializer<>();
  private final AvroDeserializer<Object> valueDeserializer = new AvroDeserializer<>();
  private final Path stateDir;
  private final List<TestRecord<byte[], byte[]>> facts = new ArrayList<>();
  private final List<TestRecord<String, Object>> alerts = new ArrayList<>();
  private final List<TestRecord<String, Object>> holds = new ArrayList<>();
  private final List<TestRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
  private final TestOutputTopic<String, Object> alertTopic;
  private final TestOutputTopic<String, Object> holdTopic;
  private final TestOutputTopic<byte[], byte[]> dlqTopic;

  DetectorTestDriver() {
    this(DetectorConfig.defaults(DetectorConfig.SourcePartitions.single()));
  }

  DetectorTestDriver(final DetectorConfig config) {
    this(config, InputLag.NO_CONSUMER);
  }

  /** A driver whose ingest asks {@code inputLag} whether a partition is read to its end. */
  DetectorTestDriver(final DetectorConfig config, final InputLag inputLag) {
    this.config = config;
    this.serdeConfig =
        Map.of(
            AvroSerdeConfig.SCHEMA_REGISTRY_URL,
            "mock://" + scope,
            AvroSerdeConfig.SPECIFIC_AVRO_READER,
            true);
    valueSerializer.configure(serdeConfig, false);
    valueDeserializer.configure(serdeConfig, false);
    try {
      this.stateDir = Files.createTempDirectory("repayguard-ttd");
    } catch (final java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    final Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ttd");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    this.driver =
        new TopologyTestDriver(
            DetectorTopology.build(config, DetectorSerdes.fromConfig(serdeConfig), inputLag),
            props,
            WALL_START);
    final TopicNames topics = config.topics();
    this.alertTopic =
        driver.createOutputTopic(topics.alerts(), new StringDeserializer(), valueDeserializer);
    this.holdTopic =
        driver.createOutputTopic(
            topics.holdCommands(), new StringDeserializer(), valueDeserializer);
    this.dlqTopic =
        driver.createOutputTopic(
            topics.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  DetectorConfig config() {
    return config;
  }

  /** How many records the detector has written to its facts log so far: the next offset. */
  long factsWritten() {
    return factRecords().size();
  }

  /** Every record the detector has written to its facts log so far, in offset order. */
  List<TestRecord<byte[], byte[]>> factRecords() {
    facts.addAll(
        driver
            .createOutputTopic(
                config.topics().facts(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
            .readRecordsToList());
    return List.copyOf(facts);
  }

  /** The store named {@code name} as the topology holds it now. */
  <K, V> org.apache.kafka.streams.state.KeyValueStore<K, V> store(final String name) {
    return driver.getKeyValueStore(name);
  }

  /** Publishes one scenario line: a record, or a barrier. */
  void apply(final ScenarioFile.Line line) {
    if (line instanceof ScenarioFile.Publish publish) {
      publish(publish.topic(), publish.key(), publish.value(), publish.timestamp());
    } else {
      barrier();
    }
  }

  /** Publishes an Avro value (specific or generic) with record timestamp {@code timestamp}. */
  void publish(
      final String topic, final String key, final GenericContainer value, final long timestamp) {
    final TestInputTopic<String, GenericContainer> input =
        driver.createInputTopic(topicName(topic), new StringSerializer(), valueSerializer);
    input.pipeInput(key, value, timestamp);
  }

  /** Publishes a borrowing to credit-use under its creditId, at its eventTime. */
  void publish(final CreditUse value) {
    publish("credit-use", value.getCreditId(), value, value.getEventTime().toEpochMilli());
  }

  /** Publishes an order to merchant-order under its orderId, at its eventTime. */
  void publish(final MerchantOrder value) {
    publish("merchant-order", value.getOrderId(), value, value.getEventTime().toEpochMilli());
  }

  /** Publishes a repayment event to repayment-plan under its planId, at its eventTime. */
  void publish(final RepaymentEvent value) {
    publish("repayment-plan", value.getPlanId(), value, value.getEventTime().toEpochMilli());
  }

  /** Publishes an analyst's command to repayguard-ops under its planId, at its issuedAt. */
  void publish(final OpsCommand value) {
    publish("repayguard-ops", value.getPlanId(), value, value.getIssuedAt().toEpochMilli());
  }

  /** The bytes a well-behaved producer writes for {@code value} (Confluent wire format). */
  byte[] encode(final String topic, final GenericContainer value) {
    return valueSerializer.serialize(topicName(topic), value);
  }

  /** Publishes raw bytes, as a foreign or broken producer might. */
  void publishRaw(final String topic, final byte[] key, final byte[] value, final long timestamp) {
    final TestInputTopic<byte[], byte[]> input =
        driver.createInputTopic(
            topicName(topic), new ByteArraySerializer(), new ByteArraySerializer());
    input.pipeInput(key, value, timestamp);
  }

  /** Lets every partition go idle and every due decision run. */
  void barrier() {
    driver.advanceWallClockTime(config.idleTimeout().plus(config.watermarkInterval()));
    for (int i = 0; i < 4; i++) {
      driver.advanceWallClockTime(config.watermarkInterval());
    }
  }

  /** Advances only the wall clock, by {@code amount}. */
  void advanceWallClock(final Duration amount) {
    driver.advanceWallClockTime(amount);
  }

  List<Alert> alerts() {
    drain();
    return alerts.stream().map(r -> (Alert) r.value()).toList();
  }

  /** Alert records with their keys and timestamps. */
  List<TestRecord<String, Object>> alertRecords() {
    drain();
    return List.copyOf(alerts);
  }

  List<HoldCommand> holds() {
    drain();
    return holds.stream().map(r -> (HoldCommand) r.value()).toList();
  }

  List<TestRecord<byte[], byte[]>> deadLetters() {
    drain();
    return List.copyOf(deadLetters);
  }

  /** The dead letters counted so far, over every task (metric {@code dead-letter-total}). */
  double deadLetterCount() {
    return repayguardMetricTotal("dead-letter-total");
  }

  /**
   * Analysts' commands that changed nothing, over every task (metric ops-command-ignored-total).
   */
  double opsIgnoredCount() {
    return repayguardMetricTotal("ops-command-ignored-total");
  }

  private double repayguardMetricTotal(final String name) {
    return driver.metrics().entrySet().stream()
        .filter(
            e ->
                e.getKey().name().equals(name)
                    && e.getKey().group().equals("stream-repayguard-metrics"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .sum();
  }

  /** Every output so far, projected as the scenario files' expected lines are. */
  List<Map<String, String>> outputsAsExpected() {
    drain();
    final List<Map<String, String>> outputs = new ArrayList<>();
    alerts.forEach(r -> outputs.add(expectedLine(r.key(), (Alert) r.value())));
    holds.forEach(r -> outputs.add(expectedLine(r.key(), (HoldCommand) r.value())));
    deadLetters.forEach(r -> outputs.add(expectedDeadLetterLine(r.key())));
    return outputs;
  }

  /** An alert as a scenario file's expected line names it. */
  static Map<String, String> expectedLine(final String key, final Alert a) {
    return new TreeMap<>(
        Map.of(
            "topic",
            "repayment-alerts",
            "key",
            key,
            "rule",
            a.getRule().name(),
            "severity",
            a.getSeverity().name(),
            "status",
            a.getStatus().name()));
  }

  /** A hold command as a scenario file's expected line names it. */
  static Map<String, String> expectedLine(final String key, final HoldCommand h) {
    return new TreeMap<>(
        Map.of("topic", "repayment-hold-commands", "key", key, "action", h.getAction().name()));
  }

  /** A dead letter as a scenario file's expected line names it. */
  static Map<String, String> expectedDeadLetterLine(final byte[] key) {
    return new TreeMap<>(
        Map.of(
            "topic",
            "repayguard-dlq",
            "key",
            key == null ? "null" : new String(key, java.nio.charset.StandardCharsets.UTF_8)));
  }

  private void drain() {
    alerts.addAll(alertTopic.readRecordsToList());
    holds.addAll(holdTopic.readRecordsToList());
    deadLetters.addAll(dlqTopic.readRecordsToList());
  }

  private String topicName(final String defaultName) {
    final TopicNames topics = config.topics();
    return switch (defaultName) {
      case "credit-use" -> topics.creditUse();
      case "merchant-order" -> topics.merchantOrder();
      case "repayment-plan" -> topics.repaymentPlan();
      case "repayguard-ops" -> topics.ops();
      default -> defaultName;
    };
  }

  @Override
  public void close() {
    driver.close();
    MockSchemaRegistry.dropScope(scope);
    try {
      Utils.delete(stateDir.toFile());
    } catch (final java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
