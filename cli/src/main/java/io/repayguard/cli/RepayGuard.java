package io.repayguard.cli;

import io.repayguard.scenario.ScenarioException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code ./repayguard} command line: subcommands for the local stack, publishing, tailing, the
 * detector, and analysts' ack and resolve.
 *
 * <p>Exit codes: 0 done, 1 the environment did not work (broker or registry unreachable, the
 * detector failed), 2 bad input (flag, setting, file). A user error prints one line; the stack
 * trace only with {@code --verbose}.
 */
@Command(
    name = "repayguard",
    mixinStandardHelpOptions = true,
    version = "repayguard 0.1.0",
    description = "Catches repayment demands for money that was never borrowed.",
    subcommands = {
      StackCommand.class,
      PublishCommand.class,
      TailCommand.class,
      DetectCommand.class,
      SimulateCommand.class,
      ScoreCommand.class,
      DemoCommand.class,
      ReplayCommand.class,
      BenchCommand.class,
      AckCommand.class,
      ResolveCommand.class,
      CommandLine.HelpCommand.class
    })
public final class RepayGuard implements Runnable {

  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean verbose;

  private final Map<String, String> env;
  private final PrintStream out;

  RepayGuard(final Map<String, String> env, final PrintStream out) {
    this.env = env;
    this.out = out;
  }

  Map<String, String> env() {
    return env;
  }

  PrintStream out() {
    return out;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this),
        "a command is required: demo, stack, publish, tail, detect, simulate, score, replay, "
            + "ack or resolve");
  }

  public static void main(final String[] args) {
    System.exit(execute(args, System.getenv(), System.out, System.err));
  }

  /** Runs one command line; returns the exit code. Used by {@link #main} and by tests. */
  static int execute(
      final String[] args,
      final Map<String, String> env,
      final PrintStream out,
      final PrintStream err) {
    final boolean verbose = Arrays.asList(args).contains("--verbose");
    final CommandLine cli = new CommandLine(new RepayGuard(env, out));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (e, ignoredArgs) -> {
          err.println("repayguard: " + e.getMessage());
          final String name = e.getCommandLine().getCommandName();
          err.println(
              "Try '"
                  + ("repayguard".equals(name) ? "repayguard" : "repayguard " + name)
                  + " --help'.");
          return UserException.BAD_INPUT;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (verbose) {
            e.printStackTrace(err);
          }
          final int code = exitCode(e);
          final String where =
              e instanceof ScenarioException && parseResult.subcommand() != null
                  ? parseResult.subcommand().matchedPositionals().stream()
                      .findFirst()
                      .map(p -> p.getValue() + ": ")
                      .orElse("")
                  : "";
          err.println(
              "repayguard: error: "
                  + where
                  + message(e)
                  + (verbose || code == UserException.BAD_INPUT
                      ? ""
                      : " (--verbose shows details)"));
          return code;
        });
    return cli.execute(args);
  }

  /** The exit code for an error: 2 for bad input, 1 for everything else. */
  static int exitCode(final Exception e) {
    if (e instanceof UserException user) {
      return user.exitCode();
    }
    if (e instanceof ScenarioException || e instanceof IllegalArgumentException) {
      return UserException.BAD_INPUT;
    }
    return UserException.UNUSABLE_ENVIRONMENT;
  }

  /** The first line of an error's message, or its class when it has none. */
  static String message(final Throwable e) {
    final String text = e.getMessage();
    return text == null || text.isBlank()
        ? e.getClass().getSimpleName()
        : text.lines().findFirst().orElse(text);
  }
}
