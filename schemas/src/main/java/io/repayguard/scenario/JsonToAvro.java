package io.repayguard.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Converts the plain JSON of scenario files into Avro generic records of a given schema.
 *
 * <p>Plain JSON means enums as their symbol, a nullable field as null or its value (no union
 * wrapping), timestamps as epoch millis. Unknown fields and missing fields without a default are
 * refused, naming the field.
 */
final class JsonToAvro {
  private JsonToAvro() {}

  static GenericRecord record(final JsonNode json, final Schema schema) {
    return (GenericRecord) value(json, schema, schema.getName());
  }

  private static Object value(final JsonNode json, final Schema schema, final String path) {
    return switch (schema.getType()) {
      case RECORD -> recordValue(json, schema, path);
      case UNION -> unionValue(json, schema, path);
      case NULL -> {
        if (json != null && !json.isNull()) {
          throw new IllegalArgumentException(path + " must be null");
        }
        yield null;
      }
      case STRING -> {
        require(json != null && json.isTextual(), path, "a string");
        yield json.asText();
      }
      case LONG -> {
        require(
            json != null && json.isIntegralNumber() && json.canConvertToLong(),
            path,
            "a whole number");
        yield json.asLong();
      }
      case INT -> {
        require(
            json != null && json.isIntegralNumber() && json.canConvertToInt(),
            path,
            "a whole number that fits an int");
        yield json.asInt();
      }
      case BOOLEAN -> {
        require(json != null && json.isBoolean(), path, "true or false");
        yield json.asBoolean();
      }
      case DOUBLE -> {
        require(json != null && json.isNumber(), path, "a number");
        yield json.asDouble();
      }
      case ENUM -> {
        require(
            json != null && json.isTextual() && schema.hasEnumSymbol(json.asText()),
            path,
            "one of " + schema.getEnumSymbols());
        yield new GenericData.EnumSymbol(schema, json.asText());
      }
      case MAP -> {
        require(json != null && json.isObject(), path, "an object");
        final Map<String, Object> map = new LinkedHashMap<>();
        json.fields()
            .forEachRemaining(
                e ->
                    map.put(
                        e.getKey(),
                        value(e.getValue(), schema.getValueType(), path + "." + e.getKey())));
        yield map;
      }
      case ARRAY -> {
        require(json != null && json.isArray(), path, "an array");
        final List<Object> list = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
          list.add(value(json.get(i), schema.getElementType(), path + "[" + i + "]"));
        }
        yield list;
      }
      default ->
          throw new IllegalArgumentException(path + " has unsupported type " + schema.getType());
    };
  }

  private static GenericRecord recordValue(
      final JsonNode json, final Schema schema, final String path) {
    require(json != null && json.isObject(), path, "an object");
    final GenericData.Record record = new GenericData.Record(schema);
    final Set<String> known = new HashSet<>();
    for (final Schema.Field field : schema.getFields()) {
      known.add(field.name());
      final JsonNode node = json.get(field.name());
      if (node == null) {
        if (!field.hasDefaultValue()) {
          throw new IllegalArgumentException("missing field " + path + "." + field.name());
        }
        record.put(field.pos(), GenericData.get().getDefaultValue(field));
      } else {
        record.put(field.pos(), value(node, field.schema(), path + "." + field.name()));
      }
    }
    final Iterator<String> names = json.fieldNames();
    while (names.hasNext()) {
      final String name = names.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown field " + path + "." + name);
      }
    }
    return record;
  }

  private static Object unionValue(final JsonNode json, final Schema schema, final String path) {
    if (json == null || json.isNull()) {
      final boolean nullable =
          schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL);
      require(nullable, path, "not null");
      return null;
    }
    IllegalArgumentException last = null;
    for (final Schema branch : schema.getTypes()) {
      if (branch.getType() == Schema.Type.NULL) {
        continue;
      }
      try {
        return value(json, branch, path);
      } catch (final IllegalArgumentException e) {
        last = e;
      }
    }
    throw last != null ? last : new IllegalArgumentException(path + " matches no union branch");
  }

  private static void require(final boolean ok, final String path, final String what) {
    if (!ok) {
      throw new IllegalArgumentException(path + " must be " + what);
    }
  }
}
