package io.repayguard.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes allocated on the heap by Kafka Streams' stream threads since this sampler was made.
 *
 * <p>Stateful: each {@link #sample()} reads every live thread whose name contains {@code
 * StreamThread} and keeps the last value per thread id, so a thread that ends between two samples
 * still counts with what it had allocated at the last one; sample often enough (a few times a
 * second) to lose little. Threads alive when the sampler was made count from then on. Reads
 * HotSpot's per-thread counters ({@code com.sun.management.ThreadMXBean}).
 */
final class StreamThreadAllocations {
  private static final String STREAM_THREAD = "StreamThread";

  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Thread id to its allocated bytes when first seen by the constructor; absent means 0. */
  private final Map<Long, Long> baseline;

  /** Thread id to its allocated bytes at the last sample that saw it alive. */
  private final Map<Long, Long> last = new HashMap<>();

  StreamThreadAllocations() {
    if (!threads.isThreadAllocatedMemorySupported()) {
      throw new IllegalStateException("this JVM does not count allocations per thread");
    }
    threads.setThreadAllocatedMemoryEnabled(true);
    this.baseline = current();
  }

  /** Reads the counters of the stream threads alive now. */
  void sample() {
    last.putAll(current());
  }

  /** Bytes allocated by stream threads between construction and the last sample. */
  long allocatedBytes() {
    return last.entrySet().stream()
        .mapToLong(e -> e.getValue() - baseline.getOrDefault(e.getKey(), 0L))
        .sum();
  }

  private Map<Long, Long> current() {
    final long[] streamThreads =
        Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
            .filter(info -> info != null && info.getThreadName().contains(STREAM_THREAD))
            .mapToLong(ThreadInfo::getThreadId)
            .toArray();
    final long[] bytes = threads.getThreadAllocatedBytes(streamThreads);
    final Map<Long, Long> byThread = new HashMap<>();
    for (int i = 0; i < streamThreads.length; i++) {
      // -1: the thread ended since it was listed; its last sample stands
      if (bytes[i] >= 0) {
        byThread.put(streamThreads[i], bytes[i]);
      }
    }
    return byThread;
  }
}
