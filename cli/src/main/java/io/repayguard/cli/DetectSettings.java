package io.repayguard.cli;

import io.repayguard.decision.Retention;
import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.TopicNames;
import io.repayguard.events.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The detector's settings, layered once: defaults &lt; {@code --config} file &lt; environment &lt;
 * flags; validated here, immutable after.
 *
 * <p>File keys and environment variables: {@code application.id} ({@code
 * REPAYGUARD_APPLICATION_ID}), {@code grace} ({@code REPAYGUARD_GRACE}), {@code idle.timeout}
 * ({@code REPAYGUARD_IDLE_TIMEOUT}), {@code max.fee.bps} ({@code REPAYGUARD_MAX_FEE_BPS}), {@code
 * hold.severity} ({@code REPAYGUARD_HOLD_SEVERITY}), {@code state.dir} ({@code
 * REPAYGUARD_STATE_DIR}), {@code retention.closed.plan} ({@code REPAYGUARD_RETENTION_CLOSED_PLAN}),
 * {@code retention.inactive} ({@code REPAYGUARD_RETENTION_INACTIVE}), and {@code
 * topic.<default-name>} to rename a topic. Every other file key is passed to Kafka Streams and the
 * clients as it is.
 *
 * @param passThrough the file's other keys, for Kafka
 */
record DetectSettings(
    String applicationId, Path stateDir, DetectorConfig config, Map<String, String> passThrough) {

  static final String DEFAULT_APPLICATION_ID = "repayguard-detector";

  /** Flags as given on the command line; null where not given. */
  record Flags(
      String applicationId,
      String grace,
      String idleTimeout,
      Integer maxFeeBps,
      String holdSeverity,
      Path stateDir) {}

  static DetectSettings resolve(
      final Flags flags, final Map<String, String> file, final Map<String, String> env) {
    final Map<String, String> rest = new HashMap<>(file);
    final Layers layers = new Layers(rest, env);
    final String applicationId =
        layers.pick(
            flags.applicationId(),
            "application.id",
            "REPAYGUARD_APPLICATION_ID",
            DEFAULT_APPLICATION_ID);
    final Duration grace =
        parse(
            "grace",
            layers.pick(flags.grace(), "grace", "REPAYGUARD_GRACE", "PT5M"),
            Durations::parse);
    final Duration idle =
        parse(
            "idle-timeout",
            layers.pick(flags.idleTimeout(), "idle.timeout", "REPAYGUARD_IDLE_TIMEOUT", "PT5S"),
            Durations::parse);
    final int maxFee =
        parse(
            "max-fee-bps",
            layers.pick(
                flags.maxFeeBps() == null ? null : flags.maxFeeBps().toString(),
                "max.fee.bps",
                "REPAYGUARD_MAX_FEE_BPS",
                "800"),
            Integer::parseInt);
    final Severity hold =
        parse(
            "hold-severity",
            layers.pick(flags.holdSeverity(), "hold.severity", "REPAYGUARD_HOLD_SEVERITY", "HIGH"),
            DetectSettings::severity);
    final Path stateDir =
        Path.of(
            layers.pick(
                flags.stateDir() == null ? null : flags.stateDir().toString(),
                "state.dir",
                "REPAYGUARD_STATE_DIR",
                Path.of(System.getProperty("java.io.tmpdir"), "repayguard-streams").toString()));
    final Duration closedPlan =
        parse(
            "retention.closed.plan",
            layers.pick(null, "retention.closed.plan", "REPAYGUARD_RETENTION_CLOSED_PLAN", "P90D"),
            Durations::parse);
    final Duration inactive =
        parse(
            "retention.inactive",
            layers.pick(null, "retention.inactive", "REPAYGUARD_RETENTION_INACTIVE", "P400D"),
            Durations::parse);
    final TopicNames topics = topics(rest, applicationId);
    final DetectorConfig config;
    try {
      config =
          DetectorConfig.defaults(DetectorConfig.SourcePartitions.single())
              .withTopics(topics)
              .withGrace(grace)
              .withIdleTimeout(idle)
              .withMaxFeeBps(maxFee)
              .withHoldSeverity(hold)
              .withRetention(new Retention(closedPlan, inactive));
    } catch (final IllegalArgumentException e) {
      throw UserException.badInput(e.getMessage());
    }
    return new DetectSettings(applicationId, stateDir, config, Map.copyOf(rest));
  }

  private static Severity severity(final String value) {
    try {
      return Severity.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (final IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not one of LOW, MEDIUM, HIGH, CRITICAL");
    }
  }

  /**
   * The topics, each renamed by {@code topic.<its name in TopicNames.defaults()>}; the detector's
   * own two are named after the application id unless renamed.
   */
  private static TopicNames topics(final Map<String, String> rest, final String applicationId) {
    final TopicNames key = TopicNames.defaults();
    final TopicNames d = TopicNames.forApplication(applicationId);
    return new TopicNames(
        take(rest, key.creditUse(), d.creditUse()),
        take(rest, key.merchantOrder(), d.merchantOrder()),
        take(rest, key.repaymentPlan(), d.repaymentPlan()),
        take(rest, key.ops(), d.ops()),
        take(rest, key.alerts(), d.alerts()),
        take(rest, key.holdCommands(), d.holdCommands()),
        take(rest, key.dlq(), d.dlq()),
        take(rest, key.orderLinks(), d.orderLinks()),
        take(rest, key.facts(), d.facts()));
  }

  private static String take(
      final Map<String, String> rest, final String key, final String defaultName) {
    final String renamed = rest.remove("topic." + key);
    return renamed == null || renamed.isBlank() ? defaultName : renamed.trim();
  }

  private static <T> T parse(
      final String name, final String value, final Function<String, T> parser) {
    try {
      return parser.apply(value.trim());
    } catch (final RuntimeException e) {
      final String why =
          e.getMessage() == null || e instanceof NumberFormatException
              ? "'" + value + "' is not valid"
              : e.getMessage();
      throw UserException.badInput("bad value for " + name + ": " + why);
    }
  }

  /** Looks a setting up in flag, environment, file, default order; consumes the file key. */
  /**
   * One setting from its layers: the flag, else the environment, else the file, else the default.
   * Takes the key out of {@code file}, so what is left there goes to Kafka.
   */
  record Layers(Map<String, String> file, Map<String, String> env) {
    String pick(final String flag, final String fileKey, final String envName, final String dflt) {
      final String fromFile = file.remove(fileKey);
      if (flag != null) {
        return flag;
      }
      if (env.get(envName) != null && !env.get(envName).isBlank()) {
        return env.get(envName);
      }
      return fromFile != null ? fromFile : dflt;
    }
  }
}
