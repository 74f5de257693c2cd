package io.repayguard.decision;

import io.repayguard.events.Alert;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.OpsCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link DecisionOutput} that keeps everything, in the order it was decided, and apart from it
 * the analysts' commands reported as changing nothing.
 */
final class RecordingOutput implements DecisionOutput {
  private final List<Object> outputs = new ArrayList<>();
  private final List<OpsCommand> ignored = new ArrayList<>();

  @Override
  public void alert(final Alert alert) {
    outputs.add(alert);
  }

  @Override
  public void command(final HoldCommand command) {
    outputs.add(command);
  }

  @Override
  public void opsCommandIgnored(final OpsCommand command, final String why) {
    ignored.add(command);
  }

  /** Ops commands that changed nothing, in the order they were read. */
  List<OpsCommand> ignored() {
    return List.copyOf(ignored);
  }

  /** Alerts and commands, interleaved as decided. */
  List<Object> all() {
    return List.copyOf(outputs);
  }

  List<Alert> alerts() {
    return outputs.stream().filter(Alert.class::isInstance).map(Alert.class::cast).toList();
  }

  List<HoldCommand> commands() {
    return outputs.stream()
        .filter(HoldCommand.class::isInstance)
        .map(HoldCommand.class::cast)
        .toList();
  }

  /** Forgets what was recorded, so a test can look at one step. */
  void clear() {
    outputs.clear();
    ignored.clear();
  }
}
