package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.repayguard.detector.TopicNames;
import io.repayguard.scenario.ExpectedOutputs;
import io.repayguard.sim.TopicReader;
import io.repayguard.stack.LocalStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./repayguard detect} in its own JVM, stopped as a container platform stops it: SIGTERM,
 * then SIGKILL after a 30 s grace. It must be gone within the grace, having committed what it had.
 */
@Tag("integration")
class DetectProcessTest {
  private static final long GRACE_SECONDS = 30;
  private static final Pattern HTTP_URL = Pattern.compile("http://[0-9.]+:[0-9]+");
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
  void sigtermStopsTheDetectorWithinThirtySecondsHavingCommittedWhatItHad(@TempDir final Path dir)
      throws Exception {
    // Given: a detector process on topics of its own, its settings in a config file
    final TopicNames topics = BrokerHarness.uniqueTopics("sigterm");
    final String id = "it-sigterm-" + topics.creditUse().substring(8, 16);
    LocalStack.createTopics(
        harness.stack().bootstrapServers(), BrokerHarness.PARTITIONS, topics.inputs());
    final Path config = dir.resolve("detector.properties");
    Files.writeString(
        config, BrokerHarness.detectorProperties(topics, Map.of("commit.interval.ms", "100")));
    try (DetectorProcess detector =
        DetectorProcess.start(
            harness,
            id,
            dir.resolve("stderr.log"),
            "--idle-timeout",
            BrokerHarness.IDLE_TIMEOUT.toString(),
            "--state-dir",
            dir.resolve("state").toString(),
            "--config",
            config.toString(),
            "--http-port",
            "0")) {
      detector.awaitGroup(harness);
      final URI http = httpUri(detector.lines());
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> status(http.resolve("/health/ready")) == 200);

      // When: a scenario is decided, then SIGTERM
      harness.publish(BrokerHarness.scenario("06-order-cancelled.jsonl"), topics, id);
      harness.barrier(id);
      assertThat(detector.process().isAlive()).as("running: %s", detector.stderrTail()).isTrue();
      final long sent = System.nanoTime();
      detector.signal("TERM");
      final boolean exited = detector.process().waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
      final double tookSeconds = (System.nanoTime() - sent) / 1e9;
      System.out.printf("detect stopped %.1f s after SIGTERM%n", tookSeconds);

      // Then: gone within the grace, its outputs exact and its inputs committed to their ends
      assertThat(exited)
          .as("exited within %d s; stderr: %s", GRACE_SECONDS, detector.stderrTail())
          .isTrue();
      assertThat(detector.process().exitValue()).as("killed by TERM, not failed").isIn(0, 143);
      assertThat(harness.outputsAsExpected(topics))
          .containsExactlyInAnyOrderElementsOf(
              ExpectedOutputs.read(BrokerHarness.scenario("06-order-cancelled.expected.jsonl")));
      assertThat(uncommitted(id, topics)).as("input records not committed").isZero();
    }
  }

  /** The URL the process printed for its HTTP surface. */
  private static URI httpUri(final List<String> lines) {
    return lines.stream()
        .filter(l -> l.startsWith("detector HTTP at "))
        .map(HTTP_URL::matcher)
        .filter(Matcher::find)
        .map(m -> URI.create(m.group()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no HTTP line in " + lines));
  }

  private static int status(final URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** Offsets of the inputs the group has not committed, transaction markers aside. */
  private static long uncommitted(final String group, final TopicNames topics) throws Exception {
    try (Admin admin = Admin.create(harness.client().clientProperties());
        TopicReader reader = new TopicReader(harness.client())) {
      final Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      long behind = 0;
      for (final var end :
          reader
              .committedEnds(
                  List.of(topics.creditUse(), topics.merchantOrder(), topics.repaymentPlan()))
              .entrySet()) {
        final OffsetAndMetadata done = committed.get(end.getKey());
        behind += Math.max(0, end.getValue() - (done == null ? 0 : done.offset()));
      }
      return behind;
    }
  }
}
