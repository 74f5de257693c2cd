package io.repayguard.detector;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.facts.Fact;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.Rule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.RandomData;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Random input into every stage (issue 9, bad input of every kind): random bytes, well-framed
 * records cut or flipped, and random values of the right schema (Avro's {@link RandomData}, with
 * ids, times and amounts pulled toward values that meet each other and the long range's ends).
 * Whatever comes, nothing throws out of a processor (the driver would rethrow it), a record that is
 * not Confluent-framed Avro goes to the DLQ once, input never reaches {@link Guarded}'s net (a
 * processor checks its input; the net is for defects), and a plan with no borrowing published
 * afterwards is still decided.
 */
class FuzzedInputTest {
  private static final List<String> INPUTS =
      List.of("credit-use", "merchant-order", "repayment-plan", "repayguard-ops");

  private static final Map<String, Schema> SCHEMAS =
      Map.of(
          "credit-use", CreditUse.getClassSchema(),
          "merchant-order", MerchantOrder.getClassSchema(),
          "repayment-plan", RepaymentEvent.getClassSchema(),
          "repayguard-ops", OpsCommand.getClassSchema());

  /** The error classes a processor names for bad input; anything else is a defect caught. */
  private static final Set<String> INPUT_ERRORS =
      Set.of(
          DeadLetters.CONTRACT_VIOLATION,
          "org.apache.kafka.common.errors.SerializationException",
          "io.repayguard.serde.UnknownSchemaIdException");

  private static final List<String> IDS = List.of("c1", "c2", "o1", "o2", "p1", "p2", "a1", "");

  private static final List<String> SOURCES =
      List.of(
          "credit-use/0",
          "merchant-order/0",
          "repayment-plan/0",
          "repayguard-order-links/0",
          "tick/0",
          "repayguard-ops/0");

  @Property(tries = 30)
  void shouldDeadLetterRandomInputAndKeepDeciding(
      @ForAll final long seed, @ForAll @IntRange(min = 1, max = 60) final int records) {
    final Random random = new Random(seed);
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given: random records into the four inputs
      final List<Long> unframed = new ArrayList<>();
      final Map<String, Long> offsets = new java.util.HashMap<>();
      for (int i = 0; i < records; i++) {
        final String topic = INPUTS.get(random.nextInt(INPUTS.size()));
        final byte[] value = inputValue(driver, topic, random);
        final long offset = offsets.merge(topic, 1L, Long::sum) - 1;
        if (value == null || value.length < 5 || value[0] != 0) {
          unframed.add(offset);
        }
        driver.publishRaw(topic, key(random), value, timestamp(random));
      }
      driver.barrier();

      // Then: bad input is dead-lettered as bad input, the unframed ones certainly
      final List<TestRecord<byte[], byte[]>> letters = driver.deadLetters();
      assertThat(letters)
          .allSatisfy(
              letter ->
                  assertThat(header(letter, DeadLetters.HEADER_ERROR_CLASS)).isIn(INPUT_ERRORS));
      assertThat(letters.size()).isGreaterThanOrEqualTo(unframed.size());
      assertThat(driver.deadLetterCount()).isEqualTo(letters.size());

      // When: a plan with no borrowing, and a borrowing later than its grace
      final String plan = "p-after-fuzz-" + Long.toHexString(seed);
      driver.publish(
          aRepaymentEvent()
              .setPlanId(plan)
              .setEventId(plan + "-c")
              .setCreditId("c-after-fuzz")
              .setEventTime(at(Duration.ofDays(40)))
              .build());
      driver.publish(
          aCreditUse()
              .setCreditId("c-clock-after-fuzz")
              .setMerchantOrderId(null)
              .setEventTime(at(Duration.ofDays(40).plusHours(1)))
              .build());
      driver.barrier();

      // Then: decided as ever
      assertThat(driver.alerts())
          .anySatisfy(
              alert -> {
                assertThat(alert.getPlanId()).isEqualTo(plan);
                assertThat(alert.getRule()).isEqualTo(Rule.NO_BORROWING);
              });
    }
  }

  @Property(tries = 30)
  void shouldNeverThrowOutOfTheInternalStages(
      @ForAll final long seed, @ForAll @IntRange(min = 1, max = 60) final int records) {
    final Random random = new Random(seed);
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      final String[] internal = {
        driver.config().topics().facts(), driver.config().topics().orderLinks()
      };
      for (int i = 0; i < records; i++) {
        final String topic = internal[random.nextInt(internal.length)];
        final byte[] value = random.nextInt(3) == 0 ? bytes(random) : fact(driver, random);
        driver.publishRaw(topic, key(random), value, timestamp(random));
      }
      driver.barrier();

      assertThat(driver.deadLetterCount()).isEqualTo(driver.deadLetters().size());
    }
  }

  private static byte[] inputValue(
      final DetectorTestDriver driver, final String topic, final Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> random.nextInt(8) == 0 ? null : bytes(random);
      case 1 -> mangled(driver.encode(topic, record(SCHEMAS.get(topic), random)), random);
      default -> driver.encode(topic, record(SCHEMAS.get(topic), random));
    };
  }

  /** A random value of {@code schema}, its ids, times and amounts pulled toward meeting. */
  private static GenericRecord record(final Schema schema, final Random random) {
    final Iterator<Object> values =
        new RandomData(GenericData.get(), schema, 1, random.nextLong()).iterator();
    final GenericRecord record = (GenericRecord) values.next();
    for (final Schema.Field field : schema.getFields()) {
      final String name = field.name();
      if (name.endsWith("Id") && random.nextBoolean() && accepts(field, Schema.Type.STRING)) {
        record.put(name, IDS.get(random.nextInt(IDS.size())));
      } else if ((name.equals("eventTime") || name.equals("issuedAt")) && random.nextInt(4) > 0) {
        record.put(name, T0 + random.nextInt(60 * 24 * 60) * 60_000L);
      } else if (name.equals("amountMinor") && random.nextBoolean()) {
        record.put(name, edge(random));
      } else if (name.equals("currency") && random.nextBoolean()) {
        record.put(name, "CNY");
      } else if ((name.equals("installmentNo") || name.equals("installmentCount"))
          && random.nextBoolean()) {
        record.put(name, random.nextInt(5));
      }
    }
    return record;
  }

  private static boolean accepts(final Schema.Field field, final Schema.Type type) {
    final Schema schema = field.schema();
    return schema.getType() == type
        || schema.getType() == Schema.Type.UNION
            && schema.getTypes().stream().anyMatch(s -> s.getType() == type);
  }

  private static long edge(final Random random) {
    final long[] edges = {0, 1, 41_000, Long.MAX_VALUE, Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE - 1};
    return edges[random.nextInt(edges.length)];
  }

  /** A well-formed internal fact with random content, its source often a real one. */
  private static byte[] fact(final DetectorTestDriver driver, final Random random) {
    final GenericRecord fact = record(Fact.getClassSchema(), random);
    if (random.nextBoolean()) {
      fact.put("source", SOURCES.get(random.nextInt(SOURCES.size())));
    }
    if (random.nextBoolean()) {
      fact.put("maxEventTime", T0 + random.nextInt(60 * 24 * 60) * 60_000L);
    }
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new GenericDatumWriter<GenericRecord>(Fact.getClassSchema()).write(fact, encoder);
      encoder.flush();
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
    return random.nextInt(4) == 0 ? mangled(out.toByteArray(), random) : out.toByteArray();
  }

  private static byte[] bytes(final Random random) {
    final byte[] bytes = new byte[random.nextInt(200)];
    random.nextBytes(bytes);
    return bytes;
  }

  /** {@code valid} cut short or with a byte changed. */
  private static byte[] mangled(final byte[] valid, final Random random) {
    if (valid.length < 2 || random.nextBoolean()) {
      return Arrays.copyOf(valid, random.nextInt(Math.max(1, valid.length)));
    }
    final byte[] flipped = valid.clone();
    flipped[1 + random.nextInt(flipped.length - 1)] ^= (byte) (1 + random.nextInt(255));
    return flipped;
  }

  private static byte[] key(final Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> null;
      case 1 -> new byte[0];
      case 2 -> IDS.get(random.nextInt(IDS.size())).getBytes(StandardCharsets.UTF_8);
      default -> bytes(random);
    };
  }

  private static long timestamp(final Random random) {
    return T0 + random.nextInt(60 * 24 * 60) * 60_000L;
  }

  private static String header(final TestRecord<byte[], byte[]> letter, final String name) {
    return new String(letter.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
