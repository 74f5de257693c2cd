package io.repayguard.detector;

import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aMerchantOrder;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static java.time.Duration.ofDays;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.CreditStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A backlog read unevenly (DESIGN.md, When a record takes effect): one input partition is read
 * weeks ahead of another, and what it holds must not count against plans decided before its
 * eventTime. Each test publishes the later-dated record first, as a catch-up would read it.
 */
class ReadAheadTest {

  @Test
  void shouldNotCountAReversalDatedLaterAgainstAPlanDecidedToday() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given: credit-use read a month ahead: the borrowing and its reversal
      driver.publish(aMerchantOrder().setEventTime(at(ofMinutes(-2))).build());
      driver.publish(aCreditUse().setEventTime(at(ofMinutes(-1))).build());
      driver.publish(
          aCreditUse().setStatus(CreditStatus.REVERSED).setEventTime(at(ofDays(30))).build());

      // When: the repayment-plan partition catches up past the reversal
      driver.publish(aRepaymentEvent().build());
      driver.publish(
          aRepaymentEvent()
              .setEventId("p1-d1")
              .setType(RepaymentEventType.INSTALLMENT_DUE)
              .setInstallmentNo(1)
              .setAmountMinor(41_000)
              .setEventTime(at(ofDays(31)))
              .build());
      driver.publish(aMerchantOrder().setOrderId("o-later").setEventTime(at(ofDays(40))).build());
      driver.barrier();
      driver.publish(clockAt(ofDays(41)));
      driver.barrier();

      // Then: the plan was created against an approved borrowing; only the installment due after
      // the reversal is demanded against a reversed one
      assertThat(driver.alerts())
          .extracting(Alert::getRule, Alert::getTriggeringEventId, Alert::getStatus)
          .containsExactly(tuple(Rule.BORROWING_REVERSED, "p1-d1", AlertStatus.OPEN));
    }
  }

  @Test
  void shouldNotCountARefundDatedLaterAgainstAPlanDecidedToday() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given: merchant-order read a month ahead: the order paid, then refunded
      driver.publish(aMerchantOrder().setEventTime(at(ofMinutes(-2))).build());
      driver.publish(
          aMerchantOrder().setStatus(OrderStatus.REFUNDED).setEventTime(at(ofDays(30))).build());
      driver.publish(aCreditUse().setEventTime(at(ofMinutes(-1))).build());

      // When: the plan is created today; the other partitions catch up later
      driver.publish(aRepaymentEvent().build());
      driver.publish(
          aCreditUse()
              .setCreditId("c-later")
              .setMerchantOrderId(null)
              .setEventTime(at(ofDays(40)))
              .build());
      driver.publish(
          aRepaymentEvent()
              .setPlanId("p-later")
              .setEventId("p-later-c")
              .setCreditId("c-later")
              .setAmountMinor(120_000)
              .setEventTime(at(ofDays(40)))
              .build());
      driver.barrier();
      driver.publish(clockAt(ofDays(41)));
      driver.barrier();

      // Then
      assertThat(driver.alerts()).isEmpty();
    }
  }

  private static CreditUse clockAt(final Duration sinceT0) {
    return aCreditUse()
        .setCreditId("c-clock")
        .setAccountId("a-clock")
        .setIdentityId("id-a-clock")
        .setMerchantOrderId(null)
        .setEventTime(at(sinceT0))
        .build();
  }
}
