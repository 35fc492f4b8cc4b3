package dev.beacon.collector.api;

/** A query parameter that does not check out: answered with 400 {@code {"error", "parameter"}}. */
final class BadParameter extends Exception {

  private static final long serialVersionUID = 1L;

  private final String parameter;

  BadParameter(String parameter, String message) {
    super(message, null, false, false);
    this.parameter = parameter;
  }

  String parameter() {
    return parameter;
  }
}
