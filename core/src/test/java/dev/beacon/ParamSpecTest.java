package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.ParamSpec.Action;
import dev.beacon.ParamSpec.Outcome;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ParamSpecTest {

  /** Strings that must never pass through as free text. */
  static Stream<String> oddStrings() {
    return Stream.of(
        "sklearn\u0000",
        "\u0000",
        "\uD83D\uDE80", // rocket emoji
        "sklearn\uD83D\uDE80",
        "\u202Esklearn", // right-to-left override
        "\u05E9\u05DC\u05D5\u05DD", // Hebrew
        "\uD800", // lone high surrogate
        "\uDC00sklearn", // lone low surrogate
        "SKLEARN",
        " sklearn",
        "sklearn ",
        "skle\u0430rn", // Cyrillic a
        "sklearn\n",
        "");
  }

  @Nested
  class FlagSpec {
    private final ParamSpec flag = ParamSpec.flag();

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void acceptsBooleans(boolean value) {
      assertThat(flag.check(value)).isEqualTo(new Outcome(value, Action.KEPT));
    }

    static Stream<Arguments> notBooleans() {
      return Stream.of(
          Arguments.of((Object) null),
          Arguments.of("true"),
          Arguments.of("false"),
          Arguments.of(1),
          Arguments.of(0),
          Arguments.of(List.of(true)),
          Arguments.of((Object) new boolean[] {true}));
    }

    @ParameterizedTest
    @MethodSource("notBooleans")
    void flagAcceptsOnlyBoolean(Object raw) {
      assertThat(flag.check(raw)).isEqualTo(new Outcome(null, Action.STRIPPED));
    }

    @Test
    void isASingleton() {
      assertThat(ParamSpec.flag()).isSameAs(ParamSpec.flag()).hasToString("flag");
    }
  }

  @Nested
  class OneOfSpec {
    private final ParamSpec oneOf = ParamSpec.oneOf("sklearn", "pytorch");

    @ParameterizedTest
    @ValueSource(strings = {"sklearn", "pytorch"})
    void inSetValueIsKept(String value) {
      assertThat(oneOf.check(value)).isEqualTo(new Outcome(value, Action.KEPT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"keras", "my secret project", "other"})
    void outOfSetEnumBecomesOther(String value) {
      assertThat(oneOf.check(value)).isEqualTo(new Outcome("other", Action.COERCED));
    }

    @ParameterizedTest
    @MethodSource("dev.beacon.ParamSpecTest#oddStrings")
    void oddUnicodeBecomesOther(String value) {
      assertThat(oneOf.check(value)).isEqualTo(new Outcome(ParamSpec.OTHER, Action.COERCED));
    }

    @Test
    void hugeStringBecomesOther() {
      String huge = "a".repeat(1024 * 1024);
      assertThat(oneOf.check(huge)).isEqualTo(new Outcome("other", Action.COERCED));
    }

    @Test
    void longInSetStringIsStillOtherPastTheLengthCap() {
      String longValue = "x".repeat(ParamSpec.MAX_VALUE_LENGTH + 1);
      String atCap = "y".repeat(ParamSpec.MAX_VALUE_LENGTH);
      ParamSpec spec = ParamSpec.oneOf(List.of(longValue, atCap));
      assertThat(spec.check(longValue).value()).isEqualTo("other");
      assertThat(spec.check(atCap)).isEqualTo(new Outcome(atCap, Action.KEPT));
    }

    static Stream<Arguments> nonStrings() {
      return Stream.of(
          Arguments.of((Object) null),
          Arguments.of(1),
          Arguments.of(true),
          Arguments.of(new StringBuilder("sklearn")),
          Arguments.of(List.of("sklearn")),
          Arguments.of((Object) new String[] {"sklearn"}),
          Arguments.of(Map.of("sklearn", "sklearn")));
    }

    @ParameterizedTest
    @MethodSource("nonStrings")
    void nonStringIsStripped(Object raw) {
      assertThat(oneOf.check(raw)).isEqualTo(new Outcome(null, Action.STRIPPED));
    }

    @Test
    void collectionFactoryCopiesTheSet() {
      List<String> values = new ArrayList<>(List.of("a", "b"));
      ParamSpec spec = ParamSpec.oneOf(values);
      values.add("c");
      assertThat(spec.check("c").value()).isEqualTo("other");
      assertThat(((ParamSpec.OneOf) spec).values()).containsExactlyInAnyOrder("a", "b");
    }
  }

  @Nested
  class ListOfSpec {
    private final ParamSpec listOf = ParamSpec.listOf("smile", "djl", "weka");

    @Test
    void inSetListIsKeptInOrder() {
      assertThat(listOf.check(List.of("weka", "smile")))
          .isEqualTo(new Outcome(List.of("weka", "smile"), Action.KEPT));
    }

    @Test
    void emptyListIsKeptEmpty() {
      assertThat(listOf.check(List.of())).isEqualTo(new Outcome(List.of(), Action.KEPT));
    }

    @Test
    void dedupesInFirstSeenOrder() {
      Outcome o = listOf.check(List.of("djl", "smile", "djl", "smile", "weka"));
      assertThat(o.value()).isEqualTo(List.of("djl", "smile", "weka"));
      assertThat(o.action()).isEqualTo(Action.KEPT);
    }

    @Test
    void outOfSetBecomesOtherOnce() {
      Outcome o = listOf.check(List.of("smile", "secret-lib", "another-secret"));
      assertThat(o).isEqualTo(new Outcome(List.of("smile", "other"), Action.COERCED));
    }

    @Test
    void nonStringsAreDropped() {
      Outcome o = listOf.check(Arrays.asList("smile", 1, null, true, List.of("djl")));
      assertThat(o).isEqualTo(new Outcome(List.of("smile"), Action.COERCED));
    }

    @Test
    void arraysAreAccepted() {
      assertThat(listOf.check(new String[] {"djl", "weka"}))
          .isEqualTo(new Outcome(List.of("djl", "weka"), Action.KEPT));
      assertThat(listOf.check(new Object[] {"djl", 3}))
          .isEqualTo(new Outcome(List.of("djl"), Action.COERCED));
    }

    @Test
    void setsAreAccepted() {
      assertThat(listOf.check(new LinkedHashSet<>(List.of("weka", "djl"))).value())
          .isEqualTo(List.of("weka", "djl"));
    }

    @Test
    void longListIsTruncatedAndCoerced() {
      List<String> many = new ArrayList<>(Collections.nCopies(ParamSpec.MAX_LIST_ELEMENTS, "smile"));
      many.add("djl"); // element 257: never read
      Outcome o = listOf.check(many);
      assertThat(o).isEqualTo(new Outcome(List.of("smile"), Action.COERCED));
    }

    @Test
    void listAtTheCapIsReadWhole() {
      List<String> many = new ArrayList<>(Collections.nCopies(ParamSpec.MAX_LIST_ELEMENTS - 1, "smile"));
      many.add("djl");
      assertThat(listOf.check(many)).isEqualTo(new Outcome(List.of("smile", "djl"), Action.KEPT));
    }

    @Test
    void hugeListIsNotReadWhole() {
      List<Object> huge = IntStream.range(0, 100_000).mapToObj(i -> (Object) ("lib" + i)).toList();
      Outcome o = listOf.check(huge);
      assertThat(o).isEqualTo(new Outcome(List.of("other"), Action.COERCED));
    }

    @Test
    void hugeStringElementBecomesOther() {
      Outcome o = listOf.check(List.of("a".repeat(1024 * 1024)));
      assertThat(o).isEqualTo(new Outcome(List.of("other"), Action.COERCED));
    }

    @ParameterizedTest
    @MethodSource("dev.beacon.ParamSpecTest#oddStrings")
    void oddUnicodeElementBecomesOther(String value) {
      Outcome o = listOf.check(List.of("smile", value));
      assertThat(o).isEqualTo(new Outcome(List.of("smile", "other"), Action.COERCED));
    }

    static Stream<Arguments> notLists() {
      return Stream.of(
          Arguments.of((Object) null),
          Arguments.of("smile"),
          Arguments.of(1),
          Arguments.of(Map.of("smile", "smile")),
          Arguments.of((Object) new int[] {1, 2}));
    }

    @ParameterizedTest
    @MethodSource("notLists")
    void nonListIsStripped(Object raw) {
      assertThat(listOf.check(raw)).isEqualTo(new Outcome(null, Action.STRIPPED));
    }

    @Test
    void resultIsImmutable() {
      Object value = listOf.check(new ArrayList<>(List.of("smile"))).value();
      assertThat(value).isInstanceOf(List.class);
      assertThatThrownBy(() -> asStringList(value).add("x"))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void collectionFactoryCopiesTheSet() {
      Set<String> values = new LinkedHashSet<>(Set.of("a"));
      ParamSpec spec = ParamSpec.listOf(values);
      values.add("b");
      assertThat(spec.check(List.of("b")).value()).isEqualTo(List.of("other"));
    }
  }

  @Nested
  class CountSpec {
    private final ParamSpec count = ParamSpec.count(100);

    static Stream<Arguments> kept() {
      return Stream.of(
          Arguments.of(0, 0L),
          Arguments.of(7, 7L),
          Arguments.of(100, 100L),
          Arguments.of(7L, 7L),
          Arguments.of((short) 7, 7L),
          Arguments.of((byte) 7, 7L),
          Arguments.of(3.0d, 3L),
          Arguments.of(3.0f, 3L),
          Arguments.of(-0.0d, 0L),
          Arguments.of(100.0d, 100L),
          Arguments.of(BigInteger.valueOf(42), 42L),
          Arguments.of(new BigDecimal("42"), 42L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kept")
    void integralInRangeIsKept(Object raw, long expected) {
      Outcome o = count.check(raw);
      assertThat(o.action()).isEqualTo(Action.KEPT);
      assertThat(o.value()).isEqualTo(expected);
    }

    static Stream<Arguments> clamped() {
      return Stream.of(
          Arguments.of(101),
          Arguments.of(Integer.MAX_VALUE),
          Arguments.of(Long.MAX_VALUE),
          Arguments.of(1e18d),
          Arguments.of(Double.MAX_VALUE),
          Arguments.of(101.0f),
          Arguments.of(BigInteger.valueOf(101)),
          Arguments.of(BigInteger.TEN.pow(1000)),
          Arguments.of(BigInteger.ONE.shiftLeft(63)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clamped")
    void aboveMaxIsClampedAndCoerced(Object raw) {
      assertThat(count.check(raw)).isEqualTo(new Outcome(100L, Action.COERCED));
    }

    static Stream<Arguments> stripped() {
      return Stream.of(
          Arguments.of((Object) null),
          Arguments.of(-1),
          Arguments.of(Long.MIN_VALUE),
          Arguments.of(-1.0d),
          Arguments.of(2.5d),
          Arguments.of(0.1f),
          Arguments.of(Double.NaN),
          Arguments.of(Float.NaN),
          Arguments.of(Double.POSITIVE_INFINITY),
          Arguments.of(Double.NEGATIVE_INFINITY),
          Arguments.of(Float.POSITIVE_INFINITY),
          Arguments.of(BigInteger.valueOf(-1)),
          Arguments.of(BigInteger.TEN.pow(1000).negate()),
          Arguments.of(new BigDecimal("2.5")),
          Arguments.of(new BigDecimal("-3")),
          Arguments.of("5"),
          Arguments.of("five"),
          Arguments.of(true),
          Arguments.of(List.of(5)),
          Arguments.of('5'));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stripped")
    void negativeFractionalNonFiniteOrNonNumericIsStripped(Object raw) {
      assertThat(count.check(raw)).isEqualTo(new Outcome(null, Action.STRIPPED));
    }

    @Test
    void bigIntegerThatFitsALongIsComparedNotClamped() {
      ParamSpec wide = ParamSpec.count(Long.MAX_VALUE);
      BigInteger twoTo62 = BigInteger.ONE.shiftLeft(62);
      assertThat(wide.check(twoTo62)).isEqualTo(new Outcome(1L << 62, Action.KEPT));
    }

    @Test
    void bigDecimalIsJudgedExactly() {
      assertThat(count.check(new BigDecimal("1e400"))).isEqualTo(new Outcome(100L, Action.COERCED));
      assertThat(count.check(new BigDecimal("3.0000000000000000001")))
          .isEqualTo(new Outcome(null, Action.STRIPPED));
    }

    @Test
    void zeroMaxAllowsOnlyZero() {
      ParamSpec zero = ParamSpec.count(0);
      assertThat(zero.check(0)).isEqualTo(new Outcome(0L, Action.KEPT));
      assertThat(zero.check(1)).isEqualTo(new Outcome(0L, Action.COERCED));
    }

    @Test
    void rejectsNegativeMaxWithTheValue() {
      assertThatThrownBy(() -> ParamSpec.count(-5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("-5");
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> asStringList(Object o) {
    return (List<String>) o;
  }
}
