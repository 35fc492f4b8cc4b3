package dev.beacon.collector.store;

import java.util.BitSet;

/**
 * What one {@link EventStore#write} committed.
 *
 * @param inserted events stored by this write
 * @param duplicates the indices (in the written list) of events not stored because an event with
 *     the same key was stored before, or earlier in the same list
 */
public record WriteResult(int inserted, BitSet duplicates) {

  /** How many events were duplicates. */
  public int duplicateCount() {
    return duplicates.cardinality();
  }
}
