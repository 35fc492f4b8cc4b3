package dev.beacon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The declared type of one event parameter. Only these shapes exist, so that free text can never
 * leave the process: a boolean, one value of an enumeration, a list of enumerated values, or a
 * bounded non-negative count.
 *
 * <p>{@link #check(Object)} never throws, whatever it is given.
 */
public sealed interface ParamSpec {

  /** The enumerated value that replaces any value outside a declared set. */
  String OTHER = "other";

  /** Longest string compared against an enumeration; anything longer is {@link #OTHER} unread. */
  int MAX_VALUE_LENGTH = 256;

  /** Most list elements examined; a longer list is truncated and counted as coerced. */
  int MAX_LIST_ELEMENTS = 256;

  /** A boolean flag. */
  static ParamSpec flag() {
    return Flag.INSTANCE;
  }

  /** One value from {@code values}; any other string becomes {@value #OTHER}. */
  static ParamSpec oneOf(String... values) {
    return new OneOf(Set.of(values));
  }

  /** One value from {@code values}; any other string becomes {@value #OTHER}. */
  static ParamSpec oneOf(Collection<String> values) {
    return new OneOf(Set.copyOf(values));
  }

  /** A list of values from {@code values}, deduplicated in first-seen order. */
  static ParamSpec listOf(Collection<String> values) {
    return new ListOf(Set.copyOf(values));
  }

  /** A list of values from {@code values}, deduplicated in first-seen order. */
  static ParamSpec listOf(String... values) {
    return new ListOf(Set.of(values));
  }

  /** A whole number from 0 to {@code max}; larger values are clamped to {@code max}. */
  static ParamSpec count(long max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative, but was " + max);
    }
    return new Count(max);
  }

  /**
   * Checks one raw value.
   *
   * @return the value to send, or a stripped outcome; never {@code null}, never throws
   */
  Outcome check(Object raw);

  /** What the guard did with one value. */
  enum Action {
    /** The value was sent as given. */
    KEPT,
    /** The value was replaced by a safe one ({@value #OTHER}, a clamped count, a trimmed list). */
    COERCED,
    /** The value was removed. */
    STRIPPED
  }

  /** The result of checking one value: the value to send (null when stripped) and the action. */
  record Outcome(Object value, Action action) {
    static final Outcome STRIP = new Outcome(null, Action.STRIPPED);
    static final Outcome OTHER_VALUE = new Outcome(OTHER, Action.COERCED);

    static Outcome kept(Object value) {
      return new Outcome(value, Action.KEPT);
    }
  }

  /** A boolean. Only a real {@link Boolean} is accepted; anything else is stripped. */
  final class Flag implements ParamSpec {
    private static final Flag INSTANCE = new Flag();

    private Flag() {}

    @Override
    public Outcome check(Object raw) {
      return raw instanceof Boolean ? Outcome.kept(raw) : Outcome.STRIP;
    }

    @Override
    public String toString() {
      return "flag";
    }
  }

  /**
   * One enumerated string. A string outside the set becomes {@value #OTHER}; a value that is not
   * a string is stripped.
   *
   * @param values the allowed values
   */
  record OneOf(Set<String> values) implements ParamSpec {
    public OneOf {
      values = Set.copyOf(Objects.requireNonNull(values, "values"));
    }

    @Override
    public Outcome check(Object raw) {
      if (!(raw instanceof String s)) {
        return Outcome.STRIP;
      }
      return s.length() <= MAX_VALUE_LENGTH && values.contains(s)
          ? Outcome.kept(s)
          : Outcome.OTHER_VALUE;
    }
  }

  /**
   * A list of enumerated strings. Any {@link Collection} or array is accepted; out-of-set strings
   * become {@value #OTHER}, non-strings are left out, duplicates are merged.
   *
   * @param values the allowed values
   */
  record ListOf(Set<String> values) implements ParamSpec {
    public ListOf {
      values = Set.copyOf(Objects.requireNonNull(values, "values"));
    }

    @Override
    public Outcome check(Object raw) {
      Iterable<?> items;
      if (raw instanceof Collection<?> c) {
        items = c;
      } else if (raw instanceof Object[] array) {
        items = Arrays.asList(array);
      } else {
        return Outcome.STRIP;
      }
      if (raw instanceof List<?> list && alreadyClean(list)) {
        // The common case (a constant list of known values): no sets, no copies; List.copyOf
        // returns an immutable list as is, and copies anything else.
        return Outcome.kept(List.copyOf(list));
      }
      Set<String> kept = new LinkedHashSet<>();
      boolean coerced = false;
      int seen = 0;
      for (Object item : items) {
        if (++seen > MAX_LIST_ELEMENTS) {
          coerced = true;
          break;
        }
        if (item instanceof String s && s.length() <= MAX_VALUE_LENGTH && values.contains(s)) {
          kept.add(s);
        } else {
          coerced = true;
          if (item instanceof String) {
            kept.add(OTHER);
          }
        }
      }
      List<String> value = List.copyOf(new ArrayList<>(kept));
      return new Outcome(value, coerced ? Action.COERCED : Action.KEPT);
    }

    /** Short, every element a declared string, no duplicates: what the slow path would keep as is. */
    private boolean alreadyClean(List<?> list) {
      int n = list.size();
      if (n > 16) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        Object item = list.get(i);
        if (!(item instanceof String s) || s.length() > MAX_VALUE_LENGTH || !values.contains(s)) {
          return false;
        }
        for (int j = 0; j < i; j++) {
          if (item.equals(list.get(j))) {
            return false;
          }
        }
      }
      return true;
    }
  }

  /**
   * A whole, non-negative number up to {@code max}. Integral numbers of any Java type (including
   * {@code 3.0}) are accepted; larger ones are clamped to {@code max}; negative, fractional,
   * non-finite or non-numeric values are stripped.
   *
   * @param max the largest value sent
   */
  record Count(long max) implements ParamSpec {
    @Override
    public Outcome check(Object raw) {
      if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
        long v = ((Number) raw).longValue();
        return clamp(v);
      }
      if (raw instanceof java.math.BigInteger b) {
        if (b.signum() < 0) {
          return Outcome.STRIP;
        }
        return b.bitLength() < 64 ? clamp(b.longValue()) : new Outcome(max, Action.COERCED);
      }
      if (raw instanceof java.math.BigDecimal d) {
        if (d.signum() < 0) {
          return Outcome.STRIP;
        }
        java.math.BigDecimal s = d.stripTrailingZeros();
        if (s.scale() > 0) {
          return Outcome.STRIP; // fractional
        }
        return s.compareTo(java.math.BigDecimal.valueOf(max)) > 0
            ? new Outcome(max, Action.COERCED)
            : Outcome.kept(s.longValueExact());
      }
      if (raw instanceof Double || raw instanceof Float) {
        double d = ((Number) raw).doubleValue();
        if (!Double.isFinite(d) || d < 0 || d != Math.rint(d)) {
          return Outcome.STRIP;
        }
        return d >= max ? new Outcome(max, d == max ? Action.KEPT : Action.COERCED) : Outcome.kept((long) d);
      }
      return Outcome.STRIP;
    }

    private Outcome clamp(long v) {
      if (v < 0) {
        return Outcome.STRIP;
      }
      return v > max ? new Outcome(max, Action.COERCED) : Outcome.kept(v);
    }
  }
}
