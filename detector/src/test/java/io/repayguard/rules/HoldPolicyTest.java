package io.repayguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.Severity;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A plan is held exactly when an open alert is at or above the hold severity. */
class HoldPolicyTest {

  static Stream<Arguments> single() {
    return Stream.of(
        Arguments.of(Severity.HIGH, Severity.LOW, false),
        Arguments.of(Severity.HIGH, Severity.MEDIUM, false),
        Arguments.of(Severity.HIGH, Severity.HIGH, true),
        Arguments.of(Severity.HIGH, Severity.CRITICAL, true),
        Arguments.of(Severity.MEDIUM, Severity.LOW, false),
        Arguments.of(Severity.MEDIUM, Severity.MEDIUM, true),
        Arguments.of(Severity.LOW, Severity.LOW, true),
        Arguments.of(Severity.CRITICAL, Severity.HIGH, false),
        Arguments.of(Severity.CRITICAL, Severity.CRITICAL, true));
  }

  @ParameterizedTest(name = "threshold {0}, alert {1} -> {2}")
  @MethodSource("single")
  void shouldHoldAtOrAboveTheThreshold(
      final Severity threshold, final Severity severity, final boolean expected) {
    // Given
    final HoldPolicy policy = new HoldPolicy(threshold);

    // When
    final boolean holds = policy.holds(severity);

    // Then
    assertThat(holds).isEqualTo(expected);
  }
}
