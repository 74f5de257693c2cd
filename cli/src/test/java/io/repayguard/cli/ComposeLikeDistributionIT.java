package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.TopicReader;
import io.repayguard.stack.LocalStack;
import io.repayguard.stack.StackOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: the release run as {@code docker-compose.yml} runs it, without Docker: the unpacked
 * tarball's {@code bin/repayguard}, each detector service's command and environment taken from the
 * compose file (only the addresses, state directories and host ports changed for one machine), two
 * detector instances against a local stack whose topics are those the compose file's init service
 * creates, then the simulator. Alerts flow, both instances are ready and own tasks.
 */
class ComposeLikeDistributionIT {
  private static final Path TARBALL = Path.of(System.getProperty("repayguard.dist", "missing"));
  private static final String VERSION = System.getProperty("repayguard.version", "missing");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void shouldDecideWithTwoDetectorsConfiguredAsComposeConfiguresThem(@TempDir final Path dir)
      throws Exception {
    // Given: the release unpacked, the compose file's topics on a local stack
    final ComposeFile compose = new ComposeFile();
    assertThat(run(dir, "tar", "-xzf", TARBALL.toString()).waitFor()).isZero();
    final Path home = dir.resolve("repayguard-" + VERSION);
    final List<String> topics = compose.initTopics();
    final List<Process> detectors = new ArrayList<>();
    try (LocalStack stack = LocalStack.start(new StackOptions(0, 0, 6, null, topics))) {
      final Map<String, String> addresses =
          Map.of(
              "REPAYGUARD_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
              "REPAYGUARD_SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl());

      // When: the two detector services, then the simulator, as compose starts them
      final List<URI> readiness = new ArrayList<>();
      String applicationId = null;
      for (final String service : List.of("detector-1", "detector-2")) {
        final Map<String, String> env = compose.environment(service);
        env.putAll(addresses);
        env.put("REPAYGUARD_STATE_DIR", dir.resolve(service + "-state").toString());
        final int port = freePort();
        env.put("REPAYGUARD_HTTP_PORT", Integer.toString(port));
        readiness.add(URI.create("http://127.0.0.1:" + port + "/health/ready"));
        applicationId = env.get("REPAYGUARD_APPLICATION_ID");
        detectors.add(start(home, dir.resolve(service + ".log"), env, compose.command(service)));
      }
      final Map<String, String> simulatorEnv = compose.environment("simulator");
      simulatorEnv.putAll(addresses);
      final List<String> simulate = new ArrayList<>(compose.command("simulator"));
      // the compose service publishes for an hour; here a fixed world, as fast as it goes
      assertThat(simulate).startsWith("simulate");
      final Process simulator =
          start(
              home,
              dir.resolve("simulator.log"),
              simulatorEnv,
              List.of("simulate", "--events", "3000", "--rate", "max"));
      final long simulating = System.nanoTime();
      assertThat(simulator.waitFor(2, TimeUnit.MINUTES)).isTrue();
      assertThat(simulator.exitValue()).isZero();
      System.out.printf("simulator done in %.1f s%n", (System.nanoTime() - simulating) / 1e9);

      // Then: both ready, both owning tasks, alerts on the topic
      final ClientSettings client =
          new ClientSettings(stack.bootstrapServers(), stack.schemaRegistryUrl(), Map.of());
      final long published = System.nanoTime();
      final long deadline = published + TimeUnit.MINUTES.toNanos(2);
      while (!(allReady(readiness) && bothOwnTasks(client, applicationId) && alerts(client) > 0)) {
        assertThat(detectors).allMatch(Process::isAlive);
        assertThat(System.nanoTime()).as("alerts flowing within 2 minutes").isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(500);
      }
      System.out.printf(
          "both detectors ready and owning tasks, %d alerts, %.1f s after the world was"
              + " published%n",
          alerts(client), (System.nanoTime() - published) / 1e9);
      stop(detectors);
    } finally {
      stop(detectors);
    }
  }

  /** SIGTERM, as compose stops a service; before the stack goes. */
  private static void stop(final List<Process> detectors) throws InterruptedException {
    for (final Process detector : detectors) {
      detector.destroy();
    }
    for (final Process detector : detectors) {
      assertThat(detector.waitFor(30, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
    }
  }

  private static boolean allReady(final List<URI> readiness) {
    for (final URI uri : readiness) {
      try {
        final HttpResponse<Void> r =
            HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 200) {
          return false;
        }
      } catch (final IOException e) {
        return false;
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static boolean bothOwnTasks(final ClientSettings client, final String group)
      throws Exception {
    try (Admin admin = Admin.create(client.clientProperties())) {
      final List<MemberDescription> members =
          new ArrayList<>(
              admin
                  .describeConsumerGroups(List.of(group))
                  .all()
                  .get(30, TimeUnit.SECONDS)
                  .get(group)
                  .members());
      return members.size() == 2
          && members.stream().noneMatch(m -> m.assignment().topicPartitions().isEmpty());
    }
  }

  private static long alerts(final ClientSettings client) {
    try (TopicReader reader = new TopicReader(client)) {
      return reader.count("repayment-alerts");
    }
  }

  private static Process start(
      final Path home, final Path log, final Map<String, String> env, final List<String> args)
      throws IOException {
    final List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/repayguard").toString());
    command.addAll(args);
    final ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().put("PATH", javaBin() + ":/usr/bin:/bin");
    builder.environment().put("HOME", home.toString());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static Process run(final Path dir, final String... command) throws IOException {
    return new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
  }

  private static Path javaBin() {
    return Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
