package io.repayguard.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Detection latency as the demo sees it: from sending the repayment event that an alert names as
 * its trigger to reading that alert. It includes grace (five minutes of simulated time, a fraction
 * of a second of wall-clock time at demo speed) and the detector's commits.
 *
 * <p>Remembers the send time of the last {@code capacity} events; thread-safe.
 */
final class DetectionLatency {
  private final Map<String, Long> sentNanos;
  private final List<Long> latenciesMillis = new ArrayList<>();
  private final List<Long> tailMillis = new ArrayList<>();
  private boolean tail;

  DetectionLatency(final int capacity) {
    this.sentNanos =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(final Map.Entry<String, Long> eldest) {
            return size() > capacity;
          }
        };
  }

  /** An event was sent at {@code nanos}; a redelivery keeps the first send time. */
  synchronized void sent(final String eventId, final long nanos) {
    sentNanos.putIfAbsent(eventId, nanos);
  }

  /** An alert triggered by {@code eventId} was read at {@code nanos}. */
  synchronized void alerted(final String eventId, final long nanos) {
    final Long sent = sentNanos.get(eventId);
    if (sent != null) {
      (tail ? tailMillis : latenciesMillis).add(Math.max(0, (nanos - sent) / 1_000_000));
    }
  }

  /**
   * From now on alerts count apart, as the tail: those read after the last event was sent, which
   * may have waited for the idle timeout rather than for later records. The quantiles describe the
   * alerts read before.
   */
  synchronized void startTail() {
    tail = true;
  }

  /** "12 alerts, the slowest 3,210 ms", the tail after {@link #startTail()}. */
  synchronized String describeTail() {
    return tailMillis.size()
        + " alerts"
        + (tailMillis.isEmpty()
            ? ""
            : ", the slowest " + format(tailMillis.stream().max(Long::compare)));
  }

  /** Alerts measured before the tail. */
  synchronized int count() {
    return latenciesMillis.size();
  }

  /** The {@code q}-quantile (0 to 1) in milliseconds, by nearest rank; empty before any alert. */
  synchronized Optional<Long> quantileMillis(final double q) {
    if (latenciesMillis.isEmpty()) {
      return Optional.empty();
    }
    final List<Long> sorted = new ArrayList<>(latenciesMillis);
    sorted.sort(null);
    final int rank = (int) Math.ceil(q * sorted.size());
    return Optional.of(sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1)));
  }

  /** "p50 120 ms, p99 840 ms, p99.9 910 ms", or dashes before any alert. */
  synchronized String describe() {
    return "p50 "
        + format(quantileMillis(0.50))
        + ", p99 "
        + format(quantileMillis(0.99))
        + ", p99.9 "
        + format(quantileMillis(0.999));
  }

  private static String format(final Optional<Long> millis) {
    return millis
        .map(ms -> ms < 10_000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0))
        .orElse("-");
  }
}
