package io.repayguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.repayguard.detector.DetectorConfig;
import io.repayguard.events.Alert;
import io.repayguard.sim.ClientSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Replays history through the detector without touching production. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Backtests the rules over history: reruns the decision stage over the live "
          + "facts log (or, with --from-inputs, the whole detector over the input topics) with a "
          + "fresh application id, writes alerts to <topic><suffix>, stops at the end offsets it "
          + "saw when it started, and prints a summary.",
      "Hold commands are written only with --holds, and only to the suffixed topic. Rule "
          + "settings (--grace, --max-fee-bps, --hold-severity) and --config work as for detect."
    })
final class ReplayCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LISTED = 10;

  @ParentCommand RepayGuard parent;

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "T|earliest",
      description =
          "Publish decisions about repayment events from this eventTime on "
              + "(ISO-8601 instant, e.g. 2026-03-01T00:00:00Z); all history is still read.")
  String from;

  @Option(names = "--to", paramLabel = "T", description = "... up to this eventTime, inclusive.")
  String to;

  @Option(
      names = "--suffix",
      defaultValue = ".replay",
      description = "Suffix of the output topics (default ${DEFAULT-VALUE}).")
  String suffix;

  @Option(names = "--holds", description = "Also write hold commands (to the suffixed topic).")
  boolean holds;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "Names this run (application id repayguard-replay-ID); default: the time.")
  String runId;

  @Option(
      names = "--from-inputs",
      description =
          "Replay from the input topics instead of the "
              + "facts log; may differ from live where data arrived late.")
  boolean fromInputs;

  @Option(
      names = "--flush",
      description =
          "Once history is read, also decide what is still "
              + "pending (as if time ran on with no more data) and report those alerts apart: live has "
              + "not decided them yet.")
  boolean flush;

  @Option(
      names = "--lookback",
      paramLabel = "DURATION",
      converter = Durations.class,
      description =
          "Know only history from --from minus this (e.g. 400d): records with an "
              + "earlier eventTime are skipped (their partitions' clocks still count). Less state to "
              + "build, but a plan whose borrowing is older raises NO_BORROWING.")
  Duration lookback;

  @Option(
      names = "--compare",
      description =
          "Diff the replay's alerts against the live alert "
              + "topic over the same window: new, vanished, changed severity.")
  boolean compare;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Write the summary and the " + "diff as JSON.")
  Path report;

  @Option(names = "--keep", description = "Keep the run's internal topics, group and state.")
  boolean keep;

  @Option(names = "--grace", paramLabel = "DURATION", description = "As for detect.")
  String grace;

  @Option(names = "--max-fee-bps", paramLabel = "BPS", description = "As for detect.")
  Integer maxFeeBps;

  @Option(names = "--hold-severity", paramLabel = "SEVERITY", description = "As for detect.")
  String holdSeverity;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "Local state of the run (default <tmp>/repayguard-replay).")
  Path stateDir;

  @Option(names = "--config", paramLabel = "FILE", description = "As for detect.")
  Path configFile;

  @Override
  public Integer call() throws InterruptedException {
    if (suffix == null || suffix.isBlank()) {
      throw UserException.badInput(
          "--suffix must not be empty: a replay never writes the live " + "topics");
    }
    final long fromMillis = "earliest".equals(from) ? Long.MIN_VALUE : instant("--from", from);
    final long toMillis = to == null ? Long.MAX_VALUE : instant("--to", to);
    if (toMillis < fromMillis) {
      throw UserException.badInput("--to is before --from");
    }
    if (lookback != null && fromMillis == Long.MIN_VALUE) {
      throw UserException.badInput("--lookback needs --from T: it counts back from T");
    }
    if (lookback != null && (lookback.isNegative() || lookback.isZero())) {
      throw UserException.badInput("--lookback must be more than 0");
    }
    final Map<String, String> file =
        configFile == null ? Map.of() : ConnectionOptions.readProperties(configFile);
    final DetectSettings settings =
        DetectSettings.resolve(
            new DetectSettings.Flags(null, grace, null, maxFeeBps, holdSeverity, null),
            file,
            parent.env());
    final ClientSettings client = connection.resolve(parent.env(), settings.passThrough());
    Preflight.requireKafka(client);
    final String id =
        runId != null
            ? runId
            : DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now());
    final ReplayRunner.Result result =
        new ReplayRunner(client, parent.out())
            .run(
                new ReplayRunner.Options(
                    id,
                    settings.config(),
                    new DetectorConfig.Publication(fromMillis, toMillis, holds),
                    suffix,
                    fromInputs,
                    flush,
                    Optional.ofNullable(lookback),
                    compare,
                    keep,
                    stateDir != null
                        ? stateDir
                        : Path.of(System.getProperty("java.io.tmpdir"), "repayguard-replay")));
    print(result, flush, parent.out());
    if (report != null) {
      writeReport(result);
    }
    return 0;
  }

  private static long instant(final String option, final String value) {
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (final DateTimeParseException e) {
      throw UserException.badInput(
          option
              + " '"
              + value
              + "' is not an instant like "
              + "2026-03-01T00:00:00Z (or earliest)");
    }
  }

  static void print(
      final ReplayRunner.Result result, final boolean flushed, final PrintStream out) {
    out.printf(
        "replay %s done in %d ms: read up to %d offsets%n",
        result.applicationId(), result.took().toMillis(), result.recordsRead());
    out.println("alerts opened by rule and severity:");
    if (result.openedByRuleAndSeverity().isEmpty()) {
      out.println("  (none)");
    }
    result.openedByRuleAndSeverity().forEach((k, v) -> out.printf("  %-40s %d%n", k, v));
    out.printf(
        "holds that would have been issued: %d (releases %d)%n", result.holds(), result.releases());
    if (!result.flushed().isEmpty() || flushed) {
      out.printf(
          "decided by --flush (pending when history ended; live has not decided them "
              + "yet): %d alerts%n",
          result.flushed().size());
      listed(out, "pending  ", result.flushed().stream().map(ReplayCommand::line).toList());
    }
    result
        .comparison()
        .ifPresent(
            c -> {
              out.printf(
                  "compared with live: %d new, %d vanished, %d changed severity%n",
                  c.added().size(), c.vanished().size(), c.severityChanged().size());
              listed(out, "new      ", c.added().stream().map(ReplayCommand::line).toList());
              listed(out, "vanished ", c.vanished().stream().map(ReplayCommand::line).toList());
              listed(
                  out,
                  "changed  ",
                  c.severityChanged().stream()
                      .map(
                          p ->
                              p[1].getAlertId()
                                  + " "
                                  + p[0].getSeverity()
                                  + " -> "
                                  + p[1].getSeverity())
                      .toList());
            });
  }

  /** The first {@value #LISTED} lines of a category; --report has them all. */
  private static void listed(final PrintStream out, final String label, final List<String> lines) {
    lines.stream().limit(LISTED).forEach(l -> out.println("  " + label + " " + l));
    if (lines.size() > LISTED) {
      out.println("  " + label + " ... and " + (lines.size() - LISTED) + " more (see --report)");
    }
  }

  private static String line(final Alert a) {
    return a.getAlertId() + " " + a.getSeverity() + " account " + a.getAccountId();
  }

  private void writeReport(final ReplayRunner.Result result) {
    final ObjectNode root = JSON.createObjectNode();
    root.put("applicationId", result.applicationId());
    root.put("tookMillis", result.took().toMillis());
    root.put("offsetsRead", result.recordsRead());
    final ObjectNode opened = root.putObject("openedByRuleAndSeverity");
    result.openedByRuleAndSeverity().forEach(opened::put);
    root.put("holds", result.holds());
    root.put("releases", result.releases());
    if (flush) {
      ids(root.putArray("flushed"), result.flushed());
    }
    result
        .comparison()
        .ifPresent(
            c -> {
              final ObjectNode diff = root.putObject("comparison");
              ids(diff.putArray("new"), c.added());
              ids(diff.putArray("vanished"), c.vanished());
              final ArrayNode changed = diff.putArray("severityChanged");
              c.severityChanged()
                  .forEach(
                      p ->
                          changed
                              .addObject()
                              .put("alertId", p[1].getAlertId())
                              .put("live", p[0].getSeverity().name())
                              .put("replay", p[1].getSeverity().name()));
            });
    try {
      Files.writeString(report, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } catch (final IOException e) {
      throw UserException.badInput("cannot write " + report + ": " + e.getMessage());
    }
  }

  private static void ids(final ArrayNode into, final List<Alert> alerts) {
    alerts.forEach(
        a ->
            into.addObject()
                .put("alertId", a.getAlertId())
                .put("rule", a.getRule().name())
                .put("severity", a.getSeverity().name())
                .put("planId", a.getPlanId()));
  }
}
