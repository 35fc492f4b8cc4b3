package dev.beacon.fuzz;

import static dev.beacon.fuzz.Gen.w;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.RemoteConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link RemoteConfig#evaluate} against random JSON, random bytes, and mutations of the appendix
 * document. It never throws; it says "on" only when the document satisfies every rule of the
 * contract (checked here by an independent reading with a strict parser); and the changes the
 * contract allows (order, blanks, unknown fields, other SDKs and OSes, disabled events, another
 * allowed ingestion URL, a rollout that includes the session) keep it on.
 */
class RemoteConfigFuzzTest {

  private static final String VERSION = "3.7.0";
  private static final Profile MLFLOW = Profiles.mlflow(VERSION);
  private static final String PLATFORM = "linux";
  private static final String SDK = MLFLOW.sdkName();
  private static final ObjectMapper PLAIN = new ObjectMapper();

  /** An independent strict reader: duplicate keys and trailing tokens refused, generous limits. */
  private static final ObjectMapper STRICT =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(10_000).build())
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  // ------------------------------------------------------------------ the document model

  /** One {@code "key": value} member, the value as raw JSON text (so anything can be written). */
  record Field(String key, String raw) {}

  /** The appendix document, as members. */
  static List<Field> appendix() {
    return new ArrayList<>(
        List.of(
            new Field("mlflow_version", q(VERSION)),
            new Field("disable_telemetry", "false"),
            new Field("rollout_percentage", "100"),
            new Field("ingestion_url", q("https://api.mlflow-telemetry.io/log")),
            new Field("disable_sdks", "[]"),
            new Field("disable_os", "[]"),
            new Field("disable_events", "[]")));
  }

  static String q(String s) {
    try {
      return PLAIN.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Renders members with the given blank between tokens. */
  static String render(List<Field> fields, String blank) {
    StringBuilder sb = new StringBuilder("{").append(blank);
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        sb.append(',').append(blank);
      }
      sb.append(q(fields.get(i).key())).append(blank).append(':').append(blank).append(fields.get(i).raw());
    }
    return sb.append(blank).append('}').toString();
  }

  /** A change to the document: on the members, or (when {@code fields} is false) on the bytes. */
  interface Mutation {
    default void apply(List<Field> fields) {}

    default void apply(List<Field> fields, double draw, boolean allowInsecureLoopback) {
      apply(fields);
    }

    default byte[] applyToBytes(byte[] body) {
      return body;
    }
  }

  record Set1(String key, String raw) implements Mutation {
    @Override
    public void apply(List<Field> fields) {
      fields.removeIf(f -> f.key().equals(key));
      fields.add(new Field(key, raw));
    }
  }

  record Drop(String key) implements Mutation {
    @Override
    public void apply(List<Field> fields) {
      fields.removeIf(f -> f.key().equals(key));
    }
  }

  record Duplicate(String key, String raw) implements Mutation {
    @Override
    public void apply(List<Field> fields) {
      fields.add(new Field(key, raw));
    }
  }

  record Shuffle(long seed) implements Mutation {
    @Override
    public void apply(List<Field> fields) {
      java.util.Collections.shuffle(fields, new java.util.Random(seed));
    }
  }

  record RenameKey(String key, String to) implements Mutation {
    @Override
    public void apply(List<Field> fields) {
      fields.replaceAll(f -> f.key().equals(key) ? new Field(to, f.raw()) : f);
    }
  }

  /** A rollout that includes the session: strictly above the draw, at most 100. */
  record RolloutAbove(double u) implements Mutation {
    @Override
    public void apply(List<Field> fields, double draw, boolean allowInsecureLoopback) {
      double low = Math.nextUp(draw);
      double value = Math.min(100.0, low + u * (100.0 - low));
      new Set1("rollout_percentage", String.valueOf(Math.max(low, value))).apply(fields);
    }
  }

  /** Another allowed ingestion URL: https, or plain http to loopback when that is allowed. */
  record AllowedUrl(int index, boolean loopbackHttp) implements Mutation {
    @Override
    public void apply(List<Field> fields, double draw, boolean allowInsecureLoopback) {
      List<String> urls = loopbackHttp && allowInsecureLoopback ? LOOPBACK_HTTP_URLS : ALLOWED_URLS;
      new Set1("ingestion_url", q(urls.get(index % urls.size()))).apply(fields);
    }
  }

  record Truncate(double fraction) implements Mutation {
    @Override
    public byte[] applyToBytes(byte[] body) {
      return Arrays.copyOf(body, (int) (body.length * fraction));
    }
  }

  record Wrap(String before, String after) implements Mutation {
    @Override
    public byte[] applyToBytes(byte[] body) {
      byte[] b = before.getBytes(StandardCharsets.UTF_8);
      byte[] a = after.getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[b.length + body.length + a.length];
      System.arraycopy(b, 0, out, 0, b.length);
      System.arraycopy(body, 0, out, b.length, body.length);
      System.arraycopy(a, 0, out, b.length + body.length, a.length);
      return out;
    }
  }

  record FlipByte(double position, byte value) implements Mutation {
    @Override
    public byte[] applyToBytes(byte[] body) {
      byte[] out = body.clone();
      if (out.length > 0) {
        out[Math.min(out.length - 1, (int) (out.length * position))] = value;
      }
      return out;
    }
  }

  /** A config to evaluate: the members, the blank used between tokens, the mutations, the draw. */
  record Doc(List<Mutation> mutations, String blank, boolean allowInsecureLoopback, double draw) {
    byte[] body() {
      List<Field> fields = appendix();
      for (Mutation m : mutations) {
        m.apply(fields, draw, allowInsecureLoopback);
      }
      byte[] body = render(fields, blank).getBytes(StandardCharsets.UTF_8);
      for (Mutation m : mutations) {
        body = m.applyToBytes(body);
      }
      return body;
    }

    @Override
    public String toString() {
      String text = new String(body(), StandardCharsets.UTF_8);
      return "Doc[insecureLoopback=" + allowInsecureLoopback + ", draw=" + draw + ", mutations=" + Hostile.describe(mutations)
          + ", body=" + Hostile.describe(text) + "]";
    }
  }

  // ------------------------------------------------------------------ generators

  static final List<String> KNOWN_KEYS =
      List.of("mlflow_version", "disable_telemetry", "rollout_percentage", "ingestion_url", "disable_sdks",
          "disable_os", "disable_events");

  static final List<String> ALLOWED_URLS =
      List.of(
          "https://api.mlflow-telemetry.io/log", "https://example.com:8443/a/b?c=d#e", "HTTPS://INGEST.EXAMPLE.ORG/log",
          "https://127.0.0.1/log", "https://[2001:db8::1]/log", " https://api.mlflow-telemetry.io/log ");

  static final List<String> LOOPBACK_HTTP_URLS =
      List.of("http://127.0.0.1:9/log", "http://localhost/log", "http://[::1]:8080/log", "http://127.1.2.3/", "HTTP://LOCALHOST./x");

  static final List<String> BAD_URLS =
      List.of(
          "http://api.mlflow-telemetry.io/log", "http://0.0.0.0/log", "http://10.0.0.1/log", "ftp://example.com/log",
          "https://", "https:///log", "//example.com/log", "/log", "https://user:pw@example.com/log",
          "https://user@example.com/", "javascript:alert(1)", "file:///etc/passwd", "https://exa mple.com/",
          "http://127.0.0.1.evil.com/", "http://localhost.evil.com/", "http://[::2]/", "https://" + "a".repeat(2050) + ".com/",
          "", " ", "\u0000", "https://example.com/\u0000", "https://ex\u00e4mple.com/", "http://2130706433/");

  /** Raw JSON values of any type, valid or not, with the interesting edges. */
  static Gen<String> rawJson() {
    return RAW_JSON;
  }

  private static final Gen<String> RAW_JSON = rawJsonGen();

  private static Gen<String> rawJsonGen() {
    Gen<String> scalar =
        Gen.frequency(
            w(3, Gen.of("null", "true", "false", "0", "-0", "1", "100", "100.0", "1e2", "-1", "50.5",
                "1e999", "-1e999", "1E400", "1e-400", "0.0000001", "99.99999999999999",
                "123456789012345678901234567890123456789012345678901234567890123456789", // > 64 digits
                "NaN", "Infinity", "-Infinity", "01", "1.", ".5", "+1", "0x10", "tru", "nul", "\"", "'x'", "")),
            w(3, Hostile.text().map(RemoteConfigFuzzTest::q)),
            w(2, Gen.of(VERSION, "3.7.0 ", "3.7", "3.7.0.0", "v3.7.0", "3.7.1", "3.70", "", SDK, PLATFORM)
                .map(RemoteConfigFuzzTest::q)),
            w(2, Gen.ints().map(String::valueOf)),
            w(2, Gen.doubles().map(String::valueOf)),
            w(1, Gen.of("\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"unterminated", "\"tab\there\"")));
    Gen<String> keys = keys();
    Gen<String> nested =
        Gen.recursive(
            scalar,
            inner -> {
              Gen<String> member = r -> q(keys.next(r)) + ":" + inner.next(r);
              return Gen.frequency(
                  w(2, inner.list(0, 4).map(l -> "[" + String.join(",", l) + "]")),
                  w(2, member.list(0, 4).map(l -> "{" + String.join(",", l) + "}")),
                  w(1, inner));
            },
            0,
            3);
    return Gen.frequency(
        w(8, nested),
        w(1, Gen.of(31, 32, 33, 200, 5000).map(n -> "[".repeat(n) + "1" + "]".repeat(n))),
        w(1, Gen.of(31, 40).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n))),
        w(1, Gen.of(70_000, 65_000).map(n -> q("x".repeat(n)))));
  }

  static Gen<String> keys() {
    return Gen.frequency(
        w(3, Gen.elements(KNOWN_KEYS)),
        w(2, Hostile.text()),
        w(1, Gen.of("MLFLOW_VERSION", "mlflow_version ", "ingestionUrl", "disable-telemetry")));
  }

  /** Values chosen per field to hit each rule's edges. */
  static Gen<String> interesting(String key) {
    switch (key) {
      case "mlflow_version":
        return Gen.of(VERSION, "3.7.0 ", " 3.7.0", "3.7", "3.7.1", "3.7.0-rc1", "", "3.7.0\u0000")
            .map(RemoteConfigFuzzTest::q);
      case "disable_telemetry":
        return Gen.of("true", "false", "null", "\"true\"", "\"false\"", "1", "0", "[]", "{}", "\"\"");
      case "rollout_percentage":
        return Gen.of("0", "100", "100.0", "50", "-1", "1e308", "1e999", "-1e999", "101", "0.0001", "\"100\"",
            "null", "true", "[100]", "99.99999999");
      case "ingestion_url":
        return Gen.frequency(
            w(2, Gen.elements(ALLOWED_URLS).map(RemoteConfigFuzzTest::q)),
            w(2, Gen.elements(LOOPBACK_HTTP_URLS).map(RemoteConfigFuzzTest::q)),
            w(3, Gen.elements(BAD_URLS).map(RemoteConfigFuzzTest::q)),
            w(1, Gen.of("null", "1", "[\"https://a.io/\"]", "{}")));
      default: // the three lists
        return Gen.frequency(
            w(3, Gen.of(SDK, PLATFORM, "darwin", "win32", "mlflow", "mlflow-python", "MLFLOW-JAVA", " linux", "create_run", "")
                .list(0, 3).map(RemoteConfigFuzzTest::array)),
            w(1, Gen.of("null", "\"" + SDK + "\"", "[1]", "[null]", "{}", "[[\"" + SDK + "\"]]", "true")));
    }
  }

  /** Built once per key: {@link #interesting} on every draw would rebuild them. */
  private static final Map<String, Gen<String>> INTERESTING = new HashMap<>();

  static {
    KNOWN_KEYS.forEach(k -> INTERESTING.put(k, interesting(k)));
  }

  /** A JSON array of the given strings, quoted. */
  static String array(List<String> items) {
    return "[" + String.join(",", items.stream().map(RemoteConfigFuzzTest::q).toList()) + "]";
  }

  /** Text that fits the reader's name limit and survives UTF-8 unchanged (no lone surrogates). */
  static Gen<String> shortText() {
    return Hostile.text()
        .filter(s -> s.length() <= 200 && s.chars().noneMatch(c -> c >= 0xd800 && c <= 0xdfff));
  }

  /** Changes the contract allows: the document must stay on. Built once (see {@link #BENIGN}). */
  static Gen<Mutation> benign() {
    Gen<Mutation> rollout =
        Gen.frequency(
            w(3, Gen.doubles(0, false, 1, true).map(RolloutAbove::new)),
            w(1, Gen.of("100", "100.0", "1e2", "1000", "1e308", "null").map(v -> new Set1("rollout_percentage", v))));
    Gen<String> strings = shortText().list(0, 4).map(RemoteConfigFuzzTest::array);
    Gen<String> otherSdks = Gen.of("mlflow", "mlflow-python", "mlflow-typescript", "r", "").list(0, 3).map(RemoteConfigFuzzTest::array);
    Gen<String> otherOs = Gen.of("darwin", "win32", "freebsd", "cygwin").list(0, 3).map(RemoteConfigFuzzTest::array);
    Gen<String> unknownKey = shortText().filter(k -> !KNOWN_KEYS.contains(k));
    Gen<String> modestJson = rawJson().filter(RemoteConfigFuzzTest::parsesModestly);
    Gen<Long> seeds = Gen.longs();
    Gen<Integer> indexes = Gen.ints(0, 20);
    return Gen.frequency(
        w(2, seeds.map(Shuffle::new)),
        w(2, r -> new AllowedUrl(indexes.next(r), r.nextBoolean())),
        w(2, rollout),
        w(1, Gen.of("false", "null").map(v -> new Set1("disable_telemetry", v))),
        w(2, strings.map(v -> new Set1("disable_events", v))),
        w(1, otherSdks.map(v -> new Set1("disable_sdks", v))),
        w(1, otherOs.map(v -> new Set1("disable_os", v))),
        w(1, Gen.of("disable_telemetry", "rollout_percentage", "disable_sdks", "disable_os", "disable_events")
            .map(Drop::new)),
        w(1, Gen.of("disable_sdks", "disable_os", "disable_events").map(k -> new Set1(k, "null"))),
        w(2, r -> new Set1(unknownKey.next(r), modestJson.next(r))));
  }

  private static final Gen<Mutation> BENIGN = benign();
  private static final Gen<Mutation> HOSTILE = hostile();

  /** Any change, allowed or not. */
  static Gen<Mutation> hostile() {
    Gen<String> key = keys();
    Gen<String> knownKey = Gen.elements(KNOWN_KEYS);
    Gen<String> interestingValue = r -> INTERESTING.get(knownKey.next(r)).next(r);
    Gen<String> duplicateValue = Gen.frequency(w(1, rawJson()), w(2, interestingValue));
    Gen<String> renamed = Gen.of("MLFLOW_VERSION", "Ingestion_URL", "disable_telemetry ", "x");
    Gen<Double> fraction = Gen.doubles(0, true, 1, true);
    Gen<Byte> bytes = Gen.bytes();
    return Gen.frequency(
        w(2, key.map(Drop::new)),
        w(3, r -> new Set1(key.next(r), rawJson().next(r))),
        w(5, r -> {
          String k = knownKey.next(r);
          return new Set1(k, INTERESTING.get(k).next(r));
        }),
        w(2, r -> new Duplicate(knownKey.next(r), duplicateValue.next(r))),
        w(1, r -> new RenameKey(knownKey.next(r), renamed.next(r))),
        w(2, fraction.map(Truncate::new)),
        w(2, Gen.of(
            new Wrap("[", "]"), new Wrap("", "x"), new Wrap("", "{}"), new Wrap("\ufeff", ""), new Wrap("", "\u0000"),
            new Wrap("// c\n", ""), new Wrap("", " ".repeat(70_000)), new Wrap(" ".repeat(65_000), ""),
            new Wrap("\"", ""), new Wrap("", ","))),
        w(2, r -> new FlipByte(fraction.next(r), bytes.next(r))));
  }

  private static final Gen<Double> DRAWS = Gen.doubles(0, true, 100, false);

  private static final Gen<Doc> BENIGN_DOCS =
      docs(BENIGN.list(0, 5), Gen.of("", " ", "\n", "\t", "\r\n  "));

  private static final Gen<Doc> MUTATED_DOCS =
      docs(Gen.<Mutation>frequency(w(1, BENIGN), w(2, HOSTILE)).list(1, 4), Gen.of("", " ", "\n"));

  private static Gen<Doc> docs(Gen<List<Mutation>> mutations, Gen<String> blanks) {
    return r -> new Doc(mutations.next(r), blanks.next(r), r.nextBoolean(), DRAWS.next(r));
  }

  // ------------------------------------------------------------------ properties

  @Test
  void allowedChangesKeepTelemetryOn() {
    Gen.forAll(0x2C0F_0001L, 400, BENIGN_DOCS, doc -> {
      byte[] body = doc.body();
      RemoteConfig.Verdict verdict = RemoteConfig.evaluate(body, MLFLOW, PLATFORM, doc.allowInsecureLoopback(), doc.draw());
      assertThat(verdict.enabled())
          .as("verdict %s on %s", verdict.decision(), Hostile.describe(new String(body, StandardCharsets.UTF_8)))
          .isTrue();
      assertRulesHold(body, verdict, doc.allowInsecureLoopback(), doc.draw());
    });
  }

  @Test
  void mutatedDocumentsAreOnOnlyWhenEveryRuleHolds() {
    Gen.Tally verdicts = new Gen.Tally("verdict");
    Gen.Settings run = Gen.forAll(0x2C0F_0002L, 1200, MUTATED_DOCS, doc -> {
      byte[] body = doc.body();
      RemoteConfig.Verdict verdict = RemoteConfig.evaluate(body, MLFLOW, PLATFORM, doc.allowInsecureLoopback(), doc.draw());
      verdicts.add(verdict.enabled() ? "enabled" : verdict.decision().cause().name());
      checkVerdict(body, verdict, doc.allowInsecureLoopback(), doc.draw());
    });
    verdicts.requireSeen(run, "enabled", "REMOTE_CONFIG", "CONFIG_UNAVAILABLE");
  }

  /** A document (as text or bytes) with the verticle's setting and the session's rollout draw. */
  record Input<T>(T body, boolean allowInsecureLoopback, double draw) {
    @Override
    public String toString() {
      return "Input[insecureLoopback=" + allowInsecureLoopback + ", draw=" + draw + ", body=" + Gen.describe(body) + "]";
    }
  }

  @Test
  void randomJsonDocumentsNeverThrow() {
    Gen.Tally verdicts = new Gen.Tally("verdict");
    Gen.Settings run = Gen.forAll(0x2C0F_0003L, 500, r -> new Input<>(RANDOM_DOCUMENTS.next(r), r.nextBoolean(), DRAWS.next(r)), in -> {
      byte[] body = in.body().getBytes(StandardCharsets.UTF_8);
      RemoteConfig.Verdict verdict = RemoteConfig.evaluate(body, MLFLOW, PLATFORM, in.allowInsecureLoopback(), in.draw());
      verdicts.add(verdict.enabled() ? "enabled" : verdict.decision().cause().name());
      checkVerdict(body, verdict, in.allowInsecureLoopback(), in.draw());
    });
    verdicts.requireSeen(run, "REMOTE_CONFIG", "CONFIG_UNAVAILABLE");
  }

  /** Objects with known and unknown keys, and any other JSON (or not-quite-JSON) text. */
  private static final Gen<String> RANDOM_DOCUMENTS = randomDocuments();

  private static Gen<String> randomDocuments() {
    Gen<String> keys = keys();
    Gen<String> member = r -> q(keys.next(r)) + ":" + rawJson().next(r);
    return Gen.frequency(
        w(4, member.list(0, 9).map(l -> "{" + String.join(",", l) + "}")),
        w(1, rawJson()));
  }

  @Test
  void randomBytesNeverThrow() {
    Gen<byte[]> bytes = Gen.bytes().list(0, 400).map(l -> {
      byte[] out = new byte[l.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = l.get(i);
      }
      return out;
    });
    Gen.forAll(0x2C0F_0004L, 300, r -> new Input<>(bytes.next(r), r.nextBoolean(), DRAWS.next(r)), in -> {
      RemoteConfig.Verdict verdict = RemoteConfig.evaluate(in.body(), MLFLOW, PLATFORM, in.allowInsecureLoopback(), in.draw());
      checkVerdict(in.body(), verdict, in.allowInsecureLoopback(), in.draw());
    });
  }

  // ------------------------------------------------------------------ the oracle

  private static void checkVerdict(byte[] body, RemoteConfig.Verdict verdict, boolean insecure, double draw) {
    assertThat(verdict).isNotNull();
    assertThat(verdict.decision()).isNotNull();
    if (verdict.enabled()) {
      assertRulesHold(body, verdict, insecure, draw);
    } else {
      assertThat(verdict.ingestionUrl()).as("no ingestion URL when off").isNull();
      assertThat(verdict.decision().detail()).isNotBlank();
    }
  }

  /** An independent reading of the contract: every rule that keeps telemetry on holds. */
  private static void assertRulesHold(byte[] body, RemoteConfig.Verdict verdict, boolean insecure, double draw) {
    String shown = Hostile.describe(new String(body, StandardCharsets.UTF_8));
    assertThat(body.length).as("on, so the body fits the cap").isLessThanOrEqualTo(RemoteConfig.DEFAULT_MAX_BYTES);
    JsonNode root;
    try {
      root = STRICT.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("on, but the document is not strict JSON (" + e.getMessage() + "): " + shown, e);
    }
    assertThat(root != null && root.isObject()).as("on, so the root is an object: %s", shown).isTrue();

    JsonNode version = root.get("mlflow_version");
    assertThat(version != null && version.isTextual() && version.textValue().equals(VERSION))
        .as("on, so mlflow_version is \"%s\": %s", VERSION, shown).isTrue();

    JsonNode disable = root.get("disable_telemetry");
    assertThat(disable == null || disable.isNull() || (disable.isBoolean() && !disable.booleanValue()))
        .as("on, so disable_telemetry is absent, null or false: %s", shown).isTrue();

    JsonNode url = root.get("ingestion_url");
    assertThat(url != null && url.isTextual()).as("on, so ingestion_url is a string: %s", shown).isTrue();
    URI uri;
    try {
      uri = new URI(url.textValue().trim());
    } catch (URISyntaxException e) {
      throw new AssertionError("on, but ingestion_url does not parse: " + shown, e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    assertThat(uri.getHost()).as("on, so ingestion_url has a host: %s", shown).isNotBlank();
    assertThat(uri.getRawUserInfo()).as("on, so ingestion_url carries no credentials: %s", shown).isNull();
    assertThat(scheme.equals("https") || (scheme.equals("http") && insecure && loopback(uri.getHost())))
        .as("on, so ingestion_url is https (or http to loopback, allowed): %s", shown).isTrue();
    assertThat(verdict.ingestionUrl()).isEqualTo(uri);

    assertThat(strings(root.get("disable_sdks"))).as("on, so disable_sdks is a list of strings without %s: %s", SDK, shown)
        .isNotNull().doesNotContain(SDK);
    assertThat(strings(root.get("disable_os"))).as("on, so disable_os is a list of strings without %s: %s", PLATFORM, shown)
        .isNotNull().doesNotContain(PLATFORM);
    Set<String> events = strings(root.get("disable_events"));
    assertThat(events).as("on, so disable_events is a list of strings: %s", shown).isNotNull();
    assertThat(verdict.disabledEvents()).isEqualTo(events);

    JsonNode rollout = root.get("rollout_percentage");
    double percentage = 100;
    if (rollout != null && !rollout.isNull()) {
      assertThat(rollout.isNumber() && Double.isFinite(rollout.doubleValue()))
          .as("on, so rollout_percentage is a finite number: %s", shown).isTrue();
      percentage = rollout.doubleValue();
    }
    assertThat(draw).as("on, so the session is inside the rollout: %s", shown).isLessThan(percentage);
  }

  /** The strings of an absent/null field (empty) or an array of strings; null for anything else. */
  private static Set<String> strings(JsonNode node) {
    if (node == null || node.isNull()) {
      return Set.of();
    }
    if (!node.isArray()) {
      return null;
    }
    Set<String> out = new HashSet<>();
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        return null;
      }
      out.add(item.textValue());
    }
    return out;
  }

  private static boolean loopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.startsWith("[") && h.endsWith("]") && h.matches("\\[[0-9a-f:.]+\\]")) {
      try {
        return java.net.InetAddress.getByName(h.substring(1, h.length() - 1)).isLoopbackAddress();
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    return h.equals("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /**
   * Whether a raw value is JSON that Beacon's tight reader takes: shallow, short numbers and names,
   * small. (Beacon reads untrusted JSON with limits: nesting 32, numbers of 64 digits, names of 256
   * characters. A document past them is refused as a whole, even inside an unknown field: fail
   * closed, by design.)
   */
  private static boolean parsesModestly(String raw) {
    if (raw.length() > 2000) {
      return false;
    }
    try {
      JsonNode node =
          JsonMapper.builder(
                  JsonFactory.builder()
                      .streamReadConstraints(
                          StreamReadConstraints.builder().maxNestingDepth(20).maxNumberLength(60).maxNameLength(200).build())
                      .build())
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .build()
              .readTree(raw);
      return node != null && !node.isMissingNode();
    } catch (IOException e) {
      return false;
    }
  }
}
