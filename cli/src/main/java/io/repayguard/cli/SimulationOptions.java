package io.repayguard.cli;

import io.repayguard.events.Rule;
import io.repayguard.sim.SimTopics;
import io.repayguard.sim.Simulation;
import io.repayguard.sim.Simulator;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Option;

/** The simulator's flags, shared by {@code simulate} and {@code demo}. */
final class SimulationOptions {

  @Option(
      names = "--accounts",
      defaultValue = "10000",
      description = "Credit accounts in the simulated world (default ${DEFAULT-VALUE}).")
  int accounts;

  @Option(
      names = "--rate",
      paramLabel = "N|max",
      defaultValue = "500",
      description = "Input records per second, or max (default ${DEFAULT-VALUE}).")
  String rate;

  @Option(
      names = "--events",
      paramLabel = "N",
      description = "Stop after N input records (instead of --duration).")
  Long events;

  @Option(
      names = "--borrowings",
      paramLabel = "N",
      description =
          "Size of the world: start N borrowings, then finish their plans and stop "
              + "(instead of --events or --duration).")
  Long borrowings;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed; the same seed gives the same records (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--anomaly-rate",
      defaultValue = "0.02",
      description =
          "Share of borrowings whose plan gets an injected anomaly (default ${DEFAULT-VALUE}).")
  double anomalyRate;

  @Option(
      names = "--mix",
      paramLabel = "RULE=W,...",
      description =
          "Relative weights of the injected causes, e.g. NO_BORROWING=2,ORDER_NOT_PAID=1 "
              + "(default: every rule 1).")
  String mix;

  @Option(
      names = "--start",
      paramLabel = "TIME",
      description =
          "Event time of the first borrowing, ISO-8601 (default: 365 days ago, so the "
              + "simulated months stay behind the broker's clock; with --borrowings, 748 days "
              + "ago, so that every plan plays out).")
  String start;

  /** The generator's options; event time never passes two hours before {@code now}. */
  Simulator.Options simulator(final Instant now) {
    final Instant first;
    try {
      first =
          start == null
              ? now.truncatedTo(ChronoUnit.DAYS).minus(defaultHistory())
              : Instant.parse(start);
    } catch (final DateTimeParseException e) {
      throw UserException.badInput(
          "--start: '" + start + "' is not an ISO-8601 instant " + "(like 2025-01-01T00:00:00Z)");
    }
    final Instant limit = now.minus(Duration.ofHours(2));
    if (!first.isBefore(limit)) {
      throw UserException.badInput(
          "--start must be more than two hours in the past, "
              + "the broker refuses future timestamps");
    }
    if (borrowings != null && !first.plus(Simulator.PLAN_SPAN).isBefore(limit)) {
      throw UserException.badInput(
          "--borrowings: every plan plays out, so --start must be more than "
              + Simulator.PLAN_SPAN.toDays()
              + " days in the past");
    }
    final Map<Rule, Integer> weights =
        mix == null ? Simulator.Options.evenMix() : Simulator.Options.parseMix(mix);
    return new Simulator.Options(accounts, seed, anomalyRate, weights, first, limit);
  }

  /**
   * A year of arrivals; with --borrowings, a year of arrivals plus the time their plans take to
   * play out, all behind the broker's clock.
   */
  private Duration defaultHistory() {
    final Duration year = Duration.ofDays(365);
    return borrowings == null ? year : year.plus(Simulator.PLAN_SPAN);
  }

  /** How long and how fast; {@code duration} applies when --events is not given. */
  Simulation.Run run(final Duration duration, final SimTopics topics) {
    final OptionalLong perSecond;
    if ("max".equals(rate.toLowerCase(Locale.ROOT))) {
      perSecond = OptionalLong.empty();
    } else {
      try {
        perSecond = OptionalLong.of(Long.parseLong(rate));
      } catch (final NumberFormatException e) {
        throw UserException.badInput("--rate: '" + rate + "' is neither a number nor max");
      }
      if (perSecond.getAsLong() < 1) {
        throw UserException.badInput("--rate must be at least 1");
      }
    }
    if (events != null && events < 1) {
      throw UserException.badInput("--events must be at least 1");
    }
    if (borrowings != null && borrowings < 1) {
      throw UserException.badInput("--borrowings must be at least 1");
    }
    if (borrowings != null && events != null) {
      throw UserException.badInput("--borrowings and --events both size the run; give one");
    }
    final boolean bounded = events != null || borrowings != null;
    return new Simulation.Run(
        perSecond,
        events == null ? OptionalLong.empty() : OptionalLong.of(events),
        bounded ? Optional.empty() : Optional.of(duration),
        topics,
        borrowings == null ? OptionalLong.empty() : OptionalLong.of(borrowings));
  }
}
