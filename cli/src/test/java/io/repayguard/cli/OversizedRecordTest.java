package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.scenario.ExpectedOutputs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, a poison record: an input the broker took at nearly its 1 MiB limit cannot be copied
 * into a dead letter with headers (the letter would be over the detector's producer limit, and
 * Kafka Streams would stop the thread on it at every restart). The detector dead-letters it without
 * its value and goes on deciding.
 */
@Tag("integration")
class OversizedRecordTest {
  /** As large as the broker's default message.max.bytes lets a producer send, headers aside. */
  private static final int NEARLY_ONE_MIB = 1_048_588 - 200;

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
  void shouldDeadLetterARecordAtTheBrokersLimitAndKeepDeciding() throws Exception {
    // Given
    final TopicNames topics = BrokerHarness.uniqueTopics("big");
    final String group = "it-big-" + topics.creditUse().substring(4, 12);
    try (DetectorRunner detector =
        harness.startDetector(
            BrokerHarness.config(topics), group, BrokerHarness.tempDir("rg-big"))) {
      final byte[] junk = new byte[NEARLY_ONE_MIB];
      Arrays.fill(junk, (byte) 'x');

      // When: the oversized record, then a whole scenario after it
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              harness.client().clientProperties(),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.repaymentPlan(), "p-junk".getBytes(StandardCharsets.UTF_8), junk))
            .get();
      }
      harness.publish(BrokerHarness.scenario("02-no-borrowing.jsonl"), topics, group);
      harness.barrier(group);

      // Then
      assertThat(detector.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
      final List<Map<String, String>> expected =
          new ArrayList<>(
              ExpectedOutputs.read(BrokerHarness.scenario("02-no-borrowing.expected.jsonl")));
      expected.add(Map.of("topic", "repayguard-dlq", "key", "p-junk"));
      assertThat(harness.outputsAsExpected(topics)).containsExactlyInAnyOrderElementsOf(expected);
    }
  }
}
