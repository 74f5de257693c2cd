package io.repayguard.cli;

import io.repayguard.events.OpsAction;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** Acknowledges a plan's open alert: someone is on it; the hold stays. */
@Command(
    name = "ack",
    mixinStandardHelpOptions = true,
    description = {
      "Acknowledges a plan's open alert: publishes an ACKNOWLEDGE to the ops topic. "
          + "The detector republishes the alert OPEN with acknowledgedBy and acknowledgedAt in its "
          + "evidence; any hold stays.",
      "Prints the commandId; a command for a plan or rule with no open alert changes nothing."
    })
final class AckCommand implements Callable<Integer> {

  @ParentCommand RepayGuard parent;

  @Mixin OpsOptions ops;

  @Override
  public Integer call() {
    return ops.send(parent, OpsAction.ACKNOWLEDGE);
  }
}
