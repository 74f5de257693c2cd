package io.repayguard.detector;

import java.util.List;

/**
 * The topics the detector reads and writes (DESIGN.md, Topics); every name is configurable.
 *
 * @param ops analysts' acknowledge and resolve commands, keyed by planId; read in the same task as
 *     {@code repaymentPlan}, so it must have as many partitions
 *     <p>The detector's own two topics are named after its application id, as Kafka Streams names
 *     its internal topics ({@link #forApplication}), so two detectors on one cluster never write
 *     into each other's facts log.
 * @param facts the log the decision stage reads: facts and watermarks in the order it saw them,
 *     keyed by creditId and kept forever, so a replay reproduces live decisions
 * @param orderLinks where orders meet the borrowings that name them, keyed by orderId
 */
public record TopicNames(
    String creditUse,
    String merchantOrder,
    String repaymentPlan,
    String ops,
    String alerts,
    String holdCommands,
    String dlq,
    String orderLinks,
    String facts) {

  /**
   * DESIGN.md's default names, with the detector's own topics of application id {@code repayguard}:
   * {@code repayguard-order-links} and {@code repayguard-facts}. These last two are also the keys
   * that rename them in a config file ({@code topic.repayguard-facts=...}), whatever the id.
   */
  public static TopicNames defaults() {
    return forApplication("repayguard");
  }

  /**
   * DESIGN.md's default names, with the detector's own topics named after {@code applicationId}:
   * {@code <applicationId>-order-links} and {@code <applicationId>-facts}.
   */
  public static TopicNames forApplication(final String applicationId) {
    return new TopicNames(
        "credit-use",
        "merchant-order",
        "repayment-plan",
        "repayguard-ops",
        "repayment-alerts",
        "repayment-hold-commands",
        "repayguard-dlq",
        applicationId + "-order-links",
        applicationId + "-facts");
  }

  /** The four input topics: the three of data and the analysts' ops topic. */
  public List<String> inputs() {
    return List.of(creditUse, merchantOrder, repaymentPlan, ops);
  }

  /** Every topic the detector writes. */
  public List<String> outputs() {
    return List.of(alerts, holdCommands, dlq, orderLinks, facts);
  }
}
