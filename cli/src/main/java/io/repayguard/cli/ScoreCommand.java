package io.repayguard.cli;

import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.ScoreReader;
import io.repayguard.sim.Scoring;
import io.repayguard.sim.SimTopics;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Scores the detector's alerts against the simulator's ground truth. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Reads repayguard-ground-truth and repayment-alerts (read_committed, up to "
          + "their ends now) and prints precision and recall per rule and overall, then the first "
          + "misses and false alarms.",
      "The unit is an opened (plan, rule) alert: RESOLVED republications do not count."
    })
final class ScoreCommand implements Callable<Integer> {

  @ParentCommand RepayGuard parent;

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "Only ground truth injected and alerts triggered at or after this event "
              + "time (ISO-8601).")
  String since;

  @Option(
      names = "--alerts-topic",
      defaultValue = "repayment-alerts",
      description = "Alerts to score (default ${DEFAULT-VALUE}).")
  String alertsTopic;

  @Option(
      names = "--ground-truth-topic",
      defaultValue = SimTopics.GROUND_TRUTH,
      description = "Ground truth to score against (default ${DEFAULT-VALUE}).")
  String groundTruthTopic;

  @Override
  public Integer call() {
    final Optional<Instant> from;
    try {
      from = Optional.ofNullable(since).map(Instant::parse);
    } catch (final DateTimeParseException e) {
      throw UserException.badInput("--since: '" + since + "' is not an ISO-8601 instant");
    }
    final ClientSettings settings = connection.resolve(parent.env(), Map.of());
    Preflight.requireKafka(settings);
    final Scoring.Report report =
        new ScoreReader(settings).score(groundTruthTopic, alertsTopic, from);
    parent.out().print(report.render(5));
    return 0;
  }
}
