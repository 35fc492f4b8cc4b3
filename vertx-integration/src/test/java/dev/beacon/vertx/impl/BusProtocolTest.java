package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.OnVertx.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Stats;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BusProtocolTest {

  private static final AtomicInteger N = new AtomicInteger();
  private static Vertx vertx;
  private static EventBus bus;
  private final String address = "beacon.test." + N.incrementAndGet();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    bus = vertx.eventBus();
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  private static Stats someStats() {
    EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    dropped.put(DropReason.QUEUE_FULL, 4L);
    dropped.put(DropReason.SHUTDOWN, 1L);
    return new Stats(20, 12, 3, dropped, 2, 1, 7, 3, 5);
  }

  @Test
  void theAddressesSitBesideTheEventsAddress() {
    assertThat(BusProtocol.statsAddress("a.b")).isEqualTo("a.b.stats");
    assertThat(BusProtocol.fullnessAddress("a.b")).isEqualTo("a.b.fullness");
    assertThat(BusProtocol.controlAddress("a.b")).isEqualTo("a.b.control");
    assertThat(BusProtocol.LOCAL_ONLY.isLocalOnly()).isTrue();
  }

  @Test
  void aDisableRequestRoundTripsOverTheBus() {
    Promise<Object> got = Promise.promise();
    BusProtocol.onControl(bus, address, got::tryComplete).completion().await();
    BusProtocol.requestDisable(bus, address, "the host opted out");
    Object body = await(got.future());

    assertThat(BusProtocol.disableRequest(body)).isEqualTo("the host opted out");
    assertThat(BusProtocol.disabledAnnouncement(body)).as("a request is no announcement").isNull();
  }

  @Test
  void aDisabledAnnouncementRoundTripsOverTheBus() {
    Decision why = Decision.disabled(Decision.Cause.INGESTION_REJECTED, "ingestion rejected a batch (HTTP 401)");
    Promise<Object> got = Promise.promise();
    java.util.List<Object> onControl = new java.util.concurrent.CopyOnWriteArrayList<>();
    BusProtocol.onAnnouncement(bus, address, got::tryComplete).completion().await();
    BusProtocol.onControl(bus, address, onControl::add).completion().await();
    BusProtocol.announceDisabled(bus, address, why);
    Object body = await(got.future());

    assertThat(BusProtocol.disabledAnnouncement(body)).isEqualTo(why);
    assertThat(BusProtocol.disableRequest(body)).isNull();
    // a request on the control address sent after the announcement arrives after it on this bus
    Promise<Object> request = Promise.promise();
    BusProtocol.onControl(bus, address, request::tryComplete).completion().await();
    BusProtocol.requestDisable(bus, address, "marker");
    await(request.future());
    assertThat(onControl).as("shippers never hear their own announcement").hasSize(1);
    assertThat(BusProtocol.disableRequest(onControl.get(0))).isEqualTo("marker");
  }

  @Test
  void fullnessRoundTripsOverTheBus() {
    Promise<Object> full = Promise.promise();
    Promise<Object> room = Promise.promise();
    BusProtocol.onFullness(bus, address, b -> {
      if (!full.tryComplete(b)) {
        room.tryComplete(b);
      }
    }).completion().await();
    BusProtocol.announceFullness(bus, address, true);
    assertThat(BusProtocol.fullness(await(full.future()))).isTrue();
    BusProtocol.announceFullness(bus, address, false);
    assertThat(BusProtocol.fullness(await(room.future()))).isFalse();
  }

  @Test
  void theParsersRefuseEveryOtherShape() {
    for (Object body : new Object[] {null, "disable", 1, new JsonObject()}) {
      assertThat(BusProtocol.disableRequest(body)).isNull();
      assertThat(BusProtocol.disabledAnnouncement(body)).isNull();
      assertThat(BusProtocol.fullness(body)).isNull();
    }
    assertThat(BusProtocol.disableRequest(new JsonObject().put("disable", true))).isNull();
    assertThat(BusProtocol.disabledAnnouncement(new JsonObject().put("disabled", 3))).isNull();
    assertThat(BusProtocol.fullness(new JsonObject().put("full", "yes"))).isNull();
  }

  @Test
  void anAnnouncementWithAnUnknownCauseOrNoDetailStillSwitchesOff() {
    Decision unknown = BusProtocol.disabledAnnouncement(new JsonObject().put("disabled", "FROM_THE_FUTURE").put("detail", "d"));
    assertThat(unknown).isEqualTo(Decision.disabled(Decision.Cause.REMOTE_CONFIG, "d"));
    Decision bare = BusProtocol.disabledAnnouncement(new JsonObject().put("disabled", "OPT_OUT"));
    assertThat(bare).isEqualTo(Decision.disabled(Decision.Cause.OPT_OUT, "OPT_OUT"));
  }

  @Test
  void aStatsReplyGivesBackTheStats() {
    Stats stats = someStats();
    JsonObject reply = BusProtocol.statsReply(stats, Decision.ENABLED);
    assertThat(BusProtocol.statsOf(reply)).isEqualTo(stats);
    assertThat(BusProtocol.statsOf(new JsonObject(reply.encode()))).as("through JSON text").isEqualTo(stats);
    assertThat(reply.getString("decision")).isEqualTo("enabled");
    assertThat(reply.getLong("dropped.queue_full")).isEqualTo(4L);
  }

  @ParameterizedTest
  @EnumSource(Decision.Cause.class)
  void aStatsReplyGivesBackTheDecision(Decision.Cause cause) {
    Decision d = cause == Decision.Cause.ENABLED ? Decision.ENABLED : Decision.disabled(cause, "because " + cause);
    JsonObject reply = BusProtocol.statsReply(Stats.EMPTY, d);
    assertThat(BusProtocol.decisionOf(reply, null)).isEqualTo(d);
    assertThat(BusProtocol.decisionOf(new JsonObject(reply.encode()), null)).isEqualTo(d);
  }

  @Test
  void decisionOfAnUnknownCauseIsRemoteConfigWithItsDetail() {
    JsonObject reply = new JsonObject().put("decision_cause", "NEWER_CAUSE").put("decision_detail", "from a newer node");
    assertThat(BusProtocol.decisionOf(reply, Decision.ENABLED))
        .isEqualTo(Decision.disabled(Decision.Cause.REMOTE_CONFIG, "from a newer node"));
    assertThat(BusProtocol.decisionOf(new JsonObject().put("decision_cause", "NEWER_CAUSE"), Decision.ENABLED).detail())
        .isEqualTo("NEWER_CAUSE");
  }

  @Test
  void decisionOfAReplyWithoutACauseIsTheFallback() {
    Decision fallback = Decision.disabled(Decision.Cause.CI, "CI=true");
    assertThat(BusProtocol.decisionOf(new JsonObject(), fallback)).isSameAs(fallback);
    assertThat(BusProtocol.decisionOf(new JsonObject().put("decision_cause", 7), fallback)).isSameAs(fallback);
  }

  @Test
  void statsOfAnEmptyReplyIsAllZero() {
    assertThat(BusProtocol.statsOf(new JsonObject())).isEqualTo(Stats.EMPTY);
  }

  @Test
  void aStatsRequestIsAnsweredByTheShipperOnThatAddress() {
    Stats stats = someStats();
    Decision d = Decision.disabled(Decision.Cause.CONFIG_UNAVAILABLE, "remote config unavailable (timeout)");
    BusProtocol.answerStats(bus, address, () -> BusProtocol.statsReply(stats, d)).completion().await();
    JsonObject reply = await(BusProtocol.requestStats(vertx, address));

    assertThat(BusProtocol.statsOf(reply)).isEqualTo(stats);
    assertThat(BusProtocol.decisionOf(reply, Decision.ENABLED)).isEqualTo(d);
  }

  @Test
  void aStatsRequestWithNoShipperFails() {
    assertThatThrownBy(() -> await(BusProtocol.requestStats(vertx, address)))
        .hasRootCauseInstanceOf(ReplyException.class);
  }

  @Test
  void aStatsReplyThatIsNotJsonFailsTheRequest() {
    bus.localConsumer(BusProtocol.statsAddress(address), m -> m.reply("not json")).completion().await();
    assertThatThrownBy(() -> await(BusProtocol.requestStats(vertx, address)))
        .hasRootCauseInstanceOf(ReplyException.class);
  }

  @Test
  void theStatsMapHasEveryReasonUnderItsKey() {
    Map<String, Object> m = BusProtocol.statsReply(Stats.EMPTY, Decision.ENABLED).getMap();
    for (DropReason r : DropReason.values()) {
      assertThat(m).containsKey("dropped." + r.key());
    }
  }
}
