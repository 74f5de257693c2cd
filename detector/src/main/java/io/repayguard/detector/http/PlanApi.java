package io.repayguard.detector.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.repayguard.detector.Names;
import io.repayguard.detector.OpsCommandSender;
import io.repayguard.detector.state.OpenAlert;
import io.repayguard.detector.state.PlanState;
import io.repayguard.detector.state.RuleCount;
import io.repayguard.events.Alert;
import io.repayguard.events.CreditUse;
import io.repayguard.events.OpsAction;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.Rule;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A plan's state from the detector's own stores, and a person's acknowledgement or resolution
 * written to the ops topic: what {@code GET /plans/{planId}} and {@code POST
 * /plans/{planId}/alerts/{rule}/ack|resolve} answer.
 *
 * <p>Queries read this instance's stores (every partition it holds); with several instances, ask
 * each (an instance answers 404 for a plan it does not hold). A command goes through the ops topic
 * like {@code ./repayguard resolve}, so the detector applies it in the facts log's order and replay
 * reproduces it; the answer is 202, and the outcome appears on the alert and hold topics.
 */
public final class PlanApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

  private final KafkaStreams streams;
  private final String opsTopic;
  private final OpsCommandSender sender;

  /** One answer: an HTTP status and a JSON body. */
  public record Answer(int status, String body) {
    static Answer error(final int status, final String message) {
      return new Answer(status, JSON.createObjectNode().put("error", message).toString());
    }
  }

  private PlanApi(
      final KafkaStreams streams, final String opsTopic, final OpsCommandSender sender) {
    this.streams = streams;
    this.opsTopic = opsTopic;
    this.sender = sender;
  }

  /**
   * Queries {@code streams}' stores and writes commands to {@code opsTopic} with a producer of
   * {@code clientProperties} (bootstrap servers, schema registry, security).
   */
  public static PlanApi create(
      final KafkaStreams streams,
      final Map<String, Object> clientProperties,
      final String opsTopic) {
    return new PlanApi(streams, opsTopic, new OpsCommandSender(clientProperties));
  }

  /** {@code GET /plans/{planId}}: 200 with its state, 404 when no store here holds it. */
  public Answer plan(final String planId) {
    final Optional<Answer> unready = unready();
    if (unready.isPresent()) {
      return unready.get();
    }
    try {
      final PlanState plan = this.<PlanState>store(Names.PLANS_STORE).get(planId);
      if (plan == null) {
        return Answer.error(404, "no plan " + planId + " on this instance");
      }
      final CreditUse borrowing =
          plan.getCreditId() == null
              ? null
              : this.<CreditUse>store(Names.BORROWINGS_STORE).get(plan.getCreditId());
      return new Answer(200, render(plan, borrowing).toString());
    } catch (final InvalidStateStoreException e) {
      return Answer.error(503, "the detector's stores are moving (rebalancing); retry");
    }
  }

  /**
   * {@code POST /plans/{planId}/alerts/{rule}/ack|resolve} with {@code {"analyst", "reason"}} and
   * an optional {@code "commandId"} (a retry with the same id is applied once): 202 once the
   * command is on the ops topic; 400 for a bad body or rule; 404 when the plan has no open alert of
   * that rule here.
   */
  public Answer command(
      final String planId, final String ruleName, final OpsAction action, final String body) {
    final Rule rule;
    try {
      rule = Rule.valueOf(ruleName);
    } catch (final IllegalArgumentException e) {
      return Answer.error(
          400,
          "unknown rule '"
              + ruleName
              + "': use one of "
              + Arrays.stream(Rule.values()).map(Rule::name).collect(Collectors.joining(", ")));
    }
    final JsonNode request;
    try {
      request = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (final JsonProcessingException e) {
      return Answer.error(400, "the body is not JSON: " + e.getOriginalMessage());
    }
    final String analyst = text(request, "analyst");
    final String reason = text(request, "reason");
    if (analyst == null || reason == null) {
      return Answer.error(400, "the body needs \"analyst\" and \"reason\", both not blank");
    }
    final Optional<Answer> unready = unready();
    if (unready.isPresent()) {
      return unready.get();
    }
    try {
      final PlanState plan = this.<PlanState>store(Names.PLANS_STORE).get(planId);
      if (plan == null
          || plan.getOpenAlerts().stream().noneMatch(a -> a.getAlert().getRule() == rule)) {
        return Answer.error(404, "plan " + planId + " has no open " + rule + " alert here");
      }
    } catch (final InvalidStateStoreException e) {
      return Answer.error(503, "the detector's stores are moving (rebalancing); retry");
    }
    final String commandId =
        Optional.ofNullable(text(request, "commandId")).orElse(UUID.randomUUID().toString());
    final OpsCommand command =
        OpsCommand.newBuilder()
            .setCommandId(commandId)
            .setAction(action)
            .setPlanId(planId)
            .setRule(rule)
            .setAnalyst(analyst)
            .setReason(reason)
            .setIssuedAt(Instant.now())
            .build();
    try {
      final RecordMetadata sent = sender.send(opsTopic, command, SEND_TIMEOUT);
      return new Answer(
          202,
          JSON.createObjectNode()
              .put("commandId", commandId)
              .put("action", action.name())
              .put("planId", planId)
              .put("rule", rule.name())
              .put("topic", sent.topic())
              .put("partition", sent.partition())
              .put("offset", sent.offset())
              .toString());
    } catch (final ExecutionException | TimeoutException e) {
      return Answer.error(
          503, "cannot write to " + opsTopic + ": " + (e.getCause() == null ? e : e.getCause()));
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.error(503, "interrupted");
    }
  }

  private Optional<Answer> unready() {
    return streams.state() == KafkaStreams.State.RUNNING
        ? Optional.empty()
        : Optional.of(
            Answer.error(
                503, "the detector is " + streams.state() + ", not RUNNING; retry shortly"));
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(final String name) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
  }

  private static String text(final JsonNode request, final String field) {
    final JsonNode value = request.get(field);
    return value == null || !value.isTextual() || value.asText().isBlank()
        ? null
        : value.asText().trim();
  }

  private static ObjectNode render(final PlanState plan, final CreditUse borrowing) {
    final ObjectNode json = JSON.createObjectNode();
    json.put("planId", plan.getPlanId());
    json.put("creditId", plan.getCreditId());
    json.put("accountId", plan.getAccountId());
    json.put("held", plan.getHeld());
    json.put("collectedMinor", plan.getCollectedMinor());
    json.put("closed", plan.getClosedAt() != null);
    if (borrowing == null) {
      json.putNull("borrowing");
    } else {
      json.putObject("borrowing")
          .put("creditId", borrowing.getCreditId())
          .put("accountId", borrowing.getAccountId())
          .put("status", borrowing.getStatus().name())
          .put("amountMinor", borrowing.getAmountMinor())
          .put("eventTime", borrowing.getEventTime().toString());
    }
    final ArrayNode open = json.putArray("openAlerts");
    for (final OpenAlert o : plan.getOpenAlerts()) {
      final Alert a = o.getAlert();
      open.addObject()
          .put("alertId", a.getAlertId())
          .put("rule", a.getRule().name())
          .put("severity", a.getSeverity().name())
          .put("status", a.getStatus().name())
          .put("explanation", a.getExplanation())
          .put("decidedAt", a.getDecidedAt().toString());
    }
    final ObjectNode raised = json.putObject("alertsRaisedByRule");
    for (final RuleCount count : plan.getOccurrences()) {
      raised.put(count.getRule().name(), count.getCount());
    }
    final ArrayNode decided = json.putArray("decidedEvents");
    for (final RepaymentEvent e : plan.getDecided()) {
      decided
          .addObject()
          .put("eventId", e.getEventId())
          .put("type", e.getType().name())
          .put("installmentNo", e.getInstallmentNo())
          .put("amountMinor", e.getAmountMinor())
          .put("eventTime", e.getEventTime().toString());
    }
    return json;
  }

  @Override
  public void close() {
    sender.close();
  }
}
