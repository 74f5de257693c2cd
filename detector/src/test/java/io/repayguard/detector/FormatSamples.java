package io.repayguard.detector;

import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.state.ClockState;
import io.repayguard.detector.state.Deferred;
import io.repayguard.detector.state.Expiry;
import io.repayguard.detector.state.OrderLinkState;
import io.repayguard.detector.state.PendingWork;
import io.repayguard.detector.state.PlanCredit;
import io.repayguard.detector.state.PlanIds;
import io.repayguard.detector.state.PlanState;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.scenario.ScenarioFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The detector's facts log and state for every golden scenario, written as this build encodes them:
 * the samples a later build must still read ({@link InternalFormatTest}). A change to {@code
 * schemas/src/main/avro/internal} (or to a public schema a store holds) first records the new
 * schemas as formats, then writes a new sample set beside the old ones, in its own directory:
 *
 * <pre>
 * mvn -q install -DskipTests -pl schemas,producer-sim -am
 * mvn -q -pl detector test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.classpathScope=test -Dexec.mainClass=io.repayguard.detector.FormatSamples \
 *     -Dexec.args="--formats src/main/resources/io/repayguard/detector/formats"
 * mvn -q -pl detector test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.classpathScope=test -Dexec.mainClass=io.repayguard.detector.FormatSamples \
 *     -Dexec.args=src/test/resources/formats/NAME
 * </pre>
 *
 * <p>Per scenario, {@code NAME/<scenario>.facts} holds the facts log (one record a line: record
 * timestamp, key and value in base64, {@code -} for null) and {@code NAME/<scenario>.state} the
 * content of every store once half the scenario's lines are published (first line {@code facts N}:
 * the facts log's length at that moment; then one entry a line: store, key, value).
 */
public final class FormatSamples {
  /** A store of the detector, as the topology declares it. */
  record StoreFormat(String name, Schema values, boolean bytesKeys) {}

  /** Every store of the detector whose values the internal serde writes. */
  static final List<StoreFormat> STORES =
      List.of(
          new StoreFormat(Names.PLAN_CREDITS_STORE, PlanCredit.getClassSchema(), false),
          new StoreFormat(Names.ORDER_LINK_ORDERS_STORE, OrderLinkState.getClassSchema(), false),
          new StoreFormat(Names.ORDER_LINK_CLOCK_STORE, ClockState.getClassSchema(), false),
          new StoreFormat(Names.BORROWINGS_STORE, CreditUse.getClassSchema(), false),
          new StoreFormat(Names.ORDERS_STORE, MerchantOrder.getClassSchema(), false),
          new StoreFormat(Names.PLANS_STORE, PlanState.getClassSchema(), false),
          new StoreFormat(Names.CREDIT_PLANS_STORE, PlanIds.getClassSchema(), false),
          new StoreFormat(Names.CLOCK_STORE, ClockState.getClassSchema(), false),
          new StoreFormat(Names.PENDING_STORE, PendingWork.getClassSchema(), true),
          new StoreFormat(Names.EXPIRY_STORE, Expiry.getClassSchema(), true),
          new StoreFormat(Names.DEFERRED_STORE, Deferred.getClassSchema(), true));

  /** Every schema the internal serde writes: the facts log's and the stores'. */
  static List<Schema> schemas() {
    final List<Schema> schemas = new ArrayList<>();
    schemas.add(Fact.getClassSchema());
    STORES.stream().map(StoreFormat::values).distinct().forEach(schemas::add);
    return schemas;
  }

  /** One record of a facts log sample. */
  record FactRecord(long timestamp, byte[] key, byte[] value) {}

  /** One store entry of a state sample. */
  record StoreEntry(String store, byte[] key, byte[] value) {}

  /** A state sample: the stores' content after the first {@code facts} records of the log. */
  record StateSample(int facts, List<StoreEntry> entries) {}

  private FormatSamples() {}

  public static void main(final String[] args) throws IOException, URISyntaxException {
    if (args.length == 2 && args[0].equals("--formats")) {
      addFormats(Path.of(args[1]));
      return;
    }
    if (args.length != 1) {
      System.err.println(
          "usage: FormatSamples <directory to write the samples into>\n"
              + "       FormatSamples --formats <src/main/resources/io/repayguard/detector/formats>");
      System.exit(2);
    }
    final Path out = Path.of(args[0]);
    Files.createDirectories(out);
    for (final String scenario : scenarios()) {
      write(scenario, out);
    }
    System.out.println("samples written to " + out.toAbsolutePath());
  }

  /** Adds today's schema of every internal type, when it is new, as that type's next format. */
  private static void addFormats(final Path dir) throws IOException {
    Files.createDirectories(dir);
    for (final Schema schema : schemas()) {
      final List<Schema> versions = AvroBinarySerde.versions(schema.getFullName());
      final long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
      if (versions.stream()
          .noneMatch(v -> SchemaNormalization.parsingFingerprint64(v) == fingerprint)) {
        final Path file = dir.resolve(schema.getFullName() + ".v" + versions.size() + ".avsc");
        Files.writeString(file, schema.toString(true) + "\n");
        System.out.println("new format " + file);
      }
    }
  }

  /** The golden scenarios' names, sorted. */
  static List<String> scenarios() throws IOException, URISyntaxException {
    try (Stream<String> names = ScenarioTest.scenarios()) {
      return names.toList();
    }
  }

  private static void write(final String scenario, final Path out)
      throws IOException, URISyntaxException {
    final Path dir = Path.of(FormatSamples.class.getResource("/scenarios").toURI());
    final List<ScenarioFile.Line> lines = ScenarioFile.read(dir.resolve(scenario + ".jsonl"));
    final List<String> state = new ArrayList<>();
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      for (int i = 0; i < lines.size(); i++) {
        if (i == lines.size() / 2) {
          state.add("facts " + driver.factsWritten());
          for (final StoreFormat store : STORES) {
            state.addAll(entries(driver, store));
          }
        }
        driver.apply(lines.get(i));
      }
      driver.barrier();
      final List<String> facts = new ArrayList<>();
      for (final TestRecord<byte[], byte[]> r : driver.factRecords()) {
        facts.add(r.timestamp() + " " + base64(r.key()) + " " + base64(r.value()));
      }
      Files.write(out.resolve(scenario + ".facts"), facts);
      Files.write(out.resolve(scenario + ".state"), state);
    }
  }

  private static List<String> entries(final DetectorTestDriver driver, final StoreFormat format) {
    final AvroBinarySerde<SpecificRecord> serde = new AvroBinarySerde<>(format.values());
    final List<String> entries = new ArrayList<>();
    final KeyValueStore<Object, SpecificRecord> store = driver.store(format.name());
    try (KeyValueIterator<Object, SpecificRecord> all = store.all()) {
      while (all.hasNext()) {
        final KeyValue<Object, SpecificRecord> e = all.next();
        final byte[] key =
            format.bytesKeys()
                ? ((Bytes) e.key).get()
                : ((String) e.key).getBytes(StandardCharsets.UTF_8);
        entries.add(format.name() + " " + base64(key) + " " + base64(serde.encode(e.value)));
      }
    }
    return entries;
  }

  /** The facts log sample of {@code scenario} in {@code dir}. */
  static List<FactRecord> readFacts(final Path dir, final String scenario) throws IOException {
    final List<FactRecord> records = new ArrayList<>();
    for (final String line : Files.readAllLines(dir.resolve(scenario + ".facts"))) {
      final String[] f = line.split(" ");
      records.add(new FactRecord(Long.parseLong(f[0]), unbase64(f[1]), unbase64(f[2])));
    }
    return records;
  }

  /** The state sample of {@code scenario} in {@code dir}. */
  static StateSample readState(final Path dir, final String scenario) throws IOException {
    final List<String> lines = Files.readAllLines(dir.resolve(scenario + ".state"));
    final int facts = Integer.parseInt(lines.get(0).substring("facts ".length()));
    final List<StoreEntry> entries = new ArrayList<>();
    for (final String line : lines.subList(1, lines.size())) {
      final String[] f = line.split(" ");
      entries.add(new StoreEntry(f[0], unbase64(f[1]), unbase64(f[2])));
    }
    return new StateSample(facts, entries);
  }

  private static String base64(final byte[] bytes) {
    return bytes == null ? "-" : Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] unbase64(final String text) {
    return text.equals("-") ? null : Base64.getDecoder().decode(text);
  }
}
