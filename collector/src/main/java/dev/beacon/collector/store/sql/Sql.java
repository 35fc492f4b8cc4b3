package dev.beacon.collector.store.sql;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A SQL statement being built: text with {@code ?} placeholders and the values bound to them, in
 * order. Every value from a query (filter values, param keys, times) goes through {@link #bind};
 * only identifiers the store itself chose (table and column names, interval keywords) are ever
 * written into the text.
 *
 * <p>Not thread-safe; build one per statement.
 */
public final class Sql {

  private final StringBuilder text = new StringBuilder(256);
  private final List<Object> binds = new ArrayList<>();

  /** Appends text the store wrote (never a value from outside). */
  public Sql add(String fragment) {
    text.append(fragment);
    return this;
  }

  /** Appends {@code fragment}, which holds one {@code ?}, bound to {@code value}. */
  public Sql bind(String fragment, Object value) {
    text.append(fragment);
    binds.add(value);
    return this;
  }

  /** Appends {@code ?, ?, ...} bound to {@code values} (at least one). */
  public Sql bindList(List<?> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("a bound list must not be empty");
    }
    for (int i = 0; i < values.size(); i++) {
      text.append(i == 0 ? "?" : ", ?");
      binds.add(values.get(i));
    }
    return this;
  }

  /** Appends the binds of values already written as placeholders by {@code fragment}. */
  public Sql addBound(String fragment, List<?> values) {
    text.append(fragment);
    binds.addAll(values);
    return this;
  }

  /** The statement's text. */
  public String text() {
    return text.toString();
  }

  /** The values of its placeholders, in order. */
  public List<Object> binds() {
    return Collections.unmodifiableList(binds);
  }

  @Override
  public String toString() {
    return text + " " + binds;
  }
}
