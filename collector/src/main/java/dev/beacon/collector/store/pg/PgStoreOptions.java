package dev.beacon.collector.store.pg;

import io.vertx.pgclient.PgConnectOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Options of {@link PgStore}: where the database is, the connection pool, the schema, the clock.
 *
 * <p>{@link #fromUri} reads a libpq-style URI, {@code
 * postgresql://user:password@host:port/database?search_path=schema&sslmode=require}, with
 * vertx-pg-client's parser; {@code search_path} (one schema name) becomes {@link #getSchema()},
 * created at start when missing; {@code poolSize} sets {@link #getPoolSize()}.
 *
 * <p>Not thread-safe; the store copies it.
 */
public final class PgStoreOptions {

  /** Default connections in the pool: 4 (one write in flight at a time per collector, plus queries). */
  public static final int DEFAULT_POOL_SIZE = 4;
  /** Default schema: {@code null}, the connection's own search path ({@code public} on a plain database). */
  public static final String DEFAULT_SCHEMA = null;
  /** Default prepared statements cached per connection: 256. */
  public static final int DEFAULT_STATEMENT_CACHE = 256;

  private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)[?&]password=([^&]*)");

  private PgConnectOptions connect = new PgConnectOptions();
  private int poolSize = DEFAULT_POOL_SIZE;
  private String schema = DEFAULT_SCHEMA;
  private Clock clock = Clock.systemUTC();

  /** Defaults (a server on localhost:5432 with vertx-pg-client's default credentials). */
  public PgStoreOptions() {}

  /** A copy of {@code other}. */
  public PgStoreOptions(PgStoreOptions other) {
    this.connect = new PgConnectOptions(other.connect);
    this.poolSize = other.poolSize;
    this.schema = other.schema;
    this.clock = other.clock;
  }

  /**
   * Options from a {@code postgresql://} (or {@code postgres://}) URI.
   *
   * @throws IllegalArgumentException when the URI cannot be read, naming what is wrong (never the password)
   */
  public static PgStoreOptions fromUri(String uri) {
    Objects.requireNonNull(uri, "uri");
    String rest = uri;
    int q = uri.indexOf('?');
    Integer poolSize = null;
    if (q >= 0) {
      StringBuilder kept = new StringBuilder();
      for (String pair : uri.substring(q + 1).split("&")) {
        if (pair.startsWith("poolSize=")) {
          try {
            poolSize = Integer.parseInt(pair.substring("poolSize=".length()));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("poolSize must be a whole number, but was '" + pair.substring(9) + "'");
          }
        } else if (!pair.isEmpty()) {
          kept.append(kept.length() == 0 ? "?" : "&").append(pair);
        }
      }
      rest = uri.substring(0, q) + kept;
    }
    PgConnectOptions connect;
    try {
      connect = PgConnectOptions.fromUri(rest);
    } catch (IllegalArgumentException e) {
      // the parser's message may quote the URI's parameters: scrubbed, and not chained (its stack would carry them)
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException("not a PostgreSQL URI (postgresql://user:password@host:port/database): "
          + scrub(String.valueOf(cause.getMessage()), uri));
    }
    // the parser replaces the client's default startup properties when the URI names any
    Map<String, String> props = new HashMap<>(PgConnectOptions.DEFAULT_PROPERTIES);
    props.putAll(connect.getProperties());
    String searchPath = props.get("search_path");
    connect.setProperties(props);
    PgStoreOptions o = new PgStoreOptions().setConnectOptions(connect);
    if (searchPath != null) {
      String s = searchPath.trim();
      if (s.isEmpty() || s.contains(",")) {
        throw new IllegalArgumentException("search_path must name one schema, but was '" + searchPath + "'");
      }
      o.setSchema(s);
    }
    if (poolSize != null) {
      o.setPoolSize(poolSize);
    }
    return o;
  }

  /** {@code uri} with its password (in the user info or a {@code password} parameter) replaced by {@code (set)}. */
  public static String redact(String uri) {
    if (uri == null) {
      return null;
    }
    String s = uri.replaceAll("(?i)([?&]password=)[^&]*", "$1(set)");
    int scheme = s.indexOf("://");
    int from = scheme < 0 ? 0 : scheme + 3;
    int at = s.indexOf('@', from);
    int colon = s.indexOf(':', from);
    if (at > 0 && colon > 0 && colon < at) {
      s = s.substring(0, colon + 1) + "(set)" + s.substring(at);
    }
    return s;
  }

  /** {@code message} with every password {@code uri} holds (user info, {@code password} parameters) replaced by {@code (set)}. */
  static String scrub(String message, String uri) {
    List<String> secrets = new ArrayList<>();
    Matcher m = PASSWORD_PARAM.matcher(uri);
    while (m.find()) {
      secrets.add(m.group(1));
    }
    int scheme = uri.indexOf("://");
    int from = scheme < 0 ? 0 : scheme + 3;
    int at = uri.indexOf('@', from);
    int colon = uri.indexOf(':', from);
    if (at > 0 && colon > 0 && colon < at) {
      secrets.add(uri.substring(colon + 1, at));
    }
    String out = message;
    for (String secret : secrets) {
      if (!secret.isEmpty()) {
        out = out.replace(secret, "(set)");
      }
    }
    return out;
  }

  /** Checks the values; returns this. */
  public PgStoreOptions validate() {
    if (poolSize < 1 || poolSize > 1000) {
      throw new IllegalArgumentException("poolSize must be 1 to 1000, but was " + poolSize);
    }
    if (schema != null && (schema.isBlank() || schema.indexOf('\0') >= 0 || schema.length() > 63)) {
      throw new IllegalArgumentException("schema must be a name of 1 to 63 characters, but was '" + schema + "'");
    }
    return this;
  }

  /** The connect options (host, port, database, user, password, TLS, startup properties); a copy. */
  public PgConnectOptions getConnectOptions() {
    return new PgConnectOptions(connect);
  }

  public PgStoreOptions setConnectOptions(PgConnectOptions connect) {
    this.connect = new PgConnectOptions(Objects.requireNonNull(connect, "connect"));
    return this;
  }

  public int getPoolSize() {
    return poolSize;
  }

  public PgStoreOptions setPoolSize(int poolSize) {
    this.poolSize = poolSize;
    return this;
  }

  /** The schema the store's tables live in, created at start when missing; null: the search path's first. */
  public String getSchema() {
    return schema;
  }

  public PgStoreOptions setSchema(String schema) {
    this.schema = schema;
    return this;
  }

  /** The clock of receive times, the dedup window and migration stamps. */
  public Clock getClock() {
    return clock;
  }

  public PgStoreOptions setClock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  @Override
  public String toString() {
    return "PgStoreOptions{" + connect.getUser() + "@" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase()
        + ", schema=" + schema + ", poolSize=" + poolSize + "}";
  }
}
