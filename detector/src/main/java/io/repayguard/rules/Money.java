package io.repayguard.rules;

import java.math.BigDecimal;

/** Formats minor units for people: {@code 108001, "CNY"} reads {@code 1080.01 CNY}. */
final class Money {
  private Money() {}

  /** Two decimal places, which fits CNY, USD and EUR; other currencies read in the same style. */
  static String format(final long minor, final String currency) {
    return BigDecimal.valueOf(minor, 2).toPlainString() + " " + currency;
  }
}
