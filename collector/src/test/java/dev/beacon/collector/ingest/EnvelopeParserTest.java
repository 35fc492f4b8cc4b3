package dev.beacon.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.collector.ingest.RawRecord.Field;
import dev.beacon.collector.server.Bodies;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeParserTest {

  static final EnvelopeParser PARSER = new EnvelopeParser("mlflow_version", 5, 8 * 1024 * 1024);

  static EnvelopeParser.Envelope parse(String body) throws EnvelopeParser.BadEnvelope {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return PARSER.parse(b, b.length);
  }

  static String reason(String body) {
    try {
      parse(body);
      return "parsed";
    } catch (EnvelopeParser.BadEnvelope e) {
      return e.reason();
    }
  }

  @Test
  void readsTheKnownFieldsOfEachRecordAndSkipsTheRestUnread() throws Exception {
    String body = "{\"v\":[1,{\"x\":2}],\"records\":[{\"extra\":{\"a\":[1]},\"data\":{\"session_id\":\"s\","
        + "\"mlflow_version\":\"3.7.0\",\"environment\":\"colab\",\"ws_enabled\":true,\"timestamp_ns\":17,"
        + "\"duration_ms\":1.5,\"params\":{\"k\":[\"a\",{\"b\":null}]},\"status\":[\"nested\"]},"
        + "\"partition-key\":\"pk\"}],\"after\":null}";

    EnvelopeParser.Envelope e = parse(body);

    assertThat(e.records()).hasSize(1);
    RawRecord r = e.records().get(0);
    assertThat(r.hasData).isTrue();
    assertThat(r.partitionKey).isEqualTo("pk");
    assertThat(r.get(Field.SESSION_ID)).isEqualTo("s");
    assertThat(r.get(Field.VERSION)).isEqualTo("3.7.0");
    assertThat(r.get(Field.TIMESTAMP_NS)).isEqualTo(17L);
    assertThat(r.get(Field.DURATION_MS)).isEqualTo(1.5);
    Map<String, Object> inner = new java.util.HashMap<>();
    inner.put("b", null);
    assertThat(r.get(Field.PARAMS)).isEqualTo(Map.of("k", List.of("a", inner)));
    assertThat(r.get(Field.STATUS)).isSameAs(RawRecord.WRONG);
    assertThat(r.get(Field.EVENT_NAME)).isSameAs(RawRecord.ABSENT);
    assertThat(r.unknownFields).isEqualTo(2);
  }

  @Test
  void measuresEachRecordsBytesInTheBody() throws Exception {
    String rec = Bodies.record().encode();
    EnvelopeParser.Envelope e = parse("{\"records\": [" + rec + ",  " + rec + "]}");
    assertThat(e.records()).extracting(r -> r.bytes).containsExactly((long) rec.length(), (long) rec.length());
  }

  @Test
  void everyTruncationOfAGoodBodyIsNotTheEnvelope() {
    String body = Bodies.envelope(Bodies.record(), Bodies.record());
    for (int n = 0; n < body.length(); n++) {
      assertThat(reason(body.substring(0, n))).as("prefix of %d bytes", n).isIn("not_json", "not_envelope");
    }
    assertThat(reason(body)).isEqualTo("parsed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "nope", "[]", "42", "\"records\"", "null", "{]", "{\"records\":[}",
      "{\"records\":[]} x", "{\"records\":[]}{\"records\":[]}", "{\"records\":[1,]}", "{'records':[]}",
      "{\"records\":[NaN]}"})
  void aBodyThatIsNotJsonOrNotAnObjectIsRefused(String body) {
    assertThat(reason(body)).isIn("not_json", "not_envelope");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"record\":[]}", "{\"records\":{}}", "{\"records\":\"[]\"}",
      "{\"records\":null}", "{\"records\":[],\"records\":[]}"})
  void anObjectWithoutOneRecordsArrayIsNotTheEnvelope(String body) {
    assertThat(reason(body)).isEqualTo("not_envelope");
  }

  @Test
  void deepNestingIsRefusedAtTheLimitWhereverItIs() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertThat(reason("{\"records\":" + deep + "}")).isEqualTo("json_limit");
    assertThat(reason("{\"x\":" + deep + ",\"records\":[]}")).isEqualTo("json_limit");
    assertThat(reason("{\"records\":[{\"data\":{\"params\":" + deep + "}}]}")).isEqualTo("json_limit");
    // {"records":[{"data":{"x": takes 4 levels.
    String ok = "[".repeat(EnvelopeParser.MAX_DEPTH - 4) + "]".repeat(EnvelopeParser.MAX_DEPTH - 4);
    assertThat(reason("{\"records\":[{\"data\":{\"x\":" + ok + "}}]}")).isEqualTo("parsed");
    assertThat(reason("{\"records\":[{\"data\":{\"x\":[" + ok + "]}}]}")).isEqualTo("json_limit");
  }

  @Test
  void aVeryLongNameIsRefused() {
    assertThat(reason("{\"" + "n".repeat(EnvelopeParser.MAX_NAME_LENGTH + 1) + "\":1,\"records\":[]}")).isEqualTo("json_limit");
  }

  @Test
  void elementsThatAreNotObjectsAndElementsPastTheLimitAreCounted() throws Exception {
    EnvelopeParser.Envelope e = parse("{\"records\":[1,\"x\",null,[{}],{},true,{},{}]}");
    assertThat(e.notObjects()).isEqualTo(4); // 1, "x", null, [{}]; then {} counts as a record
    assertThat(e.records()).hasSize(1);
    assertThat(e.tooMany()).isEqualTo(3); // past 5: true, {}, {}
  }

  @Test
  void aHugeArrayIsSkippedPastTheLimitWithoutKeepingIt() throws Exception {
    StringBuilder b = new StringBuilder("{\"records\":[");
    for (int i = 0; i < 1_000_000; i++) {
      b.append(i == 0 ? "" : ",").append("{\"data\":{}}");
    }
    EnvelopeParser.Envelope e = parse(b.append("]}").toString());
    assertThat(e.records()).hasSize(5);
    assertThat(e.tooMany()).isEqualTo(999_995);
  }

  @Test
  void aRecordWithDataOfTheWrongTypeHasNoData() throws Exception {
    EnvelopeParser.Envelope e = parse("{\"records\":[{\"data\":\"{}\",\"partition-key\":{\"a\":1}},{\"partition-key\":\"k\"}]}");
    assertThat(e.records()).extracting(r -> r.hasData).containsExactly(false, false);
    assertThat(e.records().get(0).partitionKey).isSameAs(RawRecord.WRONG);
  }

  @Test
  void paramsStringsAreReadWithMlflowsSeparatorsAndNaNAndABudget() throws Exception {
    int[] overflow = {0};
    assertThat(PARSER.parseParams("{\"imports\": [\"smile\", \"djl\"], \"n\": NaN}", overflow))
        .containsEntry("imports", List.of("smile", "djl"))
        .containsKey("n");
    assertThat(PARSER.parseParams("null", overflow)).isNull();
    StringBuilder many = new StringBuilder("{");
    for (int i = 0; i < 1_000; i++) {
      many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
    }
    Map<String, Object> read = PARSER.parseParams(many.append("}").toString(), overflow);
    assertThat(read).hasSize(EnvelopeParser.MAX_PARAM_ENTRIES);
    assertThat(overflow[0]).isEqualTo(1_000 - EnvelopeParser.MAX_PARAM_ENTRIES);
    assertThatThrownBy(() -> PARSER.parseParams("[1]", overflow)).isInstanceOf(java.io.IOException.class);
    assertThatThrownBy(() -> PARSER.parseParams("{\"a\":1} x", overflow)).isInstanceOf(java.io.IOException.class);
  }
}
