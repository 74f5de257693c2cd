package io.repayguard.sim;

/** The topics the simulator writes: the three inputs and its ground truth. */
public record SimTopics(
    String creditUse, String merchantOrder, String repaymentPlan, String groundTruth) {

  /** Topic of the simulator's ground truth (Avro {@code GroundTruth}, keyed by planId). */
  public static final String GROUND_TRUTH = "repayguard-ground-truth";

  /** DESIGN.md's input names plus {@value #GROUND_TRUTH}. */
  public static SimTopics defaults() {
    return new SimTopics("credit-use", "merchant-order", "repayment-plan", GROUND_TRUTH);
  }

  /** The topic a simulated record of {@code kind} goes to. */
  public String of(final SimRecord.Kind kind) {
    return switch (kind) {
      case CREDIT_USE -> creditUse;
      case MERCHANT_ORDER -> merchantOrder;
      case REPAYMENT_PLAN -> repaymentPlan;
      case GROUND_TRUTH -> groundTruth;
    };
  }
}
