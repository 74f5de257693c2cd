package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.repayguard.decision.StoredClocks;
import io.repayguard.decision.StoredPlans;
import io.repayguard.detector.FormatSamples.FactRecord;
import io.repayguard.detector.FormatSamples.StateSample;
import io.repayguard.detector.FormatSamples.StoreEntry;
import io.repayguard.detector.FormatSamples.StoreFormat;
import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.PlanState;
import io.repayguard.events.Alert;
import io.repayguard.events.HoldCommand;
import io.repayguard.scenario.ExpectedOutputs;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An upgrade never needs a reset: this build reads the facts log and the state that earlier builds
 * wrote (the samples under {@code src/test/resources/formats}, one directory a format, see {@link
 * FormatSamples}) and decides from them exactly as they would have.
 */
class InternalFormatTest {

  static Stream<Arguments> samples() throws IOException, URISyntaxException {
    final List<Arguments> samples = new ArrayList<>();
    try (Stream<Path> formats = Files.list(formatsDir())) {
      for (final Path format : formats.sorted().toList()) {
        for (final String scenario : FormatSamples.scenarios()) {
          samples.add(Arguments.of(format.getFileName().toString(), scenario));
        }
      }
    }
    return samples.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samples")
  void shouldDecideAFactsLogWrittenInThatFormatAsTheScenarioExpects(
      final String format, final String scenario) throws Exception {
    // Given: the facts log as the build of that format wrote it
    final List<FactRecord> facts = FormatSamples.readFacts(formatsDir().resolve(format), scenario);
    final AvroBinarySerde<Fact> serde = new AvroBinarySerde<>(Fact.getClassSchema());
    for (final FactRecord r : facts) {
      assertThatCode(() -> serde.decode(r.value())).doesNotThrowAnyException();
    }

    // When: this build's decision stage reads it from the start
    final List<Map<String, String>> outputs = new ArrayList<>();
    final List<Map<String, String>> deadLetters = new ArrayList<>();
    try (Decider decider = new Decider(List.of())) {
      facts.forEach(decider::decide);
      for (final CapturedForward<?, ?> f : decider.outputs()) {
        final Record<?, ?> r = f.record();
        switch (f.childName().orElseThrow()) {
          case Names.DECISION_ALERTS_SINK ->
              outputs.add(DetectorTestDriver.expectedLine((String) r.key(), (Alert) r.value()));
          case Names.DECISION_HOLDS_SINK ->
              outputs.add(
                  DetectorTestDriver.expectedLine((String) r.key(), (HoldCommand) r.value()));
          default -> deadLetters.add(DetectorTestDriver.expectedDeadLetterLine((byte[]) r.key()));
        }
      }
    }

    // Then: the alerts and holds the scenario expects; the dead letters among those it expects
    // (the ingest stage's own never reach the facts log)
    final List<Map<String, String>> expected =
        ExpectedOutputs.read(scenariosDir().resolve(scenario + ".expected.jsonl"));
    assertThat(outputs)
        .containsExactlyInAnyOrderElementsOf(
            expected.stream().filter(e -> !e.get("topic").equals("repayguard-dlq")).toList());
    final List<Map<String, String>> expectedDeadLetters =
        new ArrayList<>(
            expected.stream().filter(e -> e.get("topic").equals("repayguard-dlq")).toList());
    for (final Map<String, String> d : deadLetters) {
      assertThat(expectedDeadLetters.remove(d)).as("dead letter %s expected", d).isTrue();
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samples")
  void shouldGoOnFromStateWrittenInThatFormatAsIfItHadNeverStopped(
      final String format, final String scenario) throws Exception {
    // Given: the state that build held halfway through the scenario, and its facts log
    final Path dir = formatsDir().resolve(format);
    final List<FactRecord> facts = FormatSamples.readFacts(dir, scenario);
    final StateSample state = FormatSamples.readState(dir, scenario);
    for (final StoreEntry e : state.entries()) {
      final StoreFormat store = storeFormat(e.store());
      assertThatCode(() -> new AvroBinarySerde<>(store.values()).decode(e.value()))
          .as("%s in %s", e.store(), scenario)
          .doesNotThrowAnyException();
    }
    final List<FactRecord> before = facts.subList(0, state.facts());
    final List<FactRecord> after = facts.subList(state.facts(), facts.size());
    final List<Record<?, ?>> uninterrupted;
    try (Decider decider = new Decider(List.of())) {
      before.forEach(decider::decide);
      decider.context.resetForwards();
      after.forEach(decider::decide);
      uninterrupted =
          decider.outputs().stream().<Record<?, ?>>map(CapturedForward::record).toList();
    }

    // When: this build starts from that state and reads the rest of the log
    final List<Record<?, ?>> resumed;
    try (Decider decider = new Decider(state.entries())) {
      after.forEach(decider::decide);
      resumed = decider.outputs().stream().<Record<?, ?>>map(CapturedForward::record).toList();
    }

    // Then: the same decisions, ids and times included, as a stage that never stopped
    assertThat(resumed).containsExactlyElementsOf(uninterrupted);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samples")
  void shouldReadEveryStoredPlanIntoTheEnginesModelAndWriteItBackUnchanged(
      final String format, final String scenario) throws Exception {
    // Given: every plan that build stored halfway through the scenario
    final List<PlanState> plans = stored(format, scenario, PlanState.class, Names.PLANS_STORE);

    // Then: each reads into a Plan that writes back as the same state (collectedMinor, which
    // nothing reads, as 0)
    for (final PlanState stored : plans) {
      final PlanState expected = PlanState.newBuilder(stored).setCollectedMinor(0).build();
      assertThat(StoredPlans.write(StoredPlans.read(stored))).as(scenario).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samples")
  void shouldReadEveryStoredClockIntoTheEnginesModelAndWriteItBackUnchanged(
      final String format, final String scenario) throws Exception {
    // Given: the clock entries of both stages, halfway through the scenario
    final List<ClockState> clocks =
        stored(format, scenario, ClockState.class, Names.CLOCK_STORE, Names.ORDER_LINK_CLOCK_STORE);

    // Then: each reads into a Clock that writes back as the same state
    assertThat(clocks).as(scenario).isNotEmpty();
    for (final ClockState stored : clocks) {
      assertThat(StoredClocks.write(StoredClocks.read(stored))).as(scenario).isEqualTo(stored);
    }
  }

  @Test
  void shouldReadEveryFormatOfEveryInternalTypeIntoTodaysSchema() {
    for (final Schema schema : FormatSamples.schemas()) {
      final List<Schema> versions = AvroBinarySerde.versions(schema.getFullName());
      assertThat(versions).as("formats of %s", schema.getFullName()).isNotEmpty();
      assertThat(versions.stream().map(SchemaNormalization::parsingFingerprint64))
          .as("today's schema of %s among its formats", schema.getFullName())
          .contains(SchemaNormalization.parsingFingerprint64(schema));
      for (final Schema writer : versions) {
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(schema, writer).getType())
            .as("%s reads %s", schema.getFullName(), writer)
            .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
      }
    }
  }

  @Test
  void shouldNeverMistakeAValueWrittenWithoutItsFormatForOneWithIt() {
    // A value written before the format marker existed starts with its first field; the marker
    // starts with C3, an odd zigzag number, which no string, bytes, array, map, union or enum
    // begins with (their first number is a length, a count or an index: never negative).
    for (final Schema schema : FormatSamples.schemas()) {
      Schema first = schema;
      while (first.getType() == Schema.Type.RECORD) {
        first = first.getFields().get(0).schema();
      }
      assertThat(first.getType())
          .as("first value written for %s", schema.getFullName())
          .isIn(
              Schema.Type.STRING,
              Schema.Type.BYTES,
              Schema.Type.ARRAY,
              Schema.Type.MAP,
              Schema.Type.UNION,
              Schema.Type.ENUM);
    }
  }

  /** The values of {@code stores} in the state sample of {@code scenario} in {@code format}. */
  private static <T extends SpecificRecord> List<T> stored(
      final String format, final String scenario, final Class<T> type, final String... stores)
      throws Exception {
    final List<String> names = List.of(stores);
    final List<T> values = new ArrayList<>();
    for (final StoreEntry e :
        FormatSamples.readState(formatsDir().resolve(format), scenario).entries()) {
      if (names.contains(e.store())) {
        final StoreFormat store = storeFormat(e.store());
        values.add(type.cast(new AvroBinarySerde<>(store.values()).decode(e.value())));
      }
    }
    return values;
  }

  private static StoreFormat storeFormat(final String name) {
    return FormatSamples.STORES.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("unknown store " + name));
  }

  private static Path formatsDir() throws URISyntaxException {
    return Path.of(InternalFormatTest.class.getResource("/formats").toURI());
  }

  private static Path scenariosDir() throws URISyntaxException {
    return Path.of(InternalFormatTest.class.getResource("/scenarios").toURI());
  }

  /** The decision stage over in-memory stores, filled with the bytes of a state sample. */
  private static final class Decider implements AutoCloseable {
    private final DetectorConfig config =
        DetectorConfig.defaults(DetectorConfig.SourcePartitions.single()).withLiveClock(false);
    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    private final DecisionProcessor processor = new DecisionProcessor(config);
    private long offset;

    Decider(final List<StoreEntry> state) {
      final Map<String, KeyValueStore<Bytes, byte[]>> raw = new HashMap<>();
      for (final StoreFormat format : FormatSamples.STORES) {
        final KeyValueStore<Bytes, byte[]> bytes =
            Stores.inMemoryKeyValueStore(format.name()).get();
        @SuppressWarnings("unchecked")
        final Serde<Object> keys =
            (Serde<Object>) (format.bytesKeys() ? (Serde<?>) Serdes.Bytes() : Serdes.String());
        final KeyValueStore<Object, SpecificRecord> store =
            Stores.keyValueStoreBuilder(
                    supplier(format.name(), bytes), keys, new AvroBinarySerde<>(format.values()))
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        raw.put(format.name(), bytes);
      }
      state.forEach(e -> raw.get(e.store()).put(Bytes.wrap(e.key()), e.value()));
      processor.init(context);
    }

    void decide(final FactRecord r) {
      context.setRecordMetadata(config.topics().facts(), 0, offset++);
      processor.process(new Record<>(r.key(), r.value(), r.timestamp()));
    }

    List<CapturedForward<?, ?>> outputs() {
      return List.copyOf(context.forwarded());
    }

    @Override
    public void close() {
      processor.close();
    }

    private static KeyValueBytesStoreSupplier supplier(
        final String name, final KeyValueStore<Bytes, byte[]> store) {
      return new KeyValueBytesStoreSupplier() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public KeyValueStore<Bytes, byte[]> get() {
          return store;
        }

        @Override
        public String metricsScope() {
          return "in-memory";
        }
      };
    }
  }
}
