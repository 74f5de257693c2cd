package io.repayguard.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads scenario and history files (DESIGN.md, Scenario files): one JSON record per line, in
 * publish order, and {@code {"barrier":true}} lines between steps.
 *
 * <p>Values are plain JSON converted with the schema of the topic they go to; the record timestamp
 * is the value's eventTime, or for an ops command (which has none) its issuedAt. Blank lines are
 * skipped. A bad line stops the read with a {@link ScenarioException} naming it.
 */
public final class ScenarioFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The value schema of each input topic, by DESIGN.md's default topic name. */
  public static final Map<String, Schema> INPUT_SCHEMAS =
      Map.of(
          "credit-use", CreditUse.getClassSchema(),
          "merchant-order", MerchantOrder.getClassSchema(),
          "repayment-plan", RepaymentEvent.getClassSchema(),
          "repayguard-ops", OpsCommand.getClassSchema());

  /** The value field that gives the record timestamp, where it is not {@code eventTime}. */
  private static final Map<String, String> TIMESTAMP_FIELDS = Map.of("repayguard-ops", "issuedAt");

  private ScenarioFile() {}

  /** One line of a file: a record to publish, or a barrier. */
  public sealed interface Line permits Publish, Barrier {
    int lineNumber();
  }

  /** A record to publish to {@code topic}. */
  public record Publish(
      int lineNumber, String topic, String key, GenericRecord value, long timestamp)
      implements Line {}

  /** Everything above must be fully processed before anything below is published. */
  public record Barrier(int lineNumber) implements Line {}

  /** Reads a whole file; fails on the first bad line. */
  public static List<Line> read(final Path file) {
    final List<Line> lines = new ArrayList<>();
    stream(file, lines::add);
    return lines;
  }

  /** Reads a file line by line, handing each to {@code sink}; fails on the first bad line. */
  public static void stream(final Path file, final Consumer<Line> sink) {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      int number = 0;
      while ((text = reader.readLine()) != null) {
        number++;
        parse(number, text).ifPresent(sink);
      }
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses one line; empty for a blank line. */
  public static Optional<Line> parse(final int number, final String text) {
    if (text.isBlank()) {
      return Optional.empty();
    }
    final JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (final JsonProcessingException e) {
      throw new ScenarioException(number, "not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new ScenarioException(number, "expected a JSON object");
    }
    if (node.path("barrier").asBoolean(false)) {
      return Optional.of(new Barrier(number));
    }
    final String topic = text(node, "topic", number);
    final Schema schema = INPUT_SCHEMAS.get(topic);
    if (schema == null) {
      throw new ScenarioException(
          number,
          "unknown topic '"
              + topic
              + "' (expected one of "
              + INPUT_SCHEMAS.keySet().stream().sorted().toList()
              + ")");
    }
    final JsonNode key = node.get("key");
    if (key != null && !key.isNull() && !key.isTextual()) {
      throw new ScenarioException(number, "key must be a string or null");
    }
    final GenericRecord value;
    try {
      value = JsonToAvro.record(node.get("value"), schema);
    } catch (final IllegalArgumentException e) {
      throw new ScenarioException(number, e.getMessage());
    }
    final long timestamp = (Long) value.get(TIMESTAMP_FIELDS.getOrDefault(topic, "eventTime"));
    return Optional.of(
        new Publish(
            number, topic, key == null || key.isNull() ? null : key.asText(), value, timestamp));
  }

  private static String text(final JsonNode node, final String field, final int number) {
    final JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new ScenarioException(number, "missing string field '" + field + "'");
    }
    return value.asText();
  }
}
