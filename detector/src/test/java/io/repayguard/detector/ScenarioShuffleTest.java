package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.scenario.ExpectedOutputs;
import io.repayguard.scenario.ScenarioFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Order robustness (DESIGN.md, Scenario files): between two barriers, any interleaving that keeps
 * each (topic, key)'s order gives the expected outputs.
 *
 * <p>For each scenario, seeds 1..{@value #SEEDS} each pick a uniformly random such interleaving;
 * interleavings that several seeds pick are run once. A failure names the seeds and the order of
 * line numbers, so it can be replayed.
 */
class ScenarioShuffleTest {
  private static final int SEEDS = 30;

  /** Drivers run side by side: each spends most of its start-up waiting on RocksDB files. */
  private static final int PARALLEL_DRIVERS = 3;

  /** A (topic, key) whose records keep their relative order. */
  private record TopicKey(String topic, String key) {}

  static Stream<String> scenarios() throws Exception {
    return ScenarioTest.scenarios();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldProduceTheExpectedOutputsWhateverTheInterleaving(final String name) throws Exception {
    // Given
    final Path dir = Path.of(ScenarioShuffleTest.class.getResource("/scenarios").toURI());
    final List<ScenarioFile.Line> lines = ScenarioFile.read(dir.resolve(name + ".jsonl"));
    final List<Map<String, String>> expected =
        ExpectedOutputs.read(dir.resolve(name + ".expected.jsonl"));
    final Map<List<Integer>, List<Long>> seedsByOrder = new LinkedHashMap<>();
    for (long seed = 1; seed <= SEEDS; seed++) {
      seedsByOrder
          .computeIfAbsent(
              lineNumbers(shuffle(lines, new Random(seed))), order -> new ArrayList<>())
          .add(seed);
    }

    final ExecutorService drivers = Executors.newFixedThreadPool(PARALLEL_DRIVERS);
    try {
      // When
      final Map<List<Long>, Future<List<Map<String, String>>>> outputsBySeeds =
          new LinkedHashMap<>();
      seedsByOrder
          .values()
          .forEach(
              seeds ->
                  outputsBySeeds.put(
                      seeds,
                      drivers.submit(() -> outputsOf(shuffle(lines, new Random(seeds.get(0)))))));

      // Then
      for (final Map.Entry<List<Long>, Future<List<Map<String, String>>>> run :
          outputsBySeeds.entrySet()) {
        assertThat(run.getValue().get())
            .as(
                "scenario %s, seeds %s, line order %s",
                name, run.getKey(), lineNumbers(shuffle(lines, new Random(run.getKey().get(0)))))
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    } finally {
      drivers.shutdownNow();
    }
  }

  private static List<Map<String, String>> outputsOf(final List<ScenarioFile.Line> lines) {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      lines.forEach(driver::apply);
      driver.barrier();
      return driver.outputsAsExpected();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldShuffleOnlyWithinStepsAndKeepEachTopicKeyInOrder(final String name)
      throws URISyntaxException {
    // Given
    final Path dir = Path.of(ScenarioShuffleTest.class.getResource("/scenarios").toURI());
    final List<ScenarioFile.Line> lines = ScenarioFile.read(dir.resolve(name + ".jsonl"));

    // When
    final List<ScenarioFile.Line> shuffled = shuffle(lines, new Random(SEEDS));

    // Then
    assertThat(shuffled).containsExactlyInAnyOrderElementsOf(lines);
    assertThat(barrierPositions(shuffled)).isEqualTo(barrierPositions(lines));
    assertThat(byTopicKey(shuffled)).isEqualTo(byTopicKey(lines));
  }

  private static List<Integer> barrierPositions(final List<ScenarioFile.Line> lines) {
    final List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i) instanceof ScenarioFile.Barrier) {
        positions.add(i);
      }
    }
    return positions;
  }

  private static Map<TopicKey, List<Integer>> byTopicKey(final List<ScenarioFile.Line> lines) {
    final Map<TopicKey, List<Integer>> order = new LinkedHashMap<>();
    for (final ScenarioFile.Line line : lines) {
      if (line instanceof ScenarioFile.Publish p) {
        order
            .computeIfAbsent(new TopicKey(p.topic(), p.key()), k -> new ArrayList<>())
            .add(p.lineNumber());
      }
    }
    return Map.copyOf(order);
  }

  /**
   * The lines with the records between each two barriers interleaved at random, each (topic, key)'s
   * records in their original order; barriers stay where they were.
   */
  static List<ScenarioFile.Line> shuffle(final List<ScenarioFile.Line> lines, final Random random) {
    final List<ScenarioFile.Line> shuffled = new ArrayList<>();
    final List<ScenarioFile.Publish> step = new ArrayList<>();
    for (final ScenarioFile.Line line : lines) {
      if (line instanceof ScenarioFile.Publish publish) {
        step.add(publish);
      } else {
        shuffled.addAll(interleave(step, random));
        shuffled.add(line);
        step.clear();
      }
    }
    shuffled.addAll(interleave(step, random));
    return shuffled;
  }

  /** A uniformly random interleaving of the step's (topic, key) sequences. */
  private static List<ScenarioFile.Publish> interleave(
      final List<ScenarioFile.Publish> step, final Random random) {
    final Map<TopicKey, Deque<ScenarioFile.Publish>> queues = new LinkedHashMap<>();
    for (final ScenarioFile.Publish publish : step) {
      queues
          .computeIfAbsent(new TopicKey(publish.topic(), publish.key()), k -> new ArrayDeque<>())
          .add(publish);
    }
    final List<ScenarioFile.Publish> out = new ArrayList<>();
    int remaining = step.size();
    while (remaining > 0) {
      int pick = random.nextInt(remaining);
      for (final Deque<ScenarioFile.Publish> queue : queues.values()) {
        if (pick < queue.size()) {
          out.add(queue.poll());
          break;
        }
        pick -= queue.size();
      }
      remaining--;
    }
    return out;
  }

  private static List<Integer> lineNumbers(final List<ScenarioFile.Line> lines) {
    return lines.stream().map(ScenarioFile.Line::lineNumber).toList();
  }
}
