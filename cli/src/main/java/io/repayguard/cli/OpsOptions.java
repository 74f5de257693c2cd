package io.repayguard.cli;

import io.repayguard.detector.OpsCommandSender;
import io.repayguard.events.OpsAction;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.Rule;
import io.repayguard.sim.ClientSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code ack} and {@code resolve} share: the command's fields, their checks, and sending it to
 * the ops topic (DESIGN.md, Manual resolution).
 *
 * <p>Input is checked before Kafka is contacted, so a mistake costs no round trip. The command is
 * keyed by planId with record timestamp issuedAt = now. Its commandId is a new UUID unless {@code
 * --command-id} names one; the detector ignores a commandId a plan has read before, so repeating a
 * command with the printed id is a safe retry.
 */
final class OpsOptions {
  static final String ANALYST_ENV = "REPAYGUARD_ANALYST";
  private static final long SEND_TIMEOUT_SECONDS = 30;

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--plan",
      required = true,
      paramLabel = "PLAN",
      description = "Plan whose alert is meant.")
  String plan;

  @Option(
      names = "--rule",
      required = true,
      paramLabel = "RULE",
      description =
          "Rule of the plan's open alert: NO_BORROWING, BORROWING_REVERSED, "
              + "ORDER_NOT_PAID, ACCOUNT_MISMATCH, AMOUNT_EXCEEDS_BORROWING or DUPLICATE_PLAN "
              + "(any case).")
  String rule;

  @Option(
      names = "--analyst",
      paramLabel = "NAME",
      description = "Who acts; written into the alert (env " + ANALYST_ENV + ").")
  String analyst;

  @Option(
      names = "--reason",
      required = true,
      paramLabel = "TEXT",
      description = "Why, in your words.")
  String reason;

  @Option(
      names = "--command-id",
      paramLabel = "ID",
      description =
          "Id of the command (default: a new UUID, printed). Give the printed id again "
              + "to retry safely: the detector ignores a command it has read.")
  String commandId;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      defaultValue = "repayguard-ops",
      description = "The ops topic (default ${DEFAULT-VALUE}).")
  String topic;

  /** Checks the input, sends the command, prints one line saying what was sent; returns 0. */
  int send(final RepayGuard parent, final OpsAction action) {
    final OpsCommand command = command(action, parent.env(), Instant.now());
    final ClientSettings settings = connection.resolve(parent.env(), Map.of());
    Preflight.requireKafka(settings);
    requireTopic(settings);
    final RecordMetadata sent = publish(settings, command);
    parent
        .out()
        .println(
            "sent "
                + action
                + " of "
                + command.getRule()
                + " on plan "
                + command.getPlanId()
                + " by "
                + command.getAnalyst()
                + " to "
                + topic
                + " (partition "
                + sent.partition()
                + ", offset "
                + sent.offset()
                + "); commandId "
                + command.getCommandId()
                + " (retry with --command-id "
                + command.getCommandId()
                + ")");
    return 0;
  }

  /** The command to send, issued at {@code now}; a one-line bad-input error when it cannot be. */
  OpsCommand command(final OpsAction action, final Map<String, String> env, final Instant now) {
    final String who = analyst != null ? analyst : env.get(ANALYST_ENV);
    if (who == null) {
      throw UserException.badInput("--analyst is required (or set " + ANALYST_ENV + ")");
    }
    return OpsCommand.newBuilder()
        .setCommandId(
            commandId == null ? UUID.randomUUID().toString() : nonBlank("--command-id", commandId))
        .setAction(action)
        .setPlanId(nonBlank("--plan", plan))
        .setRule(rule(rule))
        .setAnalyst(nonBlank("--analyst", who))
        .setReason(nonBlank("--reason", reason))
        .setIssuedAt(now)
        .build();
  }

  private static Rule rule(final String name) {
    try {
      return Rule.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (final IllegalArgumentException e) {
      throw UserException.badInput(
          "unknown rule '"
              + name
              + "': use one of "
              + Arrays.stream(Rule.values()).map(Rule::name).collect(Collectors.joining(", ")));
    }
  }

  private static String nonBlank(final String option, final String value) {
    if (value.isBlank()) {
      throw UserException.badInput(option + " must not be blank");
    }
    return value.trim();
  }

  /** A missing topic would wait out the producer's metadata timeout; say so at once instead. */
  private void requireTopic(final ClientSettings settings) {
    try (Admin admin = Admin.create(settings.clientProperties())) {
      admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (final ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new UserException(
            UserException.UNUSABLE_ENVIRONMENT,
            "topic "
                + topic
                + " does not exist at "
                + settings.bootstrapServers()
                + " (./repayguard stack and "
                + "the detector create it)",
            e);
      }
      throw new UserException(
          UserException.UNUSABLE_ENVIRONMENT,
          "cannot describe topic " + topic + ": " + e.getCause().getMessage(),
          e);
    } catch (final TimeoutException e) {
      throw new UserException(
          UserException.UNUSABLE_ENVIRONMENT, "timed out describing topic " + topic, e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException(UserException.UNUSABLE_ENVIRONMENT, "interrupted", e);
    }
  }

  private RecordMetadata publish(final ClientSettings settings, final OpsCommand command) {
    try (OpsCommandSender sender = new OpsCommandSender(settings.clientProperties())) {
      return sender.send(topic, command, Duration.ofSeconds(SEND_TIMEOUT_SECONDS));
    } catch (final ExecutionException | TimeoutException e) {
      throw new UserException(
          UserException.UNUSABLE_ENVIRONMENT,
          "cannot send to " + topic + ": " + (e.getCause() == null ? e : e.getCause()).getMessage(),
          e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException(UserException.UNUSABLE_ENVIRONMENT, "interrupted", e);
    }
  }
}
