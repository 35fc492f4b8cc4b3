package dev.beacon;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The events a profile may send and the params each may carry; the privacy guard.
 *
 * <p>Immutable and thread-safe. {@link #validate(Object, Object)} never throws.
 */
public final class Catalog {

  /** Most params examined in one event; the rest are stripped unread. */
  public static final int MAX_PARAMS = 64;

  /** The class of a one-entry {@code Map.of}: immutable, so a clean one can be passed on as is. */
  private static final Class<?> IMMUTABLE_MAP1 = Map.of("k", "v").getClass();

  private final Map<String, EventDefinition> events;

  private Catalog(Map<String, EventDefinition> events) {
    this.events = Map.copyOf(events);
  }

  /** A catalog of these definitions; names must be unique. */
  public static Catalog of(Collection<EventDefinition> definitions) {
    Map<String, EventDefinition> map = new LinkedHashMap<>();
    for (EventDefinition d : definitions) {
      if (map.put(d.name(), d) != null) {
        throw new IllegalArgumentException("duplicate event name '" + d.name() + "'");
      }
    }
    return new Catalog(map);
  }

  /** The event names, sorted. */
  public Set<String> eventNames() {
    return new TreeMap<>(events).keySet();
  }

  /** The definition of {@code name}, or {@code null}. */
  public EventDefinition definition(String name) {
    return name == null ? null : events.get(name);
  }

  /**
   * The privacy guard. Rejects an event whose name is not in the catalog; strips params whose key
   * is unknown or whose value does not fit its declaration; replaces out-of-set enumerated values
   * with {@code "other"}. Accepts any input, hostile or not, and never throws.
   *
   * @param name the raw event name (anything)
   * @param rawParams the raw params: a {@link Map}, or anything else (then every param is stripped)
   */
  public Validation validate(Object name, Object rawParams) {
    try {
      if (!(name instanceof String s)) {
        return Validation.rejected(name == null ? "missing event_name" : "event_name is not a string");
      }
      EventDefinition def = s.length() > 64 ? null : events.get(s);
      if (def == null) {
        return Validation.rejected("unknown event");
      }
      if (rawParams == null) {
        return new Validation(true, def.name(), null, 0, 0, null);
      }
      if (!(rawParams instanceof Map<?, ?> raw)) {
        return new Validation(true, def.name(), null, 1, 0, null);
      }
      Map<String, Object> clean = null;
      String firstKey = null;
      Object firstValue = null;
      Object firstRawValue = null;
      int stripped = 0;
      int coerced = 0;
      int examined = 0;
      int size = raw.size();
      for (Map.Entry<?, ?> e : raw.entrySet()) {
        if (++examined > MAX_PARAMS) {
          stripped += size - MAX_PARAMS;
          break;
        }
        ParamSpec spec = e.getKey() instanceof String k ? def.params().get(k) : null;
        if (spec == null) {
          stripped++;
          continue;
        }
        ParamSpec.Outcome outcome = spec.check(e.getValue());
        switch (outcome.action()) {
          case STRIPPED:
            stripped++;
            continue;
          case COERCED:
            coerced++;
            break;
          default:
            break;
        }
        if (firstKey == null) {
          firstKey = (String) e.getKey();
          firstValue = outcome.value();
          firstRawValue = e.getValue();
        } else {
          if (clean == null) {
            clean = new TreeMap<>();
            clean.put(firstKey, firstValue);
          }
          clean.put((String) e.getKey(), outcome.value());
        }
      }
      // Sorted and unmodifiable, so the params string on the wire is deterministic; one param (the
      // usual case) needs no sorting and no tree.
      Map<String, Object> params;
      if (clean != null) {
        params = Collections.unmodifiableMap(clean);
      } else if (firstKey == null) {
        params = null;
      } else if (stripped == 0 && raw.getClass() == IMMUTABLE_MAP1 && firstValue == firstRawValue) {
        // A caller's constant (Map.of with one param, its value kept as is, so immutable too): the
        // same instance goes on, and the encoder renders it once for every event that shares it.
        @SuppressWarnings("unchecked")
        Map<String, Object> same = (Map<String, Object>) raw;
        params = same;
      } else {
        params = Map.of(firstKey, firstValue);
      }
      return new Validation(true, def.name(), params, stripped, coerced, null);
    } catch (RuntimeException | StackOverflowError e) {
      // A map that changes under us, or a hostile Map implementation: reject, never throw.
      return Validation.rejected("unreadable params (" + e.getClass().getSimpleName() + ")");
    }
  }

  @Override
  public String toString() {
    return "Catalog" + eventNames();
  }
}
