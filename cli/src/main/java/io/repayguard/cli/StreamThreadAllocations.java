package io.repayguard.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes allocated on the heap, and CPU time used, by Kafka Streams' stream threads since this
 * sampler was made.
 *
 * <p>Stateful: each {@link #sample()} reads every live thread whose name contains {@code
 * StreamThread} (the stream threads and their producers' network threads) and keeps the last value
 * per thread id, so a thread that ends between two samples still counts with what it had at the
 * last one; sample often enough (a few times a second) to lose little. Threads alive when the
 * sampler was made count from then on. Reads HotSpot's per-thread counters ({@code
 * com.sun.management.ThreadMXBean}). CPU time, unlike a rate, does not count the time a thread
 * waits for the broker or for a core another process holds.
 */
final class StreamThreadAllocations {
  private static final String STREAM_THREAD = "StreamThread";

  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Thread id to its allocated bytes when first seen by the constructor; absent means 0. */
  private final Map<Long, Long> baseline;

  /** Thread id to its allocated bytes at the last sample that saw it alive. */
  private final Map<Long, Long> last = new HashMap<>();

  /** Thread id to its CPU nanoseconds when first seen by the constructor; absent means 0. */
  private final Map<Long, Long> cpuBaseline;

  /** Thread id to its CPU nanoseconds at the last sample that saw it alive. */
  private final Map<Long, Long> cpuLast = new HashMap<>();

  StreamThreadAllocations() {
    if (!threads.isThreadAllocatedMemorySupported()) {
      throw new IllegalStateException("this JVM does not count allocations per thread");
    }
    threads.setThreadAllocatedMemoryEnabled(true);
    if (threads.isThreadCpuTimeSupported()) {
      threads.setThreadCpuTimeEnabled(true);
    }
    final long[] ids = streamThreads();
    this.baseline = byThread(ids, threads.getThreadAllocatedBytes(ids));
    this.cpuBaseline = byThread(ids, cpuTimes(ids));
  }

  /** Reads the counters of the stream threads alive now. */
  void sample() {
    final long[] ids = streamThreads();
    last.putAll(byThread(ids, threads.getThreadAllocatedBytes(ids)));
    cpuLast.putAll(byThread(ids, cpuTimes(ids)));
  }

  /** Bytes allocated by stream threads between construction and the last sample. */
  long allocatedBytes() {
    return sinceBaseline(last, baseline);
  }

  /**
   * CPU nanoseconds the stream threads used between construction and the last sample; 0 if the JVM
   * does not measure it.
   */
  long cpuNanos() {
    return sinceBaseline(cpuLast, cpuBaseline);
  }

  private static long sinceBaseline(final Map<Long, Long> last, final Map<Long, Long> baseline) {
    return last.entrySet().stream()
        .mapToLong(e -> e.getValue() - baseline.getOrDefault(e.getKey(), 0L))
        .sum();
  }

  private long[] streamThreads() {
    return Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
        .filter(info -> info != null && info.getThreadName().contains(STREAM_THREAD))
        .mapToLong(ThreadInfo::getThreadId)
        .toArray();
  }

  private long[] cpuTimes(final long[] ids) {
    if (!threads.isThreadCpuTimeEnabled()) {
      return new long[ids.length];
    }
    return threads.getThreadCpuTime(ids);
  }

  private static Map<Long, Long> byThread(final long[] ids, final long[] values) {
    final Map<Long, Long> byThread = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      // -1: the thread ended since it was listed; its last sample stands
      if (values[i] >= 0) {
        byThread.put(ids[i], values[i]);
      }
    }
    return byThread;
  }
}
