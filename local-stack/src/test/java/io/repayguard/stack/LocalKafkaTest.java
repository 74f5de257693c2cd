package io.repayguard.stack;

import static io.repayguard.stack.KafkaTestClients.TIMEOUT;
import static io.repayguard.stack.KafkaTestClients.admin;
import static io.repayguard.stack.KafkaTestClients.earliestOffset;
import static io.repayguard.stack.KafkaTestClients.producer;
import static io.repayguard.stack.KafkaTestClients.readAtLeast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs one in-process broker for all its tests and checks what the project relies on. */
class LocalKafkaTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  private static LocalKafka kafka;

  @BeforeAll
  static void startBroker() {
    // Retention is checked every 200 ms from the start, so a topic that would lose old
    // records loses them while the test watches.
    kafka =
        LocalKafka.start(
            0,
            null,
            Map.of("log.retention.check.interval.ms", "200", "log.initial.task.delay.ms", "0"));
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void shouldListenOnLoopbackOnly() {
    assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
  }

  @Test
  void shouldProduceAndConsumeAPlainRecord() throws Exception {
    // Given
    LocalStack.createTopics(kafka.bootstrapServers(), 1, List.of("plain"));

    // When
    try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers(), Map.of())) {
      producer.send(new ProducerRecord<>("plain", 0, T0.toEpochMilli(), "k1", "v1")).get();
    }

    // Then
    final List<ConsumerRecord<String, String>> read =
        readAtLeast(kafka.bootstrapServers(), "plain", "read_uncommitted", 1);
    assertThat(read)
        .extracting(ConsumerRecord::key, ConsumerRecord::value, ConsumerRecord::timestamp)
        .containsExactly(tuple("k1", "v1", T0.toEpochMilli()));
  }

  @Test
  void shouldShowReadCommittedConsumersOnlyCommittedTransactions() throws Exception {
    // Given
    LocalStack.createTopics(kafka.bootstrapServers(), 1, List.of("transactional"));

    // When
    try (KafkaProducer<String, String> producer =
        producer(
            kafka.bootstrapServers(),
            Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "local-kafka-test-tx"))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("transactional", "k", "aborted")).get();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("transactional", "k", "committed"));
      producer.commitTransaction();
    }

    // Then
    final List<ConsumerRecord<String, String>> read =
        readAtLeast(kafka.bootstrapServers(), "transactional", "read_committed", 1);
    assertThat(read).extracting(ConsumerRecord::value).containsExactly("committed");
  }

  @Test
  void shouldCreateTopicsThatKeepRecordsWhateverTheirTimestamps() throws Exception {
    // Given
    LocalStack.createTopics(kafka.bootstrapServers(), 2, List.of("kept-a", "kept-b"));
    try (Admin admin = admin(kafka.bootstrapServers())) {
      admin.createTopics(List.of(new NewTopic("no-config", 1, (short) 1))).all().get();

      // When
      final Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(
                  List.of(
                      topicResource("kept-a"), topicResource("kept-b"), topicResource("no-config")))
              .all()
              .get();

      // Then
      assertThat(configs.values())
          .extracting(config -> config.get("retention.ms").value())
          .containsExactly("-1", "-1", "-1");
      assertThat(
              admin
                  .describeTopics(List.of("kept-a"))
                  .allTopicNames()
                  .get()
                  .get("kept-a")
                  .partitions())
          .hasSize(2);
    }
  }

  @Test
  void shouldKeepARecordStamped300DaysAgoWhileAOneDayRetentionTopicDropsIt() throws Exception {
    // Given
    LocalStack.createTopics(kafka.bootstrapServers(), 1, List.of("history"));
    final long stamped = Instant.now().toEpochMilli() - 300 * DAY_MS;
    try (Admin admin = admin(kafka.bootstrapServers());
        KafkaProducer<String, String> producer = producer(kafka.bootstrapServers(), Map.of())) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("one-day", 1, (short) 1)
                      .configs(Map.of("retention.ms", Long.toString(DAY_MS)))))
          .all()
          .get();

      // When
      producer.send(new ProducerRecord<>("history", 0, stamped, "k", "old")).get();
      producer.send(new ProducerRecord<>("one-day", 0, stamped, "k", "old")).get();
      await().atMost(TIMEOUT).until(() -> earliestOffset(admin, "one-day") == 1L);

      // Then
      assertThat(earliestOffset(admin, "history")).isZero();
    }
    final List<ConsumerRecord<String, String>> read =
        readAtLeast(kafka.bootstrapServers(), "history", "read_uncommitted", 1);
    assertThat(read)
        .extracting(ConsumerRecord::offset, ConsumerRecord::value, ConsumerRecord::timestamp)
        .containsExactly(tuple(0L, "old", stamped));
  }

  @Test
  void shouldIgnoreTopicsThatAlreadyExist() throws Exception {
    // Given
    LocalStack.createTopics(kafka.bootstrapServers(), 3, List.of("twice"));

    // When
    LocalStack.createTopics(kafka.bootstrapServers(), 1, List.of("twice", "fresh"));

    // Then
    try (Admin admin = admin(kafka.bootstrapServers())) {
      assertThat(admin.describeTopics(List.of("twice", "fresh")).allTopicNames().get())
          .extractingFromEntries(
              entry -> entry.getKey(), entry -> entry.getValue().partitions().size())
          .containsExactlyInAnyOrder(tuple("twice", 3), tuple("fresh", 1));
    }
  }

  @Test
  void shouldFailToStartOnAPortThatIsTaken() throws Exception {
    // Given
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {

      // When / Then
      assertThatThrownBy(() -> LocalKafka.start(taken.getLocalPort(), null))
          .hasStackTraceContaining("Address already in use");
    }
  }

  private static ConfigResource topicResource(final String topic) {
    return new ConfigResource(ConfigResource.Type.TOPIC, topic);
  }
}
