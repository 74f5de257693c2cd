package io.repayguard.sim;

import io.repayguard.events.Rule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Scores the detector against the simulator's ground truth: precision and recall per rule and
 * overall, where the unit is an opened (plan, rule) alert.
 *
 * <p>Pure: no Kafka. An expected (plan, rule) is one a ground-truth record lists; a raised one is
 * an OPEN alert (RESOLVED republications are not counted, an alert that was opened and resolved
 * still counts as opened). Duplicates of either collapse.
 */
public final class Scoring {

  /** What ground truth says of one plan. */
  public record Expected(String planId, Set<Rule> rules, String cause) {
    public Expected {
      rules = Set.copyOf(rules);
    }
  }

  /** One OPEN alert the detector raised. */
  public record Raised(String planId, Rule rule) {}

  /** Counts for one rule. */
  public record Counts(long expected, long raised, long truePositives) {
    /** Share of raised alerts that were expected; 1 when nothing was raised. */
    public double precision() {
      return raised == 0 ? 1.0 : (double) truePositives / raised;
    }

    /** Share of expected alerts that were raised; 1 when nothing was expected. */
    public double recall() {
      return expected == 0 ? 1.0 : (double) truePositives / expected;
    }
  }

  /** A plan where expectation and alerts differ. */
  public record Difference(String planId, Set<Rule> expected, Set<Rule> raised, String cause) {}

  /**
   * The result.
   *
   * @param misses plans with an expected rule that was not raised
   * @param falseAlarms plans with a raised rule that was not expected
   */
  public record Report(
      Map<Rule, Counts> perRule,
      Counts overall,
      List<Difference> misses,
      List<Difference> falseAlarms) {

    /** True when precision and recall are 1 for every rule. */
    public boolean perfect() {
      return overall.truePositives() == overall.expected()
          && overall.truePositives() == overall.raised();
    }

    /** The table, then up to {@code examples} misses and false alarms. */
    public String render(final int examples) {
      final StringBuilder text = new StringBuilder();
      text.append(
          String.format(
              Locale.ROOT,
              "%-26s %8s %8s %8s %9s %7s%n",
              "rule",
              "expected",
              "raised",
              "matched",
              "precision",
              "recall"));
      perRule.forEach((rule, c) -> text.append(row(rule.name(), c)));
      text.append(row("overall", overall));
      appendExamples(text, "missed", misses, examples);
      appendExamples(text, "false alarm", falseAlarms, examples);
      return text.toString();
    }

    private static String row(final String name, final Counts c) {
      return String.format(
          Locale.ROOT,
          "%-26s %8d %8d %8d %9.3f %7.3f%n",
          name,
          c.expected(),
          c.raised(),
          c.truePositives(),
          c.precision(),
          c.recall());
    }

    private static void appendExamples(
        final StringBuilder text,
        final String label,
        final List<Difference> differences,
        final int examples) {
      if (differences.isEmpty()) {
        return;
      }
      text.append(
          String.format(
              Locale.ROOT,
              "%d plans %s, first %d:%n",
              differences.size(),
              label.equals("missed") ? "with a missed alert" : "with a false alarm",
              Math.min(examples, differences.size())));
      differences.stream()
          .limit(examples)
          .forEach(
              d ->
                  text.append(
                      String.format(
                          Locale.ROOT,
                          "  %s plan %s expected %s raised %s%s%n",
                          label,
                          d.planId(),
                          d.expected(),
                          d.raised(),
                          d.cause() == null ? "" : " (" + d.cause() + ")")));
    }
  }

  private Scoring() {}

  /** Compares ground truth with the OPEN alerts. */
  public static Report score(final Collection<Expected> truth, final Collection<Raised> alerts) {
    final Map<String, Set<Rule>> expected = new TreeMap<>();
    final Map<String, String> causes = new LinkedHashMap<>();
    for (final Expected e : truth) {
      expected.computeIfAbsent(e.planId(), k -> new TreeSet<>()).addAll(e.rules());
      causes.putIfAbsent(e.planId(), e.cause());
    }
    final Map<String, Set<Rule>> raised = new TreeMap<>();
    for (final Raised r : alerts) {
      raised.computeIfAbsent(r.planId(), k -> new TreeSet<>()).add(r.rule());
    }
    final Map<Rule, long[]> counts = new EnumMap<>(Rule.class);
    for (final Rule rule : Rule.values()) {
      counts.put(rule, new long[3]);
    }
    expected.forEach((plan, rules) -> rules.forEach(rule -> counts.get(rule)[0]++));
    raised.forEach(
        (plan, rules) ->
            rules.forEach(
                rule -> {
                  counts.get(rule)[1]++;
                  if (expected.getOrDefault(plan, Set.of()).contains(rule)) {
                    counts.get(rule)[2]++;
                  }
                }));
    final Map<Rule, Counts> perRule = new EnumMap<>(Rule.class);
    long[] all = new long[3];
    for (final Map.Entry<Rule, long[]> e : counts.entrySet()) {
      final long[] c = e.getValue();
      perRule.put(e.getKey(), new Counts(c[0], c[1], c[2]));
      all = new long[] {all[0] + c[0], all[1] + c[1], all[2] + c[2]};
    }
    return new Report(
        perRule,
        new Counts(all[0], all[1], all[2]),
        differences(expected, raised, causes),
        differences(raised, expected, causes).stream()
            .map(d -> new Difference(d.planId(), d.raised(), d.expected(), d.cause()))
            .toList());
  }

  /** Plans where {@code left} holds a rule {@code right} does not, as (left, right). */
  private static List<Difference> differences(
      final Map<String, Set<Rule>> left,
      final Map<String, Set<Rule>> right,
      final Map<String, String> causes) {
    final List<Difference> out = new ArrayList<>();
    left.forEach(
        (plan, rules) -> {
          final Set<Rule> other = right.getOrDefault(plan, Set.of());
          if (!other.containsAll(rules)) {
            out.add(
                new Difference(
                    plan,
                    new LinkedHashSet<>(rules),
                    new LinkedHashSet<>(other),
                    causes.get(plan)));
          }
        });
    return out;
  }
}
