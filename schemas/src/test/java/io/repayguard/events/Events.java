package io.repayguard.events;

import java.time.Duration;
import java.time.Instant;

/**
 * Builders of valid test events with sensible defaults, for every module's tests.
 *
 * <p>Each builder starts from a consistent borrowing {@code c1} of account {@code a1}, order {@code
 * o1} and plan {@code p1} at {@link #T0}, and an analyst's command about that plan; tests change
 * only what they are about.
 */
public final class Events {
  /** 2026-03-01T00:00:00Z, the fixed start of test time. */
  public static final long T0 = 1_772_323_200_000L;

  private Events() {}

  /** The instant {@code sinceT0} after {@link #T0}, for {@code setEventTime(at(minutes(5)))}. */
  public static Instant at(final Duration sinceT0) {
    return Instant.ofEpochMilli(T0).plus(sinceT0);
  }

  public static CreditUse.Builder aCreditUse() {
    return CreditUse.newBuilder()
        .setCreditId("c1")
        .setAccountId("a1")
        .setIdentityId("id-a1")
        .setMerchantOrderId("o1")
        .setAmountMinor(120_000)
        .setCurrency("CNY")
        .setInstallmentCount(3)
        .setStatus(CreditStatus.APPROVED)
        .setEventTime(Instant.ofEpochMilli(T0));
  }

  public static MerchantOrder.Builder aMerchantOrder() {
    return MerchantOrder.newBuilder()
        .setOrderId("o1")
        .setMerchantId("m1")
        .setAccountId("a1")
        .setAmountMinor(120_000)
        .setCurrency("CNY")
        .setStatus(OrderStatus.PAID)
        .setEventTime(Instant.ofEpochMilli(T0));
  }

  public static RepaymentEvent.Builder aRepaymentEvent() {
    return RepaymentEvent.newBuilder()
        .setEventId("p1-c")
        .setPlanId("p1")
        .setCreditId("c1")
        .setAccountId("a1")
        .setIdentityId("id-a1")
        .setType(RepaymentEventType.PLAN_CREATED)
        .setInstallmentNo(0)
        .setInstallmentCount(3)
        .setAmountMinor(123_000)
        .setCurrency("CNY")
        .setEventTime(Instant.ofEpochMilli(T0));
  }

  /**
   * A REPAYMENT_COLLECTED of {@code amountMinor} for plan p1's first installment, at {@link #T0}.
   */
  public static RepaymentEvent.Builder aCollection(final String eventId, final long amountMinor) {
    return aRepaymentEvent()
        .setEventId(eventId)
        .setType(RepaymentEventType.REPAYMENT_COLLECTED)
        .setInstallmentNo(1)
        .setAmountMinor(amountMinor);
  }

  /** An analyst resolving plan p1's NO_BORROWING alert, issued at {@link #T0}. */
  public static OpsCommand.Builder anOpsCommand() {
    return OpsCommand.newBuilder()
        .setCommandId("op-1")
        .setAction(OpsAction.RESOLVE)
        .setPlanId("p1")
        .setRule(Rule.NO_BORROWING)
        .setAnalyst("li.wei")
        .setReason("checked with the merchant")
        .setIssuedAt(Instant.ofEpochMilli(T0));
  }
}
