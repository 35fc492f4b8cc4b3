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
 * The params of one event as the store indexes them: one {@code key SEP value} element per value,
 * joined into one string with {@link #DELIM} before, between and after them ({@code
 * "\u001eflavor\u001fsklearn\u001eimports\u001fdjl\u001e"}), so that a filter, and the test
 * whether an event has a key at all, is a substring search, and a breakdown splits only the rows
 * that have the key; the same for every param shape.
 *
 * <p>Values in their canonical text: strings as they are, booleans {@code "true"}/{@code "false"},
 * whole numbers (counts) as decimal text ({@code "3"}; a count is not bucketed, so a filter on
 * {@code param.metrics=3} and a breakdown by it see the exact value), other numbers as Java prints a
 * double; a list gives one element per distinct value (so a breakdown counts an event once per
 * element); nulls, nested objects and nested lists give none. A key containing {@link #SEP} or
 * {@link #DELIM}, or a value containing {@link #DELIM}, cannot be encoded and is left out
 * (catalogued keys are identifiers, catalogued values short tokens).
 *
 * <p>Stateless and thread-safe. Malformed JSON gives no elements, never an exception.
 */
public final class ParamValues {

  /** Separates a key from its value inside one element: U+001F, which no catalogued key holds. */
  public static final char SEP = '\u001f';

  /** Separates elements, and opens and closes the joined string: U+001E. */
  public static final char DELIM = '\u001e';

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
      if (key.indexOf(SEP) >= 0 || key.indexOf(DELIM) >= 0) {
        continue;
      }
      Object v = e.getValue();
      if (v instanceof JsonArray list) {
        Set<String> seen = new LinkedHashSet<>();
        for (Object item : list) {
          String text = scalar(item);
          if (text != null && text.indexOf(DELIM) < 0 && seen.add(text)) {
            out.add(element(key, text));
          }
        }
      } else {
        String text = scalar(v);
        if (text != null && text.indexOf(DELIM) < 0) {
          out.add(element(key, text));
        }
      }
    }
    return out;
  }

  /** The elements joined as stored: {@code DELIM e1 DELIM e2 ... DELIM}, or null when there are none. */
  public static String joined(List<String> elements) {
    if (elements.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder().append(DELIM);
    for (String e : elements) {
      sb.append(e).append(DELIM);
    }
    return sb.toString();
  }

  /** What a joined string contains when it holds element {@code key = value}. */
  public static String needle(String key, String value) {
    return DELIM + element(key, value) + DELIM;
  }

  /** What a joined string contains when it holds any value of {@code key}. */
  public static String keyNeedle(String key) {
    return DELIM + key + SEP;
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
