package io.repayguard.cli;

import static io.repayguard.events.Events.aCreditUse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.repayguard.events.CreditUse;
import io.repayguard.serde.AvroSerdeConfig;
import io.repayguard.serde.HttpSchemaRegistryClient;
import io.repayguard.serde.SchemaRegistryClient;
import io.repayguard.serde.SchemaRegistryException;
import io.repayguard.serde.SpecificAvroSerde;
import io.repayguard.serde.UnknownSchemaIdException;
import io.repayguard.stack.LocalStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Our serde and registry client against the local HTTP registry and a real broker. */
@Tag("integration")
class RegistryAndSerdeTest {
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
  void shouldRoundTripThroughBrokerWithTheSerde() {
    // Given
    final LocalStack stack = harness.stack();
    final String topic = "serde-" + UUID.randomUUID();
    LocalStack.createTopics(stack.bootstrapServers(), 1, List.of(topic));
    final Map<String, Object> props = harness.client().clientProperties();
    final SpecificAvroSerde<CreditUse> serde = new SpecificAvroSerde<>(CreditUse.getClassSchema());
    serde.configure(props, false);
    final CreditUse sent = aCreditUse().build();

    // When
    try (KafkaProducer<String, CreditUse> producer =
        new KafkaProducer<>(props, new StringSerializer(), serde.serializer())) {
      producer.send(new ProducerRecord<>(topic, "c1", sent));
    }
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    final CreditUse received;
    try (KafkaConsumer<String, CreditUse> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), serde.deserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
      ConsumerRecord<String, CreditUse> first = null;
      final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (first == null && System.nanoTime() < deadline) {
        for (final ConsumerRecord<String, CreditUse> r : consumer.poll(Duration.ofMillis(200))) {
          first = r;
        }
      }
      received = first == null ? null : first.value();
    }

    // Then
    assertThat(received).isEqualTo(sent);
  }

  @Test
  void shouldSpeakTheRegistryProtocol() {
    // Given
    final SchemaRegistryClient client =
        new HttpSchemaRegistryClient(harness.stack().schemaRegistryUrl(), Optional.empty());
    final String subject = "proto-" + UUID.randomUUID() + "-value";

    // When
    final int id = client.register(subject, CreditUse.getClassSchema());

    // Then
    assertThat(client.idOf(subject, CreditUse.getClassSchema())).isEqualTo(id);
    assertThat(client.schemaById(id)).isEqualTo(CreditUse.getClassSchema());
    assertThat(client.latest(subject))
        .isEqualTo(new SchemaRegistryClient.RegisteredSchema(id, 1, CreditUse.getClassSchema()));
    assertThatThrownBy(() -> client.schemaById(987_654))
        .isInstanceOf(UnknownSchemaIdException.class);
  }

  @Test
  void shouldRefuseIncompatibleSchemaWith409() {
    // Given
    final SchemaRegistryClient client =
        new HttpSchemaRegistryClient(harness.stack().schemaRegistryUrl(), Optional.empty());
    final String subject = "compat-" + UUID.randomUUID() + "-value";
    client.register(subject, CreditUse.getClassSchema());
    final Schema required =
        SchemaBuilder.record("CreditUse")
            .namespace("io.repayguard.events")
            .fields()
            .requiredString("creditId")
            .requiredString("mandatoryNewField")
            .endRecord();

    // When / Then
    assertThatThrownBy(() -> client.register(subject, required))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(409));
  }

  @Test
  void shouldSayRegistryIsUnreachable() {
    final SchemaRegistryClient client =
        AvroSerdeConfig.from(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1"))
            .newClient();

    assertThatThrownBy(() -> client.schemaById(1))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(-1))
        .hasMessageContaining("schema registry at http://127.0.0.1:1 is unreachable");
  }
}
