package dev.beacon.collector;

import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The typed readers and messages of {@link CollectorOptions}: every error names the key and the value. */
final class OptionReaders {

  private OptionReaders() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  static void atLeast(String key, long v, long min) {
    if (v < min) {
      throw bad(key, v, "at least " + min);
    }
  }

  static IllegalArgumentException bad(String key, Object v, String expected) {
    return new IllegalArgumentException(key + " must be " + expected + ", but was " + describe(v));
  }

  static String describe(Object v) {
    return v == null ? "null" : v instanceof String ? "'" + v + "'" : String.valueOf(v);
  }

  static String string(String key, Object v) {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw wrongType(key, "a string", v);
  }

  static List<Object> list(String key, Object v) {
    if (v instanceof JsonArray a) {
      List<Object> out = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        out.add(a.getValue(i));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v instanceof String s) {
      return new ArrayList<>(List.of(s)); // one profile given without brackets
    }
    throw wrongType(key, "a list of profile names, paths or documents", v);
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

  static double number(String key, Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw wrongType(key, "a number", v);
  }

  static boolean bool(String key, Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw wrongType(key, "a boolean", v);
  }

  static IllegalArgumentException wrongType(String key, String expected, Object v) {
    return new IllegalArgumentException(
        key + " must be " + expected + ", but was " + (v == null ? "null" : v.getClass().getSimpleName() + " " + v));
  }

}
