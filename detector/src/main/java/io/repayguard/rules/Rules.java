package io.repayguard.rules;

import io.repayguard.events.CreditStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The five rules of DESIGN.md that judge one repayment event against its borrowing and order.
 *
 * <p>Stateless: the caller supplies the borrowing and order in their latest arrived state and, for
 * the amount rule, the total to test. {@code DUPLICATE_PLAN} needs the other plans of the borrowing
 * and lives in {@link DuplicatePlans}.
 */
public final class Rules {
  private Rules() {}

  /**
   * Judges {@code event}; {@code borrowing} and {@code order} may be absent.
   *
   * @param amountTotal the total the amount rule tests (plan total or sum collected), if any; a sum
   *     of collected amounts may exceed the long range, so it is exact
   * @param useBorrowingRulesOnly skip NO_BORROWING, as a re-decision after a late borrowing does
   */
  public static List<Finding> judge(
      final RepaymentEvent event,
      final Optional<CreditUse> borrowing,
      final Optional<MerchantOrder> order,
      final Optional<BigInteger> amountTotal,
      final int maxFeeBps,
      final boolean useBorrowingRulesOnly) {
    final List<Finding> findings = new ArrayList<>();
    if (event.getType() == RepaymentEventType.PLAN_CLOSED) {
      return findings;
    }
    if (borrowing.isEmpty()) {
      if (!useBorrowingRulesOnly) {
        findings.add(noBorrowing(event));
      }
      return findings;
    }
    final CreditUse b = borrowing.get();
    if (b.getStatus() == CreditStatus.REVERSED) {
      findings.add(reversed(event, b));
    }
    if (b.getMerchantOrderId() != null
        && order.map(o -> o.getStatus() != OrderStatus.PAID).orElse(true)) {
      findings.add(orderNotPaid(event, b, order));
    }
    if (!event.getAccountId().equals(b.getAccountId())) {
      findings.add(accountMismatch(event, b));
    }
    amountTotal
        .filter(total -> FeeCap.exceeds(total, b.getAmountMinor(), maxFeeBps))
        .ifPresent(total -> findings.add(amountExceeds(event, b, total, maxFeeBps)));
    return findings;
  }

  private static Finding noBorrowing(final RepaymentEvent e) {
    final Map<String, String> evidence = evidence(e);
    if (e.getCreditId() == null) {
      evidence.put("creditId", "NONE");
      return new Finding(
          e.getPlanId(),
          Rule.NO_BORROWING,
          Severity.CRITICAL,
          "Plan "
              + e.getPlanId()
              + " collects from account "
              + e.getAccountId()
              + " but names no borrowing at all: freeze it and find out who pushed the plan.",
          evidence);
    }
    evidence.put("creditId", e.getCreditId());
    evidence.put("borrowing", "MISSING");
    return new Finding(
        e.getPlanId(),
        Rule.NO_BORROWING,
        Severity.CRITICAL,
        "Plan "
            + e.getPlanId()
            + " collects from account "
            + e.getAccountId()
            + " for borrowing "
            + e.getCreditId()
            + ", which does not exist: freeze it and check whether the plan was "
            + "pushed by mistake or forged.",
        evidence);
  }

  private static Finding reversed(final RepaymentEvent e, final CreditUse b) {
    final Map<String, String> evidence = withBorrowing(e, b);
    return new Finding(
        e.getPlanId(),
        Rule.BORROWING_REVERSED,
        Severity.HIGH,
        "Borrowing "
            + b.getCreditId()
            + " was reversed, yet plan "
            + e.getPlanId()
            + " still collects from account "
            + e.getAccountId()
            + ": close the plan.",
        evidence);
  }

  private static Finding orderNotPaid(
      final RepaymentEvent e, final CreditUse b, final Optional<MerchantOrder> order) {
    final Map<String, String> evidence = withBorrowing(e, b);
    final String status = order.map(o -> o.getStatus().name()).orElse("MISSING");
    evidence.put("orderId", b.getMerchantOrderId());
    evidence.put("orderStatus", status);
    order.ifPresent(o -> evidence.put("merchantId", o.getMerchantId()));
    final String state = order.isPresent() ? "is " + status + ", not PAID" : "never arrived";
    return new Finding(
        e.getPlanId(),
        Rule.ORDER_NOT_PAID,
        Severity.HIGH,
        "Borrowing "
            + b.getCreditId()
            + " paid for merchant order "
            + b.getMerchantOrderId()
            + ", which "
            + state
            + ", yet plan "
            + e.getPlanId()
            + " collects: check the order "
            + "with the merchant before collecting.",
        evidence);
  }

  private static Finding accountMismatch(final RepaymentEvent e, final CreditUse b) {
    final Map<String, String> evidence = withBorrowing(e, b);
    final boolean sameOwner = e.getIdentityId().equals(b.getIdentityId());
    evidence.put("planIdentityId", e.getIdentityId());
    evidence.put("borrowerIdentityId", b.getIdentityId());
    evidence.put("sameIdentity", Boolean.toString(sameOwner));
    final String owner =
        sameOwner ? "another account of the same person" : "an account of a different person";
    return new Finding(
        e.getPlanId(),
        Rule.ACCOUNT_MISMATCH,
        sameOwner ? Severity.MEDIUM : Severity.HIGH,
        "Plan "
            + e.getPlanId()
            + " collects from account "
            + e.getAccountId()
            + ", but borrowing "
            + b.getCreditId()
            + " belongs to account "
            + b.getAccountId()
            + " ("
            + owner
            + "): confirm which account owes the money.",
        evidence);
  }

  private static Finding amountExceeds(
      final RepaymentEvent e, final CreditUse b, final BigInteger total, final int maxFeeBps) {
    final Map<String, String> evidence = withBorrowing(e, b);
    final boolean created = e.getType() == RepaymentEventType.PLAN_CREATED;
    final long cap = FeeCap.capMinor(b.getAmountMinor(), maxFeeBps);
    evidence.put(created ? "planTotalMinor" : "collectedMinor", total.toString());
    evidence.put("maxFeeBps", Integer.toString(maxFeeBps));
    evidence.put("capMinor", Long.toString(cap));
    final String what = created ? "demands " : "has collected ";
    return new Finding(
        e.getPlanId(),
        Rule.AMOUNT_EXCEEDS_BORROWING,
        Severity.MEDIUM,
        "Plan "
            + e.getPlanId()
            + " "
            + what
            + Money.format(total, e.getCurrency())
            + ", more than borrowing "
            + b.getCreditId()
            + "'s principal of "
            + Money.format(b.getAmountMinor(), b.getCurrency())
            + " plus the "
            + maxFeeBps / 100.0
            + "% fee cap ("
            + Money.format(cap, b.getCurrency())
            + "): stop over-collection and refund the excess.",
        evidence);
  }

  static Map<String, String> evidence(final RepaymentEvent e) {
    final Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("eventType", e.getType().name());
    evidence.put("planAccountId", e.getAccountId());
    evidence.put("amountMinor", Long.toString(e.getAmountMinor()));
    evidence.put("currency", e.getCurrency());
    return evidence;
  }

  static Map<String, String> withBorrowing(final RepaymentEvent e, final CreditUse b) {
    final Map<String, String> evidence = evidence(e);
    evidence.put("creditId", b.getCreditId());
    evidence.put("borrowerAccountId", b.getAccountId());
    evidence.put("borrowingStatus", b.getStatus().name());
    evidence.put("principalMinor", Long.toString(b.getAmountMinor()));
    return evidence;
  }
}
