package io.repayguard.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Names which earlier schemas of a subject a new schema must stay compatible with, and in which
 * direction, as Confluent Schema Registry's compatibility levels do.
 *
 * <p>BACKWARD means the new schema can read data written with the earlier one, FORWARD that the
 * earlier schema can read data written with the new one, FULL both. A plain level checks the latest
 * version only, a {@code _TRANSITIVE} level every version. Avro's {@link SchemaCompatibility}
 * judges each pair.
 */
enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  private final boolean newReadsOld;
  private final boolean oldReadsNew;
  private final boolean transitive;

  CompatibilityLevel(
      final boolean newReadsOld, final boolean oldReadsNew, final boolean transitive) {
    this.newReadsOld = newReadsOld;
    this.oldReadsNew = oldReadsNew;
    this.transitive = transitive;
  }

  /** Returns the level a name stands for, ignoring case, or empty for an unknown name. */
  static Optional<CompatibilityLevel> parse(final String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (final CompatibilityLevel level : values()) {
      if (level.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
        return Optional.of(level);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns why {@code candidate} breaks this level against {@code earlierOldestFirst}, or an empty
   * list when it is compatible (always, for NONE or a subject without versions).
   */
  List<String> violations(final Schema candidate, final List<Schema> earlierOldestFirst) {
    if (earlierOldestFirst.isEmpty()) {
      return List.of();
    }
    final List<Schema> checked =
        transitive
            ? earlierOldestFirst
            : List.of(earlierOldestFirst.get(earlierOldestFirst.size() - 1));
    final List<String> violations = new ArrayList<>();
    for (final Schema earlier : checked) {
      if (newReadsOld) {
        violations.addAll(
            describe(
                candidate, earlier, "the new schema cannot read data written with an earlier one"));
      }
      if (oldReadsNew) {
        violations.addAll(
            describe(
                earlier, candidate, "an earlier schema cannot read data written with the new one"));
      }
    }
    return violations;
  }

  private static List<String> describe(
      final Schema reader, final Schema writer, final String direction) {
    final List<Incompatibility> incompatibilities =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
            .getResult()
            .getIncompatibilities();
    return incompatibilities.stream()
        .map(
            incompatibility ->
                String.format(
                    Locale.ROOT,
                    "{errorType:'%s', description:'%s', location:'%s'}",
                    incompatibility.getType(),
                    direction + ": " + incompatibility.getMessage(),
                    incompatibility.getLocation()))
        .toList();
  }
}
