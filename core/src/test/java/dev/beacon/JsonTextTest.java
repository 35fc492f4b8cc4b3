package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The small JSON reader agrees with Jackson (strict) on what is JSON and what it means. */
class JsonTextTest {

  private static final ObjectMapper JACKSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  @Test
  void readsEveryKindOfValue() {
    Object v = JsonText.parse(" {\"a\": [1, -2, 3.5e2, 12345678901234567890, true, false, null], \"b\": \"x\\u00e9\\n\\\"\"} ");
    assertThat(v).isEqualTo(Map.of(
        "a", java.util.Arrays.asList(1L, -2L, new BigDecimal("3.5e2"), new BigInteger("12345678901234567890"), true, false, null),
        "b", "xé\n\""));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'a'", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
    "\"\\x\"", "\"\\u12\"", "\"tab\there\"", "[1] 2", "{\"a\":1,\"a\":2}", "NaN", "Infinity", "[\"unterminated]"
  })
  void refusesWhatIsNotJsonWithAPosition(String text) {
    assertThatThrownBy(() -> JsonText.parse(text)).isInstanceOf(IllegalArgumentException.class);
    if (!text.isBlank()) { // Jackson reads a blank text as "no value" rather than failing
      assertThatThrownBy(() -> JACKSON.readTree(text)).as("Jackson agrees").isInstanceOf(Exception.class);
    }
  }

  @Test
  void namesWhereTheErrorIs() {
    assertThatThrownBy(() -> JsonText.parse("{\n  \"a\": 1,\n  \"a\": 2}")).hasMessage("duplicate field 'a' at line 3, column 3");
    assertThatThrownBy(() -> JsonText.parse("[1, 2 3]")).hasMessageContaining("expected ',' or ']' at line 1, column 7");
  }

  @Test
  void refusesDeepNestingAndHugeTexts() {
    assertThatThrownBy(() -> JsonText.parse("[".repeat(65) + "]".repeat(65))).hasMessageContaining("nesting deeper than 64");
    assertThat(JsonText.parse("[".repeat(64) + "]".repeat(64))).isInstanceOf(List.class);
    assertThatThrownBy(() -> JsonText.parse(" ".repeat(JsonText.MAX_CHARS + 1))).hasMessageContaining("longer than");
  }

  @Test
  void agreesWithJacksonOnGeneratedDocumentsAndTheirMutations() throws Exception {
    SplittableRandom random = new SplittableRandom(20261203);
    int agreedValid = 0;
    int agreedInvalid = 0;
    for (int n = 0; n < 3_000; n++) {
      String text = JACKSON.writeValueAsString(tree(random, 0));
      if (random.nextInt(3) == 0) {
        text = mutate(text, random);
      }
      Object ours;
      try {
        ours = JsonText.parse(text);
      } catch (IllegalArgumentException e) {
        ours = e;
      }
      JsonNode theirs;
      try {
        theirs = JACKSON.readTree(text);
      } catch (Exception e) {
        theirs = null;
      }
      if (theirs == null || theirs.isMissingNode()) {
        assertThat(ours).as("Jackson refuses %s", text).isInstanceOf(IllegalArgumentException.class);
        agreedInvalid++;
      } else {
        assertThat(ours instanceof IllegalArgumentException).as("Jackson accepts %s: %s", text, ours).isFalse();
        assertThat(JsonText.write(normal(ours))).as(text).isEqualTo(JsonText.write(normal(plain(theirs))));
        agreedValid++;
      }
    }
    assertThat(agreedValid).isGreaterThan(1_500);
    assertThat(agreedInvalid).isGreaterThan(300);
  }

  private static Object tree(SplittableRandom r, int depth) {
    int kind = depth > 4 ? r.nextInt(4) : r.nextInt(7);
    switch (kind) {
      case 0:
        return r.nextLong(-1_000_000_000_000L, 1_000_000_000_000L);
      case 1:
        return text(r);
      case 2:
        return r.nextBoolean() ? Boolean.TRUE : null;
      case 3:
        return new BigDecimal(r.nextDouble(-1e6, 1e6)).setScale(r.nextInt(0, 6), java.math.RoundingMode.HALF_UP);
      case 4: {
        List<Object> list = new ArrayList<>();
        for (int k = r.nextInt(5); k > 0; k--) {
          list.add(tree(r, depth + 1));
        }
        return list;
      }
      default: {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int k = r.nextInt(5); k > 0; k--) {
          map.put(text(r), tree(r, depth + 1));
        }
        return map;
      }
    }
  }

  private static String text(SplittableRandom r) {
    StringBuilder b = new StringBuilder();
    for (int k = r.nextInt(8); k > 0; k--) {
      int pick = r.nextInt(10);
      b.append(pick < 6 ? (char) ('a' + r.nextInt(26)) : pick < 8 ? "\"\\\n\t/é€😀".charAt(r.nextInt(9)) : (char) r.nextInt(0x20));
    }
    return b.toString();
  }

  private static String mutate(String text, SplittableRandom r) {
    if (text.isEmpty()) {
      return "x";
    }
    int at = r.nextInt(text.length());
    return switch (r.nextInt(4)) {
      case 0 -> text.substring(0, at); // truncated
      case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1)); // a character lost
      case 2 -> text.substring(0, at) + "{[]},:\"\\0e-.tnf ".charAt(r.nextInt(16)) + text.substring(at); // one added
      default -> text + text; // two values
    };
  }

  /** Numbers compared by value: 1.50 and 1.5 are the same JSON number. */
  private static Object normal(Object v) {
    if (v instanceof BigDecimal d) {
      return d.stripTrailingZeros().toPlainString();
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(k, normal(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(normal(x)));
      return out;
    }
    return v;
  }

  private static Object plain(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.properties().forEach(e -> m.put(e.getKey(), plain(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(e -> l.add(plain(e)));
      return l;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isNull()) {
      return null;
    }
    if (n.isIntegralNumber()) {
      BigInteger b = n.bigIntegerValue();
      return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
    return n.decimalValue();
  }
}
