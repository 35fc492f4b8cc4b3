package dev.beacon.collector.store.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParamValuesTest {

  private static String e(String k, String v) {
    return k + ParamValues.SEP + v;
  }

  @Test
  void everyParamShapeGivesCanonicalElementsInKeyOrder() {
    assertThat(ParamValues.elements("{\"a\":true,\"b\":false,\"c\":3,\"d\":\"sklearn\",\"e\":[\"x\",\"y\",\"x\"],\"f\":2.0,\"g\":2.5}"))
        .containsExactly(e("a", "true"), e("b", "false"), e("c", "3"), e("d", "sklearn"), e("e", "x"), e("e", "y"), e("f", "2"),
            e("g", "2.5"));
  }

  @Test
  void nullsNestedValuesAndBadJsonGiveNothing() {
    assertThat(ParamValues.elements(null)).isEmpty();
    assertThat(ParamValues.elements("")).isEmpty();
    assertThat(ParamValues.elements("{\"a\":null,\"b\":{\"c\":1},\"d\":[[1],null,{}],\"e\":[]}")).isEmpty();
    assertThat(ParamValues.elements("{not json")).isEmpty();
    assertThat(ParamValues.elements("[1,2]")).isEmpty();
  }

  @Test
  void keysAndValuesThatCannotBeEncodedAreLeftOut() {
    // JSON escapes: a key holding U+001F, a value holding U+001E
    String json = "{\"a\\u001fb\":\"x\",\"c\":\"y\\u001ez\",\"d\":\"ok\"}";
    assertThat(ParamValues.elements(json)).containsExactly(e("d", "ok"));
  }

  @Test
  void theJoinedFormHoldsEachElementBetweenDelimiters() {
    List<String> els = ParamValues.elements("{\"flavor\":\"sklearn\",\"imports\":[\"djl\",\"smile\"]}");
    String joined = ParamValues.joined(els);
    assertThat(joined).startsWith(String.valueOf(ParamValues.DELIM)).endsWith(String.valueOf(ParamValues.DELIM));
    assertThat(joined).contains(ParamValues.needle("imports", "smile"), ParamValues.needle("imports", "djl"), ParamValues.keyNeedle("flavor"));
    // a value is matched whole, a key only as a key
    assertThat(joined).doesNotContain(ParamValues.needle("imports", "smi"), ParamValues.keyNeedle("flav"), ParamValues.keyNeedle("sklearn"));
    assertThat(ParamValues.joined(List.of())).isNull();
  }
}
