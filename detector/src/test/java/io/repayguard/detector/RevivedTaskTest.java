package io.repayguard.detector;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCreditUse;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.facts.Fact;
import io.repayguard.serde.AvroSerdeConfig;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * A task revived after an aborted transaction (issue 12, item 4): Kafka Streams calls {@code
 * init()} again on the same processor instance, and the clock must not carry what the aborted run
 * read.
 */
class RevivedTaskTest {
  private final Map<String, Object> serdeConfig =
      Map.of(
          AvroSerdeConfig.SCHEMA_REGISTRY_URL,
          "mock://revived-" + UUID.randomUUID(),
          AvroSerdeConfig.SPECIFIC_AVRO_READER,
          true);
  private final DetectorConfig config =
      DetectorConfig.defaults(DetectorConfig.SourcePartitions.single());
  private final CreditUseInput input = new CreditUseInput(config, serdeConfig);

  @Test
  void shouldForgetTheAbortedRunsClockWhenRevived() {
    // Given: the ingest of credit-use/0 read a borrowing a day ahead, then its transaction
    // aborted
    final CreditUseIngest ingest = input.ingest();
    final MockProcessorContext<Object, Object> aborted = context();
    ingest.init(aborted);
    input.process(
        ingest,
        aborted,
        7,
        aCreditUse()
            .setCreditId("c-ahead")
            .setEventTime(Instant.ofEpochMilli(T0 + 86_400_000L))
            .build());

    // When: revived, it reads again from the committed offset
    final MockProcessorContext<Object, Object> revived = context();
    ingest.init(revived);
    input.process(ingest, revived, 3, aCreditUse().build());

    // Then: its clock says what the revived run read, not what the aborted one did
    final Fact fact =
        revived.forwarded().stream()
            .map(CapturedForward::record)
            .map(Record::value)
            .filter(Fact.class::isInstance)
            .map(Fact.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(fact.getMaxEventTime()).isEqualTo(T0);
    assertThat(fact.getOffset()).isEqualTo(3);
  }

  private static MockProcessorContext<Object, Object> context() {
    final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(DetectorTestDriver.WALL_START.toEpochMilli());
    return context;
  }
}
