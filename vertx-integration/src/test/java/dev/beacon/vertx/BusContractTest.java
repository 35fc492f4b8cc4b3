package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.await;
import static dev.beacon.vertx.ShipperFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.vertx.impl.TelemetryEventCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BusContractTest {

  private ShipperFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
    fx.serveConfigPointingAt(fx.base() + "/log");
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void codecHandsTheSameEventOverLocallyAndJsonAcrossTheWire() {
    TelemetryEventCodec codec = new TelemetryEventCodec();
    TelemetryEvent e =
        new TelemetryEvent("create_run", Status.FAILURE, 1_753_760_188_623_715_000L, 12L, Map.of("imports", List.of("smile")));
    assertThat(codec.transform(e)).isSameAs(e);

    Buffer wire = Buffer.buffer();
    wire.appendString("xx"); // the codec must honour the position it is given
    codec.encodeToWire(wire, e);
    JsonObject decoded = (JsonObject) codec.decodeFromWire(2, wire);
    assertThat(decoded.getString("event_name")).isEqualTo("create_run");
    assertThat(decoded.getString("status")).isEqualTo("failure");
    assertThat(decoded.getLong("timestamp_ns")).isEqualTo(1_753_760_188_623_715_000L);
    assertThat(decoded.getLong("duration_ms")).isEqualTo(12L);
    assertThat(decoded.getJsonObject("params").getJsonArray("imports").encode()).isEqualTo("[\"smile\"]");
  }

  @Test
  void wireDecodedEventsAreShippedLikeAnyJsonMessage() {
    TelemetryVerticle v = fx.deploy(fx.options());
    TelemetryEventCodec codec = new TelemetryEventCodec();
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, TelemetryEvent.of("create_run", Map.of("imports", List.of("weka"))));
    fx.send(codec.decodeFromWire(0, wire));
    Stats stats = fx.flush(v);

    assertThat(stats.sent()).isEqualTo(1);
    assertThat(fx.records().get(0).get("data").get("params").asText()).isEqualTo("{\"imports\":[\"weka\"]}");
  }

  @Test
  void statsAddressAnswersWithTheCountersAndTheDecision() {
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(event("evaluate"));
    fx.send(event("nonsense"));
    fx.flush(v);
    JsonObject reply =
        (JsonObject) await(fx.vertx.eventBus().request(TelemetryOptions.DEFAULT_ADDRESS + ".stats", null)).body();

    assertThat(reply.getLong("recorded")).isEqualTo(2);
    assertThat(reply.getLong("sent")).isEqualTo(1);
    assertThat(reply.getLong("dropped.invalid")).isEqualTo(1);
    assertThat(reply.getString("decision")).isEqualTo("enabled");
  }

  @Test
  void debugModePrintsEachPayloadToStandardErrorAndSendsNothing() {
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      TelemetryVerticle v =
          fx.deploy(fx.options(), dev.beacon.Environment.of(Map.of("BEACON_TELEMETRY_DEBUG", "1"), Map.of()));
      fx.send(event("evaluate"));
      Stats stats = fx.flush(v);

      List<String> lines = captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0)).startsWith("beacon debug: would send ").contains("\"event_name\":\"evaluate\"").contains("\"records\"");
      assertThat(stats.printed()).as("printed, never counted as sent").isEqualTo(1);
      assertThat(stats.sent()).isZero();
      assertThat(stats.balanced()).isTrue();
      assertThat(fx.wm.getAllServeEvents()).as("no config request, no ingestion request").isEmpty();
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void everyElementOfATypedBatchIsCountedEvenANullOne() {
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(new TelemetryEvent[] {event("evaluate"), null, event("nonsense"), event("evaluate")});
    Stats stats = await(fx.when(() -> v.stats().map(s -> s.recorded() >= 4)).compose(x -> v.flush()));

    assertThat(stats.recorded()).isEqualTo(4);
    assertThat(stats.sent()).isEqualTo(2);
    assertThat(stats.dropped(dev.beacon.DropReason.INVALID)).isEqualTo(2);
    ShipperFixture.assertBalanced(stats);
  }

  @Test
  void typedEventsAreNormalisedLikeJsonMessages() throws Exception {
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(new TelemetryEvent("evaluate", Status.SUCCESS, -1, -5L, null));
    fx.flush(v);

    var data = fx.records().get(0).get("data");
    assertThat(data.get("duration_ms").isNull()).as("a negative duration becomes null").isTrue();
    assertThat(data.get("timestamp_ns").asLong()).as("stamped on receipt").isGreaterThan(1_700_000_000_000_000_000L);
  }
}
