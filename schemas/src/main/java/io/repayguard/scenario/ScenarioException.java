package io.repayguard.scenario;

/** A scenario or history file line that cannot be used; the message names the line. */
public class ScenarioException extends RuntimeException {
  private final int line;

  public ScenarioException(final int line, final String message) {
    super("line " + line + ": " + message);
    this.line = line;
  }

  /** The 1-based line number of the bad line. */
  public int line() {
    return line;
  }
}
