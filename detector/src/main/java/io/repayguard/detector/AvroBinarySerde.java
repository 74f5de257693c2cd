package io.repayguard.detector;

import io.repayguard.serde.TrustedAvroClasses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
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
 * Avro for the detector's internal topics and state stores, without a registry: each value in
 * Avro's single-object encoding, {@code C3 01}, the 8-byte CRC-64-AVRO fingerprint of its writer
 * schema (little-endian), then the Avro binary body.
 *
 * <p>The fingerprint is the value's format version. Every schema an internal type was ever written
 * with is kept under {@code io/repayguard/detector/formats/<full name>.v<N>.avsc} (v0 first); a
 * value written with any of them is read into today's class through Avro's schema resolution, so an
 * upgrade reads the facts log and the state an earlier build wrote. Values without the marker were
 * written before it existed, with v0; none of them can start with the marker (every internal record
 * begins with a string, an array, a map, a union or an enum, whose first byte is a non-negative
 * zigzag number, never an odd one like {@code C3}). A value from a format this build does not know
 * (written by a newer build) fails to decode with its fingerprint named. A schema change must add
 * its version: construction fails otherwise.
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

  /** Where the schemas of every format of the internal types are kept, on the class path. */
  static final String FORMATS = "/io/repayguard/detector/formats/";

  private static final byte MARKER_0 = (byte) 0xC3;
  private static final byte MARKER_1 = (byte) 0x01;
  private static final int HEADER = 10;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final Schema schema;
  private final long fingerprint;
  private final byte[] header;
  private final SpecificDatumWriter<T> writer;
  private final SpecificDatumReader<T> reader;
  private final Map<Long, SpecificDatumReader<T>> readers = new HashMap<>();
  private final SpecificDatumReader<T> unframedReader;

  public AvroBinarySerde(final Schema schema) {
    this.schema = schema;
    this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    this.header = header(fingerprint);
    final SpecificData data = SpecificData.getForSchema(schema);
    this.writer = new SpecificDatumWriter<>(schema, data);
    this.reader = new SpecificDatumReader<>(schema, schema, data);
    final List<Schema> versions = versions(schema.getFullName());
    if (versions.isEmpty()) {
      throw new IllegalStateException(
          "no format of the internal type " + schema.getFullName() + " under " + FORMATS);
    }
    for (final Schema writerSchema : versions) {
      readers.put(
          SchemaNormalization.parsingFingerprint64(writerSchema),
          new SpecificDatumReader<>(writerSchema, schema, data));
    }
    if (!readers.containsKey(fingerprint)) {
      throw new IllegalStateException(
          "the schema of "
              + schema.getFullName()
              + " is none of its formats under "
              + FORMATS
              + ": a schema change adds its version there (see FormatSamples in the tests)");
    }
    readers.put(fingerprint, reader);
    this.unframedReader = readers.get(SchemaNormalization.parsingFingerprint64(versions.get(0)));
  }

  /**
   * Every schema values of the type named {@code fullName} were written with, oldest (v0) first;
   * empty when there is none.
   */
  static List<Schema> versions(final String fullName) {
    final List<Schema> versions = new ArrayList<>();
    for (int v = 0; ; v++) {
      try (InputStream in =
          AvroBinarySerde.class.getResourceAsStream(FORMATS + fullName + ".v" + v + ".avsc")) {
        if (in == null) {
          return versions;
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (final IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The bytes of {@code value}. */
  public byte[] encode(final T value) {
    final Scratch scratch = SCRATCH.get();
    scratch.out.reset();
    scratch.out.write(header, 0, HEADER);
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
    final SpecificDatumReader<T> from;
    final int start;
    if (bytes.length >= 2 && bytes[0] == MARKER_0 && bytes[1] == MARKER_1) {
      if (bytes.length < HEADER) {
        throw new SerializationException(
            "not a " + schema.getName() + ": " + bytes.length + " bytes, a cut header");
      }
      final long writtenWith = fingerprint(bytes);
      from = writtenWith == fingerprint ? reader : readers.get(writtenWith);
      if (from == null) {
        throw new SerializationException(
            String.format(
                "not a %s this build knows: written in format %016x, not one of %s",
                schema.getName(), writtenWith, FORMATS + schema.getFullName() + ".v*.avsc"));
      }
      start = HEADER;
    } else {
      from = unframedReader;
      start = 0;
    }
    final Scratch scratch = SCRATCH.get();
    scratch.decoder =
        DecoderFactory.get().binaryDecoder(bytes, start, bytes.length - start, scratch.decoder);
    try {
      return from.read(null, scratch.decoder);
    } catch (final IOException | RuntimeException e) {
      throw new SerializationException("not a " + schema.getName() + ": " + e.getMessage(), e);
    }
  }

  private static byte[] header(final long fingerprint) {
    final byte[] header = new byte[HEADER];
    header[0] = MARKER_0;
    header[1] = MARKER_1;
    for (int i = 0; i < 8; i++) {
      header[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return header;
  }

  private static long fingerprint(final byte[] bytes) {
    long fingerprint = 0;
    for (int i = 0; i < 8; i++) {
      fingerprint |= (bytes[2 + i] & 0xFFL) << (8 * i);
    }
    return fingerprint;
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
