package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/** {@code ./repayguard detect} in a JVM of its own, as a user or a container platform runs it. */
final class DetectorProcess implements AutoCloseable {
  private final Process process;
  private final String applicationId;
  private final Path stderr;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private DetectorProcess(final Process process, final String applicationId, final Path stderr) {
    this.process = process;
    this.applicationId = applicationId;
    this.stderr = stderr;
    this.reader = new Thread(this::readLines, "detect-stdout-" + process.pid());
    reader.start();
  }

  /** Starts {@code detect} on {@code harness}' stack with {@code args} after the connection. */
  static DetectorProcess start(
      final BrokerHarness harness,
      final String applicationId,
      final Path stderr,
      final String... args)
      throws IOException {
    final List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-cp",
            System.getProperty("java.class.path"),
            RepayGuard.class.getName(),
            "detect",
            "--bootstrap-servers",
            harness.stack().bootstrapServers(),
            "--schema-registry-url",
            harness.stack().schemaRegistryUrl(),
            "--application-id",
            applicationId));
    command.addAll(List.of(args));
    final Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
            .start();
    return new DetectorProcess(process, applicationId, stderr);
  }

  /**
   * Starts {@code detect} with the test idle timeout, {@code state} and {@code config}, then {@code
   * more} arguments, and waits until it runs with a member in its group.
   */
  static DetectorProcess startInGroup(
      final BrokerHarness harness,
      final String applicationId,
      final Path stderr,
      final Path state,
      final Path config,
      final String... more)
      throws IOException, InterruptedException {
    final List<String> args =
        new ArrayList<>(
            List.of(
                "--idle-timeout",
                BrokerHarness.IDLE_TIMEOUT.toString(),
                "--state-dir",
                state.toString(),
                "--config",
                config.toString()));
    args.addAll(List.of(more));
    final DetectorProcess detector =
        start(harness, applicationId, stderr, args.toArray(String[]::new));
    detector.awaitGroup(harness);
    return detector;
  }

  /** Waits until the process says it runs and its group has a member on the broker. */
  void awaitGroup(final BrokerHarness harness) throws InterruptedException {
    final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    try (Admin admin = Admin.create(harness.client().clientProperties())) {
      while (true) {
        assertThat(process.isAlive()).as("starting; stderr: %s", stderrTail()).isTrue();
        assertThat(System.nanoTime())
            .as("group %s within two minutes", applicationId)
            .isLessThan(deadline);
        if (lines.stream().anyMatch(l -> l.startsWith("detector " + applicationId + " running"))
            && hasMembers(admin)) {
          return;
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  private boolean hasMembers(final Admin admin) throws InterruptedException {
    try {
      return !admin
          .describeConsumerGroups(List.of(applicationId))
          .all()
          .get()
          .get(applicationId)
          .members()
          .isEmpty();
    } catch (final ExecutionException e) {
      return false;
    }
  }

  /** Sends {@code signal} (TERM, KILL, ...) as {@code kill} does. */
  void signal(final String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
  }

  Process process() {
    return process;
  }

  List<String> lines() {
    return lines;
  }

  String stderrTail() {
    try {
      final List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    } catch (final IOException e) {
      return "<" + e + ">";
    }
  }

  private void readLines() {
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

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    reader.join(TimeUnit.SECONDS.toMillis(10));
  }
}
