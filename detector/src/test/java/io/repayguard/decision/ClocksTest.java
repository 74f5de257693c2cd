package io.repayguard.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.state.ClockState;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Detector time as a watermark over the sources that are not idle (pure). */
class ClocksTest {
  private static final long T0 = 1_772_323_200_000L;
  private static final String A = "credit-use/0";
  private static final String B = "repayment-plan/0";
  private static final String C = "repayguard-order-links/0";
  private static final Set<String> EXPECTED = Set.of(A, B, C);
  private static final long UNKNOWN = Clocks.UNKNOWN;

  private final ClockState clock = Clocks.empty();

  @Test
  void shouldKnowNoTimeBeforeAnyReport() {
    // Given
    final ClockState empty = Clocks.empty();

    // When
    final long time = empty.getDetectorTime();

    // Then
    assertThat(time).isEqualTo(UNKNOWN);
    assertThat(empty.getSources()).isEmpty();
    assertThat(empty.getArrivals()).isZero();
    assertThat(Clocks.maxEventTime(empty)).isEqualTo(UNKNOWN);
    assertThat(Clocks.allIdle(empty, EXPECTED)).isFalse();
  }

  @Test
  void shouldNotMoveUntilEveryExpectedSourceReported() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 10, T0 + 10, false);
    Clocks.report(clock, EXPECTED, B, T0 + 20, T0 + 20, true);

    // When
    final long before = clock.getDetectorTime();
    Clocks.report(clock, EXPECTED, C, T0 + 30, T0 + 30, false);

    // Then
    assertThat(before).isEqualTo(UNKNOWN);
    assertThat(clock.getDetectorTime()).isEqualTo(T0 + 10);
  }

  @Test
  void shouldTakeTheSmallestWatermarkOfTheActiveSources() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, T0 + 30, false);
    Clocks.report(clock, EXPECTED, B, T0 + 20, T0 + 20, false);

    // When
    Clocks.report(clock, EXPECTED, C, T0 + 10, T0 + 10, true);

    // Then
    assertThat(clock.getDetectorTime()).isEqualTo(T0 + 20);
  }

  @Test
  void shouldTakeTheLargestEventTimeWhenAllAreIdle() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, T0 + 30, true);
    Clocks.report(clock, EXPECTED, B, T0 + 20, T0 + 20, true);

    // When
    Clocks.report(clock, EXPECTED, C, UNKNOWN, UNKNOWN, true);

    // Then
    assertThat(clock.getDetectorTime()).isEqualTo(T0 + 30);
    assertThat(Clocks.allIdle(clock, EXPECTED)).isTrue();
  }

  @Test
  void shouldBlockOnAnActiveSourceThatKnowsNoTimeYet() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, T0 + 30, false);
    Clocks.report(clock, EXPECTED, B, T0 + 20, T0 + 20, false);

    // When
    Clocks.report(clock, EXPECTED, C, UNKNOWN, UNKNOWN, false);

    // Then
    assertThat(clock.getDetectorTime()).isEqualTo(UNKNOWN);
  }

  @Test
  void shouldNeverLowerASourceWatermark() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, T0 + 30, false);
    Clocks.report(clock, EXPECTED, B, T0 + 30, T0 + 30, false);
    Clocks.report(clock, EXPECTED, C, T0 + 30, T0 + 30, false);

    // When
    Clocks.report(clock, EXPECTED, A, T0 + 5, T0 + 5, false);

    // Then
    assertThat(clock.getSources()).filteredOn(s -> s.getSource().equals(A)).singleElement()
        .satisfies(s -> {
          assertThat(s.getWatermark()).isEqualTo(T0 + 30);
          assertThat(s.getMaxEventTime()).isEqualTo(T0 + 30);
        });
    assertThat(clock.getDetectorTime()).isEqualTo(T0 + 30);
  }

  @Test
  void shouldNeverGoBackWhenAnIdleSourceTurnsActive() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 30, T0 + 30, true);
    Clocks.report(clock, EXPECTED, B, T0 + 10, T0 + 10, true);
    Clocks.report(clock, EXPECTED, C, T0 + 10, T0 + 10, true);

    // When
    Clocks.report(clock, EXPECTED, B, T0 + 11, T0 + 11, false);

    // Then
    assertThat(clock.getDetectorTime()).isEqualTo(T0 + 30);
    assertThat(Clocks.allIdle(clock, EXPECTED)).isFalse();
  }

  @Test
  void shouldAdvanceOnlyForward() {
    // Given
    Clocks.advanceTo(clock, T0 + 30);

    // When
    Clocks.advanceTo(clock, T0 + 10);

    // Then
    assertThat(clock.getDetectorTime()).isEqualTo(T0 + 30);
  }

  @Test
  void shouldNotCallItAllIdleUntilEveryExpectedSourceReported() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0, T0, true);
    Clocks.report(clock, EXPECTED, B, T0, T0, true);

    // When
    final boolean allIdle = Clocks.allIdle(clock, EXPECTED);

    // Then
    assertThat(allIdle).isFalse();
    assertThat(clock.getDetectorTime()).isEqualTo(UNKNOWN);
  }

  @Test
  void shouldReportTheLargestEventTimeOfAnySource() {
    // Given
    Clocks.report(clock, EXPECTED, A, T0 + 5, T0 + 50, false);

    // When
    Clocks.report(clock, EXPECTED, B, T0 + 40, T0 + 40, false);

    // Then
    assertThat(Clocks.maxEventTime(clock)).isEqualTo(T0 + 50);
  }
}
