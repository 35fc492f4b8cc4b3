package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogTest {

  private static final Catalog CATALOG =
      Catalog.of(
          List.of(
              EventDefinition.of("import_mlflow"),
              EventDefinition.of("create_run", Map.of("imports", ParamSpec.listOf("smile", "djl", "weka"))),
              EventDefinition.of("create_logged_model", Map.of("flavor", ParamSpec.oneOf("sklearn", "pytorch"))),
              EventDefinition.of(
                  "evaluate",
                  Map.of(
                      "n", ParamSpec.count(1000),
                      "cached", ParamSpec.flag(),
                      "flavor", ParamSpec.oneOf("sklearn"),
                      "imports", ParamSpec.listOf("smile")))));

  // --- the catalog itself ---------------------------------------------------------------------

  @Test
  void eventNamesAreSorted() {
    assertThat(CATALOG.eventNames())
        .containsExactly("create_logged_model", "create_run", "evaluate", "import_mlflow");
  }

  @Test
  void definitionLooksUpByExactName() {
    assertThat(CATALOG.definition("create_run").params()).containsOnlyKeys("imports");
    assertThat(CATALOG.definition("CREATE_RUN")).isNull();
    assertThat(CATALOG.definition("nope")).isNull();
    assertThat(CATALOG.definition(null)).isNull();
  }

  @Test
  void rejectsDuplicateEventNamesNamingTheEvent() {
    List<EventDefinition> defs = List.of(EventDefinition.of("create_run"), EventDefinition.of("create_run"));
    assertThatThrownBy(() -> Catalog.of(defs))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'create_run'");
  }

  @Test
  void toStringListsEventNames() {
    assertThat(CATALOG.toString()).contains("create_run", "import_mlflow");
  }

  // --- event names ----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "nope",
        "CREATE_RUN",
        "Create_Run",
        " create_run",
        "create_run ",
        "create_run\u0000",
        "create_run\uD83D\uDE80",
        "\u202Ecreate_run",
        "create_run\uD800",
        "\uDC00",
        "crea\u0442e_run",
        ""
      })
  void rejectsUnknownEvent(String name) {
    Validation v = CATALOG.validate(name, Map.of());
    assertThat(v.accepted()).isFalse();
    assertThat(v.rejection()).isEqualTo("unknown event");
    assertThat(v.eventName()).isNull();
    assertThat(v.params()).isNull();
  }

  @Test
  void rejectsMissingName() {
    Validation v = CATALOG.validate(null, Map.of());
    assertThat(v.accepted()).isFalse();
    assertThat(v.rejection()).isEqualTo("missing event_name");
  }

  static Stream<Arguments> nonStringNames() {
    return Stream.of(
        Arguments.of(42),
        Arguments.of(new StringBuilder("create_run")),
        Arguments.of(List.of("create_run")),
        Arguments.of((Object) new char[] {'e', 'v', 'a', 'l', 'u', 'a', 't', 'e'}),
        Arguments.of(Status.SUCCESS));
  }

  @ParameterizedTest
  @MethodSource("nonStringNames")
  void rejectsNonStringName(Object name) {
    Validation v = CATALOG.validate(name, null);
    assertThat(v.accepted()).isFalse();
    assertThat(v.rejection()).isEqualTo("event_name is not a string");
  }

  @Test
  void rejectsOverlongNames() {
    EventDefinition longest = EventDefinition.of("a".repeat(64));
    Catalog catalog = Catalog.of(List.of(longest));
    assertThat(catalog.validate("a".repeat(64), null).accepted()).isTrue();
    assertThat(catalog.validate("a".repeat(65), null).accepted()).isFalse();
    assertThat(catalog.validate("a".repeat(1024 * 1024), null).rejection()).isEqualTo("unknown event");
  }

  // --- params: shape of the input -------------------------------------------------------------

  @Test
  void nullParamsGiveNullParams() {
    Validation v = CATALOG.validate("create_run", null);
    assertThat(v).isEqualTo(new Validation(true, "create_run", null, 0, 0, null));
  }

  @Test
  void emptyParamsGiveNullParams() {
    assertThat(CATALOG.validate("create_run", Map.of()))
        .isEqualTo(new Validation(true, "create_run", null, 0, 0, null));
  }

  static Stream<Arguments> notMaps() {
    return Stream.of(
        Arguments.of("imports=smile"),
        Arguments.of(List.of("smile")),
        Arguments.of(42),
        Arguments.of((Object) new Object[] {"imports", "smile"}));
  }

  @ParameterizedTest
  @MethodSource("notMaps")
  void paramsNotAMapAreStrippedAsOne(Object params) {
    assertThat(CATALOG.validate("create_run", params))
        .isEqualTo(new Validation(true, "create_run", null, 1, 0, null));
  }

  @Test
  void unknownParamKeysAreStrippedAndCounted() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("imports", List.of("smile"));
    raw.put("user", "alice");
    raw.put("path", "/home/alice/secret");
    Validation v = CATALOG.validate("create_run", raw);
    assertThat(v.accepted()).isTrue();
    assertThat(v.params()).isEqualTo(Map.of("imports", List.of("smile")));
    assertThat(v.stripped()).isEqualTo(2);
    assertThat(v.coerced()).isZero();
  }

  @Test
  void paramsOfAnEventWithoutParamsAreAllStripped() {
    Validation v = CATALOG.validate("import_mlflow", Map.of("a", 1, "b", true));
    assertThat(v).isEqualTo(new Validation(true, "import_mlflow", null, 2, 0, null));
  }

  @Test
  void nonStringKeysAreStripped() {
    Map<Object, Object> raw = new HashMap<>();
    raw.put(1, "sklearn");
    raw.put(null, "sklearn");
    raw.put(new StringBuilder("flavor"), "sklearn");
    raw.put("flavor", "pytorch");
    Validation v = CATALOG.validate("create_logged_model", raw);
    assertThat(v.params()).isEqualTo(Map.of("flavor", "pytorch"));
    assertThat(v.stripped()).isEqualTo(3);
  }

  @Test
  void nullValueIsStripped() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("flavor", null);
    assertThat(CATALOG.validate("create_logged_model", raw))
        .isEqualTo(new Validation(true, "create_logged_model", null, 1, 0, null));
  }

  @Test
  void nestedMapsAsValuesAreStripped() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("n", Map.of("n", 1));
    raw.put("cached", Map.of("value", true));
    raw.put("flavor", Map.of("flavor", "sklearn"));
    raw.put("imports", Map.of("smile", "smile"));
    Validation v = CATALOG.validate("evaluate", raw);
    assertThat(v.accepted()).isTrue();
    assertThat(v.params()).isNull();
    assertThat(v.stripped()).isEqualTo(4);
  }

  @Test
  void moreThanMaxParamsAreStrippedUnread() {
    Map<String, Object> raw = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      raw.put("k" + i, i);
    }
    raw.put("flavor", "sklearn"); // the 101st entry is never read
    Validation v = CATALOG.validate("create_logged_model", raw);
    assertThat(v.accepted()).isTrue();
    assertThat(v.params()).isNull();
    assertThat(v.stripped()).isEqualTo(101);
  }

  @Test
  void knownParamsWithinTheFirstMaxAreRead() {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("flavor", "sklearn");
    for (int i = 0; i < Catalog.MAX_PARAMS; i++) {
      raw.put("k" + i, i);
    }
    Validation v = CATALOG.validate("create_logged_model", raw);
    assertThat(v.params()).isEqualTo(Map.of("flavor", "sklearn"));
    assertThat(v.stripped()).isEqualTo(Catalog.MAX_PARAMS);
  }

  // --- params: values -------------------------------------------------------------------------

  @Test
  void flagAcceptsOnlyBoolean() {
    assertThat(CATALOG.validate("evaluate", Map.of("cached", true)).params()).isEqualTo(Map.of("cached", true));
    Validation v = CATALOG.validate("evaluate", Map.of("cached", "true"));
    assertThat(v.params()).isNull();
    assertThat(v.stripped()).isEqualTo(1);
    assertThat(CATALOG.validate("evaluate", Map.of("cached", 1)).stripped()).isEqualTo(1);
  }

  @Test
  void inSetEnumIsKept() {
    Validation v = CATALOG.validate("create_logged_model", Map.of("flavor", "sklearn"));
    assertThat(v).isEqualTo(new Validation(true, "create_logged_model", Map.of("flavor", "sklearn"), 0, 0, null));
  }

  @Test
  void outOfSetEnumBecomesOther() {
    Validation v = CATALOG.validate("create_logged_model", Map.of("flavor", "my-private-model-name"));
    assertThat(v.params()).isEqualTo(Map.of("flavor", "other"));
    assertThat(v.coerced()).isEqualTo(1);
    assertThat(v.stripped()).isZero();
  }

  @Test
  void nonStringEnumIsStripped() {
    Validation v = CATALOG.validate("create_logged_model", Map.of("flavor", 7));
    assertThat(v.params()).isNull();
    assertThat(v.stripped()).isEqualTo(1);
  }

  @Test
  void hugeEnumStringBecomesOther() {
    Validation v = CATALOG.validate("create_logged_model", Map.of("flavor", "s".repeat(1024 * 1024)));
    assertThat(v.params()).isEqualTo(Map.of("flavor", "other"));
    assertThat(v.coerced()).isEqualTo(1);
  }

  @Test
  void listIsDedupedAndOutOfSetBecomesOther() {
    Validation v =
        CATALOG.validate("create_run", Map.of("imports", List.of("smile", "secret", "smile", "djl", "hidden")));
    assertThat(v.params()).isEqualTo(Map.of("imports", List.of("smile", "other", "djl")));
    assertThat(v.coerced()).isEqualTo(1);
  }

  @Test
  void listAcceptsArraysAndDropsNonStrings() {
    Validation v = CATALOG.validate("create_run", Map.of("imports", new Object[] {"weka", 3, "weka"}));
    assertThat(v.params()).isEqualTo(Map.of("imports", List.of("weka")));
    assertThat(v.coerced()).isEqualTo(1);
  }

  @Test
  void listLongerThanTheCapIsTruncated() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(i < 300 ? "smile" : "djl");
    }
    Validation v = CATALOG.validate("create_run", Map.of("imports", many));
    assertThat(v.params()).isEqualTo(Map.of("imports", List.of("smile")));
    assertThat(v.coerced()).isEqualTo(1);
  }

  @Test
  void countInRangeIsKeptAboveMaxClamped() {
    assertThat(CATALOG.validate("evaluate", Map.of("n", 12)).params()).isEqualTo(Map.of("n", 12L));
    Validation clamped = CATALOG.validate("evaluate", Map.of("n", 5000));
    assertThat(clamped.params()).isEqualTo(Map.of("n", 1000L));
    assertThat(clamped.coerced()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("badCounts")
  void badCountsAreStripped(Object n) {
    Validation v = CATALOG.validate("evaluate", Map.of("n", n));
    assertThat(v.params()).isNull();
    assertThat(v.stripped()).isEqualTo(1);
  }

  static Stream<Object> badCounts() {
    return Stream.of(-1, 1.5, Double.NaN, Double.POSITIVE_INFINITY, "12", "twelve");
  }

  @Test
  void strippedAndCoercedAreCountedTogether() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("n", 5000); // coerced
    raw.put("cached", "yes"); // stripped
    raw.put("flavor", "xgboost"); // coerced
    raw.put("imports", List.of("smile")); // kept
    raw.put("unknown", 1); // stripped
    Validation v = CATALOG.validate("evaluate", raw);
    assertThat(v.params()).isEqualTo(Map.of("n", 1000L, "flavor", "other", "imports", List.of("smile")));
    assertThat(v.stripped()).isEqualTo(2);
    assertThat(v.coerced()).isEqualTo(2);
  }

  @Test
  void validatedParamsAreSortedAndUnmodifiable() {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("n", 3);
    raw.put("imports", List.of("smile"));
    raw.put("flavor", "sklearn");
    raw.put("cached", false);
    Validation v = CATALOG.validate("evaluate", raw);

    assertThat(new ArrayList<>(v.params().keySet())).containsExactly("cached", "flavor", "imports", "n");
    assertThatThrownBy(() -> v.params().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> v.params().remove("n")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void validatedParamsDoNotFollowLaterChangesToTheInput() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("flavor", "sklearn");
    Validation v = CATALOG.validate("create_logged_model", raw);
    raw.put("flavor", "pytorch");
    assertThat(v.params()).isEqualTo(Map.of("flavor", "sklearn"));
  }

  // --- unicode: free text never passes --------------------------------------------------------

  static Stream<String> oddStrings() {
    return ParamSpecTest.oddStrings();
  }

  @ParameterizedTest
  @MethodSource("oddStrings")
  void oddUnicodeValueNeverPassesAsFreeText(String odd) {
    Map<String, Object> raw = new HashMap<>();
    raw.put("flavor", odd);
    raw.put("imports", List.of(odd, "smile"));
    Validation v = CATALOG.validate("evaluate", raw);
    assertThat(v.params()).isEqualTo(Map.of("flavor", "other", "imports", List.of("other", "smile")));
  }

  static Stream<String> oddNonEmptyStrings() {
    return ParamSpecTest.oddStrings().filter(s -> !s.isEmpty());
  }

  @ParameterizedTest
  @MethodSource("oddNonEmptyStrings")
  void oddUnicodeKeyIsStripped(String odd) {
    Map<String, Object> raw = new HashMap<>();
    raw.put(odd, "sklearn");
    raw.put("flavor" + odd, "sklearn");
    Validation v = CATALOG.validate("create_logged_model", raw);
    assertThat(v.params()).isNull();
    assertThat(v.stripped()).isEqualTo(2);
  }

  // --- hostile input: rejected, never thrown --------------------------------------------------

  @Test
  void mapWhoseEntrySetThrowsIsRejectedNotThrown() {
    Map<String, Object> hostile = hostileMap(() -> {
      throw new IllegalStateException("boom");
    });
    Validation v = CATALOG.validate("create_run", hostile);
    assertThat(v.accepted()).isFalse();
    assertThat(v.rejection()).contains("IllegalStateException");
  }

  @Test
  void mapWhoseSizeThrowsIsRejectedNotThrown() {
    Map<String, Object> hostile =
        new AbstractMap<>() {
          @Override
          public int size() {
            throw new UnsupportedOperationException("no size");
          }

          @Override
          public Set<Entry<String, Object>> entrySet() {
            return Set.of();
          }
        };
    Validation v = CATALOG.validate("create_run", hostile);
    assertThat(v.accepted()).isFalse();
    assertThat(v.rejection()).contains("UnsupportedOperationException");
  }

  @Test
  void mapWhoseIteratorOverflowsTheStackIsRejected() {
    Map<String, Object> hostile = hostileMap(() -> {
      throw new StackOverflowError();
    });
    Validation v = CATALOG.validate("create_run", hostile);
    assertThat(v.accepted()).isFalse();
    assertThat(v.rejection()).contains("StackOverflowError");
  }

  @Test
  void entryWhoseKeyThrowsIsRejected() {
    Map<String, Object> hostile =
        new AbstractMap<>() {
          @Override
          public Set<Entry<String, Object>> entrySet() {
            Entry<String, Object> bad =
                new Entry<>() {
                  @Override
                  public String getKey() {
                    throw new ClassCastException("bad key");
                  }

                  @Override
                  public Object getValue() {
                    return "x";
                  }

                  @Override
                  public Object setValue(Object value) {
                    throw new UnsupportedOperationException();
                  }
                };
            return Set.of(bad);
          }
        };
    Validation v = CATALOG.validate("create_logged_model", hostile);
    assertThat(v.accepted()).isFalse();
    assertThat(v.rejection()).contains("ClassCastException");
  }

  @Test
  void listValueWhoseIteratorThrowsIsRejected() {
    AbstractCollection<Object> hostileList =
        new AbstractCollection<>() {
          @Override
          public Iterator<Object> iterator() {
            throw new IllegalStateException("no iterator");
          }

          @Override
          public int size() {
            return 1;
          }
        };
    Validation v = CATALOG.validate("create_run", Map.of("imports", hostileList));
    assertThat(v.accepted()).isFalse();
    assertThat(v.rejection()).contains("IllegalStateException");
  }

  @Test
  void mapChangedWhileValidatedIsRejectedWithConcurrentModification() {
    Map<String, Object> raw = new LinkedHashMap<>();
    // Reading the "imports" list changes the map being iterated: the next step of the
    // iteration sees the change, as it would if another thread wrote to the map.
    AbstractCollection<Object> sneaky =
        new AbstractCollection<>() {
          @Override
          public Iterator<Object> iterator() {
            raw.put("added_" + raw.size(), "x");
            return List.<Object>of("smile").iterator();
          }

          @Override
          public int size() {
            return 1;
          }
        };
    raw.put("imports", sneaky);
    raw.put("other_key", 1);

    Validation v = CATALOG.validate("create_run", raw);
    assertThat(v.accepted()).isFalse();
    assertThat(v.rejection()).contains("ConcurrentModificationException");
  }

  static Stream<Arguments> anything() {
    return Stream.of(
        Arguments.of("create_run", Arrays.asList(null, null)),
        Arguments.of("create_run", new Object()),
        Arguments.of(new Object(), new Object()),
        Arguments.of("create_run", Map.of("imports", List.of(List.of(List.of("smile"))))),
        Arguments.of("evaluate", Map.of("n", new java.util.concurrent.atomic.AtomicLong(3))));
  }

  @ParameterizedTest
  @MethodSource("anything")
  void validateNeverThrows(Object name, Object params) {
    Validation v = CATALOG.validate(name, params);
    assertThat(v).isNotNull();
    if (v.accepted()) {
      assertThat(v.rejection()).isNull();
    } else {
      assertThat(v.rejection()).isNotBlank();
    }
  }

  private static Map<String, Object> hostileMap(Supplier<Iterator<Map.Entry<String, Object>>> iterator) {
    return new AbstractMap<>() {
      @Override
      public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
          @Override
          public Iterator<Entry<String, Object>> iterator() {
            return iterator.get();
          }

          @Override
          public int size() {
            return 1;
          }
        };
      }
    };
  }

  // --- the MLflow catalog ---------------------------------------------------------------------

  @Test
  void mlflowCreateRunReportsOnlyAllowListedImports() {
    Catalog mlflow = Profiles.mlflow("3.7.0").catalog();
    Validation v = mlflow.validate("create_run", Map.of("imports", List.of("smile", "xgboost4j", "com.acme.secret")));
    assertThat(v.params()).isEqualTo(Map.of("imports", List.of("smile", "xgboost4j", "other")));
  }

  @Test
  void mlflowCreateLoggedModelFlavorOutsideListBecomesOther() {
    Catalog mlflow = Profiles.mlflow("3.7.0").catalog();
    assertThat(mlflow.validate("create_logged_model", Map.of("flavor", "sklearn")).params())
        .isEqualTo(Map.of("flavor", "sklearn"));
    assertThat(mlflow.validate("create_logged_model", Map.of("flavor", "acme_internal")).params())
        .isEqualTo(Map.of("flavor", "other"));
  }

  // --- a caller's constant passes through as is --------------------------------------------------

  @Test
  void aCleanOneParamConstantIsPassedOnAsTheSameInstance() {
    Map<String, Object> constant = Map.of("imports", List.of("smile", "weka"));
    assertThat(CATALOG.validate("create_run", constant).params()).isSameAs(constant);
    Map<String, Object> flavor = Map.of("flavor", "sklearn");
    assertThat(CATALOG.validate("create_logged_model", flavor).params()).isSameAs(flavor);
  }

  @Test
  void anythingThatCouldChangeOrWasCleanedIsCopied() {
    // mutable map: a later change by the caller must not reach what the shipper holds
    Map<String, Object> mutable = new java.util.HashMap<>(Map.of("imports", List.of("smile")));
    Map<String, Object> fromMutable = CATALOG.validate("create_run", mutable).params();
    assertThat(fromMutable).isNotSameAs(mutable).isEqualTo(Map.of("imports", List.of("smile")));
    mutable.put("imports", List.of("weka"));
    assertThat(fromMutable).isEqualTo(Map.of("imports", List.of("smile")));

    // immutable map holding a mutable list: the list is copied, so the map is too
    List<String> list = new java.util.ArrayList<>(List.of("smile"));
    Map<String, Object> holdsMutable = Map.of("imports", list);
    Map<String, Object> clean = CATALOG.validate("create_run", holdsMutable).params();
    assertThat(clean).isNotSameAs(holdsMutable);
    list.add("weka");
    assertThat(clean).isEqualTo(Map.of("imports", List.of("smile")));

    // coerced or stripped: a new map with the clean value
    Map<String, Object> coerced = Map.of("imports", List.of("smile", "my-secret-lib"));
    assertThat(CATALOG.validate("create_run", coerced).params())
        .isNotSameAs(coerced)
        .isEqualTo(Map.of("imports", List.of("smile", "other")));
    Map<String, Object> stripped = Map.of("nope", true);
    assertThat(CATALOG.validate("create_run", stripped).params()).isNull();
  }
}
