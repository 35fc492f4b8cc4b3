package dev.beacon.fuzz;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A seeded random generator of test input, and the loop that runs a property over many of them.
 *
 * <p>A property is a plain JUnit test that calls {@link #forAll}: it runs {@code tries} inputs, each
 * drawn from its own {@link SplittableRandom} split off a per-test seed. The default seed is a fixed
 * constant of the test (so CI is deterministic); system properties change the run:
 *
 * <ul>
 *   <li>{@code -Dbeacon.fuzz.seed=N} (decimal or 0x hex) uses seed N for every property;
 *       {@code -Dbeacon.fuzz.seed=random} draws a fresh one (printed, and named on failure);
 *   <li>{@code -Dbeacon.fuzz.tries=F} multiplies every property's try count by F (10, 0.1, ...);
 *   <li>{@code -Dbeacon.fuzz.try=I} runs only try I: its input depends on the seed and I alone, so it
 *       is the input of try I in the full run.
 * </ul>
 *
 * <p>A failure is reported with the property, the seed, the try index, the generated input (cut
 * short) and the command line that runs that very try again. The generators mix edge values in on
 * purpose (boundaries, empty and maximal sizes, extreme magnitudes, lone surrogates, controls);
 * NaN and the infinities are added by the callers that want them.
 *
 * <p>beacon-core publishes its test classes as a test-jar, so {@code vertx-integration}'s fuzz tests
 * use this same file.
 */
@FunctionalInterface
public interface Gen<T> {

  /** The next value, drawn from {@code random} only (so a seed gives back the same value). */
  T next(SplittableRandom random);

  // ------------------------------------------------------------------ derived generators

  default <U> Gen<U> map(Function<? super T, ? extends U> f) {
    return r -> f.apply(next(r));
  }

  /** Values that pass {@code keep}; gives up (an error, not a pass) after 10,000 misses in a row. */
  default Gen<T> filter(Predicate<? super T> keep) {
    return r -> {
      for (int i = 0; i < 10_000; i++) {
        T value = next(r);
        if (keep.test(value)) {
          return value;
        }
      }
      throw new IllegalStateException("filter: no value kept in 10,000 draws");
    };
  }

  /** Null with probability {@code p}, else a value. */
  default Gen<T> orNull(double p) {
    return r -> r.nextDouble() < p ? null : next(r);
  }

  /** Lists of {@code min} to {@code max} values, small sizes favoured, both bounds often. */
  default Gen<List<T>> list(int min, int max) {
    return r -> {
      int n = size(r, min, max);
      List<T> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(next(r));
      }
      return out;
    };
  }

  /** Sets of up to {@code max} distinct values (fewer when the values repeat). */
  default Gen<Set<T>> set(int max) {
    return r -> {
      int n = size(r, 0, max);
      Set<T> out = new LinkedHashSet<>();
      for (int i = 0; i < 4 * n + 4 && out.size() < n; i++) {
        out.add(next(r));
      }
      return out;
    };
  }

  // ------------------------------------------------------------------ choices

  static <T> Gen<T> constant(T value) {
    return r -> value;
  }

  /** One of the values, uniformly (null allowed). */
  @SafeVarargs
  static <T> Gen<T> of(T... values) {
    List<T> copy = new ArrayList<>(values.length);
    for (T v : values) {
      copy.add(v);
    }
    return r -> copy.get(r.nextInt(copy.size()));
  }

  /** One of the elements, uniformly. */
  static <T> Gen<T> elements(Collection<? extends T> values) {
    List<T> copy = new ArrayList<>(values);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("no elements to choose from");
    }
    return r -> copy.get(r.nextInt(copy.size()));
  }

  /** A generator with a weight, for {@link #frequency}. */
  record Weighted<T>(int weight, Gen<? extends T> gen) {}

  static <T> Weighted<T> w(int weight, Gen<? extends T> gen) {
    return new Weighted<>(weight, gen);
  }

  /** One of the generators, picked with probability proportional to its weight. */
  @SafeVarargs
  static <T> Gen<T> frequency(Weighted<T>... choices) {
    List<Weighted<T>> list = new ArrayList<>(choices.length);
    for (Weighted<T> c : choices) {
      list.add(c);
    }
    return frequency(list);
  }

  static <T> Gen<T> frequency(List<Weighted<T>> choices) {
    List<Weighted<T>> copy = List.copyOf(choices);
    int total = copy.stream().mapToInt(Weighted::weight).sum();
    return r -> {
      int pick = r.nextInt(total);
      for (Weighted<T> c : copy) {
        pick -= c.weight();
        if (pick < 0) {
          return c.gen().next(r);
        }
      }
      throw new AssertionError("unreachable");
    };
  }

  /** A (key, value) pair that allows nulls (unlike {@link Map#entry}). */
  static <K, V> Gen<Map.Entry<K, V>> entries(Gen<? extends K> key, Gen<? extends V> value) {
    return r -> new java.util.AbstractMap.SimpleEntry<K, V>(key.next(r), value.next(r));
  }

  /**
   * Values nested {@code minDepth} to {@code maxDepth} times (picked uniformly): depth 0 is {@code
   * base}, depth k+1 is {@code deeper} applied to depth k.
   */
  static <T> Gen<T> recursive(Gen<T> base, Function<Gen<T>, Gen<T>> deeper, int minDepth, int maxDepth) {
    List<Gen<T>> byDepth = new ArrayList<>();
    byDepth.add(base);
    for (int d = 1; d <= maxDepth; d++) {
      byDepth.add(deeper.apply(byDepth.get(d - 1)));
    }
    return r -> byDepth.get(r.nextInt(minDepth, maxDepth + 1)).next(r);
  }

  // ------------------------------------------------------------------ numbers

  /** Any int: edges (0, +-1, MIN, MAX and their neighbours) and small values favoured. */
  static Gen<Integer> ints() {
    return longsIn(Integer.MIN_VALUE, Integer.MAX_VALUE).map(Long::intValue);
  }

  /** An int in [min, max], its bounds (and 0 when inside) favoured. */
  static Gen<Integer> ints(int min, int max) {
    return longsIn(min, max).map(Long::intValue);
  }

  /** Any long: edges (0, +-1, int and long bounds) and small values favoured. */
  static Gen<Long> longs() {
    return longsIn(Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** A long in [min, max], its bounds (and 0 when inside) favoured. */
  static Gen<Long> longs(long min, long max) {
    return longsIn(min, max);
  }

  static Gen<Short> shorts() {
    return longsIn(Short.MIN_VALUE, Short.MAX_VALUE).map(Long::shortValue);
  }

  static Gen<Byte> bytes() {
    return longsIn(Byte.MIN_VALUE, Byte.MAX_VALUE).map(Long::byteValue);
  }

  private static Gen<Long> longsIn(long min, long max) {
    if (min > max) {
      throw new IllegalArgumentException(min + " > " + max);
    }
    List<Long> edges = new ArrayList<>();
    for (long e : new long[] {min, max, 0, 1, -1, 2, Integer.MIN_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE}) {
      if (e >= min && e <= max && !edges.contains(e)) {
        edges.add(e);
      }
    }
    for (long e : new long[] {min + 1, max - 1}) {
      if (e >= min && e <= max && !edges.contains(e)) {
        edges.add(e);
      }
    }
    return r -> {
      double p = r.nextDouble();
      if (p < 0.15) {
        return edges.get(r.nextInt(edges.size()));
      }
      if (p < 0.45) {
        // small values: near 0 when 0 is inside, else near a bound
        long centre = min <= 0 && max >= 0 ? 0 : (r.nextBoolean() ? min : max);
        long v = centre + r.nextLong(-1000, 1001);
        return Math.max(min, Math.min(max, v));
      }
      return uniform(r, min, max);
    };
  }

  /** Uniform in [min, max] (any range, the whole of long included). */
  private static long uniform(SplittableRandom r, long min, long max) {
    long bound = max - min + 1;
    if (bound > 0) {
      return min + r.nextLong(bound);
    }
    while (true) { // the range is more than half of all longs: a few draws at most
      long v = r.nextLong();
      if (v >= min && v <= max) {
        return v;
      }
    }
  }

  /** Any finite double: edges (+-0, MIN_VALUE, MAX_VALUE, MIN_NORMAL, +-1), two-decimal values, any magnitude. */
  static Gen<Double> doubles() {
    double[] edges = {0.0, -0.0, 1.0, -1.0, 0.01, -0.01, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
        Double.MAX_VALUE, -Double.MAX_VALUE, 1e300, -1e300, 9.223372036854775807E18, 0.1};
    return r -> {
      double p = r.nextDouble();
      if (p < 0.15) {
        return edges[r.nextInt(edges.length)];
      }
      if (p < 0.5) {
        return Math.round(r.nextDouble(-10_000, 10_000) * 100) / 100.0; // two decimals
      }
      if (p < 0.75) {
        return (r.nextBoolean() ? 1 : -1) * r.nextDouble() * Math.pow(10, r.nextInt(-320, 309));
      }
      double bits = Double.longBitsToDouble(r.nextLong());
      return Double.isFinite(bits) ? bits : 0.5;
    };
  }

  /** A double between the bounds (each included or not): bounds, neighbours and two-decimal values favoured. */
  static Gen<Double> doubles(double min, boolean minIncluded, double max, boolean maxIncluded) {
    double lo = minIncluded ? min : Math.nextUp(min);
    double hi = maxIncluded ? max : Math.nextDown(max);
    double[] edges = {lo, hi, Math.nextUp(lo), Math.nextDown(hi), (lo + hi) / 2};
    return r -> {
      double p = r.nextDouble();
      double v;
      if (p < 0.15) {
        v = edges[r.nextInt(edges.length)];
      } else if (p < 0.45) {
        v = Math.round((lo + r.nextDouble() * (hi - lo)) * 100) / 100.0;
      } else {
        v = lo + r.nextDouble() * (hi - lo);
      }
      return Math.max(lo, Math.min(hi, v));
    };
  }

  /** Any float: edges, small values, any bit pattern (NaN and infinities excluded). */
  static Gen<Float> floats() {
    float[] edges = {0f, -0f, 1f, -1f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, 0.01f};
    return r -> {
      double p = r.nextDouble();
      if (p < 0.15) {
        return edges[r.nextInt(edges.length)];
      }
      if (p < 0.55) {
        return (float) (Math.round(r.nextDouble(-10_000, 10_000) * 100) / 100.0);
      }
      float bits = Float.intBitsToFloat(r.nextInt());
      return Float.isFinite(bits) ? bits : 0.5f;
    };
  }

  /** A BigInteger in [min, max]: bounds, 0, +-1 and the long bounds (when inside) favoured, any bit length. */
  static Gen<BigInteger> bigIntegers(BigInteger min, BigInteger max) {
    List<BigInteger> edges = new ArrayList<>();
    for (BigInteger e : List.of(min, max, BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE.negate(),
        BigInteger.valueOf(Long.MAX_VALUE), BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE),
        BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE))) {
      if (e.compareTo(min) >= 0 && e.compareTo(max) <= 0 && !edges.contains(e)) {
        edges.add(e);
      }
    }
    int bits = Math.max(min.bitLength(), max.bitLength());
    return r -> {
      if (r.nextDouble() < 0.15) {
        return edges.get(r.nextInt(edges.size()));
      }
      while (true) {
        BigInteger v = new BigInteger(r.nextInt(bits + 1), new java.util.Random(r.nextLong()));
        if (r.nextBoolean()) {
          v = v.negate();
        }
        if (v.compareTo(min) >= 0 && v.compareTo(max) <= 0) {
          return v;
        }
      }
    };
  }

  /** A BigDecimal of the given scale in [min, max]: bounds, 0 and the smallest steps favoured. */
  static Gen<BigDecimal> bigDecimals(BigDecimal min, BigDecimal max, int scale) {
    BigInteger lo = min.setScale(scale, java.math.RoundingMode.CEILING).unscaledValue();
    BigInteger hi = max.setScale(scale, java.math.RoundingMode.FLOOR).unscaledValue();
    return bigIntegers(lo, hi).map(u -> new BigDecimal(u, scale));
  }

  // ------------------------------------------------------------------ text

  /** Any UTF-16 unit, lone surrogates included; ASCII and troublesome units favoured. */
  static Gen<Character> anyChar() {
    String special = "\u0000\u0001\t\n\r\u001f \"'\\/<>&\u007f\u0080\u0085\u00a0\u00ad\u200b\u200e\u2028\u2029"
        + "\ufeff\ufffd\ufffe\uffff\ud800\udbff\udc00\udfff";
    return r -> {
      double p = r.nextDouble();
      if (p < 0.15) {
        return special.charAt(r.nextInt(special.length()));
      }
      if (p < 0.4) {
        return (char) r.nextInt(0x80);
      }
      return (char) r.nextInt(0x10000);
    };
  }

  /** A unit in [lo, hi], the bounds favoured. */
  static Gen<Character> chars(char lo, char hi) {
    return r -> {
      double p = r.nextDouble();
      if (p < 0.1) {
        return r.nextBoolean() ? lo : hi;
      }
      return (char) r.nextInt(lo, hi + 1);
    };
  }

  /** One of the units of {@code chars}. */
  static Gen<Character> charsOf(String chars) {
    return r -> chars.charAt(r.nextInt(chars.length()));
  }

  static final String DIGITS = "0123456789";
  static final String ALPHA_NUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + DIGITS;

  /** Strings of {@code min} to {@code max} units, small lengths favoured, both bounds often. */
  static Gen<String> strings(Gen<Character> chars, int min, int max) {
    return r -> {
      int n = size(r, min, max);
      StringBuilder sb = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        sb.append((char) chars.next(r));
      }
      return sb.toString();
    };
  }

  /** Strings of {@code min} to {@code max} code points outside the BMP (well-formed pairs). */
  static Gen<String> astral(int min, int max) {
    return r -> {
      int n = size(r, min, max);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        sb.appendCodePoint(r.nextDouble() < 0.1 ? (r.nextBoolean() ? 0x10000 : 0x10FFFF) : r.nextInt(0x10000, 0x110000));
      }
      return sb.toString();
    };
  }

  /** A size in [min, max]: min 10%, max 5%, else skewed to small sizes. */
  static int size(SplittableRandom r, int min, int max) {
    if (max <= min) {
      return min;
    }
    double p = r.nextDouble();
    if (p < 0.1) {
      return min;
    }
    if (p < 0.15) {
      return max;
    }
    double u = r.nextDouble();
    return min + (int) Math.min(max - min, Math.floor((max - min + 1) * u * u));
  }

  // ------------------------------------------------------------------ running properties

  /** A check of one input; any exception or assertion error falsifies the property. */
  @FunctionalInterface
  interface Property<T> {
    void check(T input) throws Exception;
  }

  /**
   * Runs {@code property} on {@code tries} inputs from {@code gen} (see the class comment for the
   * seed, tries and try overrides). Call it from the test method itself: the failure report names
   * the caller as the test to run again. Returns the settings the run had.
   */
  static <T> Settings forAll(long defaultSeed, int tries, Gen<T> gen, Property<? super T> property) {
    StackWalker.StackFrame caller =
        StackWalker.getInstance().walk(frames -> frames.skip(1).findFirst()).orElseThrow();
    String test = caller.getClassName().substring(caller.getClassName().lastIndexOf('.') + 1) + "#" + caller.getMethodName();
    Settings s = Settings.read(defaultSeed, tries);
    SplittableRandom root = new SplittableRandom(s.seed());
    long started = System.nanoTime();
    int ran = 0;
    int last = s.only() >= 0 ? s.only() : s.tries() - 1;
    for (int i = 0; i <= last; i++) {
      SplittableRandom random = root.split();
      if (s.only() >= 0 && i != s.only()) {
        continue;
      }
      ran++;
      T input;
      try {
        input = gen.next(random);
      } catch (RuntimeException e) {
        throw new AssertionError(report(test, s, i, "(the generator threw)", e), e);
      }
      try {
        property.check(input);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        throw new AssertionError(report(test, s, i, describe(input), e), e);
      }
    }
    System.out.printf("[fuzz] %s: %s, seed %d, %d ms%n", test, s.only() >= 0 ? "try " + s.only() + " only" : ran + " tries",
        s.seed(), (System.nanoTime() - started) / 1_000_000);
    return s;
  }

  private static String report(String test, Settings s, int index, String input, Throwable cause) {
    String why = String.valueOf(cause);
    if (why.length() > 2000) {
      why = why.substring(0, 2000) + "...(cut; the whole message is in the cause below)";
    }
    return "property " + test + " falsified at try " + index + " of " + s.tries() + " with seed " + s.seed() + "\n"
        + "  again: " + again(test, s.seed()) + " -Dbeacon.fuzz.try=" + index + "\n"
        + "  input: " + input + "\n"
        + "  cause: " + why;
  }

  /** The command line that runs {@code test} (Class#method) again with {@code seed}. */
  static String again(String test, long seed) {
    return "mvn -B -q -pl core,vertx-integration verify -Dsurefire.failIfNoSpecifiedTests=false -Dtest='"
        + test + "' -Dbeacon.fuzz.seed=" + seed;
  }

  /** The run's seed, tries, (when >= 0) the one try to run, and the factor on the default tries. */
  record Settings(long seed, int tries, int only, double factor) {
    /** Every try, at least as many as by default (any seed). */
    public boolean fullRun() {
      return only < 0 && factor >= 1;
    }

    public static Settings read(long defaultSeed, int defaultTries) {
      String seedProperty = System.getProperty("beacon.fuzz.seed", "").trim();
      long seed;
      if (seedProperty.isEmpty()) {
        seed = defaultSeed;
      } else if (seedProperty.equals("random")) {
        seed = new SplittableRandom().nextLong();
      } else {
        seed = Long.decode(seedProperty);
      }
      String factorProperty = System.getProperty("beacon.fuzz.tries", "").trim();
      double factor = factorProperty.isEmpty() ? 1 : Double.parseDouble(factorProperty);
      int tries = (int) Math.max(1, Math.round(defaultTries * factor));
      int only = Integer.parseInt(System.getProperty("beacon.fuzz.try", "-1").trim());
      return new Settings(seed, tries, only, factor);
    }
  }

  /** Counts of labels over a run (which paths the inputs reached), printed and optionally required. */
  final class Tally {
    private final String name;
    private final Map<String, Integer> counts = new TreeMap<>();

    public Tally(String name) {
      this.name = name;
    }

    public void add(Object label) {
      counts.merge(String.valueOf(label), 1, Integer::sum);
    }

    public int total() {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * Prints the counts, and after a {@linkplain Settings#fullRun full run} fails unless every label
     * was seen: the generators must keep reaching these paths (a shorter run checks nothing).
     */
    public void requireSeen(Settings run, String... labels) {
      System.out.printf("[fuzz]   %s: %s%n", name, counts);
      if (!run.fullRun()) {
        return;
      }
      for (String label : labels) {
        if (!counts.containsKey(label)) {
          throw new AssertionError(name + ": no input reached \"" + label + "\" in " + total() + " tries: " + counts);
        }
      }
    }

    @Override
    public String toString() {
      return name + counts;
    }
  }

  // ------------------------------------------------------------------ reports

  /** A short description for failure reports: controls and surrogates escaped, cut after 500 code points. */
  static String describe(Object value) {
    String s;
    if (value instanceof Object[] a) {
      s = "array" + Arrays.deepToString(a);
    } else if (value instanceof byte[] b) {
      s = "bytes" + Arrays.toString(b);
    } else if (value instanceof int[] ints) {
      s = "ints" + Arrays.toString(ints);
    } else {
      s = String.valueOf(value);
    }
    StringBuilder out = new StringBuilder();
    s.codePoints()
        .limit(500)
        .forEach(cp -> {
          if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0x7f) {
            out.append(String.format("\\u%04x", cp));
          } else {
            out.appendCodePoint(cp);
          }
        });
    if (s.codePointCount(0, s.length()) > 500) {
      out.append("...(").append(s.length()).append(" chars)");
    }
    return out.toString();
  }
}
