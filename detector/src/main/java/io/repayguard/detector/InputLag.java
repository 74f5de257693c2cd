package io.repayguard.detector;

/**
 * Whether an input partition has been read to its end offset: one half of idleness (DESIGN.md,
 * Time). A partition that still has records to read is not idle however long the wall clock has
 * gone without a record from it, as on a backlog catch-up, a GC pause or a long punctuation.
 */
@FunctionalInterface
public interface InputLag {
  /**
   * For a topology without a consumer in front of it (TopologyTestDriver): every record piped in is
   * processed at once, so every partition is always read to its end.
   */
  InputLag NO_CONSUMER = (topic, partition) -> true;

  /** True when the partition is known to be read to its end offset. */
  boolean atEnd(String topic, int partition);

  /** What this lag source knows of the partition, for a log line. */
  default String describe(final String topic, final int partition) {
    return atEnd(topic, partition) ? "at its end" : "not known to be at its end";
  }
}
