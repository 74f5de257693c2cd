package io.repayguard.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.repayguard.serde.AvroDeserializer;
import io.repayguard.serde.SchemaRegistryException;
import io.repayguard.serde.UnknownSchemaIdException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Prints the records of a topic as JSON lines (key, decoded value, timestamp), read_committed, like
 * kafka-avro-console-consumer.
 *
 * <p>Values in Confluent's wire format are decoded with the writer's schema from the registry;
 * anything else (not that format, an id the registry does not know, bytes the schema does not read)
 * is printed as base64 under {@code valueBase64}. A registry that cannot be reached or refuses the
 * client stops the tail with its error: no value would decode. Headers are printed when present.
 */
public final class Tail {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What to read.
   *
   * @param max stop after this many records
   * @param quietExit stop when nothing arrived for this long
   */
  public record Options(
      String topic, boolean fromBeginning, OptionalLong max, Optional<Duration> quietExit) {}

  private final ClientSettings settings;
  private final PrintStream out;

  public Tail(final ClientSettings settings, final PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /** Reads and prints until {@code max}, {@code quietExit}, or interruption; returns the count. */
  public long run(final Options options) {
    final Map<String, Object> props = settings.clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    final AvroDeserializer<Object> values = new AvroDeserializer<>();
    values.configure(props, false);
    long count = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(options.topic(), Duration.ofSeconds(15)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException("topic " + options.topic() + " does not exist");
      }
      consumer.assign(partitions);
      if (options.fromBeginning()) {
        consumer.seekToBeginning(partitions);
      } else {
        consumer.seekToEnd(partitions);
      }
      long quietSince = System.nanoTime();
      while (!Thread.currentThread().isInterrupted()) {
        for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          out.println(render(record, values));
          count++;
          quietSince = System.nanoTime();
          if (options.max().isPresent() && count >= options.max().getAsLong()) {
            return count;
          }
        }
        if (options.quietExit().isPresent()
            && System.nanoTime() - quietSince > options.quietExit().get().toNanos()) {
          return count;
        }
      }
    }
    return count;
  }

  static String render(
      final ConsumerRecord<byte[], byte[]> record, final AvroDeserializer<Object> values) {
    final ObjectNode line = JSON.createObjectNode();
    line.put("topic", record.topic());
    line.put("partition", record.partition());
    line.put("offset", record.offset());
    line.put("timestamp", record.timestamp());
    line.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
    if (record.value() == null) {
      line.putNull("value");
    } else {
      try {
        line.set("value", toJson(values.deserialize(record.topic(), record.value())));
      } catch (final UnknownSchemaIdException e) {
        line.put("valueBase64", Base64.getEncoder().encodeToString(record.value()));
      } catch (final SchemaRegistryException e) {
        // the registry is unreachable or refuses us: no record would decode, say so once
        throw e;
      } catch (final RuntimeException e) {
        line.put("valueBase64", Base64.getEncoder().encodeToString(record.value()));
      }
    }
    if (record.headers().iterator().hasNext()) {
      final ObjectNode headers = line.putObject("headers");
      for (final Header header : record.headers()) {
        headers.put(
            header.key(),
            header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
      }
    }
    return line.toString();
  }

  private static JsonNode toJson(final Object avro) {
    try {
      return JSON.readTree(GenericData.get().toString(avro));
    } catch (final IOException e) {
      return JSON.getNodeFactory().textNode(String.valueOf(avro));
    }
  }
}
