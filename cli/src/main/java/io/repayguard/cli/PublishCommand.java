package io.repayguard.cli;

import io.repayguard.sim.ClientSettings;
import io.repayguard.sim.Publisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Publishes a scenario or history file. */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes a scenario or history file (one JSON record per line, DESIGN.md's "
          + "format) with record timestamp = eventTime, and prints what it sent.",
      "At a {\"barrier\":true} line it waits until the detector's consumer group has processed "
          + "everything and its inputs went idle (--barrier-group), or for --barrier-wait.",
      "The file is checked first: a bad line is reported with its number and nothing is sent."
    })
final class PublishCommand implements Callable<Integer> {

  @ParentCommand RepayGuard parent;

  @Mixin ConnectionOptions connection;

  @Parameters(paramLabel = "FILE", description = "The .jsonl file to publish.")
  Path file;

  @Option(
      names = "--barrier-group",
      paramLabel = "GROUP",
      description = "The detector's application id, waited for at barriers.")
  String barrierGroup;

  @Option(
      names = "--barrier-wait",
      defaultValue = "3s",
      converter = Durations.class,
      description = "Fixed wait at a barrier when no group is given (default ${DEFAULT-VALUE}).")
  Duration barrierWait;

  @Option(
      names = "--idle-timeout",
      defaultValue = "5s",
      converter = Durations.class,
      description =
          "The detector's idle timeout, waited out at each barrier "
              + "(default ${DEFAULT-VALUE}).")
  Duration idleTimeout;

  @Override
  public Integer call() throws InterruptedException {
    if (!Files.isReadable(file)) {
      throw UserException.badInput("cannot read " + file);
    }
    Publisher.check(file);
    final ClientSettings settings = connection.resolve(parent.env(), Map.of());
    Preflight.requireKafka(settings);
    new Publisher(settings, parent.out())
        .publish(
            new Publisher.Options(
                file,
                Optional.ofNullable(barrierGroup),
                barrierWait,
                idleTimeout,
                Duration.ofMinutes(2),
                Map.of()));
    return 0;
  }
}
