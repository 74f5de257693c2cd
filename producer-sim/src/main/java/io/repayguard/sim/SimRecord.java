package io.repayguard.sim;

import org.apache.avro.specific.SpecificRecord;

/**
 * One record the simulator publishes: which stream it belongs to, its key and value, and its record
 * timestamp (the value's eventTime; for ground truth, the time it was injected).
 */
public record SimRecord(Kind kind, String key, SpecificRecord value, long timestamp) {

  /** The stream a simulated record belongs to; {@link SimTopics} names its topic. */
  public enum Kind {
    CREDIT_USE,
    MERCHANT_ORDER,
    REPAYMENT_PLAN,
    GROUND_TRUTH
  }
}
