package io.repayguard.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) in Confluent's wire format.
 *
 * <p>The subject is {@code <topic>-value} (or {@code -key}), Confluent's TopicNameStrategy. With
 * {@code auto.register.schemas} the record's schema is registered on first use; otherwise its id is
 * looked up, or with {@code use.latest.version} the subject's latest schema is written.
 * Byte-compatible with Confluent's {@code KafkaAvroSerializer}.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
  static {
    TrustedAvroClasses.install();
  }

  private SchemaRegistryClient registry;
  private AvroSerdeConfig config;
  private boolean isKey;

  /** Writers of specific records by schema; generic values of an equal schema need their own. */
  private final Map<Schema, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();

  private final Map<Schema, DatumWriter<Object>> genericWriters = new ConcurrentHashMap<>();

  /** Creates a serializer to be configured by Kafka through {@link #configure}. */
  public AvroSerializer() {}

  /** Creates a serializer over an existing registry client, as tests and tools do. */
  public AvroSerializer(final SchemaRegistryClient registry, final AvroSerdeConfig config) {
    this.registry = registry;
    this.config = config;
  }

  @Override
  public void configure(final Map<String, ?> configs, final boolean isKey) {
    this.config = AvroSerdeConfig.from(configs);
    this.registry = config.newClient();
    this.isKey = isKey;
  }

  @Override
  public byte[] serialize(final String topic, final T record) {
    if (record == null) {
      return null;
    }
    final String subject = topic + (isKey ? "-key" : "-value");
    final Schema own = record.getSchema();
    final int id;
    final Schema written;
    if (config.autoRegisterSchemas()) {
      id = registry.register(subject, own);
      written = own;
    } else if (config.useLatestVersion()) {
      final SchemaRegistryClient.RegisteredSchema latest = registry.latest(subject);
      id = latest.id();
      written = latest.schema();
    } else {
      id = registry.idOf(subject, own);
      written = own;
    }
    return frame(id, written, record);
  }

  private byte[] frame(final int id, final Schema schema, final T record) {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(WireFormat.MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      (record instanceof SpecificRecord ? specificWriters : genericWriters)
          .computeIfAbsent(schema, s -> writerFor(s, record))
          .write(record, encoder);
      encoder.flush();
    } catch (final IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot write " + schema.getFullName() + " with schema id " + id + ": " + e.getMessage(),
          e);
    }
    return out.toByteArray();
  }

  private DatumWriter<Object> writerFor(final Schema schema, final T record) {
    return record instanceof SpecificRecord
        ? new SpecificDatumWriter<>(schema, SpecificData.getForSchema(record.getSchema()))
        : new GenericDatumWriter<>(schema);
  }
}
