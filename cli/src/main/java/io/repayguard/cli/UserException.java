package io.repayguard.cli;

/**
 * A mistake or an unusable environment the user can fix; printed as one line, no stack trace.
 *
 * <p>Exit code 2 for bad input (flags, settings, files), 1 for an environment that does not work
 * (broker or registry unreachable).
 */
final class UserException extends RuntimeException {
  static final int BAD_INPUT = 2;
  static final int UNUSABLE_ENVIRONMENT = 1;

  private final int exitCode;

  UserException(final int exitCode, final String message, final Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  static UserException badInput(final String message) {
    return new UserException(BAD_INPUT, message, null);
  }

  int exitCode() {
    return exitCode;
  }
}
