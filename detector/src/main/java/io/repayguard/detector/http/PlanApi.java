package io.repayguard.detector.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.repayguard.decision.Plan;
import io.repayguard.decision.StoredPlans;
import io.repayguard.detector.FactsKey;
import io.repayguard.detector.Names;
import io.repayguard.detector.OpsCommandSender;
import io.repayguard.detector.TopicNames;
import io.repayguard.detector.state.PlanCredit;
import io.repayguard.detector.state.PlanState;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.OpsAction;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.Rule;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The risk-ops query interface behind the detector's HTTP API and dashboard: a plan's state from
 * the detector's own stores, the held plans and the alerts as the output topics committed them (a
 * {@link LiveFeed}), and a person's acknowledgement or resolution written to the ops topic.
 *
 * <p>Plan queries read this instance's stores (every partition it holds); with several instances,
 * ask each (an instance answers 404 for a plan it does not hold). Held plans and alerts come from
 * the committed alert and hold topics, so every instance answers them for the whole cluster, as the
 * freeze service sees them. A command goes through the ops topic like {@code ./repayguard resolve},
 * so the detector applies it in the facts log's order and replay reproduces it; the answer is 202,
 * and the outcome appears on the alert and hold topics.
 */
public final class PlanApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);
  private static final int DEFAULT_PAGE = 50;
  private static final int MAX_PAGE = 500;
  private static final int MAX_HOPS = 2;
  private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

  private final KafkaStreams streams;
  private final String opsTopic;
  private final OpsCommandSender sender;
  private final LiveFeed feed;
  private final Optional<HostInfo> self;
  private final String scheme;
  private final HttpClient http;

  /**
   * How this instance reaches the others: its own {@code application.server}, and the TLS context
   * to trust when their HTTP is HTTPS.
   */
  public record Peers(HostInfo self, Optional<SSLContext> tls) {}

  /** One answer: an HTTP status and a JSON body. */
  public record Answer(int status, String body) {
    static Answer error(final int status, final String message) {
      return new Answer(status, JSON.createObjectNode().put("error", message).toString());
    }
  }

  private PlanApi(
      final KafkaStreams streams,
      final String opsTopic,
      final OpsCommandSender sender,
      final LiveFeed feed,
      final Optional<Peers> peers) {
    this.streams = streams;
    this.opsTopic = opsTopic;
    this.sender = sender;
    this.feed = feed;
    this.self = peers.map(Peers::self);
    final Optional<SSLContext> tls = peers.flatMap(Peers::tls);
    this.scheme = tls.isPresent() ? "https" : "http";
    final HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(FORWARD_TIMEOUT);
    tls.ifPresent(client::sslContext);
    this.http = client.build();
  }

  /**
   * Queries {@code streams}' stores, reads {@code topics}' alerts and hold commands, and writes
   * commands to its ops topic, with clients of {@code clientProperties} (bootstrap servers, schema
   * registry, security).
   */
  public static PlanApi create(
      final KafkaStreams streams,
      final Map<String, Object> clientProperties,
      final TopicNames topics) {
    return create(streams, clientProperties, topics, Optional.empty());
  }

  /**
   * As {@link #create(KafkaStreams, Map, TopicNames)}, for one of several instances: a plan another
   * instance holds is asked of that instance, as {@code peers} says to reach it.
   */
  public static PlanApi create(
      final KafkaStreams streams,
      final Map<String, Object> clientProperties,
      final TopicNames topics,
      final Optional<Peers> peers) {
    return new PlanApi(
        streams,
        topics.ops(),
        new OpsCommandSender(clientProperties),
        LiveFeed.start(
            clientProperties, topics.alerts(), topics.holdCommands(), () -> inputLag(streams)),
        peers);
  }

  /** The live feed of committed alerts and hold commands. */
  public LiveFeed feed() {
    return feed;
  }

  /**
   * The dashboard's status: Kafka Streams' state, whether it is ready, and the feed's counts and
   * charts.
   */
  public String status() {
    final ObjectNode json = feed.summary();
    json.put("state", streams.state().name());
    json.put("ready", streams.state() == KafkaStreams.State.RUNNING);
    json.put("inputLag", inputLag(streams));
    return json.toString();
  }

  /**
   * {@code GET /holds?limit=&offset=}: the plans held now, newest first, with the HOLD command that
   * froze each.
   */
  public Answer holds(final Map<String, String> query) {
    final Optional<int[]> page = page(query);
    if (page.isEmpty()) {
      return pageError();
    }
    final List<HoldCommand> holds = feed.holds();
    final ObjectNode json = pageJson(holds.size(), page.get());
    final ArrayNode items = json.putArray("items");
    slice(holds, page.get()).forEach(h -> items.add(LiveFeed.holdJson(h)));
    return new Answer(200, json.toString());
  }

  /**
   * {@code GET /alerts?status=OPEN|RESOLVED&rule=&limit=&offset=}: open alerts (default), or the
   * last resolved ones, newest first.
   */
  public Answer alerts(final Map<String, String> query) {
    final AlertStatus status;
    final Rule rule;
    try {
      status = AlertStatus.valueOf(query.getOrDefault("status", "OPEN").toUpperCase(Locale.ROOT));
    } catch (final IllegalArgumentException e) {
      return Answer.error(
          400, "unknown status '" + query.get("status") + "': use OPEN or RESOLVED");
    }
    final Optional<Rule> parsed = rule(query.get("rule"));
    if (query.containsKey("rule") && parsed.isEmpty()) {
      return unknownRule(query.get("rule"));
    }
    rule = parsed.orElse(null);
    final Optional<int[]> page = page(query);
    if (page.isEmpty()) {
      return pageError();
    }
    final List<Alert> alerts = feed.alerts(status, rule);
    final ObjectNode json = pageJson(alerts.size(), page.get());
    final ArrayNode items = json.putArray("items");
    slice(alerts, page.get()).forEach(a -> items.add(LiveFeed.alertJson(a)));
    return new Answer(200, json.toString());
  }

  /**
   * {@code GET /plans/{planId}}: 200 with its state, 404 when no instance holds it, 503 while the
   * stores move. With {@code self} known (several instances), the instance that holds the plan
   * answers: this one, or another reached over HTTP with the caller's {@code authorization}. A
   * plan's state lives with its borrowing (the facts log is keyed by creditId), so the plan's
   * creditId is looked up first, from the ingest stage's store on the instance holding the plan's
   * repayment-plan partition, then the state on the instance holding that creditId's facts
   * partition: at most two forwards. {@code local=true} in {@code query} answers from this
   * instance's stores only.
   */
  public Answer plan(
      final String planId, final Map<String, String> query, final Optional<String> authorization) {
    final Optional<Answer> unready = unready();
    if (unready.isPresent()) {
      return unready.get();
    }
    if (self.isEmpty() || "true".equals(query.get("local"))) {
      return localPlan(planId);
    }
    final int hops = parseHops(query.get("hops"));
    if (hops > MAX_HOPS) {
      return moving();
    }
    try {
      final KeyQueryMetadata credit =
          streams.queryMetadataForKey(
              Names.PLAN_CREDITS_STORE, planId, Serdes.String().serializer());
      if (credit == null || credit == KeyQueryMetadata.NOT_AVAILABLE) {
        return moving();
      }
      if (!credit.activeHost().equals(self.get())) {
        return forward(credit.activeHost(), planId, "hops=" + (hops + 1), authorization);
      }
      final PlanCredit known =
          streams
              .store(
                  StoreQueryParameters.fromNameAndType(
                          Names.PLAN_CREDITS_STORE,
                          QueryableStoreTypes.<String, PlanCredit>keyValueStore())
                      .withPartition(credit.partition()))
              .get(planId);
      if (known == null) {
        return Answer.error(404, "no plan " + planId);
      }
      final KeyQueryMetadata state =
          streams.queryMetadataForKey(
              Names.PLANS_STORE,
              FactsKey.of(planId, known.getCreditId()),
              Serdes.String().serializer());
      if (state == null || state == KeyQueryMetadata.NOT_AVAILABLE) {
        return moving();
      }
      return state.activeHost().equals(self.get())
          ? localPlan(planId)
          : forward(state.activeHost(), planId, "local=true", authorization);
    } catch (final InvalidStateStoreException e) {
      return moving();
    }
  }

  private Answer localPlan(final String planId) {
    try {
      final PlanState stored = this.<PlanState>store(Names.PLANS_STORE).get(planId);
      if (stored == null) {
        return Answer.error(404, "no plan " + planId + (self.isEmpty() ? " on this instance" : ""));
      }
      final Plan plan = StoredPlans.read(stored);
      final CreditUse borrowing =
          plan.creditId() == null
              ? null
              : this.<CreditUse>store(Names.BORROWINGS_STORE).get(plan.creditId());
      return new Answer(200, render(plan, borrowing).toString());
    } catch (final InvalidStateStoreException e) {
      return moving();
    }
  }

  /** The answer of the instance at {@code host} to the same question. */
  private Answer forward(
      final HostInfo host,
      final String planId,
      final String query,
      final Optional<String> authorization) {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    scheme
                        + "://"
                        + host.host()
                        + ":"
                        + host.port()
                        + "/plans/"
                        + URLEncoder.encode(planId, StandardCharsets.UTF_8).replace("+", "%20")
                        + "?"
                        + query))
            .timeout(FORWARD_TIMEOUT)
            .GET();
    authorization.ifPresent(a -> request.header("Authorization", a));
    try {
      final HttpResponse<String> answer =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(answer.statusCode(), answer.body());
    } catch (final IOException e) {
      return Answer.error(
          503, "the instance holding plan " + planId + " (" + host + ") does not answer; retry");
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.error(503, "interrupted");
    }
  }

  private static int parseHops(final String hops) {
    try {
      return hops == null ? 0 : Integer.parseInt(hops);
    } catch (final NumberFormatException e) {
      return MAX_HOPS + 1;
    }
  }

  private static Answer moving() {
    return Answer.error(503, "the detector's stores are moving (rebalancing); retry");
  }

  /**
   * {@code POST /plans/{planId}/alerts/{rule}/ack|resolve} with {@code {"analyst", "reason"}} and
   * an optional {@code "commandId"} (a retry with the same id is applied once): 202 once the
   * command is on the ops topic; 400 for a bad body or rule; 404 when the plan has no open alert of
   * that rule here.
   */
  public Answer command(
      final String planId,
      final String ruleName,
      final OpsAction action,
      final String body,
      final Optional<String> authorization) {
    final Optional<Rule> parsed = rule(ruleName);
    if (parsed.isEmpty()) {
      return unknownRule(ruleName);
    }
    final Rule rule = parsed.get();
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
    final Answer state = plan(planId, Map.of(), authorization);
    if (state.status() != 200 && state.status() != 404) {
      return state;
    }
    if (state.status() == 404 || !hasOpenAlert(state.body(), rule)) {
      return Answer.error(404, "plan " + planId + " has no open " + rule + " alert");
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

  private static boolean hasOpenAlert(final String planJson, final Rule rule) {
    try {
      for (final JsonNode alert : JSON.readTree(planJson).path("openAlerts")) {
        if (rule.name().equals(alert.path("rule").asText())) {
          return true;
        }
      }
      return false;
    } catch (final JsonProcessingException e) {
      throw new IllegalStateException("a plan answer that is not JSON: " + e.getMessage(), e);
    }
  }

  private static Optional<Rule> rule(final String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Rule.valueOf(name.trim().toUpperCase(Locale.ROOT)));
    } catch (final IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Answer unknownRule(final String name) {
    return Answer.error(
        400,
        "unknown rule '"
            + name
            + "': use one of "
            + Arrays.stream(Rule.values()).map(Rule::name).collect(Collectors.joining(", ")));
  }

  /** {limit, offset} from the query, or empty when either is not a number in range. */
  private static Optional<int[]> page(final Map<String, String> query) {
    try {
      final int limit = Integer.parseInt(query.getOrDefault("limit", "" + DEFAULT_PAGE));
      final int offset = Integer.parseInt(query.getOrDefault("offset", "0"));
      return limit < 1 || limit > MAX_PAGE || offset < 0
          ? Optional.empty()
          : Optional.of(new int[] {limit, offset});
    } catch (final NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Answer pageError() {
    return Answer.error(400, "limit must be 1 to " + MAX_PAGE + " and offset 0 or more");
  }

  private static ObjectNode pageJson(final int total, final int[] page) {
    final ObjectNode json = JSON.createObjectNode();
    json.put("total", total);
    json.put("limit", page[0]);
    json.put("offset", page[1]);
    if (page[1] + page[0] < total) {
      json.put("next", "offset=" + (page[1] + page[0]) + "&limit=" + page[0]);
    } else {
      json.putNull("next");
    }
    return json;
  }

  private static <T> List<T> slice(final List<T> all, final int[] page) {
    return all.subList(Math.min(page[1], all.size()), Math.min(page[1] + page[0], all.size()));
  }

  /**
   * Input records the detector has not read yet: the sum of its main consumers' per-partition lag
   * (Kafka's {@code records-lag}), internal topics included; 0 before it has read anything.
   */
  static long inputLag(final KafkaStreams streams) {
    double lag = 0;
    for (final var e : streams.metrics().entrySet()) {
      final var name = e.getKey();
      if (name.name().equals("records-lag")
          && name.group().equals("consumer-fetch-manager-metrics")
          && name.tags().containsKey("partition")
          && !name.tags().getOrDefault("client-id", "").endsWith("-restore-consumer")
          && e.getValue().metricValue() instanceof Number n
          && !Double.isNaN(n.doubleValue())) {
        lag += n.doubleValue();
      }
    }
    return (long) lag;
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

  /**
   * The plan as {@code GET /plans/{planId}} shows it; {@code collectedMinor} is the exact sum of
   * its decided collections, a JSON integer of any size.
   */
  static ObjectNode render(final Plan plan, final CreditUse borrowing) {
    final ObjectNode json = JSON.createObjectNode();
    json.put("planId", plan.planId());
    json.put("creditId", plan.creditId());
    json.put("accountId", plan.accountId());
    json.put("held", plan.held());
    json.put("collectedMinor", plan.collectedMinor());
    json.put("closed", plan.closedAt() != null);
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
    for (final Alert a : plan.openAlerts()) {
      open.addObject()
          .put("alertId", a.getAlertId())
          .put("rule", a.getRule().name())
          .put("severity", a.getSeverity().name())
          .put("status", a.getStatus().name())
          .put("explanation", a.getExplanation())
          .put("decidedAt", a.getDecidedAt().toString());
    }
    final ObjectNode raised = json.putObject("alertsRaisedByRule");
    plan.occurrences().forEach((rule, count) -> raised.put(rule.name(), count));
    final ArrayNode decided = json.putArray("decidedEvents");
    for (final RepaymentEvent e : plan.decidedEvents()) {
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
    feed.close();
    sender.close();
  }
}
