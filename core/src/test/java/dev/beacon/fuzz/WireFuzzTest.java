package dev.beacon.fuzz;

import static dev.beacon.fuzz.Gen.w;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beacon.ClientInfo;
import dev.beacon.Profile;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.Validation;
import dev.beacon.WireEncoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The wire encoder fed with whatever the privacy guard accepts from hostile input: every record is
 * valid JSON, {@code params} is a string holding exactly the validated params, and no string that is
 * not catalog vocabulary (or the client's own fixed fields) reaches the wire. Batches lose nothing.
 */
class WireFuzzTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SESSION = "45e2751243e84c7e87aca6ac25d75a0d";
  private static final Set<String> STATUSES = Set.of("success", "failure", "unknown");
  private static final Set<String> RECORD_FIELDS =
      Set.of(
          "session_id", "source_sdk", "schema_version", "java_version", "operating_system",
          "tracking_uri_scheme", "is_localhost", "timestamp_ns", "event_name", "params", "status",
          "duration_ms");

  /** Compares JSON numbers by value (an int node equals a long node of the same value). */
  private static final Comparator<JsonNode> BY_VALUE =
      (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
          return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
      };

  static ClientInfo info(Profile profile) {
    return ClientInfo.of(SESSION, profile, "17.0.15", "Linux", "6.1.0-18-amd64", "amd64", "sqlite:///mlflow.db");
  }

  /** A validated event from hostile input, as the shipper would hold it. */
  record Accepted(Profile profile, Validation validation, TelemetryEvent event) {
    @Override
    public String toString() {
      return "Accepted[" + profile.name() + ", " + event + "]";
    }
  }

  /** Built once: choosing the profile per try would rebuild the generators on every try. */
  private static final Gen<Accepted> ACCEPTED =
      Gen.frequency(w(1, acceptedFor(Hostile.MLFLOW)), w(1, acceptedFor(Hostile.SHAPES)));

  private static Gen<Accepted> acceptedFor(Profile profile) {
    Gen<Map.Entry<Object, Object>> raws = Hostile.namedParams(profile.catalog());
    Gen<Status> statuses = Gen.of(Status.values()).orNull(0.2);
    Gen<Long> timestamps = Gen.longs();
    Gen<Long> durations = Gen.longs(0, Long.MAX_VALUE).orNull(0.3);
    Gen<Accepted> any =
        r -> {
          Map.Entry<Object, Object> raw = raws.next(r);
          Status status = statuses.next(r);
          long ts = timestamps.next(r);
          Long duration = durations.next(r);
          Validation v = profile.catalog().validate(raw.getKey(), raw.getValue());
          return v.accepted()
              ? new Accepted(profile, v, new TelemetryEvent(v.eventName(), status, ts, duration, v.params()))
              : null;
        };
    return any.filter(a -> a != null);
  }

  private static final Gen<String> PARTITION_KEYS = Gen.strings(Gen.charsOf("0123456789abcdef"), 32, 32);

  /** One try of the record property: an accepted event and a partition key. */
  record RecordCase(Accepted accepted, String key) {}

  @Test
  void encodedRecordCarriesExactlyTheValidatedParamsAndOnlyVocabulary() {
    Gen.forAll(
        0x3143_0001L, 800, r -> new RecordCase(ACCEPTED.next(r), PARTITION_KEYS.next(r)),
        c -> encodedRecordCarriesExactlyTheValidatedParamsAndOnlyVocabulary(c.accepted(), c.key()));
  }

  private static void encodedRecordCarriesExactlyTheValidatedParamsAndOnlyVocabulary(Accepted a, String key)
      throws IOException {
    ClientInfo info = info(a.profile());
    WireEncoder encoder = new WireEncoder(info);
    byte[] bytes = encoder.encodeRecord(a.event(), key);

    JsonNode record = JSON.readTree(bytes);
    assertThat(record.isObject()).isTrue();
    assertThat(fieldNames(record)).containsExactlyInAnyOrder("data", "partition-key");
    assertThat(record.get("partition-key").textValue()).isEqualTo(key);
    JsonNode data = record.get("data");
    Set<String> expectedFields = new HashSet<>(RECORD_FIELDS);
    expectedFields.add(info.versionKey());
    assertThat(fieldNames(data)).containsExactlyInAnyOrderElementsOf(expectedFields);

    assertThat(data.get("event_name").textValue()).isEqualTo(a.validation().eventName());
    assertThat(data.get("status").textValue()).isIn(STATUSES).isEqualTo(a.event().status().wireValue());
    assertThat(data.get("timestamp_ns").longValue()).isEqualTo(a.event().timestampNs());
    if (a.event().durationMs() == null) {
      assertThat(data.get("duration_ms").isNull()).isTrue();
    } else {
      assertThat(data.get("duration_ms").longValue()).isEqualTo(a.event().durationMs());
    }

    JsonNode params = data.get("params");
    Map<String, Object> validated = a.validation().params();
    if (validated == null || validated.isEmpty()) {
      assertThat(params.isNull()).as("no params: null on the wire").isTrue();
    } else {
      assertThat(params.isTextual()).as("params is a JSON string, not an object").isTrue();
      JsonNode parsed = JSON.readTree(params.textValue());
      JsonNode expected = JSON.valueToTree(validated);
      assertThat(parsed.equals(BY_VALUE, expected))
          .as("params on the wire %s equal the validated params %s", parsed, expected)
          .isTrue();
    }

    // Only vocabulary: every string in the record (field names included, params decoded) is one of
    // the catalog's words, a status, a record field, or one of this client's own fixed values.
    Set<String> allowed = new HashSet<>(Hostile.vocabulary(a.profile().catalog()));
    allowed.addAll(STATUSES);
    allowed.addAll(expectedFields);
    allowed.addAll(List.of("data", "partition-key", key));
    allowed.addAll(
        List.of(
            info.sessionId(), info.sourceSdk(), info.sdkVersion(), info.javaVersion(),
            info.operatingSystem(), info.trackingUriScheme()));
    List<String> onWire = new ArrayList<>();
    strings(record, onWire);
    if (params.isTextual()) {
      strings(JSON.readTree(params.textValue()), onWire);
      onWire.remove(params.textValue());
    }
    assertThat(onWire).allSatisfy(s -> assertThat(allowed).as("free text on the wire").contains(s));
  }

  /** One try of the batch property: events and the encoder's limits. */
  record BatchCase(List<Accepted> events, int maxRecords, int maxEventBytes, int extraRequestBytes) {}

  @Test
  void batchesLoseNoEventAndRespectTheLimits() {
    Gen<List<Accepted>> events = ACCEPTED.list(0, 12);
    Gen<Integer> maxRecords = Gen.ints(1, 5);
    Gen<Integer> maxEventBytes = Gen.ints(150, 700);
    Gen<Integer> extraRequestBytes = Gen.ints(0, 3000);
    Gen.forAll(
        0x3143_0002L, 150,
        r -> new BatchCase(events.next(r), maxRecords.next(r), maxEventBytes.next(r), extraRequestBytes.next(r)),
        c -> batchesLoseNoEventAndRespectTheLimits(c.events(), c.maxRecords(), c.maxEventBytes(), c.extraRequestBytes()));
  }

  private static void batchesLoseNoEventAndRespectTheLimits(
      List<Accepted> events, int maxRecords, int maxEventBytes, int extraRequestBytes) throws IOException {
    if (events.isEmpty()) {
      return;
    }
    // one encoder per profile; the first event's profile decides, the others are re-validated there
    Profile profile = events.get(0).profile();
    List<TelemetryEvent> input = new ArrayList<>();
    for (Accepted a : events) {
      if (a.profile() == profile) {
        input.add(a.event());
      }
    }
    int maxRequestBytes = maxEventBytes + 14 + extraRequestBytes;
    WireEncoder encoder = new WireEncoder(info(profile), maxRecords, maxRequestBytes, maxEventBytes);
    AtomicInteger keys = new AtomicInteger();
    WireEncoder.Encoded encoded = encoder.encode(input, () -> String.format("%032x", keys.incrementAndGet()));

    List<TelemetryEvent> out = new ArrayList<>();
    for (WireEncoder.Payload p : encoded.payloads()) {
      assertThat(p.body().length).isLessThanOrEqualTo(maxRequestBytes);
      assertThat(p.records()).isBetween(1, maxRecords);
      JsonNode body = JSON.readTree(p.body());
      assertThat(fieldNames(body)).containsExactly("records");
      assertThat(body.get("records").size()).isEqualTo(p.records());
      for (int i = 0; i < p.records(); i++) {
        assertThat(body.get("records").get(i).get("data").get("event_name").textValue())
            .isEqualTo(p.events().get(i).name());
      }
      out.addAll(p.events());
    }
    for (TelemetryEvent e : encoded.oversize()) {
      assertThat(encoder.encodeRecord(e, "0".repeat(32)).length).isGreaterThan(maxEventBytes);
    }
    assertThat(out.size() + encoded.oversize().size())
        .as("sent + oversize = encoded")
        .isEqualTo(input.size());
    List<TelemetryEvent> kept = new ArrayList<>(input);
    kept.removeAll(encoded.oversize());
    assertThat(out).as("order is kept").containsExactlyElementsOf(kept);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static void strings(JsonNode node, List<String> out) {
    if (node.isTextual()) {
      out.add(node.textValue());
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        out.add(e.getKey());
        strings(e.getValue(), out);
      }
    } else if (node.isArray()) {
      node.forEach(n -> strings(n, out));
    }
  }
}
