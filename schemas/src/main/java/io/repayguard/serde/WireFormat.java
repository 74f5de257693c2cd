package io.repayguard.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/** Confluent's wire format: byte 0x00, a 4-byte big-endian schema id, then the Avro binary body. */
final class WireFormat {
  static final byte MAGIC_BYTE = 0x0;
  static final int HEADER_SIZE = 5;

  private WireFormat() {}

  /** Reads the schema id of a framed value and leaves {@code buffer} at the Avro body. */
  static int readSchemaId(final ByteBuffer buffer) {
    if (buffer.remaining() < HEADER_SIZE) {
      throw new SerializationException(
          "Unknown magic byte! (value of "
              + buffer.remaining()
              + " bytes is too short for the Confluent wire format)");
    }
    final byte magic = buffer.get();
    if (magic != MAGIC_BYTE) {
      throw new SerializationException(
          "Unknown magic byte! (got 0x" + Integer.toHexString(magic & 0xff) + ", expected 0x00)");
    }
    return buffer.getInt();
  }
}
