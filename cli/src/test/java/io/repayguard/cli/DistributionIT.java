package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release {@code mvn package} builds ({@code target/repayguard-<version>.tar.gz}), unpacked
 * away from the source tree and run with a Java runtime alone: no Maven on the path, no checkout.
 * Runs after {@code package} (failsafe), on the tarball the build just made.
 */
class DistributionIT {
  private static final Path TARBALL = Path.of(System.getProperty("repayguard.dist", "missing"));
  private static final String VERSION = System.getProperty("repayguard.version", "missing");

  @Test
  void shouldRunFromTheUnpackedReleaseWithAJavaRuntimeAlone(@TempDir final Path dir)
      throws Exception {
    // Given: the release unpacked into an empty directory
    assertThat(TARBALL).as("the release mvn package builds").isRegularFile();
    assertThat(run(dir, List.of("tar", "-xzf", TARBALL.toString())).exitCode).isZero();
    final Path home = dir.resolve("repayguard-" + VERSION);
    assertThat(home.resolve("bin/repayguard")).isExecutable();
    assertThat(home.resolve("config/detector.properties")).isRegularFile();
    try (var jars = Files.list(home.resolve("lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()).toList())
          .anyMatch(name -> name.startsWith("repayguard-cli-"))
          .anyMatch(name -> name.startsWith("kafka-streams-"));
    }

    // When / Then: it lists its commands and describes the topology with the sample config
    final Result help = run(home, List.of("bin/repayguard", "--help"));
    assertThat(help.exitCode).as(help.output).isZero();
    assertThat(help.output).contains("Usage: repayguard", "detect", "demo");
    final Result describe =
        run(
            home,
            List.of(
                "bin/repayguard",
                "detect",
                "--describe",
                "--config",
                "config/detector.properties"));
    assertThat(describe.exitCode).as(describe.output).isZero();
    assertThat(describe.output).contains("repayguard-detector-facts", "decision");
  }

  private record Result(int exitCode, String output) {}

  /** Runs {@code command} in {@code dir} with a PATH of the running JVM's bin and the system's. */
  private static Result run(final Path dir, final List<String> command)
      throws IOException, InterruptedException {
    final Path javaBin =
        Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent();
    final Path output = Files.createTempFile("repayguard-dist", ".out");
    final ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().put("PATH", javaBin + ":/usr/bin:/bin");
    builder.environment().put("HOME", dir.toString());
    final Process process = builder.start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
    return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }
}
