package io.repayguard.rules;

import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The input contract of DESIGN.md (rule 9) for one record, without state.
 *
 * <p>Every id not marked optional is non-empty; the record key equals the value's id; amounts and
 * eventTime are not negative and eventTime is at most a day ahead of the wall clock; a plan event
 * has {@code installmentCount >= 1} and {@code 0 <= installmentNo <= installmentCount}. The one
 * stateful clause (a plan keeps the creditId of its first event) is {@link #sameCredit}. An ops
 * command is held to the same clauses, its issuedAt standing for eventTime.
 */
public final class Contract {
  /** How far ahead of the wall clock an eventTime may be. */
  public static final Duration MAX_AHEAD = Duration.ofDays(1);

  private Contract() {}

  /** The violation of {@code value} under {@code key}, if any, judged at wall time {@code now}. */
  public static Optional<String> violation(
      final String key, final CreditUse value, final Instant now) {
    return first(
        blank("creditId", value.getCreditId()),
        blank("accountId", value.getAccountId()),
        blank("identityId", value.getIdentityId()),
        keyMismatch(key, "creditId", value.getCreditId()),
        negative("amountMinor", value.getAmountMinor()),
        value.getInstallmentCount() < 1
            ? "installmentCount " + value.getInstallmentCount() + " is below 1"
            : null,
        time("eventTime", value.getEventTime(), now));
  }

  /** The violation of {@code value} under {@code key}, if any, judged at wall time {@code now}. */
  public static Optional<String> violation(
      final String key, final MerchantOrder value, final Instant now) {
    return first(
        blank("orderId", value.getOrderId()),
        blank("merchantId", value.getMerchantId()),
        blank("accountId", value.getAccountId()),
        keyMismatch(key, "orderId", value.getOrderId()),
        negative("amountMinor", value.getAmountMinor()),
        time("eventTime", value.getEventTime(), now));
  }

  /** The violation of {@code value} under {@code key}, if any, judged at wall time {@code now}. */
  public static Optional<String> violation(
      final String key, final RepaymentEvent value, final Instant now) {
    return first(
        blank("eventId", value.getEventId()),
        blank("planId", value.getPlanId()),
        blank("accountId", value.getAccountId()),
        blank("identityId", value.getIdentityId()),
        keyMismatch(key, "planId", value.getPlanId()),
        negative("amountMinor", value.getAmountMinor()),
        value.getInstallmentCount() < 1
            ? "installmentCount " + value.getInstallmentCount() + " is below 1"
            : null,
        value.getInstallmentNo() < 0 || value.getInstallmentNo() > value.getInstallmentCount()
            ? "installmentNo "
                + value.getInstallmentNo()
                + " is outside 0.."
                + value.getInstallmentCount()
            : null,
        time("eventTime", value.getEventTime(), now));
  }

  /**
   * The violation of an analyst's command under {@code key}, if any, judged at wall time {@code
   * now}: commandId, planId and analyst (who is named in the alert) are non-empty, the key is the
   * planId, issuedAt is not negative nor more than a day ahead. The reason is free text and may be
   * empty; the rule and action are enums and cannot be wrong once decoded.
   */
  public static Optional<String> violation(
      final String key, final OpsCommand value, final Instant now) {
    return first(
        blank("commandId", value.getCommandId()),
        blank("planId", value.getPlanId()),
        blank("analyst", value.getAnalyst()),
        keyMismatch(key, "planId", value.getPlanId()),
        time("issuedAt", value.getIssuedAt(), now));
  }

  /**
   * The violation of a plan event that names another creditId than the plan's first event did.
   *
   * @param firstCreditId the creditId of the plan's first event, empty if it named none
   */
  public static Optional<String> sameCredit(
      final RepaymentEvent event, final Optional<String> firstCreditId) {
    final Optional<String> named = Optional.ofNullable(event.getCreditId());
    if (named.equals(firstCreditId)) {
      return Optional.empty();
    }
    return Optional.of(
        "plan "
            + event.getPlanId()
            + " first named creditId "
            + firstCreditId.orElse("null")
            + " but event "
            + event.getEventId()
            + " names "
            + named.orElse("null"));
  }

  private static Optional<String> first(final String... violations) {
    for (final String v : violations) {
      if (v != null) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  private static String blank(final String field, final String value) {
    return value == null || value.isEmpty() ? field + " is empty" : null;
  }

  private static String keyMismatch(final String key, final String field, final String id) {
    return Objects.equals(key, id)
        ? null
        : "record key "
            + (key == null ? "null" : "'" + key + "'")
            + " differs from "
            + field
            + " '"
            + id
            + "'";
  }

  private static String negative(final String field, final long value) {
    return value < 0 ? field + " " + value + " is negative" : null;
  }

  private static String time(final String field, final Instant time, final Instant now) {
    if (time.toEpochMilli() < 0) {
      return field + " " + time.toEpochMilli() + " is negative";
    }
    if (time.isAfter(now.plus(MAX_AHEAD))) {
      return field + " " + time + " is more than a day ahead of the wall clock (" + now + ")";
    }
    return null;
  }
}
