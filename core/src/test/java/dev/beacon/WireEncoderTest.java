package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beacon.WireEncoder.Encoded;
import dev.beacon.WireEncoder.Payload;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WireEncoderTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Profile MLFLOW = Profiles.mlflow("3.7.0");
  private static final String SESSION = "45e2751243e84c7e87aca6ac25d75a0d";
  private static final String KEY = "9f1c2e0b7a4d4b0c8e2f6a1b3c5d7e9f";
  private static final long TIMESTAMP = 1753760188623715000L;

  /** The ingestion request of DESIGN.md's appendix, verbatim. */
  private static final String APPENDIX =
      "{\"records\": [{\"data\": {\"session_id\": \"45e2751243e84c7e87aca6ac25d75a0d\", \"source_sdk\": \"mlflow-java\",\n"
          + "  \"mlflow_version\": \"3.7.0\", \"schema_version\": 2, \"java_version\": \"17.0.15\",\n"
          + "  \"operating_system\": \"Linux-6.1.0-18-amd64-x86_64\", \"tracking_uri_scheme\": \"sqlite\", \"is_localhost\": null,\n"
          + "  \"timestamp_ns\": 1753760188623715000, \"event_name\": \"create_run\",\n"
          + "  \"params\": \"{\\\"imports\\\":[\\\"smile\\\"]}\", \"status\": \"success\", \"duration_ms\": 12},\n"
          + "  \"partition-key\": \"9f1c2e0b7a4d4b0c8e2f6a1b3c5d7e9f\"}]}";

  private static final List<String> FIELD_ORDER =
      List.of(
          "session_id",
          "source_sdk",
          "mlflow_version",
          "schema_version",
          "java_version",
          "operating_system",
          "tracking_uri_scheme",
          "is_localhost",
          "timestamp_ns",
          "event_name",
          "params",
          "status",
          "duration_ms");

  private static ClientInfo info(String backendUri) {
    return ClientInfo.of(SESSION, MLFLOW, "17.0.15", "Linux", "6.1.0-18-amd64", "amd64", backendUri);
  }

  private static final ClientInfo INFO = info("sqlite:///mlflow.db");

  private static TelemetryEvent appendixEvent() {
    return new TelemetryEvent("create_run", Status.SUCCESS, TIMESTAMP, 12L, Map.of("imports", List.of("smile")));
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      return MAPPER.readTree(bytes);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
    }
  }

  private static JsonNode parse(String text) {
    return parse(text.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Supplier<String> fixedKey() {
    return () -> KEY;
  }

  private static List<TelemetryEvent> events(int n) {
    List<TelemetryEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new TelemetryEvent("create_run", Status.SUCCESS, TIMESTAMP + i, (long) i, Map.of("imports", List.of("smile"))));
    }
    return out;
  }

  // --- the record -----------------------------------------------------------------------------

  @Test
  void goldenRequestIsTheAppendixByteForByte() throws Exception {
    Encoded encoded = new WireEncoder(INFO).encode(List.of(appendixEvent()), fixedKey());
    assertThat(encoded.oversize()).isEmpty();
    assertThat(encoded.payloads()).hasSize(1);

    String expected = MAPPER.writeValueAsString(MAPPER.readTree(APPENDIX)); // minified, order kept
    String actual = new String(encoded.payloads().get(0).body(), StandardCharsets.UTF_8);
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void goldenRecordParsesBackFieldByField() throws Exception {
    byte[] body = new WireEncoder(INFO).encode(List.of(appendixEvent()), fixedKey()).payloads().get(0).body();
    JsonNode root = parse(body);

    assertThat(fieldNames(root)).containsExactly("records");
    assertThat(root.get("records").isArray()).isTrue();
    assertThat(root.get("records")).hasSize(1);
    JsonNode record = root.get("records").get(0);
    assertThat(fieldNames(record)).containsExactly("data", "partition-key");
    assertThat(record.get("partition-key").textValue()).isEqualTo(KEY);

    JsonNode data = record.get("data");
    assertThat(data.get("session_id").textValue()).isEqualTo(SESSION);
    assertThat(data.get("source_sdk").textValue()).isEqualTo("mlflow-java");
    assertThat(data.get("mlflow_version").textValue()).isEqualTo("3.7.0");
    assertThat(data.get("schema_version").isInt()).isTrue();
    assertThat(data.get("schema_version").intValue()).isEqualTo(2);
    assertThat(data.get("java_version").textValue()).isEqualTo("17.0.15");
    assertThat(data.get("operating_system").textValue()).isEqualTo("Linux-6.1.0-18-amd64-x86_64");
    assertThat(data.get("tracking_uri_scheme").textValue()).isEqualTo("sqlite");
    assertThat(data.get("is_localhost").isNull()).isTrue();
    assertThat(data.get("timestamp_ns").isIntegralNumber()).isTrue();
    assertThat(data.get("timestamp_ns").longValue()).isEqualTo(TIMESTAMP);
    assertThat(data.get("event_name").textValue()).isEqualTo("create_run");
    assertThat(data.get("params").isTextual()).as("params is a JSON string").isTrue();
    assertThat(MAPPER.readTree(data.get("params").textValue())).isEqualTo(MAPPER.readTree("{\"imports\":[\"smile\"]}"));
    assertThat(data.get("status").textValue()).isEqualTo("success");
    assertThat(data.get("duration_ms").isIntegralNumber()).isTrue();
    assertThat(data.get("duration_ms").longValue()).isEqualTo(12L);
  }

  @Test
  void fieldOrderMatchesTheAppendix() throws Exception {
    JsonNode appendixData = MAPPER.readTree(APPENDIX).get("records").get(0).get("data");
    assertThat(fieldNames(appendixData)).isEqualTo(FIELD_ORDER);

    byte[] record = new WireEncoder(INFO).encodeRecord(appendixEvent(), KEY);
    assertThat(fieldNames(parse(record).get("data"))).isEqualTo(FIELD_ORDER);
  }

  @Test
  void versionKeyFollowsTheProfile() {
    Profile acme = Profile.builder("acme").sdkName("acme-java").sdkVersion("9.9").event("start").build();
    ClientInfo info = ClientInfo.of(SESSION, acme, "17.0.15", "Linux", "6", "amd64", null);
    JsonNode data = parse(new WireEncoder(info).encodeRecord(TelemetryEvent.of("start", null), KEY)).get("data");
    assertThat(data.get("acme_version").textValue()).isEqualTo("9.9");
    assertThat(data.has("mlflow_version")).isFalse();
    assertThat(data.get("source_sdk").textValue()).isEqualTo("acme-java");
    assertThat(fieldNames(data).get(2)).isEqualTo("acme_version");
  }

  @Test
  void durationIsNullWhenAbsent() {
    TelemetryEvent e = new TelemetryEvent("create_run", Status.SUCCESS, TIMESTAMP, null, null);
    JsonNode data = parse(new WireEncoder(INFO).encodeRecord(e, KEY)).get("data");
    assertThat(data.has("duration_ms")).isTrue();
    assertThat(data.get("duration_ms").isNull()).isTrue();
  }

  @Test
  void paramsAreNullWhenAbsentOrEmpty() {
    WireEncoder encoder = new WireEncoder(INFO);
    for (TelemetryEvent e :
        List.of(
            new TelemetryEvent("evaluate", null, 1L, null, null),
            new TelemetryEvent("evaluate", null, 1L, null, Map.of()))) {
      JsonNode data = parse(encoder.encodeRecord(e, KEY)).get("data");
      assertThat(data.has("params")).isTrue();
      assertThat(data.get("params").isNull()).isTrue();
    }
  }

  @ParameterizedTest
  @CsvSource({"SUCCESS, success", "FAILURE, failure", "UNKNOWN, unknown"})
  void statusIsTheWireValue(Status status, String wire) {
    TelemetryEvent e = new TelemetryEvent("evaluate", status, 1L, 3L, null);
    assertThat(parse(new WireEncoder(INFO).encodeRecord(e, KEY)).get("data").get("status").textValue()).isEqualTo(wire);
  }

  @Test
  void localhostHttpBackendIsMarked() {
    JsonNode data = parse(new WireEncoder(info("http://127.0.0.1:5000")).encodeRecord(appendixEvent(), KEY)).get("data");
    assertThat(data.get("tracking_uri_scheme").textValue()).isEqualTo("http");
    assertThat(data.get("is_localhost").isBoolean()).isTrue();
    assertThat(data.get("is_localhost").booleanValue()).isTrue();
  }

  @Test
  void remoteHttpsBackendIsNotLocalhost() {
    JsonNode data = parse(new WireEncoder(info("https://mlflow.example.com")).encodeRecord(appendixEvent(), KEY)).get("data");
    assertThat(data.get("tracking_uri_scheme").textValue()).isEqualTo("https");
    assertThat(data.get("is_localhost").booleanValue()).isFalse();
    assertThat(new String(new WireEncoder(info("https://mlflow.example.com")).encodeRecord(appendixEvent(), KEY), StandardCharsets.UTF_8))
        .doesNotContain("example.com");
  }

  @Test
  void noBackendGivesNullScheme() {
    JsonNode data = parse(new WireEncoder(info(null)).encodeRecord(appendixEvent(), KEY)).get("data");
    assertThat(data.get("tracking_uri_scheme").isNull()).isTrue();
    assertThat(data.get("is_localhost").isNull()).isTrue();
  }

  @Test
  void validatedParamsGiveADeterministicSortedString() throws Exception {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("imports", List.of("weka", "smile"));
    raw.put("flavor", "sklearn");
    Catalog catalog =
        Catalog.of(
            List.of(
                EventDefinition.of(
                    "evaluate",
                    Map.of("imports", ParamSpec.listOf(MlLibraries.MARKERS.keySet()), "flavor", ParamSpec.oneOf("sklearn")))));
    Validation v = catalog.validate("evaluate", raw);
    TelemetryEvent e = new TelemetryEvent(v.eventName(), Status.SUCCESS, 1L, null, v.params());
    JsonNode data = parse(new WireEncoder(INFO).encodeRecord(e, KEY)).get("data");
    assertThat(data.get("params").textValue()).isEqualTo("{\"flavor\":\"sklearn\",\"imports\":[\"weka\",\"smile\"]}");
  }

  @Test
  void awkwardCharactersStayValidJson() throws Exception {
    String nasty = "q\"uote\\back\nline\u0000nul\u2028sep\uD83D\uDE80";
    TelemetryEvent e = new TelemetryEvent("evaluate", Status.SUCCESS, 1L, null, Map.of("k", nasty));
    JsonNode data = parse(new WireEncoder(INFO).encodeRecord(e, KEY)).get("data");
    assertThat(MAPPER.readTree(data.get("params").textValue()).get("k").textValue()).isEqualTo(nasty);
  }

  // --- batching -------------------------------------------------------------------------------

  @Test
  void twelveHundredEventsSplitInto500And500And200() {
    List<TelemetryEvent> events = events(1200);
    Encoded encoded = new WireEncoder(INFO).encode(events, fixedKey());

    assertThat(encoded.oversize()).isEmpty();
    assertThat(encoded.payloads()).extracting(Payload::records).containsExactly(500, 500, 200);
    List<TelemetryEvent> all = new ArrayList<>();
    long expectedTimestamp = TIMESTAMP;
    for (Payload p : encoded.payloads()) {
      JsonNode records = parse(p.body()).get("records");
      assertThat(records).hasSize(p.records());
      assertThat(p.events()).hasSize(p.records());
      for (JsonNode r : records) {
        assertThat(r.get("data").get("timestamp_ns").longValue()).isEqualTo(expectedTimestamp++);
      }
      all.addAll(p.events());
    }
    assertThat(all).isEqualTo(events);
  }

  @ParameterizedTest(name = "{0} events -> {1}")
  @CsvSource({"1, 1", "499, 499", "500, 500", "501, '500,1'", "1000, '500,500'"})
  void recordsPerRequestAreCappedAt500(int n, String expected) {
    Encoded encoded = new WireEncoder(INFO).encode(events(n), fixedKey());
    List<Integer> sizes = encoded.payloads().stream().map(Payload::records).toList();
    assertThat(sizes).isEqualTo(java.util.Arrays.stream(expected.split(",")).map(Integer::valueOf).toList());
  }

  @Test
  void emptyBatchGivesNoPayload() {
    Encoded encoded = new WireEncoder(INFO).encode(List.of(), fixedKey());
    assertThat(encoded.payloads()).isEmpty();
    assertThat(encoded.oversize()).isEmpty();
  }

  @Test
  void everyRecordGetsAFreshDistinctPartitionKey() {
    AtomicInteger calls = new AtomicInteger();
    Random random = new Random(7);
    Supplier<String> keys =
        () -> {
          calls.incrementAndGet();
          return Ids.randomHex32(random);
        };
    Encoded encoded = new WireEncoder(INFO).encode(events(1200), keys);

    Set<String> seen = new HashSet<>();
    for (Payload p : encoded.payloads()) {
      for (JsonNode r : parse(p.body()).get("records")) {
        String key = r.get("partition-key").textValue();
        assertThat(key).matches("[0-9a-f]{32}");
        seen.add(key);
      }
    }
    assertThat(calls.get()).isEqualTo(1200);
    assertThat(seen).hasSize(1200);
  }

  @Test
  void randomKeysAreWrittenInPlaceAsIdsWouldSpellThem() {
    // The shipper's overload draws two longs per record and writes the hex without a String:
    // the same keys Ids.randomHex32 gives for the same draws, in the same order.
    Encoded encoded = new WireEncoder(INFO).encode(events(600), new java.util.SplittableRandom(42));
    java.util.SplittableRandom replay = new java.util.SplittableRandom(42);
    int records = 0;
    for (Payload p : encoded.payloads()) {
      for (JsonNode r : parse(p.body()).get("records")) {
        assertThat(r.get("partition-key").textValue()).isEqualTo(Ids.randomHex32(replay));
        records++;
      }
    }
    assertThat(records).isEqualTo(600);
  }

  @Test
  void randomKeysGiveTheSameBytesAsTheSupplierApartFromTheKeys() {
    List<TelemetryEvent> events = events(3);
    java.util.SplittableRandom random = new java.util.SplittableRandom(9);
    java.util.SplittableRandom replay = new java.util.SplittableRandom(9);
    byte[] direct = new WireEncoder(INFO).encode(events, random).payloads().get(0).body();
    byte[] viaSupplier = new WireEncoder(INFO).encode(events, () -> Ids.randomHex32(replay)).payloads().get(0).body();
    assertThat(new String(direct, StandardCharsets.UTF_8)).isEqualTo(new String(viaSupplier, StandardCharsets.UTF_8));
  }

  @Test
  void eachRecordCarriesItsOwnParamsWhenParamsRepeatAndAlternate() {
    // Params are rendered once per distinct map within a call: equal maps (even distinct
    // instances) share a rendering, different ones never do, and more than the cache holds still
    // renders right.
    List<TelemetryEvent> events = new ArrayList<>();
    List<Map<String, ?>> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Map<String, Object> params =
          switch (i % 4) {
            case 0 -> Map.of("imports", List.of("smile"));
            case 1 -> Map.of("imports", List.of("smile", "xgboost"));
            case 2 -> new LinkedHashMap<>(Map.of("imports", List.of("smile"))); // equal, not the same
            default -> Map.of("n", (long) i, "flag", i % 8 == 3); // distinct: past the cache's 64
          };
      String name = i % 3 == 0 ? "create_run" : new String("create_" + "experiment"); // names repeat, not always the same instance
      events.add(new TelemetryEvent(name, Status.SUCCESS, TIMESTAMP + i, null, params));
      expected.add(params);
    }
    Encoded encoded = new WireEncoder(INFO).encode(events, fixedKey());
    int i = 0;
    for (Payload p : encoded.payloads()) {
      for (JsonNode r : parse(p.body()).get("records")) {
        JsonNode data = r.get("data");
        assertThat(data.get("event_name").textValue()).isEqualTo(events.get(i).name());
        assertThat(data.get("params").textValue()).as("record %d", i).isEqualTo(MAPPER.valueToTree(expected.get(i)).toString());
        i++;
      }
    }
    assertThat(i).isEqualTo(300);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"0", "1", "9", "10", "99", "100", "1753760188623715000", "9223372036854775807", "-1", "-9223372036854775808"})
  void numbersAreWrittenAsJavaPrintsThem(long value) {
    TelemetryEvent e = new TelemetryEvent("create_run", Status.SUCCESS, value, value, null);
    String record = new String(new WireEncoder(INFO).encodeRecord(e, KEY), StandardCharsets.UTF_8);
    assertThat(record).contains("\"timestamp_ns\":" + value + ",").contains("\"duration_ms\":" + value + "}");
  }

  @Test
  void payloadHandsOverItsBufferAndBodyTrimsIt() {
    Payload p = new WireEncoder(INFO).encode(events(2), fixedKey()).payloads().get(0);
    assertThat(p.bytes().length).isGreaterThanOrEqualTo(p.length());
    assertThat(p.body()).hasSize(p.length()).isEqualTo(java.util.Arrays.copyOf(p.bytes(), p.length()));
    assertThat(parse(p.body()).get("records")).hasSize(2);
  }

  @Test
  void requestByteCapSplitsByBytes() {
    int recordSize = new WireEncoder(INFO).encodeRecord(events(1).get(0), KEY).length;
    int maxEvent = recordSize + 16;
    // Room for exactly three records: head (12) + 3 records + 2 commas + tail (2).
    int maxRequest = 12 + 3 * recordSize + 2 + 2;
    WireEncoder encoder = new WireEncoder(INFO, 500, maxRequest, maxEvent);

    List<TelemetryEvent> events = events(10);
    Encoded encoded = encoder.encode(events, fixedKey());

    assertThat(encoded.oversize()).isEmpty();
    assertThat(encoded.payloads()).extracting(Payload::records).containsExactly(3, 3, 3, 1);
    List<TelemetryEvent> all = new ArrayList<>();
    for (Payload p : encoded.payloads()) {
      assertThat(p.body().length).isLessThanOrEqualTo(maxRequest);
      assertThat(parse(p.body()).get("records")).hasSize(p.records());
      all.addAll(p.events());
    }
    assertThat(all).isEqualTo(events);
    assertThat(encoded.payloads().get(0).body().length).isEqualTo(maxRequest);
  }

  @Test
  void oversizeEventIsReportedAndNotSent() {
    TelemetryEvent huge =
        new TelemetryEvent("create_run", Status.SUCCESS, 42L, null, Map.of("imports", List.of("x".repeat(20_000))));
    List<TelemetryEvent> events = new ArrayList<>(events(3));
    events.add(1, huge);

    Encoded encoded = new WireEncoder(INFO).encode(events, fixedKey());

    assertThat(encoded.oversize()).containsExactly(huge);
    assertThat(encoded.payloads()).hasSize(1);
    Payload p = encoded.payloads().get(0);
    assertThat(p.events()).doesNotContain(huge).hasSize(3);
    assertThat(new String(p.body(), StandardCharsets.UTF_8)).doesNotContain("xxxxxxxxxx");
    assertThat(parse(p.body()).get("records")).hasSize(3);
  }

  @Test
  void eventJustUnderTheCapIsSentAndJustOverIsNot() {
    TelemetryEvent small = events(1).get(0);
    int size = new WireEncoder(INFO).encodeRecord(small, KEY).length;
    WireEncoder exact = new WireEncoder(INFO, 500, WireEncoder.DEFAULT_MAX_REQUEST_BYTES, size);
    assertThat(exact.encode(List.of(small), fixedKey()).oversize()).isEmpty();
    WireEncoder tooSmall = new WireEncoder(INFO, 500, WireEncoder.DEFAULT_MAX_REQUEST_BYTES, size - 1);
    Encoded encoded = tooSmall.encode(List.of(small), fixedKey());
    assertThat(encoded.oversize()).containsExactly(small);
    assertThat(encoded.payloads()).isEmpty();
  }

  @Test
  void resultsAreImmutable() {
    Encoded encoded = new WireEncoder(INFO).encode(events(2), fixedKey());
    assertThatThrownBy(() -> encoded.payloads().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> encoded.oversize().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> encoded.payloads().get(0).events().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  // --- limits ---------------------------------------------------------------------------------

  @Test
  void defaultLimits() {
    assertThat(WireEncoder.DEFAULT_MAX_RECORDS).isEqualTo(500);
    assertThat(WireEncoder.DEFAULT_MAX_REQUEST_BYTES).isEqualTo(1024 * 1024);
    assertThat(WireEncoder.DEFAULT_MAX_EVENT_BYTES).isEqualTo(16 * 1024);
  }

  @ParameterizedTest(name = "records={0} request={1} event={2}")
  @CsvSource({
    "0, 1048576, 16384, maxRecords, 0",
    "-3, 1048576, 16384, maxRecords, -3",
    "500, 1048576, 0, maxEventBytes, 0",
    "500, 1048576, -1, maxEventBytes, -1",
    "500, 16384, 16384, maxRequestBytes, 16384",
    "500, 0, 16384, maxRequestBytes, 0",
    "500, -7, 16384, maxRequestBytes, -7",
  })
  void constructorRejectsBadLimitsWithTheValue(int records, int request, int event, String field, String value) {
    assertThatThrownBy(() -> new WireEncoder(INFO, records, request, event))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(field)
        .hasMessageEndingWith("but was " + value);
  }

  @Test
  void smallestRequestThatHoldsOneEventIsAccepted() {
    WireEncoder encoder = new WireEncoder(INFO, 1, 1000 + 14, 1000);
    Encoded encoded = encoder.encode(events(2), fixedKey());
    assertThat(encoded.payloads()).extracting(Payload::records).containsExactly(1, 1);
  }
}
