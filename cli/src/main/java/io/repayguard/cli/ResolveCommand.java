package io.repayguard.cli;

import io.repayguard.events.OpsAction;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** Resolves a plan's open alert after a person looked; may release the plan's hold. */
@Command(
    name = "resolve",
    mixinStandardHelpOptions = true,
    description = {
      "Resolves a plan's open alert: publishes a RESOLVE to the ops topic. The "
          + "detector republishes the alert RESOLVED with resolvedBy and resolution in its evidence, "
          + "and RELEASEs the plan when no open alert at the hold severity is left.",
      "Prints the commandId; a command for a plan or rule with no open alert changes nothing."
    })
final class ResolveCommand implements Callable<Integer> {

  @ParentCommand RepayGuard parent;

  @Mixin OpsOptions ops;

  @Override
  public Integer call() {
    return ops.send(parent, OpsAction.RESOLVE);
  }
}
