package dev.beacon.fuzz;

import static dev.beacon.fuzz.Gen.w;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Catalog;
import dev.beacon.EventDefinition;
import dev.beacon.ParamSpec;
import dev.beacon.Profile;
import dev.beacon.Validation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The privacy guard ({@link Catalog#validate(Object, Object)}) against hostile input: any event
 * name, any params. It never throws; what it accepts conforms to the catalog; no string outside the
 * catalog's vocabulary survives; every input param is either kept or counted as stripped.
 */
class PrivacyGuardFuzzTest {

  /** One call of the guard: which profile's catalog, the raw name, the raw params. */
  record GuardCase(Profile profile, Object name, Object params) {
    Catalog catalog() {
      return profile.catalog();
    }

    @Override
    public String toString() {
      return "GuardCase[" + profile.name() + ", name=" + Hostile.describe(name) + ", params=" + Hostile.describe(params) + "]";
    }
  }

  /** Built once: choosing the profile per try would rebuild the generators on every try. */
  private static final Gen<GuardCase> CASES =
      Gen.frequency(w(2, casesFor(Hostile.MLFLOW)), w(1, casesFor(Hostile.SHAPES)));

  private static Gen<GuardCase> casesFor(Profile profile) {
    return Hostile.namedParams(profile.catalog()).map(e -> new GuardCase(profile, e.getKey(), e.getValue()));
  }

  @Test
  void guardNeverThrowsAndKeepsOnlyDeclaredValues() {
    Gen.Tally outcomes = new Gen.Tally("outcome");
    Gen.Settings run = Gen.forAll(0x9A4D_0001L, 1500, CASES, c -> guardNeverThrowsAndKeepsOnlyDeclaredValues(c, outcomes));
    outcomes.requireSeen(run, "rejected", "accepted, no params", "accepted with params");
  }

  private static void guardNeverThrowsAndKeepsOnlyDeclaredValues(GuardCase c, Gen.Tally outcomes) {
    Catalog catalog = c.catalog();
    Validation v = catalog.validate(c.name(), c.params());

    assertThat(v).isNotNull();
    outcomes.add(!v.accepted() ? "rejected" : v.params() == null ? "accepted, no params" : "accepted with params");
    if (!v.accepted()) {
      assertThat(v.params()).as("a rejected event carries no params").isNull();
      assertThat(v.eventName()).isNull();
      assertThat(v.rejection()).isNotBlank();
      assertThat(c.name() instanceof String s && catalog.definition(s) != null && c.params() == null)
          .as("a catalog name without params is never rejected")
          .isFalse();
      return;
    }

    // accepted: the name is a catalog name, given exactly
    assertThat(c.name()).isInstanceOf(String.class);
    assertThat(catalog.eventNames()).contains(v.eventName());
    assertThat(v.eventName()).isEqualTo(c.name());
    assertThat(v.rejection()).isNull();
    assertThat(v.stripped()).isNotNegative();
    assertThat(v.coerced()).isNotNegative();

    EventDefinition def = catalog.definition(v.eventName());
    Map<String, Object> out = v.params();
    if (out != null) {
      assertThat(out).as("params that are all stripped become null").isNotEmpty();
      for (Map.Entry<String, Object> e : out.entrySet()) {
        ParamSpec spec = def.params().get(e.getKey());
        assertThat(spec).as("kept key %s is declared", e.getKey()).isNotNull();
        assertConforms(spec, e.getValue());
      }
    }

    int kept = out == null ? 0 : out.size();
    assertThat(v.coerced()).as("coerced params are kept params").isLessThanOrEqualTo(kept);
    if (c.params() instanceof Map<?, ?> raw) {
      assertThat(kept).as("no more params out than in").isLessThanOrEqualTo(raw.size());
      assertThat(v.stripped() + kept)
          .as("every param is kept or counted as stripped: stripped=%s kept=%s in=%s", v.stripped(), kept, raw.size())
          .isEqualTo(raw.size());
    } else if (c.params() != null) {
      assertThat(out).as("params that are not a map are stripped").isNull();
      assertThat(v.stripped()).as("params that are not a map are counted as stripped").isEqualTo(1);
    } else {
      assertThat(out).isNull();
      assertThat(v.stripped()).isZero();
    }

    // no free text: every string in the output is catalog vocabulary
    Set<String> vocabulary = Hostile.vocabulary(catalog);
    List<String> strings = new ArrayList<>();
    Hostile.collectStrings(out, strings);
    assertThat(strings).as("strings in the output").allSatisfy(s -> assertThat(vocabulary).contains(s));
  }

  @Test
  void guardIsIdempotentOnItsOwnOutput() {
    Gen.forAll(0x9A4D_0002L, 400, CASES, c -> {
      Validation first = c.catalog().validate(c.name(), c.params());
      if (!first.accepted()) {
        return;
      }
      Validation again = c.catalog().validate(first.eventName(), first.params());
      assertThat(again.accepted()).isTrue();
      assertThat(again.params()).isEqualTo(first.params());
      assertThat(again.stripped()).as("the guard's own output has nothing to strip").isZero();
    });
  }

  @Test
  void everyDeclaredValueIsKeptAsIs() {
    Gen.forAll(0x9A4D_0003L, 300, DECLARED, c -> {
      Validation v = c.catalog().validate(c.name(), c.params());
      assertThat(v.accepted()).isTrue();
      assertThat(v.stripped()).isZero();
      assertThat(v.coerced()).isZero();
      @SuppressWarnings("unchecked")
      Map<String, Object> in = (Map<String, Object>) c.params();
      assertThat(v.params() == null ? Map.of() : v.params()).isEqualTo(in);
    });
  }

  /** Events whose params are all well-formed: the guard must change nothing. */
  private static final Gen<GuardCase> DECLARED =
      r -> {
        Profile profile = r.nextBoolean() ? Hostile.MLFLOW : Hostile.SHAPES;
        Catalog catalog = profile.catalog();
        String name = Gen.elements(catalog.eventNames()).next(r);
        Map<String, Object> m = new TreeMap<>();
        for (Map.Entry<String, ParamSpec> e : catalog.definition(name).params().entrySet()) {
          if (r.nextDouble() >= 0.3) {
            m.put(e.getKey(), wellFormed(e.getValue()).next(r));
          }
        }
        return new GuardCase(profile, name, m);
      };

  private static Gen<Object> wellFormed(ParamSpec spec) {
    if (spec instanceof ParamSpec.Flag) {
      return Gen.of(Boolean.TRUE, Boolean.FALSE);
    }
    if (spec instanceof ParamSpec.OneOf o) {
      return Gen.elements(o.values());
    }
    if (spec instanceof ParamSpec.ListOf l) {
      return Gen.elements(l.values()).set(l.values().size()).map(List::copyOf);
    }
    ParamSpec.Count count = (ParamSpec.Count) spec;
    return Gen.longs(0, count.max()).map(x -> x);
  }

  /** A kept value has the declared shape: Boolean, a declared string, a list of them, a Long in range. */
  static void assertConforms(ParamSpec spec, Object value) {
    assertThat(value).as("kept values are never null").isNotNull();
    if (spec instanceof ParamSpec.Flag) {
      assertThat(value).isInstanceOf(Boolean.class);
    } else if (spec instanceof ParamSpec.OneOf o) {
      assertThat(value).isInstanceOf(String.class);
      assertThat(value.equals(ParamSpec.OTHER) || o.values().contains(value))
          .as("enumerated value %s is declared or other", Hostile.describe(value))
          .isTrue();
    } else if (spec instanceof ParamSpec.ListOf l) {
      assertThat(value).isInstanceOf(List.class);
      List<?> list = (List<?>) value;
      assertThat(list).doesNotHaveDuplicates();
      assertThat(list.size()).isLessThanOrEqualTo(l.values().size() + 1);
      Set<Object> allowed = new HashSet<>(l.values());
      allowed.add(ParamSpec.OTHER);
      assertThat(list).allSatisfy(item -> assertThat(allowed).contains(item));
    } else if (spec instanceof ParamSpec.Count count) {
      assertThat(value).isInstanceOf(Long.class);
      assertThat((Long) value).isBetween(0L, count.max());
    } else {
      throw new AssertionError("unknown spec " + spec);
    }
  }
}
