package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.CreditStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.sim.SimRecord;
import io.repayguard.sim.Simulator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The simulator's benign world, with all its disorder and no injected anomaly, raises nothing:
 * borrowings delivered after their plan within grace, redelivered events, cash withdrawals with no
 * order, reversals and refunds that end a plan early, a new plan after the previous one closed, and
 * accounts that share an identity repaying their own loans.
 */
class BenignDisorderTest {
  /** About twelve simulated days: early ends come eight to twenty days after a plan starts. */
  private static final int EVENTS = 60_000;

  private static final Instant START = DetectorTestDriver.WALL_START.minus(Duration.ofDays(400));

  /** The wall clock moves as at the demo's 500 records/s: punctuations report clocks. */
  private static final int RECORDS_PER_STEP = 100;

  private static final Duration STEP = Duration.ofMillis(200);

  @Test
  void shouldRaiseNothingOnBenignDisorder() {
    // Given
    final Simulator simulator =
        new Simulator(
            new Simulator.Options(
                2000,
                7,
                0.0,
                Simulator.Options.evenMix(),
                START,
                START.plus(Duration.ofDays(100))));
    final Disorder seen = new Disorder();

    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // When
      int inputs = 0;
      while (simulator.hasNext()) {
        final SimRecord record = simulator.next();
        seen.note(record);
        if (record.value() instanceof CreditUse c) {
          driver.publish(c);
        } else if (record.value() instanceof MerchantOrder o) {
          driver.publish(o);
        } else if (record.value() instanceof RepaymentEvent e) {
          driver.publish(e);
        } else {
          throw new AssertionError("ground truth with no anomaly: " + record);
        }
        if (++inputs % RECORDS_PER_STEP == 0) {
          driver.advanceWallClock(STEP);
        }
        if (inputs == EVENTS) {
          simulator.stop();
        }
      }
      driver.barrier();

      // Then
      assertThat(simulator.injected()).isEmpty();
      assertThat(seen.creditAfterPlan).as("borrowings delivered after their plan").isPositive();
      assertThat(seen.redelivered).as("redelivered events").isPositive();
      assertThat(seen.cashWithdrawals).as("cash withdrawals with no order").isPositive();
      assertThat(seen.reversals).as("reversed borrowings").isPositive();
      assertThat(seen.refunds).as("refunded orders").isPositive();
      assertThat(seen.planAfterClosedPlan).as("new plans after a closed one").isPositive();
      assertThat(seen.sharedIdentityPlans())
          .as("plans of accounts sharing an identity")
          .isPositive();
      assertThat(seen.plans).isGreaterThan(1000);
      assertThat(driver.deadLetters()).isEmpty();
      assertThat(driver.alerts()).as("alerts on benign data").isEmpty();
      assertThat(driver.holds()).isEmpty();

      // And: the detector was deciding all along, so one real anomaly after it all is caught
      final Instant after = Instant.ofEpochMilli(simulator.lastEventTime()).plusSeconds(60);
      driver.publish(
          RepaymentEvent.newBuilder()
              .setEventId("x-c")
              .setPlanId("x")
              .setCreditId("c-never")
              .setAccountId("a-x")
              .setIdentityId("id-x")
              .setType(RepaymentEventType.PLAN_CREATED)
              .setInstallmentNo(0)
              .setInstallmentCount(3)
              .setAmountMinor(100_000)
              .setCurrency("CNY")
              .setEventTime(after)
              .build());
      driver.publish(
          CreditUse.newBuilder()
              .setCreditId("c-clock")
              .setAccountId("a-clock")
              .setIdentityId("id-clock")
              .setMerchantOrderId(null)
              .setAmountMinor(100)
              .setCurrency("CNY")
              .setInstallmentCount(1)
              .setStatus(CreditStatus.APPROVED)
              .setEventTime(after.plus(Duration.ofMinutes(20)))
              .build());
      driver.barrier();
      assertThat(driver.alerts()).map(a -> a.getAlertId()).containsExactly("x/NO_BORROWING/1");
    }
  }

  /** Counts the kinds of benign disorder in the generated records. */
  private static final class Disorder {
    private final Set<String> plansCreated = new HashSet<>();
    private final Set<String> eventIds = new HashSet<>();
    private final Set<String> creditsWithClosedPlan = new HashSet<>();
    private final Set<String> creditsWithPlan = new HashSet<>();
    private final Map<String, Set<String>> accountsOfIdentity = new HashMap<>();
    private final Map<String, String> identityOfAccount = new HashMap<>();
    private final Set<String> planAccounts = new HashSet<>();
    private long creditAfterPlan;
    private long redelivered;
    private long cashWithdrawals;
    private long reversals;
    private long refunds;
    private long planAfterClosedPlan;
    private long plans;

    void note(final SimRecord record) {
      if (record.value() instanceof CreditUse c) {
        note(c);
      } else if (record.value() instanceof MerchantOrder o
          && o.getStatus() == OrderStatus.REFUNDED) {
        refunds++;
      } else if (record.value() instanceof RepaymentEvent e) {
        note(e);
      }
    }

    private void note(final CreditUse c) {
      if (c.getStatus() == CreditStatus.APPROVED && creditsWithPlan.contains(c.getCreditId())) {
        creditAfterPlan++;
      }
      if (c.getMerchantOrderId() == null) {
        cashWithdrawals++;
      }
      if (c.getStatus() == CreditStatus.REVERSED) {
        reversals++;
      }
      identityOfAccount.put(c.getAccountId(), c.getIdentityId());
      accountsOfIdentity
          .computeIfAbsent(c.getIdentityId(), k -> new HashSet<>())
          .add(c.getAccountId());
    }

    private void note(final RepaymentEvent e) {
      if (!eventIds.add(e.getEventId())) {
        redelivered++;
      }
      if (e.getType() == RepaymentEventType.PLAN_CREATED && plansCreated.add(e.getPlanId())) {
        plans++;
        planAccounts.add(e.getAccountId());
        if (e.getCreditId() != null) {
          if (creditsWithClosedPlan.contains(e.getCreditId())) {
            planAfterClosedPlan++;
          }
          creditsWithPlan.add(e.getCreditId());
        }
      }
      if (e.getType() == RepaymentEventType.PLAN_CLOSED && e.getCreditId() != null) {
        creditsWithClosedPlan.add(e.getCreditId());
      }
    }

    long sharedIdentityPlans() {
      return planAccounts.stream()
          .filter(
              a ->
                  identityOfAccount.containsKey(a)
                      && accountsOfIdentity.get(identityOfAccount.get(a)).size() > 1)
          .count();
    }
  }
}
