package io.repayguard.rules;

import java.math.BigInteger;

/**
 * The fee cap test of {@code AMOUNT_EXCEEDS_BORROWING}, in exact integer arithmetic.
 *
 * <p>{@code total × 10000 > principal × (10000 + maxFeeBps)} is compared as 128-bit products, so no
 * amount a {@code long} can hold overflows it.
 */
public final class FeeCap {
  private static final long BPS = 10_000L;

  private FeeCap() {}

  /** True when {@code totalMinor} exceeds {@code principalMinor} plus {@code maxFeeBps} of it. */
  public static boolean exceeds(
      final long totalMinor, final long principalMinor, final int maxFeeBps) {
    if (totalMinor < 0 || principalMinor < 0 || maxFeeBps < 0) {
      throw new IllegalArgumentException("amounts and the fee cap must not be negative");
    }
    return compareProducts(totalMinor, BPS, principalMinor, BPS + maxFeeBps) > 0;
  }

  /**
   * The same test for a total that may lie past the long range, such as the sum of a plan's
   * collected amounts: exact for every total.
   */
  public static boolean exceeds(
      final BigInteger totalMinor, final long principalMinor, final int maxFeeBps) {
    if (totalMinor.bitLength() < Long.SIZE) {
      return exceeds(totalMinor.longValue(), principalMinor, maxFeeBps);
    }
    if (totalMinor.signum() < 0 || principalMinor < 0 || maxFeeBps < 0) {
      throw new IllegalArgumentException("amounts and the fee cap must not be negative");
    }
    return totalMinor
            .multiply(BigInteger.valueOf(BPS))
            .compareTo(
                BigInteger.valueOf(principalMinor).multiply(BigInteger.valueOf(BPS + maxFeeBps)))
        > 0;
  }

  /**
   * The most a plan may demand for {@code principalMinor}, rounded down to a minor unit; for
   * explanations only (the test itself is {@link #exceeds}). Saturates at {@code Long.MAX_VALUE}.
   */
  public static long capMinor(final long principalMinor, final int maxFeeBps) {
    try {
      final long fee =
          Math.addExact(
              Math.multiplyExact(principalMinor / BPS, maxFeeBps),
              (principalMinor % BPS) * maxFeeBps / BPS);
      return Math.addExact(principalMinor, fee);
    } catch (final ArithmeticException overflow) {
      return Long.MAX_VALUE;
    }
  }

  private static int compareProducts(final long a, final long b, final long c, final long d) {
    final long highLeft = Math.multiplyHigh(a, b);
    final long highRight = Math.multiplyHigh(c, d);
    if (highLeft != highRight) {
      return Long.compare(highLeft, highRight);
    }
    return Long.compareUnsigned(a * b, c * d);
  }
}
