package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.TopicNames;
import io.repayguard.detector.http.DetectorHttpServer;
import io.repayguard.detector.http.PlanApi;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import io.repayguard.sim.SimTopics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector's HTTP surface on a running detector and a real broker: health for probes, the
 * bearer token, and /metrics scraped and checked by Prometheus' own {@code promtool} (Debian's
 * {@code prometheus} package; {@code .ci/run} installs it when missing, so a missing promtool fails
 * this test rather than skipping it).
 */
@Tag("integration")
class HttpApiTest {
  private static final String TOKEN = "s3cret-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** promtool's exit code when it has only lint findings (1 is for errors). */
  private static final int LINT_FINDINGS = 3;

  /** promtool's naming advice, as opposed to a parse error. */
  private static final Pattern NAMING_LINT =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]* (metric names should not contain abbreviated units"
              + "|non-histogram and non-summary metrics should not have \"_count\" suffix"
              + "|no help text)");

  private static BrokerHarness harness;

  @BeforeAll
  static void startStack() {
    harness = new BrokerHarness();
  }

  @AfterAll
  static void stopStack() {
    harness.close();
  }

  @Test
  void shouldServeHealthTokenGuardedMetricsThatPromtoolAccepts(@TempDir final Path dir)
      throws Exception {
    // Given: a detector serving HTTP with a token
    final TopicNames topics = BrokerHarness.uniqueTopics("http");
    final String id = "it-http-" + topics.creditUse().substring(5, 13);
    try (DetectorRunner detector =
            harness.startDetector(BrokerHarness.config(topics), id, dir.resolve("state"));
        DetectorHttpServer server =
            DetectorHttpServer.start(
                new InetSocketAddress("127.0.0.1", 0), detector.streams(), Optional.of(TOKEN))) {
      final URI base = server.uri();

      // Then: ready once Kafka Streams runs; the probes need no token
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> get(base, "/health/ready", null).statusCode() == 200);
      assertThat(get(base, "/health/ready", null).body()).contains("\"state\":\"RUNNING\"");
      final HttpResponse<String> live = get(base, "/health/live", null);
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.body()).contains("\"status\":\"UP\"");

      // When: a record that does not decode, and a plan with no borrowing decided
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              harness.client().clientProperties(),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.creditUse(),
                    "c-junk".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8)))
            .get();
      }
      harness.publish(BrokerHarness.scenario("02-no-borrowing.jsonl"), topics, id);
      harness.barrier(id);

      // Then: /metrics wants the token, counts the alert and its hold, and promtool accepts it
      final HttpResponse<String> refused = get(base, "/metrics", null);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(get(base, "/metrics", "wrong").statusCode()).isEqualTo(401);
      final HttpResponse<String> metrics = get(base, "/metrics", TOKEN);
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(metrics.body())
          .contains(
              "repayguard_alerts_published_total{rule=\"NO_BORROWING\",severity=\"CRITICAL\","
                  + "status=\"OPEN\"} 1.0",
              "repayguard_hold_commands_published_total{action=\"HOLD\"} 1.0",
              "repayguard_detector_running 1.0",
              "repayguard_dead_letters_total{reason=\"org.apache.kafka.common.errors"
                  + ".SerializationException\"} 1.0",
              "kafka_stream_thread_",
              "jvm_memory_used_bytes");
      // the scenario's history is months old: its partitions' detector time is that far behind
      assertThat(metrics.body())
          .containsPattern(
              "(?m)^repayguard_detector_time_behind_seconds\\{task=\"\\d+_\\d+\"\\}"
                  + " [0-9.]+E[0-9]+$")
          .containsPattern("(?m)^repayguard_facts_read_total\\{task=\"\\d+_\\d+\"\\} [1-9]")
          .containsPattern("(?m)^repayguard_decisions_made_total\\{task=\"\\d+_\\d+\"\\} [1-9]")
          .containsPattern("(?m)^repayguard_decisions_pending\\{task=\"\\d+_\\d+\"\\} 0\\.0$")
          .containsPattern(
              "(?m)^repayguard_detector_time_behind_event_time_seconds\\{task=\"\\d+_\\d+\"\\}"
                  + " [0-9]")
          .contains(
              "repayguard_alert_decision_latency_seconds_count 1",
              "repayguard_alert_decision_latency_seconds_bucket{le=\"+Inf\"} 1");
      assertThat(promtool(metrics.body(), dir)).isEmpty();
      assertThat(get(base, "/nothing-here", TOKEN).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void shouldShowAPlanAndResolveItsAlertThroughTheApi(@TempDir final Path dir) throws Exception {
    // Given: a plan with no borrowing, decided: a CRITICAL alert and a hold
    final TopicNames topics = BrokerHarness.uniqueTopics("plans");
    final String id = "it-plans-" + topics.creditUse().substring(6, 14);
    try (DetectorRunner detector =
            harness.startDetector(BrokerHarness.config(topics), id, dir.resolve("state"));
        DetectorHttpServer server =
            DetectorHttpServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                detector.streams(),
                Optional.of(TOKEN),
                Optional.of(
                    PlanApi.create(
                        detector.streams(), harness.client().clientProperties(), topics)))) {
      final URI base = server.uri();
      harness.publish(BrokerHarness.scenario("02-no-borrowing.jsonl"), topics, id);
      harness.barrier(id);

      // Then: the plan's state, behind the token
      assertThat(get(base, "/plans/p2", null).statusCode()).isEqualTo(401);
      final HttpResponse<String> plan = get(base, "/plans/p2", TOKEN);
      assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
      final JsonNode state = JSON.readTree(plan.body());
      assertThat(state.get("planId").asText()).isEqualTo("p2");
      assertThat(state.get("held").asBoolean()).isTrue();
      assertThat(state.get("borrowing").isNull()).isTrue();
      assertThat(state.get("openAlerts")).hasSize(1);
      assertThat(state.get("openAlerts").get(0).get("rule").asText()).isEqualTo("NO_BORROWING");
      assertThat(state.get("openAlerts").get(0).get("severity").asText()).isEqualTo("CRITICAL");
      assertThat(get(base, "/plans/no-such-plan", TOKEN).statusCode()).isEqualTo(404);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(get(base, "/metrics", TOKEN).body())
                      .contains("repayguard_holds_active 1.0", "repayguard_alerts_open 1.0"));
      final JsonNode holds = JSON.readTree(get(base, "/holds?limit=10", TOKEN).body());
      assertThat(holds.get("total").asInt()).isEqualTo(1);
      assertThat(holds.get("items").get(0).get("planId").asText()).isEqualTo("p2");
      final JsonNode open = JSON.readTree(get(base, "/alerts?rule=no_borrowing", TOKEN).body());
      assertThat(open.get("items")).extracting(a -> a.get("planId").asText()).containsExactly("p2");
      assertThat(get(base, "/alerts?status=LOST", TOKEN).statusCode()).isEqualTo(400);
      assertThat(get(base, "/holds?limit=0", TOKEN).statusCode()).isEqualTo(400);

      // When: bad requests, then a resolution
      assertThat(post(base, "/plans/p2/alerts/NO_BORROWING/resolve", "{\"analyst\":\"li\"}"))
          .satisfies(r -> assertThat(r.statusCode()).isEqualTo(400));
      assertThat(post(base, "/plans/p2/alerts/NOT_A_RULE/resolve", RESOLUTION).statusCode())
          .isEqualTo(400);
      assertThat(post(base, "/plans/p2/alerts/DUPLICATE_PLAN/resolve", RESOLUTION).statusCode())
          .isEqualTo(404);
      assertThat(get(base, "/plans/p2/alerts/NO_BORROWING/resolve", TOKEN).statusCode())
          .isEqualTo(405);
      final HttpResponse<String> resolved =
          post(base, "/plans/p2/alerts/NO_BORROWING/resolve", RESOLUTION);

      // Then: accepted, and the outcome on the topics: the alert RESOLVED, the hold released
      assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(202);
      assertThat(JSON.readTree(resolved.body()).get("commandId").asText()).isEqualTo("cmd-p2-1");
      harness.barrier(id);
      assertThat(harness.alerts(topics.alerts()))
          .extracting(a -> a.getStatus().name())
          .containsExactly("OPEN", "RESOLVED");
      assertThat(harness.alerts(topics.alerts()).get(1).getEvidence())
          .containsEntry("resolvedBy", "li.wei");
      assertThat(harness.holds(topics.holdCommands()))
          .extracting(h -> h.getAction().name())
          .containsExactly("HOLD", "RELEASE");
      final JsonNode after = JSON.readTree(get(base, "/plans/p2", TOKEN).body());
      assertThat(after.get("held").asBoolean()).isFalse();
      assertThat(after.get("openAlerts")).isEmpty();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(JSON.readTree(get(base, "/holds", TOKEN).body()).get("total").asInt())
                      .isZero());
      final JsonNode resolvedAlerts =
          JSON.readTree(get(base, "/alerts?status=RESOLVED", TOKEN).body());
      assertThat(resolvedAlerts.get("items"))
          .extracting(a -> a.get("planId").asText() + " " + a.get("status").asText())
          .containsExactly("p2 RESOLVED");
    }
  }

  @Test
  void shouldAnswerForEveryPlanFromEitherOfTwoInstances(@TempDir final Path dir) throws Exception {
    // Given: a simulated world's backlog, and two instances of one detector on 6 partitions,
    // each serving HTTP and telling Kafka Streams where (application.server)
    final TopicNames topics = BrokerHarness.uniqueTopics("routed");
    final String id = "it-routed-" + topics.creditUse().substring(6, 14);
    final SimTopics sim = harness.simTopics(topics);
    harness.simulate(sim, 2_000, OptionalLong.empty(), 47);
    final List<DetectorRunner> detectors = new ArrayList<>();
    final List<DetectorHttpServer> servers = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        final HttpServer bound = DetectorHttpServer.bind(new InetSocketAddress("127.0.0.1", 0));
        final HostInfo self = new HostInfo("127.0.0.1", bound.getAddress().getPort());
        final DetectorRunner detector =
            harness.startDetector(
                BrokerHarness.config(topics),
                id,
                dir.resolve("state-" + i),
                BrokerHarness.PARTITIONS,
                Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port()));
        detectors.add(detector);
        servers.add(
            DetectorHttpServer.start(
                bound,
                detector.streams(),
                Optional.of(TOKEN),
                Optional.of(
                    PlanApi.create(
                        detector.streams(),
                        harness.client().clientProperties(),
                        topics,
                        Optional.of(new PlanApi.Peers(self, Optional.empty()))))));
      }
      harness.barrier(id);
      harness.assertExactlyTheGroundTruthOnce(sim, topics);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  detectors.stream()
                      .allMatch(
                          d ->
                              d.streams().state() == KafkaStreams.State.RUNNING
                                  && d.streams().metadataForLocalThreads().stream()
                                      .anyMatch(t -> !t.activeTasks().isEmpty())));
      final List<String> plans =
          harness.alerts(topics.alerts()).stream().map(Alert::getPlanId).distinct().toList();
      assertThat(plans).hasSizeGreaterThan(5);

      // When: every plan with an alert is asked of both instances
      final Set<String> holders = new HashSet<>();
      for (final String plan : plans) {
        final HttpResponse<String> first = get(servers.get(0).uri(), "/plans/" + plan, TOKEN);
        final HttpResponse<String> second = get(servers.get(1).uri(), "/plans/" + plan, TOKEN);

        // Then: both answer it, the same, whichever holds it (so one of them asked the other)
        assertThat(first.statusCode())
            .as("%s from the first: %s", plan, first.body())
            .isEqualTo(200);
        assertThat(second.statusCode())
            .as("%s from the second: %s", plan, second.body())
            .isEqualTo(200);
        assertThat(JSON.readTree(first.body())).isEqualTo(JSON.readTree(second.body()));
        assertThat(JSON.readTree(first.body()).get("planId").asText()).isEqualTo(plan);
        holders.add(holderOf(servers, plan));
      }
      assertThat(holders).as("instances holding the plans asked").hasSize(2);
      for (final DetectorHttpServer server : servers) {
        assertThat(get(server.uri(), "/plans/no-such-plan", TOKEN).statusCode()).isEqualTo(404);
        assertThat(get(server.uri(), "/plans/" + plans.get(0), null).statusCode()).isEqualTo(401);
      }

      // and a resolution sent to the instance that does not hold the plan is accepted and applied
      final Alert held =
          harness.alerts(topics.alerts()).stream()
              .filter(a -> a.getSeverity() == Severity.HIGH && a.getStatus() == AlertStatus.OPEN)
              .filter(
                  a -> a.getRule() == Rule.ACCOUNT_MISMATCH || a.getRule() == Rule.DUPLICATE_PLAN)
              .findFirst()
              .orElseThrow();
      final String holder = holderOf(servers, held.getPlanId());
      final URI other =
          servers.stream()
              .map(DetectorHttpServer::uri)
              .filter(u -> !u.toString().equals(holder))
              .findFirst()
              .orElseThrow();
      final HttpResponse<String> resolved =
          post(
              other,
              "/plans/" + held.getPlanId() + "/alerts/" + held.getRule() + "/resolve",
              RESOLUTION);
      assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(202);
      harness.barrier(id);
      assertThat(harness.alerts(topics.alerts()))
          .filteredOn(a -> a.getAlertId().equals(held.getAlertId()))
          .extracting(a -> a.getStatus().name())
          .containsExactly("OPEN", "RESOLVED");
    } finally {
      servers.forEach(DetectorHttpServer::close);
      detectors.forEach(DetectorRunner::close);
    }
  }

  /** The URI of the server whose detector holds {@code plan}'s state. */
  private static String holderOf(final List<DetectorHttpServer> servers, final String plan)
      throws Exception {
    for (final DetectorHttpServer server : servers) {
      if (get(server.uri(), "/plans/" + plan + "?local=true", TOKEN).statusCode() == 200) {
        return server.uri().toString();
      }
    }
    throw new AssertionError("no instance holds " + plan);
  }

  private static final String RESOLUTION =
      "{\"analyst\":\"li.wei\",\"reason\":\"merchant confirmed the sale\","
          + "\"commandId\":\"cmd-p2-1\"}";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static HttpResponse<String> post(final URI base, final String path, final String body)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(final URI base, final String path, final String token)
      throws IOException, InterruptedException {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * What {@code promtool check metrics} says about {@code text} that matters: every parse error,
   * and every finding about repayguard's own metrics. Its naming advice on Kafka's and Micrometer's
   * standard names ({@code kafka_producer_io_time_ns_total}, {@code system_cpu_count}, Kafka
   * metrics without a description), which every Kafka Streams dashboard knows by those names, is
   * left out; promtool exits with 3 when it has only such findings.
   */
  private static String promtool(final String text, final Path dir) throws Exception {
    final Path output = dir.resolve("promtool.out");
    final Process check =
        new ProcessBuilder("promtool", "check", "metrics")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    try (var in = check.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    final String said = Files.readString(output);
    assertThat(check.exitValue()).as("promtool check metrics: %s", said).isIn(0, LINT_FINDINGS);
    return said.lines()
        .filter(line -> line.startsWith("repayguard_") || !NAMING_LINT.matcher(line).matches())
        .collect(Collectors.joining("\n"));
  }
}
