package io.repayguard.sim;

import io.repayguard.scenario.ScenarioFile;
import io.repayguard.serde.AvroSerializer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a scenario or history file: each record with the serde, record timestamp = eventTime,
 * in file order; at each barrier it waits for the detector (or a fixed time).
 *
 * <p>The whole file is checked before anything is sent, so a bad line sends nothing. Small files
 * print every record sent; large ones print progress every two seconds.
 */
public final class Publisher {
  /** Files with more records than this print progress instead of every record. */
  static final int ECHO_LIMIT = 200;

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  /**
   * What to publish and how to wait at barriers.
   *
   * @param barrierGroup the detector's application id; at a barrier wait until it caught up
   * @param barrierWait the fixed wait at a barrier when no group is given
   * @param idleTimeout the detector's idle timeout, waited out at a barrier after catching up
   * @param topicMap topic names to use instead of the file's (DESIGN.md's defaults)
   */
  public record Options(
      Path file,
      Optional<String> barrierGroup,
      Duration barrierWait,
      Duration idleTimeout,
      Duration catchUpTimeout,
      Map<String, String> topicMap) {
    public Options {
      topicMap = Map.copyOf(topicMap);
    }

    /** Options with DESIGN.md's topic names and a detector waited for at barriers. */
    public static Options forDetector(
        final Path file, final String group, final Duration idleTimeout) {
      return new Options(
          file, Optional.of(group), Duration.ZERO, idleTimeout, Duration.ofMinutes(2), Map.of());
    }
  }

  /** What was published. */
  public record Summary(long records, int barriers, Duration took) {}

  private final ClientSettings settings;
  private final PrintStream out;

  public Publisher(final ClientSettings settings, final PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /** Publishes the file; throws {@link io.repayguard.scenario.ScenarioException} on a bad line. */
  public Summary publish(final Options options) throws InterruptedException {
    final long checkStart = System.nanoTime();
    final long total = countRecords(options.file());
    final boolean echo = total <= ECHO_LIMIT;
    if (!echo) {
      out.printf(
          "checked %d records of %s in %.1f s: every line is valid%n",
          total, options.file(), (System.nanoTime() - checkStart) / 1e9);
    }
    final Instant start = Instant.now();
    final Map<String, Object> props = settings.clientProperties();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    final AtomicReference<Exception> failure = new AtomicReference<>();
    final long[] sent = {0};
    final int[] barriers = {0};
    final long[] lastProgress = {System.nanoTime()};
    final AvroSerializer<GenericRecord> values = new AvroSerializer<>();
    values.configure(props, false);
    try (KafkaProducer<String, GenericRecord> producer =
            new KafkaProducer<>(props, new StringSerializer(), values);
        GroupCatchUp catchUp =
            options
                .barrierGroup()
                .map(g -> new GroupCatchUp(settings.clientProperties(), g))
                .orElse(null)) {
      final Barrier barrier =
          () -> {
            producer.flush();
            rethrow(failure);
            barriers[0]++;
            out.println("barrier: " + waitAtBarrier(options, catchUp));
          };
      ScenarioFile.stream(
          options.file(),
          line -> {
            if (line instanceof ScenarioFile.Publish p) {
              final String topic = options.topicMap().getOrDefault(p.topic(), p.topic());
              producer.send(
                  new ProducerRecord<>(topic, null, p.timestamp(), p.key(), p.value()),
                  (metadata, e) -> {
                    if (e != null) {
                      failure.compareAndSet(null, e);
                    }
                  });
              sent[0]++;
              if (echo) {
                out.println(
                    "sent "
                        + topic
                        + " key="
                        + p.key()
                        + " eventTime="
                        + Instant.ofEpochMilli(p.timestamp()));
              } else if (System.nanoTime() - lastProgress[0] > PROGRESS_EVERY.toNanos()) {
                lastProgress[0] = System.nanoTime();
                progress(sent[0], total, start);
              }
            } else {
              barrier.run();
            }
          });
      producer.flush();
      rethrow(failure);
    }
    final Duration took = Duration.between(start, Instant.now());
    out.println(
        "published "
            + sent[0]
            + " records, "
            + barriers[0]
            + " barriers, in "
            + took.toMillis()
            + " ms");
    return new Summary(sent[0], barriers[0], took);
  }

  private String waitAtBarrier(final Options options, final GroupCatchUp catchUp) {
    try {
      if (catchUp == null) {
        Thread.sleep(options.barrierWait().toMillis());
        return "waited " + options.barrierWait().toMillis() + " ms";
      }
      final long start = System.nanoTime();
      final int rebalances =
          catchUp.awaitIdle(options.catchUpTimeout(), options.idleTimeout().plusSeconds(1));
      return "detector caught up and idle after "
          + Duration.ofNanos(System.nanoTime() - start).toMillis()
          + " ms"
          + (rebalances == 0 ? "" : " (waited again after " + rebalances + " rebalance(s))");
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted at a barrier", e);
    }
  }

  private void progress(final long sent, final long total, final Instant start) {
    final double seconds =
        Math.max(0.001, Duration.between(start, Instant.now()).toMillis() / 1000.0);
    out.printf(
        "sent %d/%d records (%.0f%%), %.0f records/s%n",
        sent, total, 100.0 * sent / Math.max(1, total), sent / seconds);
  }

  /**
   * Checks every line of {@code file} and counts its records; a {@link
   * io.repayguard.scenario.ScenarioException} names the first bad line.
   */
  public static long check(final Path file) {
    return countRecords(file);
  }

  private static long countRecords(final Path file) {
    final long[] count = {0};
    ScenarioFile.stream(
        file,
        line -> {
          if (line instanceof ScenarioFile.Publish) {
            count[0]++;
          }
        });
    return count[0];
  }

  private static void rethrow(final AtomicReference<Exception> failure) {
    final Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("publishing failed: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Barrier {
    void run();
  }
}
