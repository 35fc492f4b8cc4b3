package dev.beacon.collector.store.sql;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

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

  /**
   * Appends {@code AND (column = ? OR ...)} for {@code values} in sorted order, or {@code AND FALSE}
   * for none: equalities, not a bound {@code IN (...)}, which DuckDB planned as a mark join (1 s
   * over 5M rows).
   */
  public Sql andAnyOf(String column, Collection<String> values) {
    if (values.isEmpty()) {
      return add(" AND FALSE");
    }
    add(" AND (");
    boolean first = true;
    for (String v : new TreeSet<>(values)) {
      add(first ? "" : " OR ").bind(column + " = ?", v);
      first = false;
    }
    return add(")");
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
