package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.SourceClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The internal serde: Avro's own single-object bytes, whatever it reuses between values. */
class AvroBinarySerdeTest {
  private final AvroBinarySerde<ClockState> serde =
      new AvroBinarySerde<>(ClockState.getClassSchema());

  @Test
  void shouldWriteAvrosSingleObjectEncodingAndReadItBack() throws IOException {
    final ClockState clock = clock("credit-use/3", 1_772_323_200_000L);

    final byte[] bytes = serde.encode(clock);

    assertThat(bytes).isEqualTo(singleObject(clock));
    assertThat(serde.decode(bytes)).isEqualTo(clock);
  }

  @Test
  void shouldReadAValueWrittenBeforeValuesCarriedTheirFormat() throws IOException {
    final ClockState clock = clock("credit-use/3", 1_772_323_200_000L);

    assertThat(serde.decode(plainAvro(clock))).isEqualTo(clock);
  }

  @Test
  void shouldNameTheFormatOfAValueWrittenByANewerBuild() throws IOException {
    final byte[] bytes = singleObject(clock("credit-use/3", 1L));
    bytes[2] ^= 0x55;

    assertThatThrownBy(() -> serde.decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not a ClockState this build knows: written in format")
        .hasMessageContaining("ClockState.v*.avsc");
  }

  @Test
  void shouldStartCleanAfterAValueThatFailedHalfWritten() throws IOException {
    // Given: a value whose second source has no name fails after the first source is written
    final ClockState broken = clock("credit-use/3", 1L);
    broken.getSources().add(SourceClock.newBuilder(broken.getSources().get(0)).build());
    broken.getSources().get(1).setSource(null);
    assertThatThrownBy(() -> serde.encode(broken)).isInstanceOf(RuntimeException.class);

    // When
    final ClockState next = clock("merchant-order/0", 2L);
    final byte[] bytes = serde.encode(next);

    // Then: nothing of the failed value in it
    assertThat(bytes).isEqualTo(singleObject(next));
    assertThat(serde.decode(bytes)).isEqualTo(next);
  }

  private static ClockState clock(final String source, final long time) {
    final List<SourceClock> sources = new ArrayList<>();
    sources.add(
        SourceClock.newBuilder()
            .setSource(source)
            .setWatermark(time)
            .setMaxEventTime(time)
            .setIdle(false)
            .setOffset(41)
            .build());
    return ClockState.newBuilder()
        .setSources(sources)
        .setRelays(new ArrayList<>())
        .setDetectorTime(time)
        .setArrivals(7)
        .build();
  }

  /** What Avro writes with a fresh model, without custom coders or reused buffers. */
  private static byte[] singleObject(final ClockState clock) throws IOException {
    final SpecificData model = new SpecificData();
    model.setCustomCoders(false);
    final ByteBuffer buffer =
        new BinaryMessageEncoder<ClockState>(model, ClockState.getClassSchema()).encode(clock);
    return Arrays.copyOfRange(buffer.array(), buffer.arrayOffset(), buffer.limit());
  }

  private static byte[] plainAvro(final ClockState clock) throws IOException {
    final SpecificData model = new SpecificData();
    model.setCustomCoders(false);
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new SpecificDatumWriter<ClockState>(ClockState.getClassSchema(), model).write(clock, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
