package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.ShipperRig.ev;
import static dev.beacon.vertx.impl.ShipperRig.evs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.RemoteConfig;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What happens to each event on arrival: counted once, held, checked, dropped under one reason. */
class ShipperIntakeTest {

  private static final RemoteConfig.Verdict CONFIG_OFF =
      new RemoteConfig.Verdict(
          Decision.disabled(Decision.Cause.CONFIG_UNAVAILABLE, "remote config unavailable (timeout)"), null, Set.of());

  @Test
  void theFirstEventFetchesTheConfigOnceAndEventsAreHeldMeanwhile() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 10);
    rig.sendEach(0, 5);

    assertThat(rig.configRequests).hasSize(1);
    assertThat(rig.sender.count()).isZero();
    Stats s = rig.stats();
    assertThat(s.recorded()).isEqualTo(5);
    assertThat(s.pending()).isEqualTo(5);
    assertThat(s.droppedTotal()).isZero();
  }

  @Test
  void heldEventsLeaveAsOneBatchWhenTheConfigSaysOn() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 3);
    rig.sendEach(0, 3).configOn();

    assertThat(rig.senderUrls).containsExactly(ShipperRig.INGEST);
    assertThat(rig.sender.count()).isEqualTo(1);
    assertThat(rig.sender.last().numbers()).containsExactly(0L, 1L, 2L);
    rig.answer(FakeSender.ok());
    assertThat(rig.stats().sent()).isEqualTo(3);
    assertThat(rig.stats().pending()).isZero();
  }

  @Test
  void heldEventsAreDroppedAsDisabledWhenTheConfigSaysOff() {
    ShipperRig rig = new ShipperRig();
    rig.sendEach(0, 2).config(CONFIG_OFF);

    assertThat(rig.stats().dropped(DropReason.DISABLED)).isEqualTo(2);
    assertThat(rig.shipper.decision()).isEqualTo(CONFIG_OFF.decision());
    assertThat(rig.signals.disabled).containsExactly(CONFIG_OFF.decision());
    rig.send(ev(9));
    assertThat(rig.stats().dropped(DropReason.DISABLED)).isEqualTo(3);
    assertThat(rig.senderUrls).isEmpty();
    assertThat(rig.configRequests).hasSize(1);
  }

  @Test
  void eventsTheConfigSwitchesOffAreDroppedHeldAndLater() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.send(ev("create_run", 0)).send(ev("start_trace", 1));
    rig.config(new RemoteConfig.Verdict(Decision.ENABLED, ShipperRig.INGEST, Set.of("create_run")));

    assertThat(rig.stats().dropped(DropReason.DISABLED)).isEqualTo(1);
    rig.send(ev("create_run", 2)).send(ev("start_trace", 3));
    assertThat(rig.stats().dropped(DropReason.DISABLED)).isEqualTo(2);
    assertThat(rig.sender.last().numbers()).containsExactly(1L, 3L);
    assertThat(rig.shipper.decision().enabled()).isTrue();
    assertThat(rig.signals.disabled).isEmpty();
  }

  @Test
  void invalidEventsAreCountedAsInvalidAndFetchNothing() {
    ShipperRig rig = new ShipperRig();
    rig.send(ev("no_such_event", 0))
        .send(new JsonObject().put("status", "success"))
        .send(new JsonObject().put("event_name", 42))
        .send(null)
        .send(17)
        .send("create_run")
        .send(new TelemetryEvent(null, Status.SUCCESS, 1, null, null));

    Stats s = rig.stats();
    assertThat(s.recorded()).isEqualTo(7);
    assertThat(s.dropped(DropReason.INVALID)).isEqualTo(7);
    assertThat(rig.configRequests).as("an invalid event is not a first event").isEmpty();
  }

  @Test
  void everyBodyShapeCountsEachEventItCarriesOnce() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.send(ev(0))
        .send(evs(1, 3))
        .send(new JsonObject().put("event_name", "create_prompt"))
        .send(new JsonArray()
            .add(new JsonObject().put("event_name", "evaluate"))
            .add("garbage")
            .add(new JsonObject().put("event_name", "start_trace")))
        .send(new TelemetryEvent[] {ev(5), null});

    Stats s = rig.stats();
    assertThat(s.recorded()).isEqualTo(1 + 2 + 1 + 3 + 2);
    assertThat(s.dropped(DropReason.INVALID)).isEqualTo(2);
    assertThat(s.pending()).isEqualTo(7);
  }

  @Test
  void dropsWhenQueueFullBeforeThePrivacyGuard() {
    ShipperRig rig = new ShipperRig(k -> {
      k.capacity = 3;
      k.batchSize = 10;
    });
    rig.sendEach(0, 5).send(ev("no_such_event", 9));

    Stats s = rig.stats();
    assertThat(s.pending()).isEqualTo(3);
    assertThat(s.dropped(DropReason.QUEUE_FULL)).as("the invalid one too: full is checked first").isEqualTo(3);
    assertThat(s.dropped(DropReason.INVALID)).isZero();
  }

  @Test
  void eventsInFlightCountAgainstCapacity() {
    ShipperRig rig = new ShipperRig(k -> {
      k.capacity = 3;
      k.batchSize = 2;
    });
    rig.activeWith(2); // on the wire: 2
    rig.sendEach(2, 4);

    assertThat(rig.stats().pending()).isEqualTo(3);
    assertThat(rig.stats().dropped(DropReason.QUEUE_FULL)).isEqualTo(1);
  }

  @Test
  void signalsFullOnceThenRoomWhenTheQueueDrains() {
    ShipperRig rig = new ShipperRig(k -> {
      k.capacity = 3;
      k.batchSize = 2;
    });
    rig.activeWith(2).send(ev(2));
    assertThat(rig.signals.fullness).containsExactly(true);

    rig.send(ev(3)).send(ev(4)); // dropped, still full: no new signal
    assertThat(rig.signals.fullness).containsExactly(true);

    rig.answer(FakeSender.ok()); // 2 sent, 1 left
    assertThat(rig.signals.fullness).containsExactly(true, false);
    assertThat(rig.stats().dropped(DropReason.QUEUE_FULL)).isEqualTo(2);
  }

  @Test
  void aFullQueueHeldDuringTheFetchIsAnnouncedAndRoomComesWithTheConfigOff() {
    ShipperRig rig = new ShipperRig(k -> {
      k.capacity = 2;
      k.batchSize = 10;
    });
    rig.sendEach(0, 3);
    assertThat(rig.signals.fullness).containsExactly(true);
    rig.config(CONFIG_OFF);
    assertThat(rig.signals.fullness).containsExactly(true, false);
  }

  @Test
  void roomMadeByTheConfigsDisabledEventsIsAnnounced() {
    ShipperRig rig = new ShipperRig(k -> {
      k.capacity = 2;
      k.batchSize = 10;
    });
    rig.send(ev("create_run", 0)).send(ev("create_run", 1));
    assertThat(rig.signals.fullness).containsExactly(true);
    rig.config(new RemoteConfig.Verdict(Decision.ENABLED, ShipperRig.INGEST, Set.of("create_run")));

    assertThat(rig.stats().pending()).isZero();
    assertThat(rig.signals.fullness).containsExactly(true, false);
  }

  @Test
  void paramsOutsideTheCatalogAreStrippedAndTheRestSent() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 1);
    rig.send(new TelemetryEvent("create_run", Status.SUCCESS, 5, 1L, Map.of("imports", List.of("smile"), "bogus", true)));
    rig.configOn();

    JsonNode record = rig.sender.last().records().get(0);
    assertThat(record.get("params").asText()).isEqualTo("{\"imports\":[\"smile\"]}");
    assertThat(rig.stats().paramsStripped()).isEqualTo(1);
  }

  @Test
  void recordsCarryTheClientFieldsAndEachEvent() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.send(new TelemetryEvent("create_prompt", Status.FAILURE, 1_234L, 12L, null))
        .send(new JsonObject().put("event_name", "evaluate"));
    rig.configOn();

    List<JsonNode> records = rig.sender.last().records();
    JsonNode first = records.get(0);
    assertThat(first.get("session_id").asText()).isEqualTo(ShipperRig.SESSION);
    assertThat(first.get("source_sdk").asText()).isEqualTo("mlflow-java");
    assertThat(first.get("mlflow_version").asText()).isEqualTo("3.7.0");
    assertThat(first.get("schema_version").asInt()).isEqualTo(2);
    assertThat(first.get("tracking_uri_scheme").asText()).isEqualTo("sqlite");
    assertThat(first.get("event_name").asText()).isEqualTo("create_prompt");
    assertThat(first.get("status").asText()).isEqualTo("failure");
    assertThat(first.get("timestamp_ns").asLong()).isEqualTo(1_234L);
    assertThat(first.get("duration_ms").asLong()).isEqualTo(12L);
    assertThat(first.get("params").isNull()).isTrue();
    JsonNode second = records.get(1);
    assertThat(second.get("status").asText()).isEqualTo("unknown");
    assertThat(second.get("duration_ms").isNull()).isTrue();
    assertThat(second.get("timestamp_ns").asLong()).as("stamped on receipt").isPositive();
    assertThat(rig.sender.last().partitionKeys()).allMatch(k -> k.matches("[0-9a-f]{32}")).doesNotHaveDuplicates();
  }

  @Test
  void theLiveOptOutIsReadOncePerMessageAndSwitchesOff() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.send(evs(0, 3));
    assertThat(rig.liveOptOutReads).isEqualTo(1);
    rig.configOn().send(ev(3));
    assertThat(rig.liveOptOutReads).isEqualTo(2);

    Decision optOut = Decision.disabled(Decision.Cause.OPT_OUT, "MLFLOW_DISABLE_TELEMETRY=true");
    rig.liveOptOut = optOut;
    rig.send(evs(4, 6));

    Stats s = rig.stats();
    assertThat(s.dropped(DropReason.DISABLED)).as("4 held + the 2 of this message").isEqualTo(6);
    assertThat(s.pending()).isZero();
    assertThat(rig.shipper.decision()).isEqualTo(optOut);
    assertThat(rig.signals.disabled).containsExactly(optOut);
    rig.send(ev(7));
    assertThat(rig.liveOptOutReads).as("off: no more re-checks").isEqualTo(3);
    assertThat(rig.sender.count()).isZero();
  }

  @Test
  void aDisableRequestOnControlSwitchesOffOnce() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.activeWith(2);
    rig.shipper.onControl(new JsonObject().put("something", "else"));
    rig.shipper.onControl("disable");
    rig.shipper.onControl(null);
    assertThat(rig.shipper.decision().enabled()).isTrue();

    rig.shipper.onControl(new JsonObject().put("disable", "the host opted out"));
    rig.shipper.onControl(new JsonObject().put("disable", "again"));

    assertThat(rig.shipper.decision())
        .isEqualTo(Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, "the host opted out"));
    assertThat(rig.signals.disabled).hasSize(1);
    assertThat(rig.stats().dropped(DropReason.DISABLED)).isEqualTo(2);
    rig.send(ev(5));
    assertThat(rig.stats().dropped(DropReason.DISABLED)).isEqualTo(3);
    assertThat(rig.timers.pending()).as("the interval timer went with the queue").isZero();
  }

  @Test
  void aParamsMapThatThrowsIsCountedOnceAsInvalid() {
    Map<String, Object> hostile =
        new AbstractMap<>() {
          @Override
          public Set<Entry<String, Object>> entrySet() {
            throw new IllegalStateException("changed while read");
          }

          @Override
          public int size() {
            return 1;
          }
        };
    ShipperRig rig = new ShipperRig();
    rig.send(new TelemetryEvent("create_run", Status.SUCCESS, 1, null, hostile)).send(ev(1));

    Stats s = rig.stats();
    assertThat(s.recorded()).isEqualTo(2);
    assertThat(s.dropped(DropReason.INVALID)).isEqualTo(1);
    assertThat(s.pending()).isEqualTo(1);
  }

  @Test
  void anOffShipperDropsEverythingAsDisabledAndAsksNothing() {
    Decision ci = Decision.disabled(Decision.Cause.CI, "CI=true");
    ShipperRig rig = ShipperRig.off(ci);
    rig.send(ev(0)).send(evs(1, 4));

    assertThat(rig.stats().dropped(DropReason.DISABLED)).isEqualTo(4);
    assertThat(rig.shipper.decision()).isEqualTo(ci);
    assertThat(rig.liveOptOutReads).isZero();
    assertThat(rig.configRequests).isEmpty();
    assertThat(rig.signals.disabled).isEmpty();
  }
}
