package io.repayguard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.repayguard.events.CreditUse;
import io.repayguard.events.GroundTruth;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The generator, without Kafka: deterministic, injecting the requested mix, within the fee cap. */
class SimulatorTest {
  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  private static final Instant LIMIT = Instant.parse("2026-01-01T00:00:00Z");

  static Simulator.Options options(
      final long seed, final double rate, final Map<Rule, Integer> mix) {
    return new Simulator.Options(2000, seed, rate, mix, START, LIMIT);
  }

  /** Two years up to {@code LIMIT}: room for a year of borrowings whose plans all play out. */
  private static Simulator.Options twoYears(final long seed) {
    return new Simulator.Options(
        2000,
        seed,
        0.05,
        Simulator.Options.evenMix(),
        LIMIT.minus(java.time.Duration.ofDays(730)),
        LIMIT);
  }

  static List<SimRecord> generate(final Simulator simulator, final int events) {
    final List<SimRecord> records = new ArrayList<>();
    int inputs = 0;
    while (simulator.hasNext()) {
      final SimRecord record = simulator.next();
      records.add(record);
      if (record.kind() != SimRecord.Kind.GROUND_TRUTH && ++inputs == events) {
        simulator.stop();
      }
    }
    return records;
  }

  @Test
  void shouldStartExactlyTheLimitOfBorrowingsAndFinishTheirPlans() {
    // Given
    final Simulator simulator = new Simulator(twoYears(7));
    simulator.limitBorrowings(300);

    // When: run to its natural end
    final List<SimRecord> records = generate(simulator, Integer.MAX_VALUE);

    // Then: every borrowing's records carry its index (c<i>, o<i>, p<i>), 0 to 299
    final Set<Integer> indexes = new TreeSet<>();
    final Pattern index = Pattern.compile("s7-[cop](\\d+).*");
    for (final SimRecord r : records) {
      final Matcher m = index.matcher(r.key());
      if (r.kind() != SimRecord.Kind.GROUND_TRUTH && m.matches()) {
        indexes.add(Integer.parseInt(m.group(1)));
      }
    }
    assertThat(simulator.borrowings()).isEqualTo(300);
    assertThat(indexes).hasSize(300).startsWith(0).endsWith(299);
    assertThat(records).allSatisfy(r -> assertThat(r.timestamp()).isLessThan(LIMIT.toEpochMilli()));
    assertThat(records.get(records.size() - 1).value())
        .isInstanceOfSatisfying(
            CreditUse.class, c -> assertThat(c.getCreditId()).endsWith("clock"));
  }

  @Test
  void shouldFitAWorldOfManyBorrowingsBeforeItsLimit() {
    // Given: 100,000 borrowings, far more than the year would start at its usual pace
    final Simulator simulator = new Simulator(twoYears(8));
    simulator.limitBorrowings(100_000);

    // When
    long last = 0;
    while (simulator.hasNext()) {
      last = Math.max(last, simulator.next().timestamp());
    }

    // Then
    assertThat(simulator.borrowings()).isEqualTo(100_000);
    assertThat(last).isLessThan(LIMIT.toEpochMilli());
  }

  @Test
  void shouldRefuseAWorldOfBorrowingsThatCannotPlayOutBeforeItsLimit() {
    final Simulator simulator =
        new Simulator(
            new Simulator.Options(
                2000,
                1,
                0.05,
                Simulator.Options.evenMix(),
                LIMIT.minus(Simulator.PLAN_SPAN),
                LIMIT));

    assertThatThrownBy(() -> simulator.limitBorrowings(10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than 383 days before its limit");
  }

  @Test
  void shouldGenerateTheSameRecordsForTheSameSeed() {
    final List<SimRecord> first =
        generate(new Simulator(options(42, 0.05, Simulator.Options.evenMix())), 20_000);
    final List<SimRecord> second =
        generate(new Simulator(options(42, 0.05, Simulator.Options.evenMix())), 20_000);
    final List<SimRecord> other =
        generate(new Simulator(options(43, 0.05, Simulator.Options.evenMix())), 20_000);

    assertThat(first).hasSizeGreaterThan(20_000).isEqualTo(second);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void shouldInjectTheRequestedMixWithinRounding() {
    final Map<Rule, Integer> mix =
        new EnumMap<>(Map.of(Rule.NO_BORROWING, 3, Rule.ORDER_NOT_PAID, 2, Rule.DUPLICATE_PLAN, 1));
    final Simulator simulator = new Simulator(options(7, 0.1, mix));

    generate(simulator, 50_000);

    final long anomalies = simulator.injected().values().stream().mapToLong(Long::longValue).sum();
    assertThat(anomalies).isEqualTo((long) Math.floor(simulator.borrowings() * 0.1));
    assertThat(simulator.injected())
        .containsOnlyKeys(Rule.NO_BORROWING, Rule.ORDER_NOT_PAID, Rule.DUPLICATE_PLAN);
    mix.forEach(
        (rule, weight) ->
            assertThat((double) simulator.injected().get(rule))
                .isCloseTo(anomalies * weight / 6.0, org.assertj.core.data.Offset.offset(1.0)));
  }

  @Test
  void shouldPublishInEventTimeOrderWithinGraceAndStayBeforeTheLimit() {
    final List<SimRecord> records =
        generate(new Simulator(options(1, 0.05, Simulator.Options.evenMix())), 30_000);

    long max = 0;
    for (final SimRecord r : records) {
      if (r.kind() != SimRecord.Kind.GROUND_TRUTH) {
        assertThat(r.timestamp()).isGreaterThan(max - 3 * Simulator.MINUTE);
        max = Math.max(max, r.timestamp());
      }
    }
    assertThat(max).isLessThan(LIMIT.toEpochMilli());
    final SimRecord last = records.get(records.size() - 1);
    assertThat(last.value()).isInstanceOf(CreditUse.class);
    assertThat(last.key()).isEqualTo("s1-clock");
  }

  @Test
  void shouldKeepBenignPlansWithinTheFeeCapAndGiveEveryAnomalyItsGroundTruth() {
    final List<SimRecord> records =
        generate(new Simulator(options(5, 0.05, Simulator.Options.evenMix())), 40_000);
    final Map<String, Long> principals = new java.util.HashMap<>();
    final Set<String> truthPlans = new HashSet<>();
    final Set<Rule> truthRules = new HashSet<>();
    for (final SimRecord r : records) {
      if (r.value() instanceof CreditUse c) {
        principals.put(c.getCreditId(), c.getAmountMinor());
      } else if (r.value() instanceof GroundTruth t) {
        truthPlans.add(t.getPlanId());
        truthRules.addAll(t.getExpectedRules());
        assertThat(t.getExpectedRules()).hasSize(1);
      }
    }
    int created = 0;
    for (final SimRecord r : records) {
      if (r.value() instanceof RepaymentEvent e
          && e.getType() == RepaymentEventType.PLAN_CREATED
          && !truthPlans.contains(e.getPlanId())) {
        created++;
        assertThat(Simulator.exceedsCap(e.getAmountMinor(), principals.get(e.getCreditId())))
            .as("plan %s", e.getPlanId())
            .isFalse();
      }
    }
    assertThat(created).isGreaterThan(1000);
    assertThat(truthRules).containsExactlyInAnyOrder(Rule.values());
  }
}
