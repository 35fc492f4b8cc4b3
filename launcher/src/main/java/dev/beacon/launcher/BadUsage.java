package dev.beacon.launcher;

/**
 * A bad command line or a bad or missing config: printed as {@code beacon: <message>} on stderr,
 * exit code {@value TelemetryMain#EXIT_USAGE}. No stack trace: the message says everything.
 */
final class BadUsage extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Whether the usage lines follow the message (a bad command line; a bad config needs none). */
  final boolean showUsage;

  private BadUsage(String message, boolean showUsage) {
    super(message, null, false, false);
    this.showUsage = showUsage;
  }

  /** A bad command line: unknown command or option, a missing value. */
  static BadUsage commandLine(String message) {
    return new BadUsage(message, true);
  }

  /** A bad or missing config: the message names the file or option, the key and the value. */
  static BadUsage config(String message) {
    return new BadUsage(message, false);
  }
}
