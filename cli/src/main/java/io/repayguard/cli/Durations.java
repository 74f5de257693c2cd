package io.repayguard.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads durations as ISO-8601 ({@code PT5M}) or short forms ({@code 500ms}, {@code 3s}, {@code 5m},
 * {@code 2h}, {@code 1d}).
 */
final class Durations implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  @Override
  public Duration convert(final String value) {
    return parse(value);
  }

  static Duration parse(final String value) {
    final String text = value.trim().toLowerCase(Locale.ROOT);
    final Matcher m = SHORT.matcher(text);
    if (m.matches()) {
      final long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
    } catch (final DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (use PT5M, 5m, 30s or 500ms)");
    }
  }
}
