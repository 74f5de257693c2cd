package io.repayguard.decision;

import io.repayguard.events.Alert;
import io.repayguard.events.HoldCommand;

/** Where decisions go: alerts and hold commands, in the order they were decided. */
public interface DecisionOutput {

  /**
   * A decision or resolution step begins (DESIGN.md rule 6): the alerts and commands that follow,
   * until the next step, belong together.
   */
  default void stepStarts() {}

  void alert(Alert alert);

  void command(HoldCommand command);
}
