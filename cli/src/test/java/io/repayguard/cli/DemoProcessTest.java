package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code ./repayguard demo} as a user runs it: its own JVM, its own local stack, stopped with
 * Ctrl-C (SIGINT) once alerts show. It must still score, score perfectly, and exit 0.
 */
@Tag("integration")
class DemoProcessTest {
  private static final Pattern ALERTS_OPENED = Pattern.compile("alerts opened (\\d+)");
  private static final Pattern SIMULATED =
      Pattern.compile("simulated (\\d+) events .* in ([\\d.]+) s");

  @Test
  void ctrlCStopsTheDemoEarlyScoresEverythingItSentAndExitsZero() throws Exception {
    // Given
    final Path stderr = Files.createTempFile("demo-stderr", ".log");
    final Process demo =
        new ProcessBuilder(
                javaBinary(),
                "-cp",
                System.getProperty("java.class.path"),
                RepayGuard.class.getName(),
                "demo",
                "--duration",
                "3m",
                "--kafka-port",
                "0",
                "--registry-port",
                "0",
                "--http-port",
                "0")
            .redirectError(stderr.toFile())
            .start();
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Thread reader = new Thread(() -> readLines(demo, lines), "demo-stdout");
    reader.start();

    // When
    final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (lines.stream().noneMatch(DemoProcessTest::showsAnAlert)) {
      assertThat(demo.isAlive()).as("demo still running; stderr: %s", tail(stderr)).isTrue();
      assertThat(System.nanoTime()).as("an alert within two minutes").isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(200);
    }
    new ProcessBuilder("kill", "-" + interruptSignal(demo.pid()), Long.toString(demo.pid()))
        .start()
        .waitFor();
    final boolean exited = demo.waitFor(4, TimeUnit.MINUTES);
    reader.join(TimeUnit.SECONDS.toMillis(10));

    // Then
    assertThat(exited).as("demo exits after Ctrl-C; output: %s", lines).isTrue();
    assertThat(demo.exitValue()).as("exit code; stderr: %s", tail(stderr)).isZero();
    final Matcher simulated =
        lines.stream()
            .map(SIMULATED::matcher)
            .filter(Matcher::find)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no simulator summary in " + lines));
    assertThat(Double.parseDouble(simulated.group(2))).as("stopped early").isLessThan(180);
    assertThat(lines).anyMatch(l -> l.startsWith("demo: simulator done"));
    assertThat(lines)
        .anyMatch(
            l -> l.startsWith("demo: kafka=") && l.contains("dashboard at http://127.0.0.1:"));
    final String overall =
        lines.stream()
            .filter(l -> l.startsWith("overall"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no score table in " + lines));
    final String[] cells = overall.trim().split("\\s+");
    assertThat(Long.parseLong(cells[1])).as("expected alerts").isPositive();
    assertThat(cells[1]).as("raised = expected").isEqualTo(cells[2]);
    assertThat(cells[3]).as("matched = expected").isEqualTo(cells[1]);
    assertThat(cells[4]).as("precision").isEqualTo("1.000");
    assertThat(cells[5]).as("recall").isEqualTo("1.000");
  }

  /**
   * INT, as Ctrl-C sends, unless the demo's JVM started with SIGINT ignored (a background job of a
   * non-interactive shell, as some CI runners start builds): the JVM then never handles it, so
   * TERM, which runs the same shutdown path.
   */
  private static String interruptSignal(final long pid) throws IOException {
    final Path status = Path.of("/proc", Long.toString(pid), "status");
    if (!Files.exists(status)) {
      return "INT";
    }
    for (final String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
      if (line.startsWith("SigIgn:")) {
        final long ignored = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        return (ignored & (1L << (2 - 1))) != 0 ? "TERM" : "INT";
      }
    }
    return "INT";
  }

  private static boolean showsAnAlert(final String line) {
    final Matcher m = ALERTS_OPENED.matcher(line);
    return m.find() && Long.parseLong(m.group(1)) > 0;
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
