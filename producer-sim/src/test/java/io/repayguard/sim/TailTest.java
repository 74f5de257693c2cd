package io.repayguard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.repayguard.serde.AvroDeserializer;
import io.repayguard.serde.SchemaRegistryException;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** How {@code tail} renders a value it cannot decode, and when it stops instead. */
class TailTest {
  /** Confluent's wire format: magic byte 0, schema id 1, then a body. */
  private static final byte[] WIRE = {0, 0, 0, 0, 1, 2, 3};

  @Test
  void shouldPrintBytesThatAreNotTheWireFormatAsBase64() {
    final String line =
        Tail.render(record(new byte[] {'h', 'i'}), deserializer("mock://tail-test"));

    assertThat(line).contains("\"valueBase64\":\"aGk=\"");
  }

  @Test
  void shouldPrintAnIdTheRegistryDoesNotKnowAsBase64() {
    final String line = Tail.render(record(WIRE), deserializer("mock://tail-test-empty"));

    assertThat(line).contains("\"valueBase64\"");
  }

  @Test
  void shouldStopOnARegistryItCannotReach() throws Exception {
    final int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    final AvroDeserializer<Object> values = deserializer("http://127.0.0.1:" + closed);

    assertThatThrownBy(() -> Tail.render(record(WIRE), values))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("unreachable");
  }

  private static ConsumerRecord<byte[], byte[]> record(final byte[] value) {
    return new ConsumerRecord<>("t", 0, 0L, "k".getBytes(), value);
  }

  private static AvroDeserializer<Object> deserializer(final String url) {
    final AvroDeserializer<Object> values = new AvroDeserializer<>();
    values.configure(Map.of("schema.registry.url", url), false);
    return values;
  }
}
