package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** A processor's unexpected exception goes to the DLQ; Kafka's own pass through to Streams. */
class GuardedTest {
  private static final byte[] KEY = "p1".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = {0, 0, 0, 0, 1, 42};

  @Test
  void shouldDeadLetterWhatAProcessorThrowsOnAndGoOn() {
    // Given: a processor with a defect on one record
    final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    context.setRecordMetadata("repayment-plan", 3, 17);
    final Guarded guarded =
        new Guarded(
            throwing(new IllegalStateException("plan p1 has no state")), "repayment-plan-dlq");
    guarded.init(context);

    // When
    guarded.process(new Record<>(KEY, VALUE, 1L));

    // Then: the record, unchanged, on the DLQ sink with the reason
    assertThat(context.forwarded())
        .singleElement()
        .satisfies(
            forward -> {
              assertThat(forward.childName()).contains("repayment-plan-dlq");
              assertThat(forward.record().key()).isEqualTo(KEY);
              assertThat(forward.record().value()).isEqualTo(VALUE);
              assertThat(header(forward, DeadLetters.HEADER_ERROR_CLASS))
                  .isEqualTo("java.lang.IllegalStateException");
              assertThat(header(forward, DeadLetters.HEADER_ERROR_MESSAGE))
                  .isEqualTo("plan p1 has no state");
              assertThat(header(forward, DeadLetters.HEADER_OFFSET)).isEqualTo("17");
            });
  }

  @Test
  void shouldSendTheLettersOfARevivedTaskThroughItsNewContext() {
    // Given: a guarded processor that dead-lettered once, then was started again
    final MockProcessorContext<Object, Object> before = new MockProcessorContext<>();
    before.setRecordMetadata("repayment-plan", 0, 1);
    final Guarded guarded = new Guarded(throwing(new IllegalStateException("boom")), "dlq");
    guarded.init(before);
    guarded.process(new Record<>(KEY, VALUE, 1L));
    final MockProcessorContext<Object, Object> after = new MockProcessorContext<>();
    after.setRecordMetadata("repayment-plan", 0, 2);
    guarded.init(after);

    // When
    guarded.process(new Record<>(KEY, VALUE, 2L));

    // Then
    assertThat(before.forwarded()).hasSize(1);
    assertThat(after.forwarded())
        .singleElement()
        .satisfies(f -> assertThat(header(f, DeadLetters.HEADER_OFFSET)).isEqualTo("2"));
  }

  @Test
  void shouldLetKafkasOwnExceptionsThroughToStreams() {
    final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    context.setRecordMetadata("repayment-plan", 0, 0);
    final Guarded guarded =
        new Guarded(throwing(new ProducerFencedException("fenced")), "repayment-plan-dlq");
    guarded.init(context);

    assertThatThrownBy(() -> guarded.process(new Record<>(KEY, VALUE, 1L)))
        .isInstanceOf(ProducerFencedException.class);
    assertThat(context.forwarded()).isEmpty();
  }

  private static Processor<byte[], byte[], Object, Object> throwing(final RuntimeException e) {
    return record -> {
      throw e;
    };
  }

  private static String header(final CapturedForward<?, ?> forward, final String name) {
    return new String(forward.record().headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
