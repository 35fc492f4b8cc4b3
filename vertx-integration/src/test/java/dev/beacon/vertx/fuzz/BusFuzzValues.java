package dev.beacon.vertx.fuzz;

import dev.beacon.Catalog;
import dev.beacon.EventDefinition;
import dev.beacon.ParamSpec;
import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/**
 * Bus message bodies of any shape the event bus carries (a codec exists for: JsonObject,
 * JsonArray, String, Buffer, boxed primitives, byte[], null, and Beacon's typed TelemetryEvent and
 * TelemetryEvent[]), with hostile content: any text, numbers of every type, nested values, and the
 * catalog's words as they are and slightly altered.
 */
final class BusFuzzValues {

  private BusFuzzValues() {}

  static final Profile MLFLOW = Profiles.mlflow(FuzzFixture.VERSION);
  static final Catalog CATALOG = MLFLOW.catalog();
  static final Set<String> STATUSES = Set.of("success", "failure", "unknown");

  /** Every string the catalog may put on the wire: names, keys, declared values, {@code other}. */
  static final Set<String> VOCABULARY = vocabulary();

  private static Set<String> vocabulary() {
    Set<String> out = new TreeSet<>();
    out.add(ParamSpec.OTHER);
    for (String name : CATALOG.eventNames()) {
      out.add(name);
      for (Map.Entry<String, ParamSpec> e : CATALOG.definition(name).params().entrySet()) {
        out.add(e.getKey());
        out.addAll(declared(e.getValue()));
      }
    }
    return out;
  }

  static Set<String> declared(ParamSpec spec) {
    if (spec instanceof ParamSpec.OneOf o) {
      return o.values();
    }
    if (spec instanceof ParamSpec.ListOf l) {
      return l.values();
    }
    return Set.of();
  }

  static <T> Tuple2<Integer, Arbitrary<T>> w(int weight, Arbitrary<? extends T> arbitrary) {
    Arbitrary<T> widened = arbitrary.map(x -> x);
    return Tuple.of(weight, widened);
  }

  // ------------------------------------------------------------------ text

  static Arbitrary<String> text() {
    return Arbitraries.frequencyOf(
        List.of(
            w(6, Arbitraries.strings().all().ofMaxLength(16)),
            w(4, Arbitraries.strings().alpha().numeric().withChars("_-. ").ofMinLength(4).ofMaxLength(14)),
            w(1, Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMaxLength(6)),
            w(1, Arbitraries.strings().withCharRange('\ud800', '\udfff').ofMinLength(1).ofMaxLength(4)),
            w(1, Arbitraries.integers().between(0x10000, 0x10FFFF).list().ofMinSize(1).ofMaxSize(4)
                .map(cps -> {
                  StringBuilder sb = new StringBuilder();
                  cps.forEach(sb::appendCodePoint);
                  return sb.toString();
                })),
            w(1, Arbitraries.of("", " ", "null", "true", "{}", "[]", "\"", "\\", "</script>", "' OR 1=1 --")),
            w(1, Combinators.combine(Arbitraries.of("secret", "smile", "create_run", "x"), Arbitraries.of(70, 300, 5000))
                .as((p, n) -> p + "Z".repeat(n)))));
  }

  /** The words as they are, and slightly altered (case, blanks, invisible chars, suffixes). */
  static Arbitrary<String> lookalikes(Collection<String> words) {
    Arbitrary<String> word = Arbitraries.of(List.copyOf(words));
    return Arbitraries.frequencyOf(
        List.of(
            w(5, word),
            w(3, Combinators.combine(word, Arbitraries.of("upper", "space", "nul", "zwsp", "suffix", "cut", "bom"))
                .as(BusFuzzValues::alter))));
  }

  private static String alter(String s, String how) {
    switch (how) {
      case "upper":
        return s.toUpperCase(Locale.ROOT);
      case "space":
        return " " + s + " ";
      case "nul":
        return s + "\u0000";
      case "zwsp":
        return s.isEmpty() ? "\u200b" : s.charAt(0) + "\u200b" + s.substring(1);
      case "suffix":
        return s + "_leak";
      case "bom":
        return "\ufeff" + s;
      default:
        return s.length() < 2 ? s : s.substring(0, s.length() - 1);
    }
  }

  static Arbitrary<String> words() {
    return Arbitraries.frequencyOf(List.of(w(3, lookalikes(VOCABULARY)), w(2, text())));
  }

  // ------------------------------------------------------------------ JSON values (codec-safe types only)

  static Arbitrary<Object> numbers() {
    return Arbitraries.frequencyOf(
        List.of(
            w(3, Arbitraries.integers()),
            w(3, Arbitraries.longs()),
            w(1, Arbitraries.shorts()),
            w(1, Arbitraries.bytes()),
            w(2, Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.POSITIVE_INFINITY)
                .withSpecialValue(Double.NEGATIVE_INFINITY).withSpecialValue(-0.0)),
            w(1, Arbitraries.floats()),
            w(1, Arbitraries.bigIntegers().between(BigInteger.TWO.pow(100).negate(), BigInteger.TWO.pow(100))),
            w(1, Arbitraries.bigDecimals().between(new BigDecimal("-1e20"), new BigDecimal("1e20")).ofScale(4)),
            w(1, Arbitraries.<Object>of(0, -1, 12, 12L, 12.0, 12.5, Long.MAX_VALUE, Long.MIN_VALUE,
                new BigDecimal("1E+400"), BigInteger.TEN.pow(40)))));
  }

  static Arbitrary<Object> leaf() {
    return Arbitraries.frequencyOf(
        List.of(
            w(4, words()),
            w(4, numbers()),
            w(2, Arbitraries.of(Boolean.TRUE, Boolean.FALSE)),
            w(1, Arbitraries.<Object>just(null)),
            w(1, text().map(t -> t.getBytes(StandardCharsets.UTF_8))),
            w(1, text().map(Buffer::buffer)),
            w(1, Arbitraries.<Object>of(Instant.EPOCH, Status.SUCCESS, Thread.State.NEW, 'c'))));
  }

  /** Nested JSON values: JsonObject, JsonArray, plain maps and lists, up to depth 3. */
  static Arbitrary<Object> json() {
    Arbitrary<Object> leaf = leaf();
    return Arbitraries.recursive(
        () -> leaf,
        inner ->
            Arbitraries.frequencyOf(
                List.of(
                    w(3, inner.list().ofMaxSize(4).map(JsonArray::new)),
                    w(2, Combinators.combine(words(), inner).as(BusFuzzValues::entry).list().ofMaxSize(4).map(BusFuzzValues::jsonObject)),
                    w(1, inner.list().ofMaxSize(3).map(ArrayList::new)),
                    w(2, inner))),
        0,
        3);
  }

  /** A map entry that allows a null value (Map.entry does not). */
  static <K, V> Map.Entry<K, V> entry(K key, V value) {
    return new java.util.AbstractMap.SimpleEntry<>(key, value);
  }

  static JsonObject jsonObject(List<Map.Entry<String, Object>> entries) {
    JsonObject o = new JsonObject();
    entries.forEach(e -> o.put(e.getKey(), e.getValue()));
    return o;
  }

  // ------------------------------------------------------------------ bus messages

  /** Absent (the marker), or a value. */
  static final Object ABSENT = new Object();

  static Arbitrary<Object> field(Arbitrary<Object> value) {
    return Arbitraries.frequencyOf(List.of(w(1, Arbitraries.just(ABSENT)), w(5, value)));
  }

  static Arbitrary<Object> eventNames() {
    return Arbitraries.frequencyOf(
        List.of(
            w(8, Arbitraries.of(List.copyOf(CATALOG.eventNames()))),
            w(3, lookalikes(CATALOG.eventNames())),
            w(2, text()),
            w(2, json())));
  }

  static Arbitrary<Object> paramValues() {
    Set<String> declaredValues = new HashSet<>();
    for (String name : CATALOG.eventNames()) {
      for (ParamSpec spec : CATALOG.definition(name).params().values()) {
        declaredValues.addAll(declared(spec));
      }
    }
    Arbitrary<Object> item =
        Arbitraries.frequencyOf(List.of(w(4, lookalikes(declaredValues)), w(2, text()), w(1, json())));
    return Arbitraries.frequencyOf(
        List.of(
            w(4, item.list().ofMaxSize(5).map(JsonArray::new)),
            w(3, item),
            w(1, json())));
  }

  static Arbitrary<Object> params() {
    Set<String> keys = new TreeSet<>();
    for (String name : CATALOG.eventNames()) {
      keys.addAll(CATALOG.definition(name).params().keySet());
    }
    Arbitrary<String> key = Arbitraries.frequencyOf(List.of(w(5, lookalikes(keys)), w(2, text())));
    Arbitrary<Object> object =
        Combinators.combine(key, paramValues()).as(BusFuzzValues::entry).list().ofMaxSize(4).map(BusFuzzValues::jsonObject);
    return Arbitraries.frequencyOf(List.of(w(6, object), w(1, json())));
  }

  static Arbitrary<Object> statuses() {
    return Arbitraries.frequencyOf(
        List.of(
            w(4, lookalikes(STATUSES)),
            w(1, Arbitraries.of("SUCCESS", " failure ", "ok", "error", "Success\t")),
            w(1, text()),
            w(1, json())));
  }

  static Arbitrary<Object> wholeNumbers() {
    return Arbitraries.frequencyOf(
        List.of(
            w(4, Arbitraries.integers().between(-5, 100_000)),
            w(2, Arbitraries.longs()),
            w(2, numbers()),
            w(1, Arbitraries.of("12", "-1", "", "1e3")),
            w(1, json())));
  }

  /** A bus message object: each field absent, valid, or anything; plus stray fields. */
  static Arbitrary<JsonObject> messageObjects() {
    return Combinators.combine(
            field(eventNames()),
            field(params()),
            field(statuses()),
            field(wholeNumbers()),
            field(wholeNumbers()),
            Combinators.combine(text(), json()).as(BusFuzzValues::entry).list().ofMaxSize(2))
        .as(
            (name, params, status, duration, ts, extra) -> {
              JsonObject o = new JsonObject();
              extra.forEach(e -> o.put(e.getKey(), e.getValue()));
              put(o, "event_name", name);
              put(o, "params", params);
              put(o, "status", status);
              put(o, "duration_ms", duration);
              put(o, "timestamp_ns", ts);
              return o;
            });
  }

  private static void put(JsonObject o, String key, Object value) {
    if (value != ABSENT) {
      o.put(key, value);
    }
  }

  /** A typed event as a Java publisher would hand it over, with raw params of any Java shape. */
  static Arbitrary<TelemetryEvent> typedEvents() {
    Arbitrary<Object> javaValue =
        Arbitraries.frequencyOf(
            List.of(
                w(4, paramValues().map(v -> v instanceof JsonArray a ? a.getList() : v)),
                w(1, lookalikes(Set.of("smile", "weka", "sklearn", "other")).list().ofMaxSize(4).map(List::toArray)),
                w(1, lookalikes(Set.of("smile", "weka")).set().ofMaxSize(3).map(HashSet::new)),
                w(1, numbers())));
    Arbitrary<Map<String, Object>> rawParams =
        Combinators.combine(Arbitraries.frequencyOf(List.<Tuple2<Integer, Arbitrary<String>>>of(
                    w(4, lookalikes(Set.of("imports", "flavor"))), w(1, text()))),
                javaValue.injectNull(0.1))
            .as(BusFuzzValues::entry)
            .list()
            .ofMaxSize(4)
            .map(entries -> {
              Map<String, Object> m = new LinkedHashMap<>();
              entries.forEach(e -> m.put(e.getKey(), e.getValue()));
              return m;
            });
    Arbitrary<String> name =
        Arbitraries.frequencyOf(
            List.of(w(6, Arbitraries.of(List.copyOf(CATALOG.eventNames()))), w(2, lookalikes(CATALOG.eventNames())), w(1, text())));
    return Combinators.combine(
            name.injectNull(0.05),
            Arbitraries.of(Status.values()).injectNull(0.2),
            Arbitraries.longs().between(1, Long.MAX_VALUE),
            Arbitraries.longs().between(0, 10_000_000).injectNull(0.3),
            rawParams.injectNull(0.2))
        .as(TelemetryEvent::new);
  }

  /** Any body the bus carries. */
  static Arbitrary<Object> bodies() {
    Arbitrary<Object> arrayItem =
        Arbitraries.frequencyOf(List.of(w(4, messageObjects()), w(1, leaf()), w(1, json())));
    return Arbitraries.frequencyOf(
        List.of(
            w(12, messageObjects()),
            w(2, arrayItem.list().ofMaxSize(4).map(JsonArray::new)),
            w(4, typedEvents()),
            w(1, typedEvents().list().ofMinSize(1).ofMaxSize(4).map(l -> l.toArray(new TelemetryEvent[0]))),
            w(1, words()),
            w(1, messageObjects().map(JsonObject::encode)),
            w(1, messageObjects().map(o -> Buffer.buffer(o.encode()))),
            w(1, text().map(t -> Buffer.buffer(t))),
            w(1, numbers()),
            w(1, Arbitraries.<Object>of(Boolean.TRUE, 'x', (short) 3, (byte) 1, 1.5f)),
            w(1, text().map(t -> t.getBytes(StandardCharsets.UTF_8))),
            w(1, Arbitraries.<Object>just(null))));
  }

  /** How many events the verticle must count for one body: one per element of an array, else one. */
  static long expectedRecorded(Object body) {
    if (body instanceof JsonArray a) {
      return a.size();
    }
    if (body instanceof TelemetryEvent[] events) {
      return events.length;
    }
    return 1;
  }

  /** Every string inside a body: keys, values, elements, typed names and params, recursively. */
  static void collectStrings(Object value, Collection<String> out) {
    if (value == null) {
      return;
    }
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof CharSequence cs) {
      out.add(cs.toString());
    } else if (value instanceof JsonObject o) {
      o.getMap().forEach((k, v) -> {
        out.add(k);
        collectStrings(v, out);
      });
    } else if (value instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        collectStrings(a.getValue(i), out);
      }
    } else if (value instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        collectStrings(k, out);
        collectStrings(v, out);
      });
    } else if (value instanceof Collection<?> c) {
      c.forEach(v -> collectStrings(v, out));
    } else if (value instanceof Object[] array) {
      for (Object v : array) {
        collectStrings(v, out);
      }
    } else if (value instanceof TelemetryEvent e) {
      collectStrings(e.name(), out);
      collectStrings(e.params(), out);
    } else if (value instanceof Buffer b) {
      out.add(b.toString(StandardCharsets.UTF_8));
    } else if (value instanceof byte[] bytes) {
      out.add(new String(bytes, StandardCharsets.UTF_8));
    }
  }

  /** Whether the catalog declares {@code key} for {@code event}. */
  static ParamSpec spec(String event, String key) {
    EventDefinition def = CATALOG.definition(event);
    return def == null ? null : def.params().get(key);
  }

  /** A short description for failure reports. */
  static String describe(Object value) {
    String s;
    if (value instanceof Object[] a) {
      s = java.util.Arrays.deepToString(a);
    } else if (value instanceof byte[] b) {
      s = "bytes" + java.util.Arrays.toString(b);
    } else {
      s = String.valueOf(value);
    }
    StringBuilder out = new StringBuilder();
    s.codePoints().limit(300).forEach(cp -> {
      if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff)) {
        out.append(String.format("\\u%04x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    return s.length() > 300 ? out + "...(" + s.length() + " chars)" : out.toString();
  }
}
