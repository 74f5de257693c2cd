package io.repayguard.cli;

import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.Tail;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Prints a topic's records as JSON lines. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Prints each record of TOPIC as one JSON line: key, decoded value, timestamp "
          + "(read_committed, like kafka-avro-console-consumer). Runs until Ctrl-C, --max or "
          + "--exit-after-idle."
    })
final class TailCommand implements Callable<Integer> {

  @ParentCommand RepayGuard parent;

  @Mixin ConnectionOptions connection;

  @Parameters(paramLabel = "TOPIC", description = "Topic to read, e.g. repayment-alerts.")
  String topic;

  @Option(names = "--from-beginning", description = "Start at the oldest record, not the newest.")
  boolean fromBeginning;

  @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
  Long max;

  @Option(
      names = "--exit-after-idle",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "Stop when nothing arrived for this long.")
  Duration exitAfterIdle;

  @Override
  public Integer call() {
    if (max != null && max < 1) {
      throw UserException.badInput("--max must be at least 1, got " + max);
    }
    final ClientSettings settings = connection.resolve(parent.env(), Map.of());
    Preflight.requireKafka(settings);
    new Tail(settings, parent.out())
        .run(
            new Tail.Options(
                topic,
                fromBeginning,
                max == null ? OptionalLong.empty() : OptionalLong.of(max),
                Optional.ofNullable(exitAfterIdle)));
    return 0;
  }
}
