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
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
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

    assertThat(serde.decode(plainAvroV0(clock))).isEqualTo(clock);
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

  /**
   * {@code clock} as a build wrote it before values carried their format: the bare Avro body in the
   * first format (v0), whose sources still had a watermark, always their largest eventTime.
   */
  private static byte[] plainAvroV0(final ClockState clock) throws IOException {
    final Schema v0 = AvroBinarySerde.versions(ClockState.getClassSchema().getFullName()).get(0);
    final Schema sourceV0 = v0.getField("sources").schema().getElementType();
    final List<GenericRecord> sources = new ArrayList<>();
    for (final SourceClock s : clock.getSources()) {
      sources.add(
          new GenericRecordBuilder(sourceV0)
              .set("source", s.getSource())
              .set("watermark", s.getMaxEventTime())
              .set("maxEventTime", s.getMaxEventTime())
              .set("idle", s.getIdle())
              .set("offset", s.getOffset())
              .build());
    }
    final GenericRecord written =
        new GenericRecordBuilder(v0)
            .set("sources", sources)
            .set("relays", List.of())
            .set("detectorTime", clock.getDetectorTime())
            .set("arrivals", clock.getArrivals())
            .build();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(v0).write(written, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
