package io.repayguard.decision;

import io.repayguard.events.Alert;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;

/** Where decisions go: alerts and hold commands, in the order they were decided. */
public interface DecisionOutput {

  /**
   * A decision or resolution step begins (DESIGN.md rule 6): the alerts and commands that follow,
   * until the next step, belong together.
   */
  default void stepStarts() {}

  void alert(Alert alert);

  /** A repayment event was decided (DESIGN.md rule 3), whether or not it raised an alert. */
  default void decided(RepaymentEvent event) {}

  void command(HoldCommand command);

  /**
   * An analyst's command changed nothing (DESIGN.md, Manual resolution): no state for its plan
   * here, its commandId was read before, or its rule has no open alert. Not an error: the alert may
   * have been resolved already. The adapter counts and logs it.
   */
  default void opsCommandIgnored(OpsCommand command, String why) {}
}
