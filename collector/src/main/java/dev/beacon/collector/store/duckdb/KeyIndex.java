package dev.beacon.collector.store.duckdb;

import java.util.UUID;

/**
 * The keys stored in the dedup window, in memory: an open-addressing hash set of 128-bit keys, each
 * with the epoch day it was received, so that keys older than the window can be dropped.
 *
 * <p>Why in memory and not a PRIMARY KEY: measured here, a DuckDB ART index on a UUID column cost
 * about 110 bytes on disk per key and halved write throughput (every insert probes and grows the
 * index), while the keys are already stored once in the raw rows. This set costs 20 bytes a slot
 * (at most 60% full, so 33 to 67 bytes a key) and a probe or two per event. It is rebuilt from the
 * database at start, so it always equals what was committed.
 *
 * <p>Not thread-safe: only the writer thread touches it.
 */
final class KeyIndex {

  private static final int EMPTY = Integer.MIN_VALUE;

  private long[] hi;
  private long[] lo;
  private int[] day;
  private int size;
  private int mask;

  KeyIndex() {
    allocate(1 << 16);
  }

  private void allocate(int capacity) {
    hi = new long[capacity];
    lo = new long[capacity];
    day = new int[capacity];
    java.util.Arrays.fill(day, EMPTY);
    mask = capacity - 1;
    size = 0;
  }

  /** Keys held. */
  int size() {
    return size;
  }

  /** Whether {@code key} is held. */
  boolean contains(UUID key) {
    long h = key.getMostSignificantBits();
    long l = key.getLeastSignificantBits();
    for (int i = slot(h, l); ; i = (i + 1) & mask) {
      if (day[i] == EMPTY) {
        return false;
      }
      if (hi[i] == h && lo[i] == l) {
        return true;
      }
    }
  }

  /** Adds {@code key}, received on epoch day {@code epochDay} (keeps the later day if held). */
  void add(UUID key, int epochDay) {
    if (epochDay == EMPTY) {
      epochDay = EMPTY + 1;
    }
    if ((size + 1) * 5L > hi.length * 3L) {
      rehash(hi.length * 2, Integer.MIN_VALUE);
    }
    insert(key.getMostSignificantBits(), key.getLeastSignificantBits(), epochDay);
  }

  /** Drops every key received before epoch day {@code firstKept}. */
  void dropBefore(int firstKept) {
    int keep = 0;
    for (int d : day) {
      if (d != EMPTY && d >= firstKept) {
        keep++;
      }
    }
    int capacity = 1 << 16;
    while (keep * 5L > capacity * 3L) {
      capacity <<= 1;
    }
    rehash(capacity, firstKept);
  }

  private void rehash(int capacity, int firstKept) {
    long[] oh = hi;
    long[] ol = lo;
    int[] od = day;
    allocate(capacity);
    for (int i = 0; i < od.length; i++) {
      if (od[i] != EMPTY && od[i] >= firstKept) {
        insert(oh[i], ol[i], od[i]);
      }
    }
  }

  private void insert(long h, long l, int d) {
    for (int i = slot(h, l); ; i = (i + 1) & mask) {
      if (day[i] == EMPTY) {
        hi[i] = h;
        lo[i] = l;
        day[i] = d;
        size++;
        return;
      }
      if (hi[i] == h && lo[i] == l) {
        day[i] = Math.max(day[i], d);
        return;
      }
    }
  }

  private int slot(long h, long l) {
    // random keys are already uniform, but clients may send patterned ones: mix both halves
    long x = h * 0x9E3779B97F4A7C15L ^ l;
    x ^= x >>> 32;
    x *= 0xD6E8FEB86659FD93L;
    x ^= x >>> 32;
    return (int) x & mask;
  }
}
