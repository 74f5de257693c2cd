package io.repayguard.sim;

import io.repayguard.events.Rule;
import io.repayguard.serde.AvroSerializer;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a {@link Simulator}'s records to Kafka at a rate, until a record count, a duration or
 * {@link #stop()}, then finishes the started bursts and sends the clock record.
 *
 * <p>Prints a progress line every two seconds. The rate counts input records (ground truth is
 * extra). Thread-safe for {@link #stop()} and {@link #sent()} from other threads.
 */
public final class Simulation {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  /**
   * How long and how fast to run.
   *
   * @param ratePerSecond input records per second; empty for as fast as possible
   * @param maxEvents stop after this many input records (the started bursts still finish)
   * @param duration stop after this wall-clock time
   * @param maxBorrowings start no borrowing after this many (their plans still finish)
   */
  public record Run(
      OptionalLong ratePerSecond,
      OptionalLong maxEvents,
      Optional<Duration> duration,
      SimTopics topics,
      OptionalLong maxBorrowings) {
    /** A run without a limit on borrowings. */
    public Run(
        final OptionalLong ratePerSecond,
        final OptionalLong maxEvents,
        final Optional<Duration> duration,
        final SimTopics topics) {
      this(ratePerSecond, maxEvents, duration, topics, OptionalLong.empty());
    }
  }

  /** What was sent. */
  public record Summary(
      long events,
      long groundTruth,
      Map<Rule, Long> injected,
      long borrowings,
      Instant firstEventTime,
      Instant lastEventTime,
      Duration took) {
    /** Input records per second of wall-clock time. */
    public double rate() {
      return events / Math.max(0.001, took.toMillis() / 1000.0);
    }
  }

  private final ClientSettings settings;
  private final PrintStream out;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final AtomicLong sent = new AtomicLong();
  private volatile Consumer<SimRecord> onSent = record -> {};
  private boolean progress = true;

  public Simulation(final ClientSettings settings, final PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /** Asks a running simulation to stop: started bursts finish, then the clock record goes out. */
  public void stop() {
    stopRequested.set(true);
  }

  /** Prints no progress lines while running, only the summary at the end. */
  public Simulation withoutProgress() {
    this.progress = false;
    return this;
  }

  /** Calls {@code listener}, on the simulating thread, after each input record is sent. */
  public void onSent(final Consumer<SimRecord> listener) {
    this.onSent = listener;
  }

  /** Input records sent so far. */
  public long sent() {
    return sent.get();
  }

  /** Runs the simulation to its end; blocks. */
  public Summary run(final Simulator.Options options, final Run run) throws InterruptedException {
    final Simulator simulator = new Simulator(options);
    run.maxBorrowings().ifPresent(simulator::limitBorrowings);
    final Map<String, Object> props = settings.clientProperties();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    final AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
    values.configure(props, false);
    final AtomicReference<Exception> failure = new AtomicReference<>();
    final long start = System.nanoTime();
    long lastProgress = start;
    long truths = 0;
    Long first = null;
    try (KafkaProducer<String, SpecificRecord> producer =
        new KafkaProducer<>(props, new StringSerializer(), values)) {
      while (simulator.hasNext()) {
        final SimRecord record = simulator.next();
        producer.send(
            new ProducerRecord<>(
                run.topics().of(record.kind()),
                null,
                record.timestamp(),
                record.key(),
                record.value()),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
        if (record.kind() == SimRecord.Kind.GROUND_TRUTH) {
          truths++;
          continue;
        }
        first = first == null ? record.timestamp() : first;
        onSent.accept(record);
        final long count = sent.incrementAndGet();
        if (stopRequested.get() || reachedEnd(run, count, start)) {
          simulator.stop();
        }
        pace(run, count, start);
        if (System.nanoTime() - lastProgress > PROGRESS_EVERY.toNanos()) {
          lastProgress = System.nanoTime();
          rethrow(failure);
          if (progress) {
            progress(run, count, start, simulator);
          }
        }
      }
      producer.flush();
      rethrow(failure);
    }
    final Duration took = Duration.ofNanos(System.nanoTime() - start);
    final Summary summary =
        new Summary(
            sent.get(),
            truths,
            simulator.injected(),
            simulator.borrowings(),
            Instant.ofEpochMilli(first == null ? 0 : first),
            Instant.ofEpochMilli(simulator.lastEventTime()),
            took);
    out.printf(
        "simulated %d events (%d borrowings, %d anomalies with ground truth) in %.1f s, "
            + "%.0f events/s, event time %s .. %s%n",
        summary.events(),
        summary.borrowings(),
        truths,
        took.toMillis() / 1000.0,
        summary.rate(),
        summary.firstEventTime(),
        summary.lastEventTime());
    return summary;
  }

  private static boolean reachedEnd(final Run run, final long count, final long start) {
    return run.maxEvents().isPresent() && count >= run.maxEvents().getAsLong()
        || run.duration().isPresent()
            && System.nanoTime() - start >= run.duration().get().toNanos();
  }

  /** Sleeps just enough to keep to the rate, checked every 100 records. */
  private static void pace(final Run run, final long count, final long start)
      throws InterruptedException {
    if (run.ratePerSecond().isEmpty() || count % 100 != 0) {
      return;
    }
    final long dueNanos = count * 1_000_000_000L / run.ratePerSecond().getAsLong();
    final long ahead = dueNanos - (System.nanoTime() - start);
    if (ahead > 0) {
      TimeUnit.NANOSECONDS.sleep(ahead);
    }
  }

  private void progress(
      final Run run, final long count, final long start, final Simulator simulator) {
    final double seconds = (System.nanoTime() - start) / 1e9;
    final String remaining;
    if (run.maxBorrowings().isPresent()) {
      remaining =
          Math.max(0, run.maxBorrowings().getAsLong() - simulator.borrowings()) + " borrowings";
    } else if (run.maxEvents().isPresent()) {
      remaining = Math.max(0, run.maxEvents().getAsLong() - count) + " events";
    } else if (run.duration().isPresent()) {
      remaining =
          String.format("%.0f s", Math.max(0, run.duration().get().toMillis() / 1000.0 - seconds));
    } else {
      remaining = "until stopped";
    }
    out.printf(
        "sent %d events, %.0f events/s, elapsed %.0f s, remaining %s, event time %s%n",
        count,
        count / Math.max(0.001, seconds),
        seconds,
        remaining,
        Instant.ofEpochMilli(simulator.lastEventTime()));
  }

  private static void rethrow(final AtomicReference<Exception> failure) {
    final Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("publishing failed: " + e.getMessage(), e);
    }
  }
}
