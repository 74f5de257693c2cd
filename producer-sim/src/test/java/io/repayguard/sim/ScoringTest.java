package io.repayguard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.Rule;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Precision and recall on hand-made ground truth and alerts. */
class ScoringTest {

  @Test
  void shouldScorePerfectWhenAlertsMatchGroundTruth() {
    final Scoring.Report report =
        Scoring.score(
            List.of(
                new Scoring.Expected("p1", Set.of(Rule.NO_BORROWING), "x"),
                new Scoring.Expected("p2", Set.of(Rule.DUPLICATE_PLAN), "y")),
            List.of(
                new Scoring.Raised("p1", Rule.NO_BORROWING),
                new Scoring.Raised("p2", Rule.DUPLICATE_PLAN),
                new Scoring.Raised("p2", Rule.DUPLICATE_PLAN)));

    assertThat(report.perfect()).isTrue();
    assertThat(report.overall()).isEqualTo(new Scoring.Counts(2, 2, 2));
    assertThat(report.perRule().get(Rule.NO_BORROWING)).isEqualTo(new Scoring.Counts(1, 1, 1));
    assertThat(report.misses()).isEmpty();
    assertThat(report.falseAlarms()).isEmpty();
  }

  @Test
  void shouldCountMissesAndFalseAlarmsPerRule() {
    final Scoring.Report report =
        Scoring.score(
            List.of(
                new Scoring.Expected("p1", Set.of(Rule.NO_BORROWING), "forged"),
                new Scoring.Expected("p2", Set.of(Rule.ORDER_NOT_PAID), "cancelled"),
                new Scoring.Expected("p3", Set.of(Rule.ACCOUNT_MISMATCH), "foreign")),
            List.of(
                new Scoring.Raised("p1", Rule.NO_BORROWING),
                new Scoring.Raised("p2", Rule.BORROWING_REVERSED),
                new Scoring.Raised("p3", Rule.ACCOUNT_MISMATCH),
                new Scoring.Raised("p9", Rule.ACCOUNT_MISMATCH)));

    assertThat(report.perfect()).isFalse();
    assertThat(report.perRule().get(Rule.ORDER_NOT_PAID)).isEqualTo(new Scoring.Counts(1, 0, 0));
    assertThat(report.perRule().get(Rule.ORDER_NOT_PAID).recall()).isZero();
    assertThat(report.perRule().get(Rule.ORDER_NOT_PAID).precision()).isEqualTo(1.0);
    assertThat(report.perRule().get(Rule.BORROWING_REVERSED).precision()).isZero();
    assertThat(report.perRule().get(Rule.ACCOUNT_MISMATCH)).isEqualTo(new Scoring.Counts(1, 2, 1));
    assertThat(report.perRule().get(Rule.ACCOUNT_MISMATCH).precision()).isEqualTo(0.5);
    assertThat(report.overall()).isEqualTo(new Scoring.Counts(3, 4, 2));
    assertThat(report.misses())
        .containsExactly(
            new Scoring.Difference(
                "p2", Set.of(Rule.ORDER_NOT_PAID), Set.of(Rule.BORROWING_REVERSED), "cancelled"));
    assertThat(report.falseAlarms())
        .containsExactly(
            new Scoring.Difference(
                "p2", Set.of(Rule.ORDER_NOT_PAID), Set.of(Rule.BORROWING_REVERSED), "cancelled"),
            new Scoring.Difference("p9", Set.of(), Set.of(Rule.ACCOUNT_MISMATCH), null));
    assertThat(report.render(5))
        .contains(
            "overall",
            "missed plan p2 expected [ORDER_NOT_PAID] " + "raised [BORROWING_REVERSED]",
            "false alarm plan p9 expected [] raised [ACCOUNT_MISMATCH]");
  }
}
