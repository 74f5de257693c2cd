package io.repayguard.cli;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aMerchantOrder;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.TopicNames;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.serde.AvroDeserializer;
import io.repayguard.serde.AvroSerdeConfig;
import io.repayguard.serde.AvroSerializer;
import io.repayguard.serde.MockSchemaRegistry;
import io.repayguard.serde.SpecificAvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The peers {@code bench} measures the detector against do what their Javadoc says. */
class BenchPeersTest {
  private static final TopicNames TOPICS = TopicNames.defaults();
  private static final String OUTPUT = "bench-out";
  private static final Duration GRACE = Duration.ofMinutes(5);

  private final String scope = "bench-peers-" + UUID.randomUUID();
  private final Map<String, Object> serdeConfig =
      Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope);
  private final AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
  private Path stateDir;
  private TopologyTestDriver driver;

  @BeforeEach
  void setUp() throws IOException {
    values.configure(serdeConfig, false);
    stateDir = Files.createTempDirectory("bench-peers-test");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (driver != null) {
      driver.close();
    }
    Utils.delete(stateDir.toFile());
    MockSchemaRegistry.dropScope(scope);
  }

  @Test
  void shouldCopyEveryInputRecordToTheOutput() {
    // Given
    start(BenchPeers.buildPassThrough(TOPICS, OUTPUT));
    final CreditUse borrowing = aCreditUse().build();
    final MerchantOrder order = aMerchantOrder().build();
    final RepaymentEvent repayment = aRepaymentEvent().build();
    // When
    publish(TOPICS.creditUse(), "c1", borrowing, T0);
    publish(TOPICS.merchantOrder(), "o1", order, T0);
    publish(TOPICS.repaymentPlan(), "p1", repayment, T0);
    // Then
    assertThat(output())
        .containsExactly(
            new Out("c1", borrowing, T0), new Out("o1", order, T0), new Out("p1", repayment, T0));
  }

  @Test
  void shouldNotWriteRepaymentWhoseBorrowingIsKnown() {
    // Given
    start(joinTopology());
    publish(TOPICS.creditUse(), "c1", aCreditUse().build(), T0);
    // When
    publishRepayment("p1", "c1", 1);
    flushGraceBuffer();
    // Then
    assertThat(output()).isEmpty();
  }

  @Test
  void shouldWriteRepaymentWhoseBorrowingNeverArrived() {
    // Given
    start(joinTopology());
    publish(TOPICS.creditUse(), "c1", aCreditUse().build(), T0);
    // When
    final RepaymentEvent repayment = publishRepayment("p2", "c-unknown", 1);
    flushGraceBuffer();
    // Then
    assertThat(output()).containsExactly(new Out("c-unknown", repayment, T0 + minutes(1)));
  }

  @Test
  void shouldWriteRepaymentThatNamesNoBorrowing() {
    // Given
    start(joinTopology());
    // When
    final RepaymentEvent repayment = publishRepayment("p3", null, 1);
    flushGraceBuffer();
    // Then
    assertThat(output()).containsExactly(new Out(BenchPeers.NO_CREDIT, repayment, T0 + minutes(1)));
  }

  @Test
  void shouldMatchBorrowingPublishedAfterItsPlanWithinGrace() {
    // Given
    start(joinTopology());
    publishRepayment("p1", "c1", 1);
    // When: the borrowing, dated before the plan, is published after it
    publish(TOPICS.creditUse(), "c1", aCreditUse().build(), T0);
    flushGraceBuffer();
    // Then
    assertThat(output()).isEmpty();
  }

  private Topology joinTopology() {
    final SpecificAvroSerde<RepaymentEvent> repayments =
        new SpecificAvroSerde<>(RepaymentEvent.getClassSchema());
    repayments.configure(serdeConfig, false);
    return BenchPeers.buildUnmatchedJoin(TOPICS, OUTPUT, repayments.deserializer(), GRACE);
  }

  private void start(final Topology topology) {
    final Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-peers-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    driver = new TopologyTestDriver(topology, props);
  }

  private void publish(
      final String topic, final String key, final SpecificRecord value, final long timestamp) {
    final TestInputTopic<String, SpecificRecord> input =
        driver.createInputTopic(topic, new StringSerializer(), values);
    input.pipeInput(key, value, timestamp);
  }

  /**
   * A repayment event of plan {@code planId}, {@code minutes} after T0, naming {@code creditId}.
   */
  private RepaymentEvent publishRepayment(
      final String planId, final String creditId, final long minutes) {
    final RepaymentEvent event =
        aRepaymentEvent()
            .setPlanId(planId)
            .setEventId(planId + "-c")
            .setCreditId(creditId)
            .setEventTime(at(Duration.ofMinutes(minutes)))
            .build();
    publish(TOPICS.repaymentPlan(), planId, event, T0 + minutes(minutes));
    return event;
  }

  /** A later repayment event moves the join's stream time past every earlier one's grace. */
  private void flushGraceBuffer() {
    publishRepayment("p-clock", "c1", GRACE.toMinutes() + 60);
  }

  /** One output record: key, decoded value, timestamp. */
  private record Out(String key, Object value, long timestamp) {}

  private List<Out> output() {
    final AvroDeserializer<Object> decoded = new AvroDeserializer<>();
    decoded.configure(
        Map.of(
            AvroSerdeConfig.SCHEMA_REGISTRY_URL,
            "mock://" + scope,
            AvroSerdeConfig.SPECIFIC_AVRO_READER,
            true),
        false);
    return driver
        .createOutputTopic(OUTPUT, new StringDeserializer(), decoded)
        .readRecordsToList()
        .stream()
        .map(r -> new Out(r.key(), r.value(), r.timestamp()))
        .toList();
  }

  private static long minutes(final long n) {
    return Duration.ofMinutes(n).toMillis();
  }
}
