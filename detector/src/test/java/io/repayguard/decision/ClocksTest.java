package io.repayguard.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.state.SourceClock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Detector time as a watermark over the sources that are not idle, and relays (pure). */
class ClocksTest {
  private static final long T0 = 1_772_323_200_000L;
  private static final String A = "credit-use/0";
  private static final String B = "repayment-plan/0";
  private static final String C = "repayguard-order-links/0";
  private static final Sources EXPECTED = Sources.direct(Set.of(A, B, C));
  private static final long UNKNOWN = Clocks.UNKNOWN;

  private final Clock clock = Clocks.empty();

  @Test
  void shouldKnowNoTimeBeforeAnyReport() {
    // Given
    final Clock empty = Clocks.empty();

    // When
    final long time = empty.detectorTime();

    // Then
    assertThat(time).isEqualTo(UNKNOWN);
    assertThat(empty.sources()).isEmpty();
    assertThat(empty.arrivals()).isZero();
    assertThat(Clocks.maxEventTime(empty)).isEqualTo(UNKNOWN);
    assertThat(Clocks.allIdle(empty, EXPECTED)).isFalse();
  }

  @Test
  void shouldNotMoveUntilEveryExpectedSourceReported() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 10, -1, false);
    Clocks.report(clock, EXPECTED, B, T0 + 20, -1, true);

    // When
    final long before = clock.detectorTime();
    Clocks.report(clock, EXPECTED, C, T0 + 30, -1, false);

    // Then
    assertThat(before).isEqualTo(UNKNOWN);
    assertThat(clock.detectorTime()).isEqualTo(T0 + 10);
  }

  @Test
  void shouldTakeTheSmallestWatermarkOfTheActiveSources() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, -1, false);
    Clocks.report(clock, EXPECTED, B, T0 + 20, -1, false);

    // When
    Clocks.report(clock, EXPECTED, C, T0 + 10, -1, true);

    // Then
    assertThat(clock.detectorTime()).isEqualTo(T0 + 20);
  }

  @Test
  void shouldTakeTheLargestEventTimeWhenAllAreIdle() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, -1, true);
    Clocks.report(clock, EXPECTED, B, T0 + 20, -1, true);

    // When
    Clocks.report(clock, EXPECTED, C, UNKNOWN, -1, true);

    // Then
    assertThat(clock.detectorTime()).isEqualTo(T0 + 30);
    assertThat(Clocks.allIdle(clock, EXPECTED)).isTrue();
  }

  @Test
  void shouldBlockOnAnActiveSourceThatKnowsNoTimeYet() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, -1, false);
    Clocks.report(clock, EXPECTED, B, T0 + 20, -1, false);

    // When
    Clocks.report(clock, EXPECTED, C, UNKNOWN, -1, false);

    // Then
    assertThat(clock.detectorTime()).isEqualTo(UNKNOWN);
  }

  @Test
  void shouldNeverLowerASourceWatermark() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, -1, false);
    Clocks.report(clock, EXPECTED, B, T0 + 30, -1, false);
    Clocks.report(clock, EXPECTED, C, T0 + 30, -1, false);

    // When
    Clocks.report(clock, EXPECTED, A, T0 + 5, -1, false);

    // Then
    assertThat(clock.sources().get(A).maxEventTime()).isEqualTo(T0 + 30);
    assertThat(clock.detectorTime()).isEqualTo(T0 + 30);
  }

  @Test
  void shouldNeverGoBackWhenAnIdleSourceTurnsActive() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, -1, true);
    Clocks.report(clock, EXPECTED, B, T0 + 10, -1, true);
    Clocks.report(clock, EXPECTED, C, T0 + 10, -1, true);

    // When
    Clocks.report(clock, EXPECTED, B, T0 + 11, -1, false);

    // Then
    assertThat(clock.detectorTime()).isEqualTo(T0 + 30);
    assertThat(Clocks.allIdle(clock, EXPECTED)).isFalse();
  }

  @Test
  void shouldAdvanceOnlyForward() {
    // Given
    Clocks.advanceTo(clock, T0 + 30);

    // When
    Clocks.advanceTo(clock, T0 + 10);

    // Then
    assertThat(clock.detectorTime()).isEqualTo(T0 + 30);
  }

  @Test
  void shouldNotCallItAllIdleUntilEveryExpectedSourceReported() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0, -1, true);
    Clocks.report(clock, EXPECTED, B, T0, -1, true);

    // When
    final boolean allIdle = Clocks.allIdle(clock, EXPECTED);

    // Then
    assertThat(allIdle).isFalse();
    assertThat(clock.detectorTime()).isEqualTo(UNKNOWN);
  }

  @Test
  void shouldIgnoreASourceThatIsNotExpected() {
    // Given: a partition of a topic the topology does not read reports, and stays active
    Clocks.report(clock, EXPECTED, "credit-use-old/0", T0, -1, false);

    // When
    Clocks.report(clock, EXPECTED, A, T0 + 100, -1, false);
    Clocks.report(clock, EXPECTED, B, T0 + 100, -1, false);
    Clocks.report(clock, EXPECTED, C, T0 + 100, -1, false);

    // Then
    assertThat(clock.detectorTime()).isEqualTo(T0 + 100);
    assertThat(clock.sources().keySet()).containsOnly(A, B, C);
  }

  @Test
  void shouldForgetASourceKeptFromAnEarlierTopology() {
    // Given: a clock restored from a topology that also read credit-use-old/0, active at T0
    final Sources before = Sources.direct(Set.of(A, B, C, "credit-use-old/0"));
    Clocks.report(clock, before, "credit-use-old/0", T0, -1, false);
    Clocks.report(clock, before, A, T0 + 100, -1, false);
    Clocks.report(clock, before, B, T0 + 100, -1, false);

    // When: the current topology's sources report
    Clocks.report(clock, EXPECTED, C, T0 + 100, -1, false);

    // Then: time moves and idleness is judged without the old source
    assertThat(clock.detectorTime()).isEqualTo(T0 + 100);
    Clocks.report(clock, EXPECTED, A, T0 + 100, -1, true);
    Clocks.report(clock, EXPECTED, B, T0 + 100, -1, true);
    Clocks.report(clock, EXPECTED, C, T0 + 100, -1, true);
    assertThat(Clocks.allIdle(clock, EXPECTED)).isTrue();
  }

  @Test
  void shouldIgnoreARelayThatIsNotExpected() {
    // Given: a relay partition the topology no longer has, behind on credit-use/0
    Clocks.reportRelay(
        clock,
        WITH_RELAY,
        "repayguard-order-links/9",
        List.of(seen(CREDIT, T0, 0, false), seen(MERCHANT, T0, 0, false)));

    // When: the expected sources and relay report, caught up
    Clocks.report(clock, WITH_RELAY, CREDIT, T0 + 100, 5, false);
    Clocks.report(clock, WITH_RELAY, MERCHANT, T0 + 100, 5, false);
    Clocks.report(clock, WITH_RELAY, PLAN, T0 + 100, 5, false);
    Clocks.reportRelay(
        clock,
        WITH_RELAY,
        RELAY,
        List.of(seen(CREDIT, T0 + 100, 5, false), seen(MERCHANT, T0 + 100, 5, false)));

    // Then
    assertThat(clock.detectorTime()).isEqualTo(T0 + 100);
  }

  @Test
  void shouldReportTheLargestEventTimeOfAnySource() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 50, -1, false);

    // When
    Clocks.report(clock, EXPECTED, B, T0 + 40, -1, false);

    // Then
    assertThat(Clocks.maxEventTime(clock)).isEqualTo(T0 + 50);
  }

  private static final String CREDIT = "credit-use/0";
  private static final String MERCHANT = "merchant-order/0";
  private static final String PLAN = "repayment-plan/0";
  private static final String RELAY = "repayguard-order-links/0";
  private static final Sources WITH_RELAY =
      new Sources(Set.of(CREDIT, MERCHANT, PLAN), Set.of(RELAY), Set.of(CREDIT, MERCHANT));

  private static SourceClock seen(
      final String source, final long time, final long offset, final boolean idle) {
    return SourceClock.newBuilder()
        .setSource(source)
        .setMaxEventTime(time)
        .setOffset(offset)
        .setIdle(idle)
        .build();
  }

  @Test
  void shouldHoldTimeAtABehindRelaysViewUntilItCatchesUp() {
    // Given: inputs are at T0+100, the relay has handled credit-use/0 only up to offset 5
    Clocks.report(clock, WITH_RELAY, CREDIT, T0 + 100, 10, false);
    Clocks.report(clock, WITH_RELAY, PLAN, T0 + 100, 7, false);
    Clocks.report(clock, WITH_RELAY, MERCHANT, T0, 3, true);
    Clocks.reportRelay(
        clock,
        WITH_RELAY,
        RELAY,
        List.of(seen(CREDIT, T0 + 50, 5, false), seen(MERCHANT, T0, 3, true)));
    final long behind = clock.detectorTime();

    // When: the relay catches up with credit-use/0
    Clocks.reportRelay(clock, WITH_RELAY, RELAY, List.of(seen(CREDIT, T0 + 100, 10, false)));

    // Then: behind, even its idle partition bounds time; caught up, only its active ones
    assertThat(behind).isEqualTo(T0);
    assertThat(clock.detectorTime()).isEqualTo(T0 + 100);
  }

  @Test
  void shouldDescribeWhatHoldsDetectorTime() {
    // Given: merchant-order/0 silent, credit-use/0 active, the relay behind on it
    Clocks.report(clock, WITH_RELAY, CREDIT, T0 + 100, 10, false);
    Clocks.report(clock, WITH_RELAY, PLAN, T0 + 100, 7, true);
    Clocks.reportRelay(clock, WITH_RELAY, RELAY, List.of(seen(CREDIT, T0 + 50, 5, false)));

    // When
    final String text = Clocks.describe(clock, WITH_RELAY);

    // Then
    assertThat(text)
        .isEqualTo(
            "detector time unknown; not heard from [merchant-order/0]; not idle"
                + " [credit-use/0@2026-03-01T00:00:00.100Z]; relays [repayguard-order-links/0 on"
                + " credit-use/0 5/10]");
  }

  @Test
  void shouldCallItAllIdleOnlyWhenRelaysCaughtUpToo() {
    // Given: every input idle, the relay has not seen credit-use/0's last record
    Clocks.report(clock, WITH_RELAY, CREDIT, T0 + 100, 10, true);
    Clocks.report(clock, WITH_RELAY, PLAN, T0 + 200, 7, true);
    Clocks.report(clock, WITH_RELAY, MERCHANT, T0, 3, true);
    Clocks.reportRelay(
        clock,
        WITH_RELAY,
        RELAY,
        List.of(seen(CREDIT, T0 + 90, 9, true), seen(MERCHANT, T0, 3, true)));
    final boolean allIdleWhileBehind = Clocks.allIdle(clock, WITH_RELAY);
    final long timeWhileBehind = clock.detectorTime();

    // When
    Clocks.reportRelay(clock, WITH_RELAY, RELAY, List.of(seen(CREDIT, T0 + 100, 10, true)));

    // Then
    assertThat(allIdleWhileBehind).isFalse();
    assertThat(timeWhileBehind).isEqualTo(T0);
    assertThat(Clocks.allIdle(clock, WITH_RELAY)).isTrue();
    assertThat(clock.detectorTime()).isEqualTo(T0 + 200);
  }

  @Test
  void shouldNotMoveWhileARelayHasNotHeardOfAPartitionThatHasData() {
    // Given: merchant-order/0 has data the relay has never heard of
    Clocks.report(clock, WITH_RELAY, CREDIT, T0 + 100, 10, false);
    Clocks.report(clock, WITH_RELAY, PLAN, T0 + 100, 7, false);
    Clocks.report(clock, WITH_RELAY, MERCHANT, T0 + 100, 0, false);

    // When
    Clocks.reportRelay(clock, WITH_RELAY, RELAY, List.of(seen(CREDIT, T0 + 100, 10, false)));

    // Then
    assertThat(clock.detectorTime()).isEqualTo(UNKNOWN);
  }
}
