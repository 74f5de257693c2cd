package io.repayguard.detector;

import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static java.time.Duration.ofDays;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.repayguard.events.Alert;
import io.repayguard.events.CreditUse;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Amounts at the edge of the long range (DESIGN.md rule 3: exact arithmetic that cannot overflow;
 * rule 9: bad input never stops the detector).
 *
 * <p>Each collected amount is valid on its own (≥ 0); only their sum leaves the long range. Once it
 * wrapped negative, the fee-cap check threw and the stream thread died on every restart.
 */
class AmountOverflowTest {
  private static final long MAX = Long.MAX_VALUE;

  @Test
  void shouldKeepDecidingWhenCollectedAmountsSumPastTheLongRange() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given: a borrowing of the largest principal a long holds; its cap is MAX × 1.08
      driver.publish(aCreditUse().setMerchantOrderId(null).setAmountMinor(MAX).build());
      driver.publish(event("p1-c", RepaymentEventType.PLAN_CREATED, MAX, ofMinutes(1)));
      driver.publish(event("p1-r1", RepaymentEventType.REPAYMENT_COLLECTED, MAX, ofDays(30)));
      driver.publish(event("p1-r2", RepaymentEventType.REPAYMENT_COLLECTED, 1, ofDays(60)));
      driver.barrier();

      // When: the sum, MAX + 1, is still under the cap; a last MAX / 10 takes it past
      driver.publish(event("p1-r3", RepaymentEventType.REPAYMENT_COLLECTED, MAX / 10, ofDays(90)));
      driver.publish(
          aRepaymentEvent()
              .setPlanId("p2")
              .setEventId("p2-c")
              .setCreditId("c-none")
              .setEventTime(at(ofDays(90)))
              .build());
      driver.barrier();
      driver.publish(clockAt(ofDays(91)));
      driver.barrier();

      // Then: the over-collection is caught on the event that crossed the cap, exactly, and the
      // plan after it is still decided
      final List<Alert> alerts = driver.alerts();
      assertThat(alerts)
          .extracting(Alert::getPlanId, Alert::getRule, Alert::getTriggeringEventId)
          .containsExactlyInAnyOrder(
              tuple("p1", Rule.AMOUNT_EXCEEDS_BORROWING, "p1-r3"),
              tuple("p2", Rule.NO_BORROWING, "p2-c"));
      final String exactSum =
          BigInteger.valueOf(MAX).add(BigInteger.ONE).add(BigInteger.valueOf(MAX / 10)).toString();
      assertThat(alerts)
          .filteredOn(a -> a.getPlanId().equals("p1"))
          .singleElement()
          .satisfies(a -> assertThat(a.getEvidence()).containsEntry("collectedMinor", exactSum));
      assertThat(driver.deadLetters()).isEmpty();
    }
  }

  private static RepaymentEvent event(
      final String eventId,
      final RepaymentEventType type,
      final long amount,
      final Duration sinceT0) {
    return aRepaymentEvent()
        .setEventId(eventId)
        .setType(type)
        .setInstallmentNo(type == RepaymentEventType.PLAN_CREATED ? 0 : 1)
        .setAmountMinor(amount)
        .setEventTime(at(sinceT0))
        .build();
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
