package io.repayguard.decision;

import io.repayguard.events.Alert;
import io.repayguard.events.HoldCommand;

/** Where decisions go: alerts and hold commands, in the order they were decided. */
public interface DecisionOutput {

  void alert(Alert alert);

  void command(HoldCommand command);
}
