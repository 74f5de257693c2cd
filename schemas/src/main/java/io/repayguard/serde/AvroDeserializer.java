package io.repayguard.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro, resolving the writer's schema against the reader's.
 *
 * <p>The writer schema is fetched by the id in the frame (cached). The reader schema is the fixed
 * reader class's when one was given; otherwise, with {@code specific.avro.reader}, the generated
 * class named like the writer schema; otherwise the writer schema itself (a generic record). So a
 * producer with a newer compatible schema, an extra optional field say, is read correctly.
 */
public class AvroDeserializer<T> implements Deserializer<T> {
  private final Schema fixedReaderSchema;

  static {
    TrustedAvroClasses.install();
  }

  private SchemaRegistryClient registry;
  private boolean specificReader;
  private final Map<Long, DatumReader<Object>> readers = new ConcurrentHashMap<>();

  /** Creates a deserializer to be configured by Kafka through {@link #configure}. */
  public AvroDeserializer() {
    this.fixedReaderSchema = null;
  }

  /** Creates a deserializer that always reads into {@code readerSchema}'s generated class. */
  public AvroDeserializer(final SchemaRegistryClient registry, final Schema readerSchema) {
    this.fixedReaderSchema = readerSchema;
    this.registry = registry;
    this.specificReader = true;
  }

  /** Creates a deserializer over an existing registry client, reading generic records. */
  public AvroDeserializer(final SchemaRegistryClient registry) {
    this.fixedReaderSchema = null;
    this.registry = registry;
  }

  AvroDeserializer(final Schema readerSchema) {
    this.fixedReaderSchema = readerSchema;
  }

  @Override
  public void configure(final Map<String, ?> configs, final boolean isKey) {
    final AvroSerdeConfig config = AvroSerdeConfig.from(configs);
    this.registry = config.newClient();
    this.specificReader = fixedReaderSchema != null || config.specificAvroReader();
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(final String topic, final byte[] data) {
    if (data == null) {
      return null;
    }
    final ByteBuffer buffer = ByteBuffer.wrap(data);
    final int id = WireFormat.readSchemaId(buffer);
    final Schema writer = registry.schemaById(id);
    final Schema reader = readerSchemaFor(writer);
    final DatumReader<Object> datumReader =
        readers.computeIfAbsent(
            ((long) id << 32) ^ System.identityHashCode(reader), k -> readerFor(writer, reader));
    try {
      return (T)
          datumReader.read(
              null,
              DecoderFactory.get()
                  .binaryDecoder(data, buffer.position(), buffer.remaining(), null));
    } catch (final IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot read "
              + writer.getFullName()
              + " (schema id "
              + id
              + ") from topic "
              + topic
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private Schema readerSchemaFor(final Schema writer) {
    if (fixedReaderSchema != null) {
      return fixedReaderSchema;
    }
    if (specificReader) {
      final Class<?> generated = SpecificData.get().getClass(writer);
      if (generated != null) {
        return SpecificData.get().getSchema(generated);
      }
    }
    return writer;
  }

  private DatumReader<Object> readerFor(final Schema writer, final Schema reader) {
    return specificReader && SpecificData.get().getClass(reader) != null
        ? new SpecificDatumReader<>(writer, reader)
        : new GenericDatumReader<>(writer, reader);
  }
}
