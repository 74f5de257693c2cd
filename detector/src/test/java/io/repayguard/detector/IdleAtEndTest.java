package io.repayguard.detector;

import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.CreditUse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md, Time: a partition is idle only when it has been read to its end and nothing new has
 * arrived for idle-timeout. A partition with records still to read (a backlog, a stalled fetch)
 * must hold detector time however long the wall clock goes without a record from it.
 */
class IdleAtEndTest {
  /** Partitions whose consumer is behind, by topic/partition; the rest are at their end. */
  private final Set<String> behind = new HashSet<>();

  private final InputLag lag = (topic, partition) -> !behind.contains(topic + "/" + partition);

  @Test
  void shouldNotCallAPartitionIdleWhileItHasRecordsToRead() {
    final DetectorConfig config = DetectorConfig.defaults(DetectorConfig.SourcePartitions.single());
    try (DetectorTestDriver driver = new DetectorTestDriver(config, lag)) {
      // Given: credit-use/0 is behind, its borrowing not read yet
      behind.add(config.topics().creditUse() + "/0");
      driver.publish(aRepaymentEvent().build());

      // When: the wall clock runs far past the idle timeout, then the borrowing is read
      driver.barrier();
      driver.advanceWallClock(Duration.ofMinutes(10));
      driver.barrier();
      driver.publish(
          aCreditUse()
              .setMerchantOrderId(null)
              .setAmountMinor(123_000)
              .setEventTime(at(ofMinutes(-1)))
              .build());
      behind.clear();
      driver.barrier();
      driver.publish(clockAt(ofMinutes(10)));
      driver.barrier();

      // Then: the plan was decided against its borrowing, never without it
      assertThat(driver.alerts()).isEmpty();
      assertThat(driver.holds()).isEmpty();
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
