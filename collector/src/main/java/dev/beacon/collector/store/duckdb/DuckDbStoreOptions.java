package dev.beacon.collector.store.duckdb;

import java.time.Clock;
import java.util.Objects;

/**
 * Options of a {@link DuckDbStore}. A plain mutable object (setters return {@code this}); the
 * store copies it when built, so later changes do not reach a running store. Not thread-safe.
 */
public final class DuckDbStoreOptions {

  /** Reader threads (each with its own connection): 2. */
  public static final int DEFAULT_READER_THREADS = 2;

  /** DuckDB's own worker threads per query: 0, DuckDB's default (the number of cores). */
  public static final int DEFAULT_DUCKDB_THREADS = 0;

  /** DuckDB's memory limit: null, DuckDB's default (80% of RAM). */
  public static final String DEFAULT_MEMORY_LIMIT = null;

  /** Unmerged events that make an open hour's rollups worth merging: 50,000 events. */
  public static final long DEFAULT_COMPACTION_MIN_EVENTS = Compactor.Policy.DEFAULT.minEvents();

  private Clock clock = Clock.systemUTC();
  private int readerThreads = DEFAULT_READER_THREADS;
  private int duckdbThreads = DEFAULT_DUCKDB_THREADS;
  private String memoryLimit = DEFAULT_MEMORY_LIMIT;
  private long compactionMinEvents = DEFAULT_COMPACTION_MIN_EVENTS;

  /** Defaults. */
  public DuckDbStoreOptions() {}

  /** A copy of {@code other}. */
  public DuckDbStoreOptions(DuckDbStoreOptions other) {
    this.clock = other.clock;
    this.readerThreads = other.readerThreads;
    this.duckdbThreads = other.duckdbThreads;
    this.memoryLimit = other.memoryLimit;
    this.compactionMinEvents = other.compactionMinEvents;
  }

  /** The clock of the dedup window and of the rollup merges (default: system UTC). */
  public Clock getClock() {
    return clock;
  }

  /** Sets the clock (tests inject a fixed one). */
  public DuckDbStoreOptions setClock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Reader threads. */
  public int getReaderThreads() {
    return readerThreads;
  }

  /** Sets the reader threads (at least 1). */
  public DuckDbStoreOptions setReaderThreads(int readerThreads) {
    if (readerThreads < 1) {
      throw new IllegalArgumentException("readerThreads must be at least 1, but was " + readerThreads);
    }
    this.readerThreads = readerThreads;
    return this;
  }

  /** DuckDB's worker threads (0: its default). */
  public int getDuckdbThreads() {
    return duckdbThreads;
  }

  /** Sets DuckDB's worker threads (0: its default). */
  public DuckDbStoreOptions setDuckdbThreads(int duckdbThreads) {
    if (duckdbThreads < 0) {
      throw new IllegalArgumentException("duckdbThreads must not be negative, but was " + duckdbThreads);
    }
    this.duckdbThreads = duckdbThreads;
    return this;
  }

  /** DuckDB's memory limit ({@code "2GB"}), or null for its default. */
  public String getMemoryLimit() {
    return memoryLimit;
  }

  /** Sets DuckDB's memory limit, a size such as {@code "2GB"} (null: its default). */
  public DuckDbStoreOptions setMemoryLimit(String memoryLimit) {
    if (memoryLimit != null && !memoryLimit.matches("[0-9]+(\\.[0-9]+)?\\s*[KMGT]?i?B")) {
      throw new IllegalArgumentException("memoryLimit must be a size such as 2GB, but was " + memoryLimit);
    }
    this.memoryLimit = memoryLimit;
    return this;
  }

  /** Unmerged events that make an open hour worth merging. */
  public long getCompactionMinEvents() {
    return compactionMinEvents;
  }

  /** Sets the unmerged events that make an open hour worth merging (at least 1). */
  public DuckDbStoreOptions setCompactionMinEvents(long compactionMinEvents) {
    if (compactionMinEvents < 1) {
      throw new IllegalArgumentException("compactionMinEvents must be at least 1, but was " + compactionMinEvents);
    }
    this.compactionMinEvents = compactionMinEvents;
    return this;
  }

  @Override
  public String toString() {
    return "DuckDbStoreOptions{clock=" + clock + ", readerThreads=" + readerThreads + ", duckdbThreads=" + duckdbThreads
        + ", memoryLimit=" + memoryLimit + ", compactionMinEvents=" + compactionMinEvents + "}";
  }
}
