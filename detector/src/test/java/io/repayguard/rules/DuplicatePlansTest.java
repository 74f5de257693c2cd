package io.repayguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import io.repayguard.rules.DuplicatePlans.PlanView;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** DUPLICATE_PLAN: the later-created of two open plans of one borrowing is the duplicate. */
class DuplicatePlansTest {
  private static final long T = 1_772_323_200_000L;

  /** Who the finding is about, and against which plan. */
  record Duplicate(String planId, String otherPlanId) {}

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("no other plan", open("p2", T + 60_000), List.of(), List.of()),
        Arguments.of(
            "earlier open sibling: the decided plan is the duplicate",
            open("p2", T + 60_000),
            List.of(open("p1", T)),
            List.of(dup("p2", "p1"))),
        Arguments.of(
            "later-created sibling decided first: the sibling is the duplicate",
            open("p1", T),
            List.of(open("p2", T + 60_000)),
            List.of(dup("p2", "p1"))),
        Arguments.of(
            "same creation time: the larger planId is the duplicate (decided larger)",
            open("p-b", T),
            List.of(open("p-a", T)),
            List.of(dup("p-b", "p-a"))),
        Arguments.of(
            "same creation time: the larger planId is the duplicate (decided smaller)",
            open("p-a", T),
            List.of(open("p-b", T)),
            List.of(dup("p-b", "p-a"))),
        Arguments.of(
            "creation time wins over planId",
            open("p-a", T + 1),
            List.of(open("p-z", T)),
            List.of(dup("p-a", "p-z"))),
        Arguments.of(
            "closed sibling is no duplicate",
            open("p2", T + 60_000),
            List.of(closed("p1", T)),
            List.of()),
        Arguments.of(
            "closed decided plan is no duplicate",
            closed("p2", T + 60_000),
            List.of(open("p1", T)),
            List.of()),
        Arguments.of(
            "the plan itself among the siblings is ignored",
            open("p1", T),
            List.of(open("p1", T)),
            List.of()),
        Arguments.of(
            "one finding per open pair",
            open("p3", T + 120_000),
            List.of(open("p1", T), closed("p2", T + 30_000), open("p4", T + 60_000)),
            List.of(dup("p3", "p1"), dup("p3", "p4"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldRaiseDuplicateOnTheLaterCreatedOpenPlan(
      final String description,
      final PlanView decided,
      final List<PlanView> siblings,
      final List<Duplicate> expected) {
    // Given (the row)

    // When
    final List<Finding> findings = DuplicatePlans.judge("c1", decided, siblings);

    // Then
    assertThat(findings)
        .allSatisfy(
            f -> {
              assertThat(f.rule()).isEqualTo(Rule.DUPLICATE_PLAN);
              assertThat(f.severity()).isEqualTo(Severity.HIGH);
            });
    assertThat(findings)
        .map(f -> new Duplicate(f.planId(), f.evidence().get("otherPlanId")))
        .containsExactlyElementsOf(expected);
  }

  @Test
  void shouldCarryBothCreationTimesAsEvidence() {
    // Given
    final PlanView decided = open("p2", T + 60_000);

    // When
    final List<Finding> findings = DuplicatePlans.judge("c1", decided, List.of(open("p1", T)));

    // Then
    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(new Finding(f.planId(), f.rule(), f.severity(), null, f.evidence()))
                  .isEqualTo(
                      new Finding(
                          "p2",
                          Rule.DUPLICATE_PLAN,
                          Severity.HIGH,
                          null,
                          Map.of(
                              "creditId",
                              "c1",
                              "otherPlanId",
                              "p1",
                              "planCreatedAt",
                              Long.toString(T + 60_000),
                              "otherPlanCreatedAt",
                              Long.toString(T))));
              assertThat(f.explanation()).contains("p2", "p1", "c1");
            });
  }

  private static PlanView open(final String planId, final long createdAt) {
    return new PlanView(planId, createdAt, false);
  }

  private static PlanView closed(final String planId, final long createdAt) {
    return new PlanView(planId, createdAt, true);
  }

  private static Duplicate dup(final String planId, final String otherPlanId) {
    return new Duplicate(planId, otherPlanId);
  }
}
