package io.repayguard.stack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.repayguard.stack.SchemaStore.ConfigChange;
import io.repayguard.stack.SchemaStore.Registration;
import io.repayguard.stack.SchemaStore.SchemaVersion;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the schema registry's state durable in the compacted Kafka topic {@code _schemas} and
 * rebuilds a {@link SchemaStore} from it.
 *
 * <p>Every change is written to the topic ({@code acks=all}, the send awaited) before the store
 * applies it, so an answered request survives a restart; on {@link #open} the topic is read from
 * its beginning to its end. The topic has one partition and {@code cleanup.policy=compact}. Its
 * records are UTF-8 JSON, key and value:
 *
 * <ul>
 *   <li>a subject version: key {@code {"keytype":"SCHEMA","subject":S,"version":V}}, value {@code
 *       {"subject":S,"version":V,"id":ID,"schema":"<canonical Avro schema>"}};
 *   <li>a compatibility level: key {@code {"keytype":"CONFIG","subject":S}} ({@code null} subject
 *       for the global level), value {@code {"compatibilityLevel":"BACKWARD"}}.
 * </ul>
 *
 * Each key names one fact, so compaction keeps every version and the latest level of each scope.
 * Records with another keytype or a null value are skipped. One registry writes to the topic at a
 * time: it does not follow changes that another registry makes after it started.
 */
final class SchemaLog implements AutoCloseable {

  static final String TOPIC = "_schemas";

  private static final Logger LOG = LoggerFactory.getLogger(SchemaLog.class);
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
  private static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(60);
  private static final long WRITE_TIMEOUT_SECONDS = 30;
  private static final String SCHEMA_KEYTYPE = "SCHEMA";
  private static final String CONFIG_KEYTYPE = "CONFIG";

  private record SchemaKey(String keytype, String subject, int version) {}

  private record ConfigKey(String keytype, String subject) {}

  private record ConfigValue(String compatibilityLevel) {}

  private final KafkaProducer<String, String> producer;
  private final SchemaStore store;
  private final ObjectMapper json;

  private SchemaLog(
      final KafkaProducer<String, String> producer,
      final SchemaStore store,
      final ObjectMapper json) {
    this.producer = producer;
    this.store = store;
    this.json = json;
  }

  /**
   * Creates the topic if missing, replays it into {@code store} and returns the log to write to.
   */
  static SchemaLog open(
      final Map<String, Object> client, final SchemaStore store, final ObjectMapper json) {
    Topics.createIfMissing(
        client,
        List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))));
    final int replayed = replay(client, store, json);
    LOG.info("Schema registry state rebuilt from {} record(s) of {}", replayed, TOPIC);
    return new SchemaLog(producer(client), store, json);
  }

  /**
   * Registers a schema under a subject and returns its global id, writing a new version to the
   * topic first; a schema the subject already has is answered without a write.
   */
  synchronized int register(final String subject, final String schemaText) {
    final Registration registration = store.planRegistration(subject, schemaText);
    final SchemaVersion version = registration.version();
    if (registration.isNew()) {
      append(
          new SchemaKey(SCHEMA_KEYTYPE, subject, version.version()),
          version,
          "registering a schema");
      store.apply(version);
    }
    return version.id();
  }

  /** Sets the compatibility level of a subject, or the global one for a null subject. */
  synchronized void setCompatibility(final String subjectOrNull, final CompatibilityLevel level) {
    append(
        new ConfigKey(CONFIG_KEYTYPE, subjectOrNull),
        new ConfigValue(level.name()),
        "updating compatibility");
    store.apply(new ConfigChange(subjectOrNull, level));
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }

  private void append(final Object key, final Object value, final String what) {
    try {
      final ProducerRecord<String, String> record =
          new ProducerRecord<>(
              TOPIC,
              PARTITION.partition(),
              json.writeValueAsString(key),
              json.writeValueAsString(value));
      producer.send(record).get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (final ExecutionException e) {
      throw RegistryException.storeFailed(what, e.getCause());
    } catch (final JsonProcessingException | TimeoutException e) {
      throw RegistryException.storeFailed(what, e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryException.storeFailed(what, e);
    }
  }

  private static int replay(
      final Map<String, Object> client, final SchemaStore store, final ObjectMapper json) {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(client))) {
      consumer.assign(List.of(PARTITION));
      consumer.seekToBeginning(List.of(PARTITION));
      final long end = consumer.endOffsets(List.of(PARTITION), REPLAY_TIMEOUT).get(PARTITION);
      final long deadline = System.nanoTime() + REPLAY_TIMEOUT.toNanos();
      int replayed = 0;
      while (consumer.position(PARTITION, REPLAY_TIMEOUT) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Timed out reading " + TOPIC + " up to offset " + end);
        }
        for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          replayRecord(record, store, json);
          replayed++;
        }
      }
      return replayed;
    }
  }

  private static void replayRecord(
      final ConsumerRecord<String, String> record,
      final SchemaStore store,
      final ObjectMapper json) {
    if (record.key() == null || record.value() == null) {
      return;
    }
    try {
      final JsonNode key = json.readTree(record.key());
      final String keytype = key.path("keytype").asText();
      if (SCHEMA_KEYTYPE.equals(keytype)) {
        store.apply(json.readValue(record.value(), SchemaVersion.class));
      } else if (CONFIG_KEYTYPE.equals(keytype)) {
        final String subject = key.path("subject").isTextual() ? key.get("subject").asText() : null;
        final String level = json.readValue(record.value(), ConfigValue.class).compatibilityLevel();
        store.apply(
            new ConfigChange(
                subject,
                CompatibilityLevel.parse(level)
                    .orElseThrow(
                        () ->
                            new IllegalStateException(
                                "Unknown compatibility level "
                                    + level
                                    + " at offset "
                                    + record.offset()
                                    + " of "
                                    + TOPIC))));
      } else {
        LOG.warn(
            "Skipping record of unknown keytype '{}' at offset {} of {}",
            keytype,
            record.offset(),
            TOPIC);
      }
    } catch (final JsonProcessingException e) {
      throw new IllegalStateException(
          "Unreadable record at offset " + record.offset() + " of " + TOPIC, e);
    }
  }

  private static Map<String, Object> consumerConfig(final Map<String, Object> client) {
    final Map<String, Object> config = new HashMap<>(client);
    config.putAll(
        Map.of(
            ConsumerConfig.CLIENT_ID_CONFIG,
            "repayguard-schema-registry-replay",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class));
    return config;
  }

  private static KafkaProducer<String, String> producer(final Map<String, Object> client) {
    final Map<String, Object> config = new HashMap<>(client);
    config.putAll(
        Map.of(
            ProducerConfig.CLIENT_ID_CONFIG,
            "repayguard-schema-registry",
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.LINGER_MS_CONFIG,
            0,
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            15_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
            10_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
            20_000,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class));
    return new KafkaProducer<>(config);
  }
}
