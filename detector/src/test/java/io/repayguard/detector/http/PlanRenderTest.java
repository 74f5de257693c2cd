package io.repayguard.detector.http;

import static io.repayguard.events.Events.aCollection;
import static io.repayguard.events.Events.aRepaymentEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.repayguard.decision.StoredPlans;
import io.repayguard.detector.state.PlanState;
import io.repayguard.serde.TrustedAvroClasses;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code GET /plans/{planId}} shows of a stored plan. */
class PlanRenderTest {
  static {
    TrustedAvroClasses.install();
  }

  @Test
  void shouldShowTheExactSumOfTheDecidedCollectionsPastTheLongRange() {
    // Given: a stored plan that decided its creation and two collections of Long.MAX_VALUE
    final PlanState stored =
        PlanState.newBuilder()
            .setPlanId("p1")
            .setCreditId("c1")
            .setAccountId("a1")
            .setSeenEventIds(new ArrayList<>(List.of("p1-c", "p1-r1", "p1-r2")))
            .setDecided(
                new ArrayList<>(
                    List.of(
                        aRepaymentEvent().build(),
                        aCollection("p1-r1", Long.MAX_VALUE).build(),
                        aCollection("p1-r2", Long.MAX_VALUE).build())))
            .setOpenAlerts(new ArrayList<>())
            .setOccurrences(new ArrayList<>())
            .setHoldAlertIds(new ArrayList<>())
            .setHoldRules(new ArrayList<>())
            .setLastEventTime(0)
            .build();

    // When
    final JsonNode json = PlanApi.render(StoredPlans.read(stored), null);

    // Then: the stored collectedMinor (never written, always 0) is not what shows
    assertThat(json.get("collectedMinor").bigIntegerValue())
        .isEqualTo(BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TWO));
    assertThat(json.get("decidedEvents")).hasSize(3);
    assertThat(json.get("borrowing").isNull()).isTrue();
  }
}
