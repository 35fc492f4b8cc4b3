package dev.beacon.collector.store.sql;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The params of one event as the store indexes them: one {@code key + SEP + value} element per
 * value, so that a filter is a list overlap and a breakdown an unnest, for every param shape alike.
 *
 * <p>Values in their canonical text: strings as they are, booleans {@code "true"}/{@code "false"},
 * whole numbers (counts) as decimal text ({@code "3"}; a count is not bucketed, so a filter on
 * {@code param.metrics=3} and a breakdown by it see the exact value), other numbers as Java prints a
 * double; a list gives one element per distinct value (so a breakdown counts an event once per
 * element); nulls, nested objects and nested lists give none. A key containing {@link #SEP} cannot be
 * encoded and is left out (catalogued keys are identifiers).
 *
 * <p>Stateless and thread-safe. Malformed JSON gives no elements, never an exception.
 */
public final class ParamValues {

  /** Separates a key from its value inside one element: U+001F, which no catalogued key holds. */
  public static final char SEP = '\u001f';

  private ParamValues() {}

  /** The elements of {@code paramsJson} (canonical JSON or null), in key order; empty when none. */
  public static List<String> elements(String paramsJson) {
    if (paramsJson == null || paramsJson.isEmpty()) {
      return List.of();
    }
    JsonObject params;
    try {
      params = new JsonObject(paramsJson);
    } catch (DecodeException | ClassCastException e) {
      return List.of();
    }
    List<String> out = new ArrayList<>(params.size());
    for (Map.Entry<String, Object> e : params) {
      String key = e.getKey();
      if (key.indexOf(SEP) >= 0) {
        continue;
      }
      Object v = e.getValue();
      if (v instanceof JsonArray list) {
        Set<String> seen = new LinkedHashSet<>();
        for (Object item : list) {
          String text = scalar(item);
          if (text != null && seen.add(text)) {
            out.add(element(key, text));
          }
        }
      } else {
        String text = scalar(v);
        if (text != null) {
          out.add(element(key, text));
        }
      }
    }
    return out;
  }

  /** One element: {@code key + SEP + value}. */
  public static String element(String key, String value) {
    return key + SEP + value;
  }

  /** The prefix every element of {@code key} starts with. */
  public static String prefix(String key) {
    return key + SEP;
  }

  /** The canonical text of a scalar JSON value, or null for null, objects and lists. */
  public static String scalar(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Boolean b) {
      return b ? "true" : "false";
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof BigInteger) {
      return v.toString();
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (v instanceof BigDecimal bd) {
        try {
          return bd.toBigIntegerExact().toString();
        } catch (ArithmeticException notWhole) {
          return Double.toString(d);
        }
      }
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d);
      }
      return Double.toString(d);
    }
    return null;
  }
}
