package dev.beacon.vertx.fuzz;

import dev.beacon.fuzz.Gen;
import dev.beacon.fuzz.Hostile;
import static dev.beacon.fuzz.Gen.w;

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
  static final Set<String> VOCABULARY = Hostile.vocabulary(CATALOG);

  // ------------------------------------------------------------------ text

  static Gen<String> text() {
    return TEXT;
  }

  private static final Gen<String> TEXT =
      Gen.frequency(
          w(6, Gen.strings(Gen.anyChar(), 0, 16)),
          w(4, Gen.strings(Gen.charsOf(Gen.ALPHA_NUMERIC + "_-. "), 4, 14)),
          w(1, Gen.strings(Gen.chars('\u0000', '\u001f'), 0, 6)),
          w(1, Gen.strings(Gen.chars('\ud800', '\udfff'), 1, 4)),
          w(1, Gen.astral(1, 4)),
          w(1, Gen.of("", " ", "null", "true", "{}", "[]", "\"", "\\", "</script>", "' OR 1=1 --")),
          w(1, hugeText()));

  private static Gen<String> hugeText() {
    Gen<String> prefix = Gen.of("secret", "smile", "create_run", "x");
    Gen<Integer> n = Gen.of(70, 300, 5000);
    return r -> prefix.next(r) + "Z".repeat(n.next(r));
  }

  /** The words as they are, and slightly altered (case, blanks, invisible chars, suffixes). */
  static Gen<String> lookalikes(Collection<String> words) {
    Gen<String> word = Gen.elements(words);
    Gen<String> how = Gen.of("upper", "space", "nul", "zwsp", "suffix", "cut", "bom");
    return Gen.frequency(w(5, word), w(3, r -> alter(word.next(r), how.next(r))));
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

  private static final Gen<String> WORDS = Gen.frequency(w(3, lookalikes(VOCABULARY)), w(2, text()));

  static Gen<String> words() {
    return WORDS;
  }

  // ------------------------------------------------------------------ JSON values (codec-safe types only)

  private static final Gen<Object> NUMBERS =
      Gen.frequency(
          w(3, Gen.ints()),
          w(3, Gen.longs()),
          w(1, Gen.shorts()),
          w(1, Gen.bytes()),
          w(2, Gen.frequency(w(6, Gen.doubles()),
              w(1, Gen.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0)))),
          w(1, Gen.floats()),
          w(1, Gen.bigIntegers(BigInteger.TWO.pow(100).negate(), BigInteger.TWO.pow(100))),
          w(1, Gen.bigDecimals(new BigDecimal("-1e20"), new BigDecimal("1e20"), 4)),
          w(1, Gen.<Object>of(0, -1, 12, 12L, 12.0, 12.5, Long.MAX_VALUE, Long.MIN_VALUE,
              new BigDecimal("1E+400"), BigInteger.TEN.pow(40))));

  static Gen<Object> numbers() {
    return NUMBERS;
  }

  private static final Gen<Object> LEAF =
      Gen.frequency(
          w(4, words()),
          w(4, numbers()),
          w(2, Gen.of(Boolean.TRUE, Boolean.FALSE)),
          w(1, Gen.constant(null)),
          w(1, text().map(t -> t.getBytes(StandardCharsets.UTF_8))),
          w(1, text().map(Buffer::buffer)),
          w(1, Gen.<Object>of(Instant.EPOCH, Status.SUCCESS, Thread.State.NEW, 'c')));

  static Gen<Object> leaf() {
    return LEAF;
  }

  /** Nested JSON values: JsonObject, JsonArray, plain maps and lists, up to depth 3. */
  static Gen<Object> json() {
    return JSON;
  }

  private static final Gen<Object> JSON =
      Gen.recursive(
          LEAF,
          inner -> {
            Gen<Map.Entry<String, Object>> member = r -> entry(WORDS.next(r), inner.next(r));
            return Gen.frequency(
                w(3, inner.list(0, 4).map(JsonArray::new)),
                w(2, member.list(0, 4).map(BusFuzzValues::jsonObject)),
                w(1, inner.list(0, 3).map(ArrayList::new)),
                w(2, inner));
          },
          0,
          3);

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

  static Gen<Object> field(Gen<Object> value) {
    return Gen.frequency(w(1, Gen.constant(ABSENT)), w(5, value));
  }

  static Gen<Object> eventNames() {
    return Gen.frequency(
        w(8, Gen.elements(CATALOG.eventNames())),
        w(3, lookalikes(CATALOG.eventNames())),
        w(2, text()),
        w(2, json()));
  }

  static Gen<Object> paramValues() {
    Set<String> declaredValues = new HashSet<>();
    for (String name : CATALOG.eventNames()) {
      for (ParamSpec spec : CATALOG.definition(name).params().values()) {
        declaredValues.addAll(Hostile.declaredValues(spec));
      }
    }
    Gen<Object> item = Gen.frequency(w(4, lookalikes(declaredValues)), w(2, text()), w(1, json()));
    return Gen.frequency(
        w(4, item.list(0, 5).map(JsonArray::new)),
        w(3, item),
        w(1, json()));
  }

  static Gen<Object> params() {
    Set<String> keys = new TreeSet<>();
    for (String name : CATALOG.eventNames()) {
      keys.addAll(CATALOG.definition(name).params().keySet());
    }
    Gen<String> key = Gen.frequency(w(5, lookalikes(keys)), w(2, text()));
    Gen<Object> values = paramValues();
    Gen<Map.Entry<String, Object>> member = r -> entry(key.next(r), values.next(r));
    Gen<Object> object = member.list(0, 4).map(BusFuzzValues::jsonObject);
    return Gen.frequency(w(6, object), w(1, json()));
  }

  static Gen<Object> statuses() {
    return Gen.frequency(
        w(4, lookalikes(STATUSES)),
        w(1, Gen.of("SUCCESS", " failure ", "ok", "error", "Success\t")),
        w(1, text()),
        w(1, json()));
  }

  static Gen<Object> wholeNumbers() {
    return Gen.frequency(
        w(4, Gen.ints(-5, 100_000)),
        w(2, Gen.longs()),
        w(2, numbers()),
        w(1, Gen.of("12", "-1", "", "1e3")),
        w(1, json()));
  }

  /** A bus message object: each field absent, valid, or anything; plus stray fields. */
  static Gen<JsonObject> messageObjects() {
    return MESSAGE_OBJECTS;
  }

  private static final Gen<JsonObject> MESSAGE_OBJECTS = messageObjectsGen();

  private static Gen<JsonObject> messageObjectsGen() {
    Gen<Object> names = field(eventNames());
    Gen<Object> params = field(params());
    Gen<Object> statuses = field(statuses());
    Gen<Object> durations = field(wholeNumbers());
    Gen<Object> timestamps = field(wholeNumbers());
    Gen<Map.Entry<String, Object>> stray = r -> entry(text().next(r), json().next(r));
    Gen<List<Map.Entry<String, Object>>> extras = stray.list(0, 2);
    return r -> {
      Object name = names.next(r);
      Object p = params.next(r);
      Object status = statuses.next(r);
      Object duration = durations.next(r);
      Object ts = timestamps.next(r);
      List<Map.Entry<String, Object>> extra = extras.next(r);
      JsonObject o = new JsonObject();
      extra.forEach(e -> o.put(e.getKey(), e.getValue()));
      put(o, "event_name", name);
      put(o, "params", p);
      put(o, "status", status);
      put(o, "duration_ms", duration);
      put(o, "timestamp_ns", ts);
      return o;
    };
  }

  private static void put(JsonObject o, String key, Object value) {
    if (value != ABSENT) {
      o.put(key, value);
    }
  }

  /** A typed event as a Java publisher would hand it over, with raw params of any Java shape. */
  static Gen<TelemetryEvent> typedEvents() {
    return TYPED_EVENTS;
  }

  private static final Gen<TelemetryEvent> TYPED_EVENTS = typedEventsGen();

  private static Gen<TelemetryEvent> typedEventsGen() {
    Gen<Object> javaValue =
        Gen.<Object>frequency(
                w(4, paramValues().map(v -> v instanceof JsonArray a ? a.getList() : v)),
                w(1, lookalikes(Set.of("smile", "weka", "sklearn", "other")).list(0, 4).map(List::toArray)),
                w(1, lookalikes(Set.of("smile", "weka")).set(3).map(HashSet::new)),
                w(1, numbers()))
            .orNull(0.1);
    Gen<String> key = Gen.frequency(w(4, lookalikes(Set.of("imports", "flavor"))), w(1, text()));
    Gen<Map.Entry<String, Object>> member = r -> entry(key.next(r), javaValue.next(r));
    Gen<Map<String, Object>> rawParams =
        member
            .list(0, 4)
            .map(entries -> {
              Map<String, Object> m = new LinkedHashMap<>();
              entries.forEach(e -> m.put(e.getKey(), e.getValue()));
              return m;
            });
    Gen<String> name =
        Gen.<String>frequency(w(6, Gen.elements(CATALOG.eventNames())), w(2, lookalikes(CATALOG.eventNames())), w(1, text()))
            .orNull(0.05);
    Gen<Status> status = Gen.of(Status.values()).orNull(0.2);
    Gen<Long> timestamp = Gen.longs(1, Long.MAX_VALUE);
    Gen<Long> duration = Gen.longs(0, 10_000_000).orNull(0.3);
    Gen<Map<String, Object>> params = rawParams.orNull(0.2);
    return r -> new TelemetryEvent(name.next(r), status.next(r), timestamp.next(r), duration.next(r), params.next(r));
  }

  /** Any body the bus carries. */
  static Gen<Object> bodies() {
    Gen<Object> arrayItem = Gen.frequency(w(4, messageObjects()), w(1, leaf()), w(1, json()));
    return Gen.frequency(
        w(12, messageObjects()),
        w(2, arrayItem.list(0, 4).map(JsonArray::new)),
        w(4, typedEvents()),
        w(1, typedEvents().list(1, 4).map(l -> l.toArray(new TelemetryEvent[0]))),
        w(1, words()),
        w(1, messageObjects().map(JsonObject::encode)),
        w(1, messageObjects().map(o -> Buffer.buffer(o.encode()))),
        w(1, text().map(t -> Buffer.buffer(t))),
        w(1, numbers()),
        w(1, Gen.<Object>of(Boolean.TRUE, 'x', (short) 3, (byte) 1, 1.5f)),
        w(1, text().map(t -> t.getBytes(StandardCharsets.UTF_8))),
        w(1, Gen.constant(null)));
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
