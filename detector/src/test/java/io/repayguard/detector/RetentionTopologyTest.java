package io.repayguard.detector;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aMerchantOrder;
import static io.repayguard.events.Events.aRepaymentEvent;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.decision.Retention;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Rule 10 in the ingest and order-link stages: what they remember of a plan or an order is
 * forgotten once their event time is past the inactivity horizon (here 30 days, so test time stays
 * behind the driver's wall clock).
 */
class RetentionTopologyTest {
  private static final Duration INACTIVE = Duration.ofDays(30);
  private static final DetectorConfig CONFIG =
      DetectorConfig.defaults(DetectorConfig.SourcePartitions.single())
          .withRetention(new Retention(Duration.ofDays(10), INACTIVE));

  @Test
  void shouldHoldAPlanToItsFirstCreditIdUntilTheHorizonThenForgetIt() {
    try (DetectorTestDriver driver = new DetectorTestDriver(CONFIG)) {
      // Given: plan p1 first named c1
      driver.publish(aRepaymentEvent().build());
      driver.publish(
          aRepaymentEvent()
              .setEventId("p1-d1")
              .setCreditId("c-other")
              .setType(RepaymentEventType.INSTALLMENT_DUE)
              .setInstallmentNo(1)
              .build());
      final int refusedWithinHorizon = driver.deadLetters().size();

      // When: the partition's event time passes the horizon and the hourly scan runs
      driver.publish(
          aRepaymentEvent()
              .setPlanId("p2")
              .setEventId("p2-c")
              .setEventTime(Instant.ofEpochMilli(T0 + INACTIVE.toMillis() + 1))
              .build());
      driver.advanceWallClock(Duration.ofHours(1));
      driver.publish(
          aRepaymentEvent()
              .setEventId("p1-d2")
              .setCreditId("c-other")
              .setType(RepaymentEventType.INSTALLMENT_DUE)
              .setInstallmentNo(2)
              .setEventTime(Instant.ofEpochMilli(T0 + INACTIVE.toMillis() + 2))
              .build());

      // Then
      assertThat(refusedWithinHorizon).isEqualTo(1);
      assertThat(driver.deadLetters()).hasSize(1);
    }
  }

  @Test
  void shouldForgetAnOrderPastTheHorizonSoALaterBorrowingNamingItFindsNone() {
    try (DetectorTestDriver driver = new DetectorTestDriver(CONFIG)) {
      // Given: a paid order, then 31 days of quiet on the order
      driver.publish(aMerchantOrder().setStatus(OrderStatus.PAID).build());
      driver.publish(
          aCreditUse()
              .setCreditId("c-tick")
              .setMerchantOrderId(null)
              .setEventTime(Instant.ofEpochMilli(T0 + INACTIVE.toMillis() + 1))
              .build());
      driver.barrier();
      driver.advanceWallClock(Duration.ofHours(1));

      // When: a borrowing names the forgotten order and a plan collects for it
      final long later = T0 + INACTIVE.toMillis() + 60_000;
      driver.publish(aCreditUse().setEventTime(Instant.ofEpochMilli(later)).build());
      driver.publish(aRepaymentEvent().setEventTime(Instant.ofEpochMilli(later)).build());
      driver.publish(
          aCreditUse()
              .setCreditId("c-clock")
              .setMerchantOrderId(null)
              .setEventTime(Instant.ofEpochMilli(later + Duration.ofDays(1).toMillis()))
              .build());
      driver.barrier();

      // Then
      assertThat(driver.alerts()).extracting(a -> a.getRule()).containsExactly(Rule.ORDER_NOT_PAID);
      assertThat(driver.alerts().get(0).getEvidence()).containsEntry("orderStatus", "MISSING");
    }
  }
}
