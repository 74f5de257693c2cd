package io.repayguard.rules;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Formats minor units for people: {@code 108001, "CNY"} reads {@code 1080.01 CNY}. */
final class Money {
  private Money() {}

  /** Two decimal places, which fits CNY, USD and EUR; other currencies read in the same style. */
  static String format(final long minor, final String currency) {
    return format(BigInteger.valueOf(minor), currency);
  }

  /** The same for an amount past the long range, such as a sum of collected amounts. */
  static String format(final BigInteger minor, final String currency) {
    return new BigDecimal(minor, 2).toPlainString() + " " + currency;
  }
}
