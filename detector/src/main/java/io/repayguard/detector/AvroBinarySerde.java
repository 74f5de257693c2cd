package io.repayguard.detector;

import io.repayguard.serde.TrustedAvroClasses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Plain Avro binary for the detector's internal topics and state stores, without a registry.
 *
 * <p>Writer and reader share one schema, the generated class's: the facts log and the stores are
 * read only by the same detector version. A change to an internal schema therefore needs an
 * application reset (see README).
 */
public final class AvroBinarySerde<T extends SpecificRecord> implements Serde<T> {
  static {
    TrustedAvroClasses.install();
  }

  private final Schema schema;
  private final SpecificDatumWriter<T> writer;
  private final SpecificDatumReader<T> reader;

  public AvroBinarySerde(final Schema schema) {
    this.schema = schema;
    final SpecificData data = SpecificData.getForSchema(schema);
    this.writer = new SpecificDatumWriter<>(schema, data);
    this.reader = new SpecificDatumReader<>(schema, schema, data);
  }

  /** The bytes of {@code value}. */
  public byte[] encode(final T value) {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.write(value, encoder);
      encoder.flush();
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The value in {@code bytes}; a {@link SerializationException} when they are not one. */
  public T decode(final byte[] bytes) {
    try {
      return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (final IOException | RuntimeException e) {
      throw new SerializationException("not a " + schema.getName() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }
}
