package io.repayguard.detector;

import io.repayguard.decision.Retention;
import io.repayguard.decision.Sources;
import io.repayguard.events.Severity;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The detector's own settings, validated when built and immutable after.
 *
 * @param grace how long after an event's eventTime, in detector time, it is decided
 * @param idleTimeout wall-clock quiet time after which a partition read to its end is idle
 * @param watermarkInterval how often an input partition tells the other partitions its time
 * @param partitions partition counts of the inputs and of the order-links topic
 * @param liveClock whether detector time follows the wall clock while everything is idle (live
 *     mode; off in replay)
 * @param retention how long state outlives its last use, in detector time (DESIGN.md rule 10)
 * @param publication which decisions are written (replay narrows it)
 * @param replay where a replay stops reading and how it is told to flush; {@link Replay#NONE} live
 */
public record DetectorConfig(
    TopicNames topics,
    Duration grace,
    Duration idleTimeout,
    Duration watermarkInterval,
    int maxFeeBps,
    Severity holdSeverity,
    SourcePartitions partitions,
    boolean liveClock,
    Retention retention,
    Publication publication,
    Replay replay) {

  public DetectorConfig {
    requirePositive("grace", grace, true);
    requirePositive("idle-timeout", idleTimeout, false);
    requirePositive("watermark-interval", watermarkInterval, false);
    if (maxFeeBps < 0) {
      throw new IllegalArgumentException("max-fee-bps must be 0 or more, got " + maxFeeBps);
    }
  }

  /** DESIGN.md's defaults for the given partition counts: grace 5 min, idle 5 s, fee cap 8%. */
  public static DetectorConfig defaults(final SourcePartitions partitions) {
    return new DetectorConfig(
        TopicNames.defaults(),
        Duration.ofMinutes(5),
        Duration.ofSeconds(5),
        Duration.ofMillis(500),
        800,
        Severity.HIGH,
        partitions,
        true,
        Retention.DEFAULT,
        Publication.ALL,
        Replay.NONE);
  }

  public DetectorConfig withGrace(final Duration value) {
    return new DetectorConfig(
        topics,
        value,
        idleTimeout,
        watermarkInterval,
        maxFeeBps,
        holdSeverity,
        partitions,
        liveClock,
        retention,
        publication,
        replay);
  }

  public DetectorConfig withIdleTimeout(final Duration value) {
    return new DetectorConfig(
        topics,
        grace,
        value,
        watermarkInterval,
        maxFeeBps,
        holdSeverity,
        partitions,
        liveClock,
        retention,
        publication,
        replay);
  }

  public DetectorConfig withWatermarkInterval(final Duration value) {
    return new DetectorConfig(
        topics,
        grace,
        idleTimeout,
        value,
        maxFeeBps,
        holdSeverity,
        partitions,
        liveClock,
        retention,
        publication,
        replay);
  }

  public DetectorConfig withMaxFeeBps(final int value) {
    return new DetectorConfig(
        topics,
        grace,
        idleTimeout,
        watermarkInterval,
        value,
        holdSeverity,
        partitions,
        liveClock,
        retention,
        publication,
        replay);
  }

  public DetectorConfig withHoldSeverity(final Severity value) {
    return new DetectorConfig(
        topics,
        grace,
        idleTimeout,
        watermarkInterval,
        maxFeeBps,
        value,
        partitions,
        liveClock,
        retention,
        publication,
        replay);
  }

  public DetectorConfig withTopics(final TopicNames value) {
    return new DetectorConfig(
        value,
        grace,
        idleTimeout,
        watermarkInterval,
        maxFeeBps,
        holdSeverity,
        partitions,
        liveClock,
        retention,
        publication,
        replay);
  }

  public DetectorConfig withPartitions(final SourcePartitions value) {
    return new DetectorConfig(
        topics,
        grace,
        idleTimeout,
        watermarkInterval,
        maxFeeBps,
        holdSeverity,
        value,
        liveClock,
        retention,
        publication,
        replay);
  }

  public DetectorConfig withLiveClock(final boolean value) {
    return new DetectorConfig(
        topics,
        grace,
        idleTimeout,
        watermarkInterval,
        maxFeeBps,
        holdSeverity,
        partitions,
        value,
        retention,
        publication,
        replay);
  }

  public DetectorConfig withRetention(final Retention value) {
    return new DetectorConfig(
        topics,
        grace,
        idleTimeout,
        watermarkInterval,
        maxFeeBps,
        holdSeverity,
        partitions,
        liveClock,
        value,
        publication,
        replay);
  }

  public DetectorConfig withReplay(final Replay value) {
    return new DetectorConfig(
        topics,
        grace,
        idleTimeout,
        watermarkInterval,
        maxFeeBps,
        holdSeverity,
        partitions,
        liveClock,
        retention,
        publication,
        value);
  }

  public DetectorConfig withPublication(final Publication value) {
    return new DetectorConfig(
        topics,
        grace,
        idleTimeout,
        watermarkInterval,
        maxFeeBps,
        holdSeverity,
        partitions,
        liveClock,
        retention,
        value,
        replay);
  }

  /** Sources the order-link stage hears from: every credit-use and merchant-order partition. */
  public Set<String> orderLinkSources() {
    final Set<String> sources = new LinkedHashSet<>();
    addAll(sources, topics.creditUse(), partitions.creditUse());
    addAll(sources, topics.merchantOrder(), partitions.merchantOrder());
    return sources;
  }

  /**
   * Sources the decision stage hears from: every data input partition directly, and every
   * order-link partition as a relay of the credit-use and merchant-order partitions. Not the ops
   * topic's partitions: an analyst's command is not event time and takes no part in the watermark.
   */
  public Sources decisionSources() {
    final Set<String> direct = new LinkedHashSet<>(orderLinkSources());
    addAll(direct, topics.repaymentPlan(), partitions.repaymentPlan());
    final Set<String> relays = new LinkedHashSet<>();
    addAll(relays, topics.orderLinks(), partitions.orderLinks());
    return new Sources(direct, relays, orderLinkSources());
  }

  /** The name a partition goes by in the facts log: {@code topic/partition}. */
  public static String sourceName(final String topic, final int partition) {
    return topic + "/" + partition;
  }

  private static void addAll(final Set<String> into, final String topic, final int count) {
    for (int p = 0; p < count; p++) {
      into.add(sourceName(topic, p));
    }
  }

  private static void requirePositive(
      final String name, final Duration value, final boolean zeroAllowed) {
    if (value == null || value.isNegative() || (!zeroAllowed && value.isZero())) {
      throw new IllegalArgumentException(
          name + " must be " + (zeroAllowed ? "0 or more" : "more than 0") + ", got " + value);
    }
  }

  /**
   * What the decision stage writes: alerts about repayment events with eventTime in {@code
   * [fromMillis, toMillis]}, and hold commands only when {@code holds}. Decisions outside are still
   * made, so state stays complete; they are just not written.
   */
  public record Publication(long fromMillis, long toMillis, boolean holds) {
    public static final Publication ALL = new Publication(Long.MIN_VALUE, Long.MAX_VALUE, true);

    public Publication {
      if (toMillis < fromMillis) {
        throw new IllegalArgumentException("the window ends before it starts");
      }
    }

    public boolean contains(final long eventTime) {
      return eventTime >= fromMillis && eventTime <= toMillis;
    }
  }

  /**
   * A replay's bounds and controls.
   *
   * @param ends for each source partition ({@code topic/partition}) the replay reads, the offset it
   *     stops before: records at or after it are skipped, so a replay decides exactly the history
   *     it captured at start even while live keeps writing; empty reads everything
   * @param flushTopic a run-private topic, partitioned like the facts log, whose {@code Flush}
   *     records make the decision stage decide what is still pending; null for none
   * @param knownFromMillis the look-back: records with an eventTime before it are treated as never
   *     having arrived (their partition's clock still counts); Long.MIN_VALUE for all
   */
  public record Replay(Map<String, Long> ends, String flushTopic, long knownFromMillis) {
    public static final Replay NONE = new Replay(Map.of(), null, Long.MIN_VALUE);

    public Replay {
      ends = Map.copyOf(ends);
    }

    /** True when the record at {@code offset} of {@code source} lies beyond the replay's end. */
    public boolean beyondEnd(final String source, final long offset) {
      final Long end = ends.get(source);
      return end != null && offset >= end;
    }

    /** True when a record with this eventTime lies before the look-back. */
    public boolean forgets(final long eventTime) {
      return eventTime < knownFromMillis;
    }
  }

  /** Partition counts the stages need to know which sources to wait for. */
  public record SourcePartitions(
      int creditUse, int merchantOrder, int repaymentPlan, int orderLinks) {
    public SourcePartitions {
      if (creditUse < 1 || merchantOrder < 1 || repaymentPlan < 1 || orderLinks < 1) {
        throw new IllegalArgumentException("every partition count must be at least 1");
      }
    }

    /** One partition each, as TopologyTestDriver has. */
    public static SourcePartitions single() {
      return new SourcePartitions(1, 1, 1, 1);
    }
  }
}
