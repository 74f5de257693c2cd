package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.repayguard.detector.TopicNames;
import io.repayguard.scenario.ExpectedOutputs;
import io.repayguard.sim.TopicReader;
import io.repayguard.stack.LocalStack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    Files.writeString(config, settings(topics));
    final Path stderr = dir.resolve("stderr.log");
    final Process detector =
        new ProcessBuilder(
                javaBinary(),
                "-cp",
                System.getProperty("java.class.path"),
                RepayGuard.class.getName(),
                "detect",
                "--bootstrap-servers",
                harness.stack().bootstrapServers(),
                "--schema-registry-url",
                harness.stack().schemaRegistryUrl(),
                "--application-id",
                id,
                "--idle-timeout",
                BrokerHarness.IDLE_TIMEOUT.toString(),
                "--state-dir",
                dir.resolve("state").toString(),
                "--config",
                config.toString(),
                "--http-port",
                "0")
            .redirectError(stderr.toFile())
            .start();
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Thread reader = new Thread(() -> readLines(detector, lines), "detect-stdout");
    reader.start();
    try {
      awaitGroup(id, detector, lines, stderr);
      final URI http = httpUri(lines);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> status(http.resolve("/health/ready")) == 200);

      // When: a scenario is decided, then SIGTERM
      harness.publish(BrokerHarness.scenario("06-order-cancelled.jsonl"), topics, id);
      harness.barrier(id);
      assertThat(detector.isAlive()).as("running; stderr: %s", tail(stderr)).isTrue();
      final long sent = System.nanoTime();
      new ProcessBuilder("kill", "-TERM", Long.toString(detector.pid())).start().waitFor();
      final boolean exited = detector.waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
      final double tookSeconds = (System.nanoTime() - sent) / 1e9;
      System.out.printf("detect stopped %.1f s after SIGTERM%n", tookSeconds);

      // Then: gone within the grace, its outputs exact and its inputs committed to their ends
      assertThat(exited).as("exited within %d s; stderr: %s", GRACE_SECONDS, tail(stderr)).isTrue();
      assertThat(detector.exitValue()).as("killed by TERM, not failed").isIn(0, 143);
      assertThat(lines).anyMatch(l -> l.startsWith("detector " + id + " running"));
      assertThat(harness.outputsAsExpected(topics))
          .containsExactlyInAnyOrderElementsOf(
              ExpectedOutputs.read(BrokerHarness.scenario("06-order-cancelled.expected.jsonl")));
      assertThat(uncommitted(id, topics)).as("input records not committed").isZero();
    } finally {
      detector.destroyForcibly();
      reader.join(TimeUnit.SECONDS.toMillis(10));
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

  /** Waits until the process says it runs and its group has formed on the broker. */
  private static void awaitGroup(
      final String group, final Process detector, final List<String> lines, final Path stderr)
      throws InterruptedException {
    final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    try (Admin admin = Admin.create(harness.client().clientProperties())) {
      while (true) {
        assertThat(detector.isAlive()).as("starting; stderr: %s", tail(stderr)).isTrue();
        assertThat(System.nanoTime()).as("group %s within two minutes", group).isLessThan(deadline);
        if (lines.stream().anyMatch(l -> l.startsWith("detector " + group + " running"))) {
          try {
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            if (admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().size()
                > 0) {
              return;
            }
          } catch (final java.util.concurrent.ExecutionException e) {
            // not formed yet
          }
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  private static String settings(final TopicNames topics) {
    final TopicNames key = TopicNames.defaults();
    final StringBuilder file = new StringBuilder("commit.interval.ms=100\n");
    final Map<String, String> names =
        Map.of(
            key.creditUse(), topics.creditUse(),
            key.merchantOrder(), topics.merchantOrder(),
            key.repaymentPlan(), topics.repaymentPlan(),
            key.ops(), topics.ops(),
            key.alerts(), topics.alerts(),
            key.holdCommands(), topics.holdCommands(),
            key.dlq(), topics.dlq());
    names.forEach((k, v) -> file.append("topic.").append(k).append('=').append(v).append('\n'));
    return file.toString();
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

  private static void readLines(final Process process, final List<String> lines) {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
      }
    } catch (final IOException e) {
      lines.add("<stdout failed: " + e + ">");
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static String tail(final Path file) {
    try {
      final List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    } catch (final IOException e) {
      return "<" + e + ">";
    }
  }
}
