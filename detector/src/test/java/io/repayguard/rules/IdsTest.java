package io.repayguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.HoldAction;
import io.repayguard.events.Rule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Deterministic ids: readable, and distinct for distinct inputs even with slashes in plan ids. */
class IdsTest {
  private static final List<String> TRICKY_PLAN_IDS =
      List.of(
          "p1",
          "p1/NO_BORROWING",
          "p1/NO_BORROWING/1",
          "p1/1",
          "p1/HOLD",
          "p1/HOLD/1",
          "",
          "/",
          "p1/");

  @Test
  void shouldDeriveAlertIdFromPlanRuleAndOccurrence() {
    // Given
    final String planId = "p1";

    // When
    final String first = Ids.alertId(planId, Rule.NO_BORROWING, 1);
    final String second = Ids.alertId(planId, Rule.ACCOUNT_MISMATCH, 2);

    // Then
    assertThat(List.of(first, second))
        .containsExactly("p1/NO_BORROWING/1", "p1/ACCOUNT_MISMATCH/2");
  }

  @Test
  void shouldDeriveCommandIdFromPlanActionAndOccurrence() {
    // Given
    final String planId = "p1";

    // When
    final String hold = Ids.commandId(planId, HoldAction.HOLD, 1);
    final String release = Ids.commandId(planId, HoldAction.RELEASE, 3);

    // Then
    assertThat(List.of(hold, release)).containsExactly("p1/HOLD/1", "p1/RELEASE/3");
  }

  @Test
  void shouldReproduceTheSameIdForTheSameContent() {
    // Given
    final String planId = "p/with/slashes";

    // When
    final String once = Ids.alertId(planId, Rule.DUPLICATE_PLAN, 4);
    final String again = Ids.alertId(new String(planId.toCharArray()), Rule.DUPLICATE_PLAN, 4);

    // Then
    assertThat(once).isEqualTo(again).isEqualTo("p/with/slashes/DUPLICATE_PLAN/4");
  }

  @Test
  void shouldNeverCollideEvenWhenPlanIdsContainSlashes() {
    // Given
    final List<String> alertIds = new ArrayList<>();
    final List<String> commandIds = new ArrayList<>();

    // When
    for (final String planId : TRICKY_PLAN_IDS) {
      for (int occurrence = 1; occurrence <= 12; occurrence++) {
        for (final Rule rule : Rule.values()) {
          alertIds.add(Ids.alertId(planId, rule, occurrence));
        }
        for (final HoldAction action : HoldAction.values()) {
          commandIds.add(Ids.commandId(planId, action, occurrence));
        }
      }
    }

    // Then
    final Set<String> all = new HashSet<>(alertIds);
    all.addAll(commandIds);
    assertThat(all).hasSize(alertIds.size() + commandIds.size());
  }
}
