package io.repayguard.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * Writes Avro records as the plain JSON of scenario and history files, the inverse of {@link
 * JsonToAvro}: enums as their symbol, a nullable field as null or its value, timestamps as epoch
 * millis.
 */
public final class AvroToJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AvroToJson() {}

  /** One line of a history file: {@code {"topic":…,"key":…,"value":{…}}}. */
  public static String line(final String topic, final String key, final IndexedRecord value) {
    final ObjectNode line = NODES.objectNode();
    line.put("topic", topic);
    line.put("key", key);
    line.set("value", value(value));
    return line.toString();
  }

  /** The plain JSON of {@code value}, a record, enum, string, number, map, list or null. */
  public static JsonNode value(final Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof IndexedRecord record) {
      final ObjectNode node = NODES.objectNode();
      for (final Schema.Field field : record.getSchema().getFields()) {
        node.set(field.name(), value(record.get(field.pos())));
      }
      return node;
    }
    if (value instanceof Instant instant) {
      return NODES.numberNode(instant.toEpochMilli());
    }
    if (value instanceof CharSequence
        || value instanceof Enum<?>
        || value instanceof GenericEnumSymbol<?>) {
      return NODES.textNode(value.toString());
    }
    if (value instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (value instanceof Integer i) {
      return NODES.numberNode(i);
    }
    if (value instanceof Double d) {
      return NODES.numberNode(d);
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Map<?, ?> map) {
      final ObjectNode node = NODES.objectNode();
      map.forEach((k, v) -> node.set(k.toString(), value(v)));
      return node;
    }
    if (value instanceof List<?> list) {
      final ArrayNode node = NODES.arrayNode();
      list.forEach(v -> node.add(value(v)));
      return node;
    }
    throw new IllegalArgumentException("no plain JSON for " + value.getClass().getName());
  }
}
