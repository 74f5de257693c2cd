package io.repayguard.detector;

import io.repayguard.serde.TrustedAvroClasses;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
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
 *
 * <p>Every record the detector reads or writes passes through here, several times: each thread
 * keeps one growing output buffer, one buffered encoder and one decoder, and reuses them, so a
 * value costs one array of its exact size rather than a stream grown by doubling and written to
 * byte by byte under a lock. Instances are shared across stream threads.
 */
public final class AvroBinarySerde<T extends SpecificRecord> implements Serde<T> {
  static {
    TrustedAvroClasses.install();
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

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
    final Scratch scratch = SCRATCH.get();
    scratch.out.reset();
    scratch.encoder = EncoderFactory.get().binaryEncoder(scratch.out, scratch.encoder);
    try {
      writer.write(value, scratch.encoder);
      scratch.encoder.flush();
    } catch (final IOException | RuntimeException e) {
      // A value that failed half-written leaves bytes in the buffered encoder, and configuring
      // it again for the next value would flush them into that value: the next one starts from a
      // new encoder instead.
      scratch.encoder = null;
      if (e instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw (RuntimeException) e;
    }
    return scratch.out.toByteArray();
  }

  /** The value in {@code bytes}; a {@link SerializationException} when they are not one. */
  public T decode(final byte[] bytes) {
    final Scratch scratch = SCRATCH.get();
    scratch.decoder = DecoderFactory.get().binaryDecoder(bytes, scratch.decoder);
    try {
      return reader.read(null, scratch.decoder);
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

  /** One thread's reusable encoder, decoder and output buffer. */
  private static final class Scratch {
    private final Output out = new Output();
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;
  }

  /**
   * A byte buffer that grows as needed and is reset, not reallocated, between values; one that grew
   * past {@value #KEEP_AT_MOST} bytes for a rare large value is let go at the next reset.
   */
  private static final class Output extends OutputStream {
    private static final int KEEP_AT_MOST = 1 << 20;
    private static final int INITIAL = 4096;

    private byte[] buffer = new byte[INITIAL];
    private int size;

    void reset() {
      if (buffer.length > KEEP_AT_MOST) {
        buffer = new byte[INITIAL];
      }
      size = 0;
    }

    @Override
    public void write(final int b) {
      ensure(1);
      buffer[size++] = (byte) b;
    }

    @Override
    public void write(final byte[] bytes, final int offset, final int length) {
      ensure(length);
      System.arraycopy(bytes, offset, buffer, size, length);
      size += length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, size);
    }

    private void ensure(final int more) {
      if (size + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
      }
    }
  }
}
