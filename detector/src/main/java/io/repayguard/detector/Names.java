package io.repayguard.detector;

/**
 * The name of every source, processor, sink and store of the detector topology, in one place.
 *
 * <p>Store names fix the changelog topic names ({@code <application.id>-<store>-changelog}), so
 * renaming one loses state: change them only with a reset.
 */
public final class Names {
  public static final String CREDIT_USE_SOURCE = "credit-use-source";
  public static final String MERCHANT_ORDER_SOURCE = "merchant-order-source";
  public static final String REPAYMENT_PLAN_SOURCE = "repayment-plan-source";
  public static final String OPS_SOURCE = "ops-source";
  public static final String ORDER_LINKS_SOURCE = "order-links-source";
  public static final String FACTS_SOURCE = "facts-source";

  public static final String CREDIT_USE_INGEST = "credit-use-ingest";
  public static final String MERCHANT_ORDER_INGEST = "merchant-order-ingest";
  public static final String REPAYMENT_PLAN_INGEST = "repayment-plan-ingest";
  public static final String OPS_INGEST = "ops-ingest";
  public static final String ORDER_LINK = "order-link";
  public static final String DECISION = "decision";

  public static final String CREDIT_USE_FACTS_SINK = "credit-use-facts-sink";
  public static final String CREDIT_USE_ORDER_LINKS_SINK = "credit-use-order-links-sink";
  public static final String CREDIT_USE_DLQ_SINK = "credit-use-dlq-sink";
  public static final String MERCHANT_ORDER_ORDER_LINKS_SINK = "merchant-order-order-links-sink";
  public static final String MERCHANT_ORDER_FACTS_SINK = "merchant-order-facts-sink";
  public static final String MERCHANT_ORDER_DLQ_SINK = "merchant-order-dlq-sink";
  public static final String REPAYMENT_PLAN_FACTS_SINK = "repayment-plan-facts-sink";
  public static final String REPAYMENT_PLAN_DLQ_SINK = "repayment-plan-dlq-sink";
  public static final String OPS_FACTS_SINK = "ops-facts-sink";
  public static final String OPS_DLQ_SINK = "ops-dlq-sink";
  public static final String ORDER_LINK_FACTS_SINK = "order-link-facts-sink";
  public static final String ORDER_LINK_DLQ_SINK = "order-link-dlq-sink";
  public static final String DECISION_ALERTS_SINK = "decision-alerts-sink";
  public static final String DECISION_HOLDS_SINK = "decision-holds-sink";
  public static final String DECISION_TICKS_SINK = "decision-ticks-sink";
  public static final String DECISION_DLQ_SINK = "decision-dlq-sink";

  /** Written by the repayment-plan ingest, read by the ops ingest of the same task. */
  public static final String PLAN_CREDITS_STORE = "ingest-plan-credits";

  public static final String ORDER_LINK_ORDERS_STORE = "order-link-orders";
  public static final String ORDER_LINK_CLOCK_STORE = "order-link-clock";
  public static final String BORROWINGS_STORE = "decision-borrowings";
  public static final String ORDERS_STORE = "decision-orders";
  public static final String PLANS_STORE = "decision-plans";
  public static final String CREDIT_PLANS_STORE = "decision-credit-plans";
  public static final String CLOCK_STORE = "decision-clock";
  public static final String PENDING_STORE = "decision-pending";
  public static final String EXPIRY_STORE = "decision-expiry";
  public static final String DEFERRED_STORE = "decision-deferred";

  private Names() {}

  /** Names that only a replay's topology has. */
  public static final class Replay {
    /** With --flush: the source of the run-private control topic, read by the decision stage. */
    public static final String FLUSH_SOURCE = "replay-flush-source";

    private Replay() {}
  }
}
