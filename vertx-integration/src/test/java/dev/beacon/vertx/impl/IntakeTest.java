package dev.beacon.vertx.impl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IntakeTest {

  private static List<Object> items(Object body) {
    List<Object> out = new ArrayList<>();
    Intake.items(body, out::add);
    return out;
  }

  private static Intake.Candidate json(JsonObject json) {
    return Intake.candidate(json);
  }

  @Test
  void aHandOffGivesEachOfItsEventsInOrder() {
    TelemetryEvent a = TelemetryEvent.of("evaluate", null);
    TelemetryEvent b = TelemetryEvent.of("create_run", null);
    assertThat(items(new TelemetryEvent[] {a, null, b})).containsExactly(a, null, b);
  }

  @Test
  void aJsonArrayGivesEachElementEvenGarbage() {
    JsonObject one = new JsonObject().put("event_name", "evaluate");
    assertThat(items(new JsonArray().add(one).add(7).addNull())).containsExactly(one, 7, null);
  }

  @Test
  void anyOtherBodyIsOneItem() {
    JsonObject one = new JsonObject().put("event_name", "evaluate");
    assertThat(items(one)).containsExactly(one);
    assertThat(items("text")).containsExactly("text");
    assertThat(items(null)).containsExactly((Object) null);
    assertThat(items(List.of(1, 2))).hasSize(1);
  }

  @Test
  void whatIsNotAnEventIsNoCandidate() {
    for (Object garbage : Arrays.asList(null, "create_run", 42, new JsonArray(), Map.of("event_name", "evaluate"))) {
      assertThat(Intake.candidate(garbage)).as(String.valueOf(garbage)).isNull();
    }
  }

  @Test
  void aTypedEventKeepsItsFields() {
    Map<String, Object> params = Map.of("flavor", "sklearn");
    Intake.Candidate c = Intake.candidate(new TelemetryEvent("create_logged_model", Status.FAILURE, 77L, 12L, params));
    assertThat(c).isEqualTo(new Intake.Candidate("create_logged_model", params, Status.FAILURE, 77L, 12L));
  }

  @Test
  void aTypedEventWithoutATimeIsStampedOnReceiptAndANegativeDurationIsNone() {
    long before = TelemetryEvent.nowEpochNanos();
    Intake.Candidate zero = Intake.candidate(new TelemetryEvent("evaluate", null, 0, -1L, null));
    Intake.Candidate negative = Intake.candidate(new TelemetryEvent("evaluate", null, -9, null, null));
    long after = TelemetryEvent.nowEpochNanos();

    assertThat(zero.timestampNs()).isBetween(before, after);
    assertThat(negative.timestampNs()).isBetween(before, after);
    assertThat(zero.durationMs()).isNull();
    assertThat(zero.status()).isEqualTo(Status.UNKNOWN);
  }

  @Test
  void busJsonBecomesACandidateWithPlainParams() {
    Intake.Candidate c =
        json(new JsonObject()
            .put("event_name", "create_run")
            .put("params", new JsonObject().put("imports", new JsonArray().add("smile")).put("n", 3))
            .put("status", "success")
            .put("duration_ms", 12)
            .put("timestamp_ns", 1_753_760_188_623_715_000L));

    assertThat(c.name()).isEqualTo("create_run");
    assertThat(c.params()).isEqualTo(Map.of("imports", List.of("smile"), "n", 3));
    assertThat(((Map<?, ?>) c.params()).get("imports")).isInstanceOf(List.class).isNotInstanceOf(JsonArray.class);
    assertThat(c.status()).isEqualTo(Status.SUCCESS);
    assertThat(c.durationMs()).isEqualTo(12L);
    assertThat(c.timestampNs()).isEqualTo(1_753_760_188_623_715_000L);
  }

  @Test
  void jsonDurationIsAWholeNonNegativeNumberOrNone() {
    assertThat(json(new JsonObject().put("duration_ms", 12L)).durationMs()).isEqualTo(12L);
    assertThat(json(new JsonObject().put("duration_ms", 0)).durationMs()).isEqualTo(0L);
    assertThat(json(new JsonObject().put("duration_ms", -3)).durationMs()).isNull();
    assertThat(json(new JsonObject().put("duration_ms", 12.0)).durationMs()).isNull();
    assertThat(json(new JsonObject().put("duration_ms", "12")).durationMs()).isNull();
    assertThat(json(new JsonObject().put("duration_ms", true)).durationMs()).isNull();
    assertThat(json(new JsonObject()).durationMs()).isNull();
  }

  @Test
  void jsonTimestampThatIsNotAPositiveWholeNumberIsStampedOnReceipt() {
    long before = TelemetryEvent.nowEpochNanos();
    for (Object ts : Arrays.asList(null, 0, -5L, 1.5e18, "1753760188623715000")) {
      JsonObject msg = new JsonObject().put("event_name", "evaluate");
      if (ts != null) {
        msg.put("timestamp_ns", ts);
      }
      assertThat(json(msg).timestampNs()).as(String.valueOf(ts)).isBetween(before, TelemetryEvent.nowEpochNanos());
    }
    assertThat(json(new JsonObject().put("timestamp_ns", 5)).timestampNs()).isEqualTo(5L);
  }

  @Test
  void jsonStatusIsReadLenientlyAndDefaultsToUnknown() {
    assertThat(json(new JsonObject().put("status", " FAILURE ")).status()).isEqualTo(Status.FAILURE);
    assertThat(json(new JsonObject().put("status", "ok")).status()).isEqualTo(Status.UNKNOWN);
    assertThat(json(new JsonObject().put("status", 1)).status()).isEqualTo(Status.UNKNOWN);
    assertThat(json(new JsonObject()).status()).isEqualTo(Status.UNKNOWN);
  }

  @Test
  void jsonNameAndParamsOfAnyOtherShapeArePassedRawToTheGuard() {
    Intake.Candidate c = json(new JsonObject().put("event_name", 5).put("params", "not an object"));
    assertThat(c.name()).isEqualTo(5);
    assertThat(c.params()).isEqualTo("not an object");
    assertThat(json(new JsonObject()).params()).isNull();
    assertThat(json(new JsonObject()).name()).isNull();
  }
}
