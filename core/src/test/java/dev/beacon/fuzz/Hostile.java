package dev.beacon.fuzz;

import static dev.beacon.fuzz.Gen.w;

import dev.beacon.Catalog;
import dev.beacon.EventDefinition;
import dev.beacon.ParamSpec;
import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.Status;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generators of hostile input for the core fuzz properties: any unicode text (control characters,
 * lone surrogates, supplementary characters, huge strings), numbers of every Java type with their
 * edge values, and arbitrarily nested JSON-like values (maps, lists, arrays) mixed with odd Java
 * objects. Catalog vocabulary is mixed in (as is, and slightly altered) so that the guard's accept
 * paths are reached, not only its reject paths.
 */
public final class Hostile {

  private Hostile() {}

  /** The MLflow profile under test. */
  static final Profile MLFLOW = Profiles.mlflow("3.7.0");

  /**
   * A second catalog with every param shape, since the MLflow catalog only declares a list and an
   * enumeration: flags and counts (with edge maxima) get fuzzed too.
   */
  static final Profile SHAPES =
      Profile.builder("shapes")
          .sdkName("shapes-java")
          .sdkVersion("1.0.0")
          .event(
              "all_shapes",
              Map.of(
                  "flag", ParamSpec.flag(),
                  "one", ParamSpec.oneOf("alpha", "beta", "gamma"),
                  "many", ParamSpec.listOf("red", "green", "blue"),
                  "count", ParamSpec.count(1000),
                  "zero", ParamSpec.count(0),
                  "huge", ParamSpec.count(Long.MAX_VALUE)))
          .event("bare")
          .build();

  /** Every string a catalog may put on the wire: names, keys, declared values, {@code other}. */
  public static Set<String> vocabulary(Catalog catalog) {
    Set<String> out = new TreeSet<>();
    out.add(ParamSpec.OTHER);
    for (String name : catalog.eventNames()) {
      out.add(name);
      EventDefinition def = catalog.definition(name);
      for (Map.Entry<String, ParamSpec> e : def.params().entrySet()) {
        out.add(e.getKey());
        out.addAll(declaredValues(e.getValue()));
      }
    }
    return out;
  }

  /** The declared values of an enumeration or list spec; empty for flags and counts. */
  public static Set<String> declaredValues(ParamSpec spec) {
    if (spec instanceof ParamSpec.OneOf o) {
      return o.values();
    }
    if (spec instanceof ParamSpec.ListOf l) {
      return l.values();
    }
    return Set.of();
  }

  // ------------------------------------------------------------------ strings

  /** Text of any kind: every BMP char (lone surrogates included), controls, astral chars, huge. */
  static Gen<String> text() {
    return TEXT;
  }

  private static final Gen<String> TEXT =
      Gen.frequency(
          w(6, Gen.strings(Gen.anyChar(), 0, 24)),
          w(3, Gen.strings(Gen.charsOf(Gen.ALPHA_NUMERIC + "_-. "), 0, 16)),
          w(2, Gen.strings(Gen.frequency(w(4, Gen.chars('\u0000', '\u001f')), w(1, Gen.charsOf("\u007f\u0085\u2028\u2029\ufeff"))), 0, 8)),
          w(2, Gen.strings(Gen.chars('\ud800', '\udfff'), 1, 6)),
          w(2, Gen.astral(1, 6)),
          w(1, Gen.of("", " ", "\t\n", "null", "true", "0", "-1", "NaN", "{}", "[]", "\"", "\\", "\u0000")),
          w(1, huge()));

  /** Strings around and far past the guard's length limits (64, 256), some starting with vocabulary. */
  static Gen<String> huge() {
    Gen<String> prefix = Gen.of("", "create_run", "smile", "sklearn", "x", "\ud800", "\u0000");
    Gen<Integer> factor = Gen.of(1, 1, 1, 400);
    return r -> prefix.next(r) + "a".repeat(r.nextInt(60, 301) * factor.next(r));
  }

  /** The given words as they are, and slightly altered (case, blanks, invisible chars, suffixes). */
  static Gen<String> lookalikes(Collection<String> words) {
    Gen<String> word = Gen.elements(words);
    Gen<String> how = Gen.elements(ALTERATIONS);
    return Gen.frequency(w(5, word), w(3, r -> alter(word.next(r), how.next(r))));
  }

  private static final List<String> ALTERATIONS =
      List.of("upper", "space", "tab", "nul", "zwsp", "suffix", "prefix", "bom", "surrogate", "double", "cut");

  private static String alter(String s, String how) {
    switch (how) {
      case "upper":
        return s.toUpperCase(java.util.Locale.ROOT);
      case "space":
        return " " + s + " ";
      case "tab":
        return s + "\t";
      case "nul":
        return s + "\u0000";
      case "zwsp":
        return s.isEmpty() ? "\u200b" : s.charAt(0) + "\u200b" + s.substring(1);
      case "suffix":
        return s + "_secret";
      case "prefix":
        return "x" + s;
      case "bom":
        return "\ufeff" + s;
      case "surrogate":
        return s + "\ud83d";
      case "double":
        return s + s;
      default:
        return s.isEmpty() ? s : s.substring(0, s.length() - 1);
    }
  }

  /**
   * Anything a caller might pass as an event name: catalog names (biased to the events that declare
   * params, so that the guard's param checks are reached), lookalikes, any text, non-strings.
   */
  static Gen<Object> names(Catalog catalog) {
    List<String> withParams = new ArrayList<>();
    for (String name : catalog.eventNames()) {
      if (!catalog.definition(name).params().isEmpty()) {
        withParams.add(name);
      }
    }
    List<Gen.Weighted<Object>> choices = new ArrayList<>();
    if (!withParams.isEmpty()) {
      choices.add(w(8, Gen.elements(withParams)));
    }
    choices.add(w(4, Gen.elements(catalog.eventNames())));
    choices.add(w(4, lookalikes(catalog.eventNames())));
    choices.add(w(3, text()));
    choices.add(w(1, Gen.constant(null)));
    choices.add(w(2, leafNonString(catalog)));
    return Gen.frequency(choices);
  }

  // ------------------------------------------------------------------ numbers

  /** Numbers of every Java type, with their edge values (NaN, infinities, -0.0, huge, tiny). */
  static Gen<Object> numbers() {
    return NUMBERS;
  }

  private static final Gen<Object> NUMBERS =
      Gen.frequency(
          w(3, Gen.ints()),
          w(3, Gen.longs()),
          w(1, Gen.shorts()),
          w(1, Gen.bytes()),
          w(2, Gen.frequency(w(6, Gen.floats()), w(1, Gen.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f)))),
          w(3, Gen.frequency(w(6, Gen.doubles()),
              w(1, Gen.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, Double.MAX_VALUE)))),
          w(2, Gen.ints(-3, 2000).map(i -> (double) i)),
          w(2, Gen.bigIntegers(BigInteger.TWO.pow(200).negate(), BigInteger.TWO.pow(200))),
          w(2, Gen.bigDecimals(new BigDecimal("-1e30"), new BigDecimal("1e30"), 3)),
          w(2, Gen.elements(specialNumbers())));

  /** A method, not a constant: {@link #NUMBERS} above needs the list while the class initialises. */
  private static List<Object> specialNumbers() {
    return List.of(
        0, -0.0, 1, -1, 1000, 1001, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE,
        BigInteger.TWO.pow(63), BigInteger.TWO.pow(64).add(BigInteger.ONE), BigInteger.ONE.negate(),
        BigInteger.TEN.pow(400),
        new BigDecimal("3.000"), new BigDecimal("1E+1000"), new BigDecimal("1E-1000"), new BigDecimal("-0.0"),
        new BigDecimal("0E-7"), new BigDecimal("1000.0000001"), new BigDecimal("9223372036854775807.0"),
        new BigDecimal("9223372036854775808"),
        new BigDecimal(BigInteger.TEN, -Integer.MAX_VALUE), new BigDecimal(BigInteger.TEN, Integer.MAX_VALUE),
        new BigDecimal(BigInteger.ONE, Integer.MIN_VALUE),
        9.223372036854775807E18, 1e300, 5e-324, 2.5, 1000.0, 1000.5f,
        new AtomicLong(5));
  }

  // ------------------------------------------------------------------ values

  /** Scalars and odd objects that are not strings. */
  static Gen<Object> leafNonString(Catalog catalog) {
    return Gen.frequency(
        w(6, numbers()),
        w(3, Gen.of(Boolean.TRUE, Boolean.FALSE)),
        w(1, Gen.anyChar()),
        w(1, Gen.bytes().list(0, 8).map(Hostile::byteArray)),
        w(1, Gen.ints().list(0, 4).map(l -> l.stream().mapToInt(Integer::intValue).toArray())),
        w(2, lookalikes(vocabulary(catalog)).map(StringBuilder::new)),
        w(1, Gen.elements(List.of(Status.values()))),
        w(1, Gen.<Object>of(Instant.EPOCH, Optional.of("smile"), Optional.empty(), new Object(), Thread.State.NEW)));
  }

  /** Any scalar, strings included (vocabulary-biased), and null. */
  static Gen<Object> leaf(Catalog catalog) {
    return Gen.frequency(
        w(5, lookalikes(vocabulary(catalog))),
        w(4, text()),
        w(5, leafNonString(catalog)),
        w(1, Gen.constant(null)));
  }

  /** Nested JSON-like values (maps, lists, arrays, sets) of any depth up to 3, and long lists. */
  static Gen<Object> values(Catalog catalog) {
    return Gen.frequency(
        w(6, Gen.recursive(leaf(catalog), Hostile::containers, 0, 3)),
        w(1, longLists(catalog)));
  }

  private static Gen<Object> containers(Gen<Object> inner) {
    return Gen.frequency(
        w(4, inner.list(0, 5).map(ArrayList::new)),
        w(2, inner.list(0, 5).map(List::toArray)),
        w(1, inner.set(3).map(HashSet::new)),
        w(3, Gen.entries(inner, inner).list(0, 4).map(Hostile::linkedMap)),
        w(1, inner));
  }

  /** Lists around and past {@link ParamSpec#MAX_LIST_ELEMENTS}, of vocabulary and noise. */
  static Gen<Object> longLists(Catalog catalog) {
    Gen<List<String>> seeds = lookalikes(vocabulary(catalog)).list(1, 4);
    Gen<Integer> sizes = Gen.of(250, 256, 257, 1000);
    return r -> {
      List<String> seed = seeds.next(r);
      int n = sizes.next(r);
      List<Object> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(seed.get(i % seed.size()));
      }
      return out;
    };
  }

  /** Raw params: a map (keys declared, near-declared, any text, non-strings, null), or anything else. */
  static Gen<Object> params(Catalog catalog) {
    Set<String> keys = new TreeSet<>();
    for (String name : catalog.eventNames()) {
      keys.addAll(catalog.definition(name).params().keySet());
    }
    Gen<Object> key =
        Gen.frequency(
            w(8, keys.isEmpty() ? text() : lookalikes(keys)),
            w(3, text()),
            w(1, leafNonString(catalog)),
            w(1, Gen.constant(null)));
    // values of the declared shapes (lists of words, words, flags, counts) and of any shape
    Gen<Object> value = Gen.frequency(w(4, plausible(catalog)), w(3, values(catalog)));
    Gen<Object> map = Gen.entries(key, value).list(0, 6).map(Hostile::linkedMap);
    // past MAX_PARAMS (64): scalar values keep it cheap to generate
    Gen<Object> bigMap = Gen.entries(key, leaf(catalog)).list(60, 80).map(Hostile::hashMap);
    return Gen.frequency(
        w(12, map),
        w(1, bigMap),
        w(1, Gen.constant(null)),
        w(2, value));
  }

  /**
   * A raw (name, params) pair: half of them generic ({@link #names} and {@link #params}), half
   * aimed at one event that declares params, with mostly its own keys and values of the declared
   * shapes, so that the kept/coerced/stripped paths of every spec are reached often.
   */
  static Gen<Map.Entry<Object, Object>> namedParams(Catalog catalog) {
    List<Gen.Weighted<Map.Entry<Object, Object>>> choices = new ArrayList<>();
    choices.add(w(4, Gen.entries(names(catalog), params(catalog))));
    for (String event : catalog.eventNames()) {
      Map<String, ParamSpec> specs = catalog.definition(event).params();
      if (specs.isEmpty()) {
        continue;
      }
      // each declared key (mostly present, mostly with a value of its shape), plus stray entries
      List<Gen<Map.Entry<Object, Object>>> declared = new ArrayList<>();
      for (Map.Entry<String, ParamSpec> spec : specs.entrySet()) {
        Gen<Object> v = Gen.frequency(w(4, shaped(spec.getValue(), catalog)), w(1, values(catalog)));
        declared.add(Gen.<Object, Object>entries(Gen.constant(spec.getKey()), v).orNull(0.2));
      }
      Gen<Object> strayKey = Gen.frequency(w(2, lookalikes(specs.keySet())), w(1, text()), w(1, leafNonString(catalog)));
      Gen<List<Map.Entry<Object, Object>>> strays = Gen.entries(strayKey, values(catalog)).list(0, 3);
      Gen<Object> map =
          r -> {
            List<Map.Entry<Object, Object>> all = new ArrayList<>();
            for (Gen<Map.Entry<Object, Object>> d : declared) {
              Map.Entry<Object, Object> e = d.next(r);
              if (e != null) {
                all.add(e);
              }
            }
            all.addAll(strays.next(r));
            return linkedMap(all);
          };
      Gen<Object> name = Gen.frequency(w(6, Gen.constant(event)), w(1, lookalikes(List.of(event))));
      choices.add(w(4, Gen.entries(name, map)));
    }
    return Gen.frequency(choices);
  }

  /** Values of one spec's shape, and near misses (out-of-set words, negative, fractional, huge). */
  static Gen<Object> shaped(ParamSpec spec, Catalog catalog) {
    if (spec instanceof ParamSpec.Flag) {
      return Gen.frequency(w(4, Gen.of(Boolean.TRUE, Boolean.FALSE)), w(1, leaf(catalog)));
    }
    if (spec instanceof ParamSpec.Count count) {
      long max = count.max();
      return Gen.frequency(
          w(3, Gen.longs(0, Math.min(max, 5000))),
          w(2, Gen.<Object>of(max, max == Long.MAX_VALUE ? max : max + 1, -1L, 0, 3.0, 2.5, -0.0,
              BigInteger.valueOf(max).add(BigInteger.ONE), new BigDecimal(max).add(BigDecimal.ONE), Double.NaN)),
          w(2, numbers()));
    }
    Set<String> values = new TreeSet<>(declaredValues(spec));
    values.add(ParamSpec.OTHER);
    Gen<String> word = Gen.frequency(w(4, lookalikes(values)), w(1, text()));
    if (spec instanceof ParamSpec.OneOf) {
      return Gen.frequency(w(5, word), w(1, leafNonString(catalog)));
    }
    Gen<Object> item = Gen.frequency(w(6, word), w(1, leafNonString(catalog)));
    return Gen.frequency(
        w(4, item.list(0, 6).map(ArrayList::new)),
        w(1, item.list(0, 4).map(List::toArray)),
        w(1, word.list(0, 4).map(l -> l.toArray(new String[0]))),
        w(1, word.set(3).map(HashSet::new)),
        w(1, word),
        w(1, longLists(catalog)));
  }

  /** Values of the declared shapes: lists of words, words, flags, counts (and near misses). */
  static Gen<Object> plausible(Catalog catalog) {
    Gen<String> word = lookalikes(vocabulary(catalog));
    return Gen.frequency(
        w(4, Gen.frequency(w(4, word), w(1, text())).list(0, 5).map(ArrayList::new)),
        w(1, word.list(0, 4).map(List::toArray)),
        w(3, word),
        w(2, Gen.of(Boolean.TRUE, Boolean.FALSE)),
        w(2, Gen.longs(-5, 2000)),
        w(2, numbers()));
  }

  /** A map entry that allows null keys and values. */
  static <K, V> Map.Entry<K, V> entry(K key, V value) {
    return new java.util.AbstractMap.SimpleEntry<>(key, value);
  }

  private static Object linkedMap(List<Map.Entry<Object, Object>> entries) {
    Map<Object, Object> m = new LinkedHashMap<>();
    entries.forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  private static Object hashMap(List<Map.Entry<Object, Object>> entries) {
    Map<Object, Object> m = new HashMap<>();
    entries.forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  // ------------------------------------------------------------------ helpers

  /** Every string inside a value: map keys and values, list, array and set elements, recursively. */
  static void collectStrings(Object value, Collection<String> out) {
    collectStrings(value, out, 0);
  }

  private static void collectStrings(Object value, Collection<String> out, int depth) {
    if (depth > 16 || value == null) {
      return;
    }
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof CharSequence cs) {
      out.add(cs.toString());
    } else if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        collectStrings(e.getKey(), out, depth + 1);
        collectStrings(e.getValue(), out, depth + 1);
      }
    } else if (value instanceof Collection<?> c) {
      for (Object o : c) {
        collectStrings(o, out, depth + 1);
      }
    } else if (value instanceof Object[] a) {
      collectStrings(Arrays.asList(a), out, depth + 1);
    } else if (value instanceof Optional<?> o) {
      o.ifPresent(x -> collectStrings(x, out, depth + 1));
    }
  }

  /** A short description for failure reports: huge strings and structures are cut. */
  static String describe(Object value) {
    String s;
    if (value instanceof Object[] a) {
      s = "array" + Arrays.deepToString(a);
    } else {
      s = String.valueOf(value);
    }
    StringBuilder out = new StringBuilder();
    s.codePoints()
        .limit(300)
        .forEach(cp -> {
          if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0x7f) {
            out.append(String.format("\\u%04x", cp));
          } else {
            out.appendCodePoint(cp);
          }
        });
    if (s.length() > 300) {
      out.append("...(").append(s.length()).append(" chars)");
    }
    return out.toString();
  }

  private static byte[] byteArray(List<Byte> bytes) {
    byte[] out = new byte[bytes.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.get(i);
    }
    return out;
  }
}
