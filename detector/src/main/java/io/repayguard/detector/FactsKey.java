package io.repayguard.detector;

/** The key a plan's facts go under in the facts log, which decides its decision partition. */
public final class FactsKey {
  private FactsKey() {}

  /**
   * The plan's creditId, so the plan's state sits with its borrowing's, or its planId when it names
   * none.
   */
  public static String of(final String planId, final String creditId) {
    return creditId == null ? planId : creditId;
  }
}
