package io.repayguard.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fee cap in exact arithmetic: boundaries, 0 bps, and amounts that overflow a long. */
class FeeCapTest {
  private static final long MAX = Long.MAX_VALUE;

  static Stream<Arguments> exceedsCases() {
    return Stream.of(
        Arguments.of(108_000L, 100_000L, 800, false),
        Arguments.of(108_001L, 100_000L, 800, true),
        Arguments.of(100_000L, 100_000L, 0, false),
        Arguments.of(100_001L, 100_000L, 0, true),
        Arguments.of(0L, 0L, 800, false),
        Arguments.of(1L, 0L, 800, true),
        Arguments.of(0L, 100_000L, 800, false),
        Arguments.of(MAX, MAX, 800, false),
        Arguments.of(MAX, MAX, 0, false),
        Arguments.of(MAX, MAX - 1, 0, true),
        Arguments.of(MAX, MAX / 2, 800, true),
        Arguments.of(MAX, 8_540_159_293_384_051_674L, 800, false),
        Arguments.of(MAX, 8_540_159_293_384_051_673L, 800, true),
        Arguments.of(MAX / 10_000 + 1, MAX / 10_000, 800, false),
        Arguments.of(MAX - 1, MAX, Integer.MAX_VALUE, false),
        Arguments.of(MAX, 1L, Integer.MAX_VALUE, true));
  }

  @ParameterizedTest(name = "total {0}, principal {1}, {2} bps -> {3}")
  @MethodSource("exceedsCases")
  void shouldCompareTotalWithPrincipalPlusFeeExactly(
      final long total, final long principal, final int bps, final boolean expected) {
    // Given (the row)

    // When
    final boolean exceeds = FeeCap.exceeds(total, principal, bps);

    // Then
    assertThat(exceeds)
        .as("exceeds(%d, %d, %d)", total, principal, bps)
        .isEqualTo(expected)
        .isEqualTo(exceedsExactly(total, principal, bps));
  }

  @Test
  void shouldAgreeWithBigIntegerNearLongMaxValue() {
    // Given
    final Random random = new Random(42);
    final int[] feeCaps = {0, 1, 800, 9_999, 10_000, Integer.MAX_VALUE};

    for (int i = 0; i < 10_000; i++) {
      final long total = MAX - (random.nextLong() >>> (1 + random.nextInt(63)));
      final long principal = MAX - (random.nextLong() >>> (1 + random.nextInt(63)));
      final int bps = feeCaps[random.nextInt(feeCaps.length)];

      // When
      final boolean exceeds = FeeCap.exceeds(total, principal, bps);

      // Then
      assertThat(exceeds)
          .as("exceeds(%d, %d, %d)", total, principal, bps)
          .isEqualTo(exceedsExactly(total, principal, bps));
    }
  }

  @Test
  void shouldRejectNegativeInputs() {
    // Given
    final long negative = -1;

    // When / Then
    assertThatThrownBy(() -> FeeCap.exceeds(negative, 100, 800))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FeeCap.exceeds(100, negative, 800))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FeeCap.exceeds(100, 100, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static Stream<Arguments> capCases() {
    return Stream.of(
        Arguments.of(100_000L, 800, 108_000L),
        Arguments.of(12_345L, 800, 13_332L),
        Arguments.of(1L, 800, 1L),
        Arguments.of(0L, 800, 0L),
        Arguments.of(100_000L, 0, 100_000L),
        Arguments.of(
            MAX / 2,
            800,
            new BigInteger(Long.toString(MAX / 2))
                .multiply(BigInteger.valueOf(10_800))
                .divide(BigInteger.valueOf(10_000))
                .longValueExact()),
        Arguments.of(MAX, 800, MAX),
        Arguments.of(MAX, 0, MAX));
  }

  @ParameterizedTest(name = "cap of {0} at {1} bps is {2}")
  @MethodSource("capCases")
  void shouldRoundTheCapDownToAMinorUnit(final long principal, final int bps, final long expected) {
    // Given (the row)

    // When
    final long cap = FeeCap.capMinor(principal, bps);

    // Then
    assertThat(cap).isEqualTo(expected);
  }

  @Test
  void shouldPlaceTheCapExactlyAtTheBoundaryOfExceeds() {
    // Given
    final Random random = new Random(7);

    for (int i = 0; i < 10_000; i++) {
      final long principal = random.nextLong() >>> (1 + random.nextInt(63));
      final int bps = random.nextInt(20_000);

      // When
      final long cap = FeeCap.capMinor(principal, bps);

      // Then
      final BigInteger exact =
          BigInteger.valueOf(principal)
              .multiply(BigInteger.valueOf(10_000L + bps))
              .divide(BigInteger.valueOf(10_000));
      if (exact.bitLength() < 64) {
        assertThat(cap).as("capMinor(%d, %d)", principal, bps).isEqualTo(exact.longValueExact());
        assertThat(FeeCap.exceeds(cap, principal, bps)).isFalse();
        if (cap < MAX) {
          assertThat(FeeCap.exceeds(cap + 1, principal, bps)).isTrue();
        }
      } else {
        assertThat(cap).as("capMinor(%d, %d) saturates", principal, bps).isEqualTo(MAX);
      }
    }
  }

  @Test
  void shouldTestTotalsPastTheLongRangeExactly() {
    // Given: the cap of the largest principal lies past the long range
    final BigInteger cap =
        BigInteger.valueOf(MAX)
            .multiply(BigInteger.valueOf(10_800))
            .divide(BigInteger.valueOf(10_000));

    // When / Then: a total at the cap passes, one minor unit more exceeds
    assertThat(FeeCap.exceeds(cap, MAX, 800)).isFalse();
    assertThat(FeeCap.exceeds(cap.add(BigInteger.ONE), MAX, 800)).isTrue();
    assertThat(FeeCap.exceeds(BigInteger.valueOf(MAX).add(BigInteger.ONE), MAX, 0)).isTrue();
    assertThat(FeeCap.exceeds(BigInteger.valueOf(108_000), 100_000, 800)).isFalse();
    assertThatThrownBy(
            () -> FeeCap.exceeds(BigInteger.valueOf(MAX).negate().shiftLeft(2), 100, 800))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static boolean exceedsExactly(final long total, final long principal, final int bps) {
    return BigInteger.valueOf(total)
            .multiply(BigInteger.valueOf(10_000))
            .compareTo(BigInteger.valueOf(principal).multiply(BigInteger.valueOf(10_000L + bps)))
        > 0;
  }
}
