package io.repayguard.cli;

import static io.repayguard.events.Events.aRepaymentEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.repayguard.detector.AvroBinarySerde;
import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.detector.facts.Fact;
import io.repayguard.events.Alert;
import io.repayguard.events.CreditUse;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.Rule;
import io.repayguard.scenario.ExpectedOutputs;
import io.repayguard.scenario.ScenarioFile;
import io.repayguard.serde.SpecificAvroSerde;
import io.repayguard.stack.LocalStack;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The detector against a real broker beyond the golden files: a restart mid-stream, a producer that
 * speaks Confluent's protocol with a newer schema, and the CLI's publish and tail.
 *
 * <p>The cases run side by side, each on topics of its own; the two that use the CLI's default
 * topic names hold a lock on them.
 */
@Tag("integration")
class BrokerEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEFAULT_TOPICS = "the CLI's default topics";
  private static BrokerHarness harness;

  @BeforeAll
  static void startStack() {
    harness = new BrokerHarness();
  }

  @AfterAll
  static void stopStack() {
    harness.close();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldProduceExactOutputsWhenDetectorRestartsMidStreamWithEmptyLocalState(
      @TempDir final Path dir) throws Exception {
    // Given: scenario 05 split after its second barrier, where the plan is held and pending
    final List<String> lines =
        Files.readAllLines(BrokerHarness.scenario("05-late-borrowing-after-grace.jsonl"));
    final int split = nthBarrier(lines, 2) + 1;
    final Path first = Files.write(dir.resolve("first.jsonl"), lines.subList(0, split));
    final Path second =
        Files.write(dir.resolve("second.jsonl"), lines.subList(split, lines.size()));
    final TopicNames topics = BrokerHarness.uniqueTopics("restart");
    final String group = "it-restart-" + topics.creditUse().substring(8, 16);

    // When: the first half, a stop, a start from the changelogs alone, the second half
    try (DetectorRunner detector =
        harness.startDetector(BrokerHarness.config(topics), group, dir.resolve("state-1"))) {
      harness.publish(first, topics, group);
    }
    try (DetectorRunner detector =
        harness.startDetector(BrokerHarness.config(topics), group, dir.resolve("state-2"))) {
      harness.publish(second, topics, group);
      harness.barrier(group);
    }

    // Then: read_committed, every output exactly once
    assertThat(harness.outputsAsExpected(topics))
        .containsExactlyInAnyOrderElementsOf(
            ExpectedOutputs.read(
                BrokerHarness.scenario("05-late-borrowing-after-grace.expected.jsonl")));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldKeepTwoDetectorsWithDifferentApplicationIdsOutOfEachOthersFactsLog() throws Exception {
    // Given: two detectors on the same inputs, each with its own id and outputs, names defaulted
    final TopicNames inputs = BrokerHarness.uniqueTopics("two-ids");
    final String suffix = inputs.creditUse().substring(8, 16);
    final String eu = "it-eu-" + suffix;
    final String us = "it-us-" + suffix;
    final TopicNames euTopics = ownTopics(inputs, eu);
    final TopicNames usTopics = ownTopics(inputs, us);
    final Path scenario = BrokerHarness.scenario("09-account-mismatch-foreign.jsonl");
    final long borrowings =
        Files.readAllLines(scenario).stream()
            .filter(line -> line.contains("\"topic\":\"credit-use\""))
            .count();

    // When: both run at once over one publication
    try (DetectorRunner one =
            harness.startDetector(
                BrokerHarness.config(euTopics), eu, BrokerHarness.tempDir("rg-eu"));
        DetectorRunner other =
            harness.startDetector(
                BrokerHarness.config(usTopics), us, BrokerHarness.tempDir("rg-us"))) {
      harness.publish(scenario, inputs, eu);
      harness.barrier(us);
    }

    // Then: each facts log holds each borrowing once, and each detector decided exactly
    assertThat(euTopics.facts()).isEqualTo(eu + "-facts");
    assertThat(usTopics.orderLinks()).isEqualTo(us + "-order-links");
    for (final TopicNames own : List.of(euTopics, usTopics)) {
      assertThat(borrowingFacts(own.facts())).as(own.facts()).isEqualTo(borrowings);
      assertThat(harness.outputsAsExpected(own))
          .as(own.alerts())
          .containsExactlyInAnyOrderElementsOf(
              ExpectedOutputs.read(
                  BrokerHarness.scenario("09-account-mismatch-foreign.expected.jsonl")));
    }
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldRefuseToLeaveTheFactsLogItReadUnderItsOldName() throws Exception {
    // Given: a detector that ran on the facts log's old name
    final TopicNames inputs = BrokerHarness.uniqueTopics("legacy");
    final String id = "it-legacy-" + inputs.creditUse().substring(7, 15);
    final TopicNames legacy = TopicNames.defaults();
    final TopicNames old =
        new TopicNames(
            inputs.creditUse(),
            inputs.merchantOrder(),
            inputs.repaymentPlan(),
            inputs.ops(),
            inputs.alerts(),
            inputs.holdCommands(),
            inputs.dlq(),
            legacy.orderLinks(),
            legacy.facts());
    try (DetectorRunner detector =
        harness.startDetector(BrokerHarness.config(old), id, BrokerHarness.tempDir("rg-old"))) {
      harness.publish(BrokerHarness.scenario("01-happy-path.jsonl"), inputs, id);
    }

    // When / Then: started with the names of its id, it refuses in one line saying what to set
    final Path state = BrokerHarness.tempDir("rg-new");
    assertThatThrownBy(
            () -> harness.startDetector(BrokerHarness.config(ownTopics(inputs, id)), id, state))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has read the facts log repayguard-facts")
        .hasMessageContaining("topic.repayguard-facts=repayguard-facts")
        .hasMessageContaining("topic.repayguard-order-links=repayguard-order-links")
        .hasMessageNotContaining("\n");
  }

  /** {@code inputs} with outputs of {@code applicationId}'s own, and its facts log by default. */
  private static TopicNames ownTopics(final TopicNames inputs, final String applicationId) {
    final TopicNames named = TopicNames.forApplication(applicationId);
    return new TopicNames(
        inputs.creditUse(),
        inputs.merchantOrder(),
        inputs.repaymentPlan(),
        inputs.ops(),
        applicationId + "." + named.alerts(),
        applicationId + "." + named.holdCommands(),
        applicationId + "." + named.dlq(),
        named.orderLinks(),
        named.facts());
  }

  /** Facts in {@code topic} carrying a borrowing. */
  private static long borrowingFacts(final String topic) {
    final AvroBinarySerde<Fact> facts = new AvroBinarySerde<>(Fact.getClassSchema());
    return harness.readAll(topic).stream()
        .filter(r -> r.value() != null)
        .filter(r -> facts.decode(r.value()).getPayload() instanceof CreditUse)
        .count();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldReadAForeignProducersNewerSchemaWithAnExtraOptionalField() throws Exception {
    // Given: a producer that registers its own schema over HTTP and frames values by hand
    final TopicNames topics = BrokerHarness.uniqueTopics("foreign");
    final String group = "it-foreign-" + topics.creditUse().substring(8, 16);
    final String scenario = "06-order-cancelled";

    try (DetectorRunner detector =
        harness.startDetector(
            BrokerHarness.config(topics), group, BrokerHarness.tempDir("rg-foreign"))) {
      // When
      publishAsForeignClient(BrokerHarness.scenario(scenario + ".jsonl"), topics, group);
      harness.barrier(group);
    }

    // Then
    assertThat(harness.outputsAsExpected(topics))
        .containsExactlyInAnyOrderElementsOf(
            ExpectedOutputs.read(BrokerHarness.scenario(scenario + ".expected.jsonl")));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  @ResourceLock(DEFAULT_TOPICS)
  void shouldPublishWithTheCliAndTailDecodedRecords(@TempDir final Path dir) throws Exception {
    // Given
    final LocalStack stack = harness.stack();
    final Path file =
        Files.writeString(
            dir.resolve("one.jsonl"),
            Files.readAllLines(BrokerHarness.scenario("14-cash-withdrawal.jsonl")).get(0) + "\n");
    LocalStack.createTopics(stack.bootstrapServers(), 1, List.of("credit-use"));
    final Map<String, String> env =
        Map.of(
            "REPAYGUARD_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
            "REPAYGUARD_SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl());

    // When
    final RepayGuardCliTest.Run published =
        RepayGuardCliTest.run(env, "publish", file.toString(), "--barrier-wait", "0s");
    final RepayGuardCliTest.Run tailed =
        RepayGuardCliTest.run(env, "tail", "credit-use", "--from-beginning", "--max", "1");

    // Then
    assertThat(published.exitCode()).isZero();
    assertThat(published.out())
        .contains(
            "sent credit-use key=c14 eventTime=2026-03-01T00:00:00Z",
            "published 1 records, 0 barriers");
    assertThat(tailed.exitCode()).isZero();
    final JsonNode line = JSON.readTree(tailed.out().lines().findFirst().orElseThrow());
    assertThat(line.get("key").asText()).isEqualTo("c14");
    assertThat(line.get("timestamp").asLong()).isEqualTo(1772323200000L);
    assertThat(line.get("value").get("creditId").asText()).isEqualTo("c14");
    assertThat(line.get("value").get("status").asText()).isEqualTo("APPROVED");
    assertThat(line.get("value").get("merchantOrderId").isNull()).isTrue();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  @ResourceLock(DEFAULT_TOPICS)
  void shouldSendNothingWhenALineIsBad(@TempDir final Path dir) throws Exception {
    // Given: a good first line and a bad third line, to a topic of its own
    final LocalStack stack = harness.stack();
    final List<String> lines =
        new ArrayList<>(
            Files.readAllLines(BrokerHarness.scenario("14-cash-withdrawal.jsonl")).subList(0, 2));
    lines.add("{\"topic\":\"credit-use\",\"key\":\"x\",\"value\":{\"creditId\":\"x\"}}");
    final Path file = Files.write(dir.resolve("bad.jsonl"), lines);
    LocalStack.createTopics(stack.bootstrapServers(), 1, List.of("credit-use", "repayment-plan"));
    final long before = harness.readAll("credit-use").size();
    final long plansBefore = harness.readAll("repayment-plan").size();
    final Map<String, String> env =
        Map.of(
            "REPAYGUARD_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
            "REPAYGUARD_SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl());

    // When
    final RepayGuardCliTest.Run run = RepayGuardCliTest.run(env, "publish", file.toString());

    // Then
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("line 3: missing field CreditUse.accountId");
    assertThat(harness.readAll("credit-use")).hasSize((int) before);
    assertThat(harness.readAll("repayment-plan")).hasSize((int) plansBefore);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldPublishWholeAlertsWithDeterministicIds() throws Exception {
    // Given
    final TopicNames topics = BrokerHarness.uniqueTopics("alert");
    final String group = "it-alert-" + topics.creditUse().substring(6, 14);

    // When
    try (DetectorRunner detector =
        harness.startDetector(
            BrokerHarness.config(topics), group, BrokerHarness.tempDir("rg-alert"))) {
      harness.publish(BrokerHarness.scenario("09-account-mismatch-foreign.jsonl"), topics, group);
      harness.barrier(group);
    }

    // Then
    final List<Alert> alerts = harness.alerts(topics.alerts());
    assertThat(alerts).hasSize(1);
    final Alert alert = alerts.get(0);
    assertThat(alert.getAlertId()).isEqualTo("p9/ACCOUNT_MISMATCH/1");
    assertThat(alert.getTriggeringEventId()).isEqualTo("p9-c");
    assertThat(alert.getAccountId()).isEqualTo("a-stranger");
    assertThat(alert.getCreditId()).isEqualTo("c9");
    assertThat(alert.getEventTime().toEpochMilli()).isEqualTo(1772323320000L);
    assertThat(alert.getDecidedAt().toEpochMilli())
        .isGreaterThanOrEqualTo(1772323320000L + 300_000);
    assertThat(alert.getEvidence())
        .containsEntry("borrowerAccountId", "a9")
        .containsEntry("planAccountId", "a-stranger")
        .containsEntry("sameIdentity", "false");
    assertThat(alert.getExplanation()).contains("p9", "a-stranger", "c9", "a9");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void shouldDecideALoneRepaymentEventAboutGraceLaterByTheWallClock() throws Exception {
    // Given: grace 3 s, idle timeout 1 s, and nothing but one orphan plan event
    final TopicNames topics = BrokerHarness.uniqueTopics("lone");
    final String group = "it-lone-" + topics.creditUse().substring(5, 13);
    final DetectorConfig config = BrokerHarness.config(topics).withGrace(Duration.ofSeconds(3));
    final long eventTime = System.currentTimeMillis() - 60_000;

    try (DetectorRunner detector =
            harness.startDetector(config, group, BrokerHarness.tempDir("rg-lone"));
        KafkaProducer<String, RepaymentEvent> producer =
            new KafkaProducer<>(
                harness.client().clientProperties(), new StringSerializer(), repaymentSerde())) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> detector.streams().state() == KafkaStreams.State.RUNNING);

      // When
      final long sentAt = System.nanoTime();
      producer
          .send(
              new ProducerRecord<>(
                  topics.repaymentPlan(),
                  null,
                  eventTime,
                  "p-lone",
                  aRepaymentEvent()
                      .setPlanId("p-lone")
                      .setEventId("p-lone-c")
                      .setCreditId("c-none")
                      .setEventTime(Instant.ofEpochMilli(eventTime))
                      .build()))
          .get();

      // Then: the idle clock carries detector time past eventTime + grace within about 10 s
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> !harness.alerts(topics.alerts()).isEmpty());
      final Duration latency = Duration.ofNanos(System.nanoTime() - sentAt);
      System.out.println("lone event decided after " + latency.toMillis() + " ms");
      final Alert alert = harness.alerts(topics.alerts()).get(0);
      assertThat(alert.getRule()).isEqualTo(Rule.NO_BORROWING);
      assertThat(alert.getDecidedAt().toEpochMilli()).isGreaterThanOrEqualTo(eventTime + 3_000);
      assertThat(latency).isLessThan(Duration.ofSeconds(15));
    }
  }

  private static org.apache.kafka.common.serialization.Serializer<RepaymentEvent> repaymentSerde() {
    final SpecificAvroSerde<RepaymentEvent> serde =
        new SpecificAvroSerde<>(RepaymentEvent.getClassSchema());
    serde.configure(harness.client().clientProperties(), false);
    return serde.serializer();
  }

  private static int nthBarrier(final List<String> lines, final int n) {
    int seen = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"barrier\"") && ++seen == n) {
        return i;
      }
    }
    throw new IllegalArgumentException("fewer than " + n + " barriers");
  }

  /** Registers each value schema plus an optional field over raw HTTP and frames by hand. */
  private static void publishAsForeignClient(
      final Path file, final TopicNames topics, final String group) throws Exception {
    final Map<String, Object> props = harness.client().clientProperties();
    final Map<String, Integer> ids = new java.util.HashMap<>();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (final ScenarioFile.Line line : ScenarioFile.read(file)) {
        if (line instanceof ScenarioFile.Publish p) {
          final String topic = topicFor(p.topic(), topics);
          final Schema newer = withChannel(p.value().getSchema());
          final int id = ids.computeIfAbsent(topic, t -> register(t + "-value", newer));
          producer
              .send(
                  new ProducerRecord<>(
                      topic,
                      null,
                      p.timestamp(),
                      p.key(),
                      frame(id, newer, copyWithChannel(p.value(), newer))))
              .get();
        } else {
          producer.flush();
          harness.barrier(group);
        }
      }
    }
  }

  private static String topicFor(final String defaultName, final TopicNames topics) {
    return switch (defaultName) {
      case "credit-use" -> topics.creditUse();
      case "merchant-order" -> topics.merchantOrder();
      default -> topics.repaymentPlan();
    };
  }

  private static Schema withChannel(final Schema base) {
    final List<Schema.Field> fields = new ArrayList<>();
    for (final Schema.Field f : base.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(
        new Schema.Field(
            "channel",
            SchemaBuilder.unionOf().nullType().and().stringType().endUnion(),
            "Sales channel, added by a newer producer.",
            Schema.Field.NULL_DEFAULT_VALUE));
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
  }

  private static GenericRecord copyWithChannel(final GenericRecord value, final Schema newer) {
    final GenericData.Record copy = new GenericData.Record(newer);
    for (final Schema.Field f : value.getSchema().getFields()) {
      final Object v = value.get(f.name());
      copy.put(
          f.name(),
          v instanceof GenericData.EnumSymbol e
              ? new GenericData.EnumSymbol(newer.getField(f.name()).schema(), e.toString())
              : v);
    }
    copy.put("channel", "app");
    return copy;
  }

  private static int register(final String subject, final Schema schema) {
    try {
      final String body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
      final HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              harness.stack().schemaRegistryUrl()
                                  + "/subjects/"
                                  + subject
                                  + "/versions"))
                      .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return JSON.readTree(response.body()).get("id").asInt();
    } catch (final java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] frame(final int id, final Schema schema, final GenericRecord value)
      throws java.io.IOException {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(value, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
