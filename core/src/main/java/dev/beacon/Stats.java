package dev.beacon;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one client's counters. At every moment {@code recorded = sent + printed + pending
 * + dropped}, with every drop under exactly one {@link DropReason}; {@link #balanced()} checks it.
 * {@code pending} is measured (events held in the queue or in flight), not derived, so the identity
 * is a real check.
 *
 * @param recorded events that reached the client
 * @param sent events acknowledged by the ingestion endpoint (2xx)
 * @param pending events held: queued, waiting for the config, or in flight
 * @param dropped drops by reason (every reason present, zero included)
 * @param paramsStripped params removed by the privacy guard
 * @param paramsCoerced params replaced by a safe value by the privacy guard
 * @param requests ingestion requests attempted (retries included)
 * @param retries retry attempts
 * @param resent events that were sent again after a lost response: they may arrive twice
 * @param printed events printed in debug mode instead of sent
 * @param rejectedNames the first few distinct event names rejected as unknown (at most {@value
 *     #MAX_REJECTED_NAMES}, each at most 64 characters): a typo or a missing catalog entry, said
 *     here instead of dropped in silence
 */
public record Stats(
    long recorded,
    long sent,
    long pending,
    Map<DropReason, Long> dropped,
    long paramsStripped,
    long paramsCoerced,
    long requests,
    long retries,
    long resent,
    long printed,
    List<String> rejectedNames) {

  /** Most rejected event names a snapshot keeps. */
  public static final int MAX_REJECTED_NAMES = 5;

  /** The counters without debug printing and without rejected names. */
  public Stats(
      long recorded, long sent, long pending, Map<DropReason, Long> dropped, long paramsStripped, long paramsCoerced,
      long requests, long retries, long resent) {
    this(recorded, sent, pending, dropped, paramsStripped, paramsCoerced, requests, retries, resent, 0, List.of());
  }

  /** Copies the drop map, filling absent reasons with zero. */
  public Stats {
    rejectedNames = rejectedNames == null ? List.of() : List.copyOf(rejectedNames);
    EnumMap<DropReason, Long> copy = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      Long v = dropped == null ? null : dropped.get(r);
      copy.put(r, v == null ? 0L : v);
    }
    dropped = Collections.unmodifiableMap(copy);
  }

  /** All zero. */
  public static final Stats EMPTY = new Stats(0, 0, 0, Map.of(), 0, 0, 0, 0, 0);

  /** This snapshot with other rejected names. */
  public Stats withRejectedNames(List<String> names) {
    return new Stats(recorded, sent, pending, dropped, paramsStripped, paramsCoerced, requests, retries, resent, printed, names);
  }

  /** All drops. */
  public long droppedTotal() {
    long total = 0;
    for (long v : dropped.values()) {
      total += v;
    }
    return total;
  }

  /** Drops for one reason. */
  public long dropped(DropReason reason) {
    return dropped.get(reason);
  }

  /** Whether {@code recorded == sent + printed + pending + dropped}. */
  public boolean balanced() {
    return recorded == sent + printed + pending + droppedTotal();
  }

  /** The counters as a flat map with stable keys ({@code dropped.queue_full}, ...), for JSON. */
  public Map<String, Long> toMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("recorded", recorded);
    m.put("sent", sent);
    m.put("pending", pending);
    m.put("dropped", droppedTotal());
    for (Map.Entry<DropReason, Long> e : dropped.entrySet()) {
      m.put("dropped." + e.getKey().key(), e.getValue());
    }
    m.put("params_stripped", paramsStripped);
    m.put("params_coerced", paramsCoerced);
    m.put("requests", requests);
    m.put("retries", retries);
    m.put("resent", resent);
    m.put("printed", printed);
    return m;
  }

  /**
   * Reads {@link #toMap()}'s form back; missing keys are zero. A {@code rejected_names} entry (a
   * list of strings, as a stats reply on the bus carries it) is read too.
   */
  public static Stats fromMap(Map<String, ?> m) {
    EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      dropped.put(r, number(m.get("dropped." + r.key())));
    }
    return new Stats(
        number(m.get("recorded")),
        number(m.get("sent")),
        number(m.get("pending")),
        dropped,
        number(m.get("params_stripped")),
        number(m.get("params_coerced")),
        number(m.get("requests")),
        number(m.get("retries")),
        number(m.get("resent")),
        number(m.get("printed")),
        names(m.get("rejected_names")));
  }

  private static List<String> names(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof Iterable<?> items) {
      for (Object item : items) {
        if (item instanceof String s && out.size() < MAX_REJECTED_NAMES) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private static long number(Object o) {
    return o instanceof Number n ? n.longValue() : 0L;
  }

  @Override
  public String toString() {
    return "Stats" + toMap() + (rejectedNames.isEmpty() ? "" : " rejected_names=" + rejectedNames);
  }
}
