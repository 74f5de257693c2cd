package io.repayguard.sim;

import io.repayguard.scenario.AvroToJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes a simulated world to a history file (one JSON record per line, the scenario format) for
 * {@code publish} to load later: an exported history to backtest against. Ground truth is not
 * written; the file holds the three inputs only.
 */
public final class HistoryFile {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  private HistoryFile() {}

  /** Writes the first {@code events} input records of the world; returns how many it wrote. */
  public static long write(
      final Path file, final Simulator.Options options, final long events, final PrintStream out) {
    final Simulator simulator = new Simulator(options);
    final SimTopics topics = SimTopics.defaults();
    final long start = System.nanoTime();
    long lastProgress = start;
    long written = 0;
    try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      while (simulator.hasNext()) {
        final SimRecord record = simulator.next();
        if (record.kind() == SimRecord.Kind.GROUND_TRUTH) {
          continue;
        }
        writer.write(AvroToJson.line(topics.of(record.kind()), record.key(), record.value()));
        writer.newLine();
        if (++written == events) {
          simulator.stop();
        }
        if (System.nanoTime() - lastProgress > PROGRESS_EVERY.toNanos()) {
          lastProgress = System.nanoTime();
          out.printf("wrote %d/%d records (%.0f%%)%n", written, events, 100.0 * written / events);
        }
      }
    } catch (final NoSuchFileException e) {
      throw new UncheckedIOException("cannot write " + file + ": its directory does not exist", e);
    } catch (final AccessDeniedException e) {
      throw new UncheckedIOException("cannot write " + file + ": permission denied", e);
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    out.printf(
        "wrote %d records to %s in %.1f s%n", written, file, (System.nanoTime() - start) / 1e9);
    return written;
  }
}
