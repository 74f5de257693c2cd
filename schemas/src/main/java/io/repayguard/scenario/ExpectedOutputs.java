package io.repayguard.scenario;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code NAME.expected.jsonl}: every output record a scenario must produce, as a multiset of
 * small JSON objects ({@code topic}, {@code key} and, by topic, {@code rule}, {@code severity},
 * {@code status} or {@code action}).
 */
public final class ExpectedOutputs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ExpectedOutputs() {}

  /** The expected outputs, each as a sorted map of its fields. */
  public static List<Map<String, String>> read(final Path file) {
    final List<Map<String, String>> outputs = new ArrayList<>();
    try {
      for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          outputs.add(
              new TreeMap<>(JSON.readValue(line, new TypeReference<Map<String, String>>() {})));
        }
      }
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return outputs;
  }
}
