package io.repayguard.stack;

import static io.repayguard.stack.KafkaTestClients.admin;
import static io.repayguard.stack.KafkaTestClients.producer;
import static io.repayguard.stack.KafkaTestClients.readAtLeast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restarts a broker on the same data directory and finds the data again. */
class LocalKafkaPersistenceTest {

  @TempDir Path dataDir;

  @Test
  void shouldKeepTopicsRecordsAndClusterIdAcrossARestartOnTheSameDirectory() throws Exception {
    // Given
    final String clusterIdBefore;
    try (LocalKafka kafka = LocalKafka.start(0, dataDir)) {
      LocalStack.createTopics(kafka.bootstrapServers(), 1, List.of("durable"));
      try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers(), Map.of());
          Admin admin = admin(kafka.bootstrapServers())) {
        producer.send(new ProducerRecord<>("durable", "k", "survives")).get();
        clusterIdBefore = admin.describeCluster().clusterId().get();
      }
    }
    assertThat(dataDir.resolve("meta.properties")).exists();

    // When
    try (LocalKafka restarted = LocalKafka.start(0, dataDir);
        Admin admin = admin(restarted.bootstrapServers())) {

      // Then
      assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterIdBefore);
      final List<ConsumerRecord<String, String>> read =
          readAtLeast(restarted.bootstrapServers(), "durable", "read_uncommitted", 1);
      assertThat(read)
          .extracting(ConsumerRecord::key, ConsumerRecord::value)
          .containsExactly(tuple("k", "survives"));
    }
    assertThat(dataDir).exists();
  }

  @Test
  void shouldRefuseToStartSecuredOnDataFirstStartedWithoutSecurity() {
    try (LocalKafka kafka = LocalKafka.start(0, dataDir)) {
      assertThat(kafka.security()).isEmpty();
    }

    assertThatThrownBy(() -> LocalKafka.start(0, dataDir, Map.of(), true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the Kafka data in "
                + dataDir.toAbsolutePath()
                + " was first started without SASL_SSL, and its users cannot be added now:"
                + " start the secured stack on a new data directory");
  }
}
