package dev.beacon.vertx;

/** How {@link TelemetryOptions} reads and checks its values: the bad value always in the message. */
final class OptionChecks {

  private OptionChecks() {}

  static void positive(String key, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(key + " must be positive, but was " + v);
    }
  }

  static void atMostOneDay(String key, long v) {
    if (v > 86_400_000L) {
      throw new IllegalArgumentException(key + " must be at most one day (86400000 ms), but was " + v);
    }
  }

  static void notNegative(String key, long v) {
    if (v < 0) {
      throw new IllegalArgumentException(key + " must not be negative, but was " + v);
    }
  }

  static String string(String key, Object v) {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw wrongType(key, "a string", v);
  }

  static int integer(String key, Object v) {
    long l = longValue(key, v);
    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " is out of range: " + v);
    }
    return (int) l;
  }

  static long longValue(String key, Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    throw wrongType(key, "a whole number", v);
  }

  static boolean bool(String key, Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw wrongType(key, "a boolean", v);
  }

  static IllegalArgumentException wrongType(String key, String expected, Object v) {
    return new IllegalArgumentException(
        "telemetry option '" + key + "' must be " + expected + ", but was "
            + (v == null ? "null" : v.getClass().getSimpleName() + " " + v));
  }
}
