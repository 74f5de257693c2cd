package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.scenario.ExpectedOutputs;
import io.repayguard.scenario.ScenarioFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs every golden scenario file through the topology and compares the outputs exactly. */
class ScenarioTest {

  static Stream<String> scenarios() throws IOException, URISyntaxException {
    final Path dir = Path.of(ScenarioTest.class.getResource("/scenarios").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".jsonl") && !n.endsWith(".expected.jsonl"))
          .map(n -> n.substring(0, n.length() - ".jsonl".length()))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldProduceExactlyTheExpectedOutputs(final String name) throws URISyntaxException {
    // Given
    final Path dir = Path.of(ScenarioTest.class.getResource("/scenarios").toURI());
    final var lines = ScenarioFile.read(dir.resolve(name + ".jsonl"));
    final var expected = ExpectedOutputs.read(dir.resolve(name + ".expected.jsonl"));

    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // When
      lines.forEach(driver::apply);
      driver.barrier();

      // Then
      assertThat(driver.outputsAsExpected()).containsExactlyInAnyOrderElementsOf(expected);
    }
  }
}
