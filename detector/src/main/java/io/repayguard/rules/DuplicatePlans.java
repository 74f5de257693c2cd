package io.repayguard.rules;

import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code DUPLICATE_PLAN}: two plans of one borrowing open at once.
 *
 * <p>Judged when a plan's PLAN_CREATED is decided, against every other plan of the borrowing whose
 * PLAN_CREATED was decided before; a pair in which neither PLAN_CLOSED has arrived raises the
 * finding on its later-created plan (by creation eventTime, then planId).
 */
public final class DuplicatePlans {
  private DuplicatePlans() {}

  /** A plan of the borrowing as this rule sees it. */
  public record PlanView(String planId, long createdAt, boolean closedArrived) {}

  private static final Comparator<PlanView> CREATION_ORDER =
      Comparator.comparingLong(PlanView::createdAt).thenComparing(PlanView::planId);

  /** Findings for {@code decided} against its {@code siblings} (created and decided earlier). */
  public static List<Finding> judge(
      final String creditId, final PlanView decided, final List<PlanView> siblings) {
    final List<Finding> findings = new ArrayList<>();
    if (decided.closedArrived()) {
      return findings;
    }
    for (final PlanView other : siblings) {
      if (other.closedArrived() || other.planId().equals(decided.planId())) {
        continue;
      }
      final PlanView later = CREATION_ORDER.compare(decided, other) > 0 ? decided : other;
      final PlanView earlier = later == decided ? other : decided;
      findings.add(
          new Finding(
              later.planId(),
              Rule.DUPLICATE_PLAN,
              Severity.HIGH,
              "Plan "
                  + later.planId()
                  + " is a second open plan for borrowing "
                  + creditId
                  + " (plan "
                  + earlier.planId()
                  + " is open too): cancel the duplicate push.",
              Map.of(
                  "creditId",
                  creditId,
                  "otherPlanId",
                  earlier.planId(),
                  "planCreatedAt",
                  Long.toString(later.createdAt()),
                  "otherPlanCreatedAt",
                  Long.toString(earlier.createdAt()))));
    }
    return findings;
  }
}
