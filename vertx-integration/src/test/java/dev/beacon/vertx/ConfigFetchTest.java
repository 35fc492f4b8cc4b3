package dev.beacon.vertx;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.beacon.vertx.ShipperFixture.assertBalanced;
import static dev.beacon.vertx.ShipperFixture.await;
import static dev.beacon.vertx.ShipperFixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.beacon.ClientInfo;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Stats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The remote config matrix: every way the config can answer (or not), and what the verticle then
 * decides, sends, drops and counts. Each case deploys, sends three events, flushes, and checks the
 * decision and its reason, what reached ingestion, the stats identity, and that the config was
 * fetched exactly once even after more events.
 */
class ConfigFetchTest {

  private static final String CONFIG_PATH = "/config/" + ShipperFixture.VERSION + ".json";

  private ShipperFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  // ---------------------------------------------------------------- on

  @Test
  void acceptedConfigEnablesAndShipsToItsIngestionUrl() {
    fx.serveConfigPointingAt(fx.base() + "/log");
    TelemetryVerticle v = fx.deploy(fx.options());

    Stats first = sendAndFlush(v, "create_prompt", 3);

    assertThat(v.decision().enabled()).isTrue();
    assertThat(v.decision().cause()).isEqualTo(Decision.Cause.ENABLED);
    assertThat(v.decision().describe()).isEqualTo("enabled");
    assertThat(first.sent()).isEqualTo(3);
    assertThat(first.droppedTotal()).isZero();
    assertBalanced(first);
    assertThat(fx.ingestionRequests()).hasSize(1);
    assertThat(eventNames(fx.records())).containsExactly("create_prompt", "create_prompt", "create_prompt");

    Stats later = sendAndFlush(v, "create_prompt", 2);
    assertThat(later.sent()).isEqualTo(5);
    assertThat(fx.records()).hasSize(5);
    assertBalanced(later);
    assertOneConfigRequest();
  }

  @Test
  void aConfigOfExactly64KiBIsStillRead() {
    String body = padTo(doc(fx, d -> { }), 64 * 1024);
    assertThat(body.length()).isEqualTo(64 * 1024);
    fx.serveConfig(body);
    TelemetryVerticle v = fx.deploy(fx.options());

    Stats stats = sendAndFlush(v, "create_prompt", 3);

    assertThat(v.decision().enabled()).as("decision %s", v.decision()).isTrue();
    assertThat(stats.sent()).isEqualTo(3);
    assertBalanced(stats);
    assertOneConfigRequest();
  }

  @Test
  void anUnknownFieldWithALongStringIsIgnored() {
    fx.serveConfig(doc(fx, d -> d.put("notes", "x".repeat(20 * 1024))));
    TelemetryVerticle v = fx.deploy(fx.options());

    Stats stats = sendAndFlush(v, "create_prompt", 3);

    assertThat(v.decision().enabled()).as("decision %s", v.decision()).isTrue();
    assertThat(stats.sent()).isEqualTo(3);
    assertOneConfigRequest();
  }

  @Test
  void aTrailingSlashOnTheConfigUrlIsHarmless() {
    fx.serveConfigPointingAt(fx.base() + "/log");
    TelemetryVerticle v = fx.deploy(fx.options().setConfigUrl(fx.base() + "/config/"));

    Stats stats = sendAndFlush(v, "create_prompt", 3);

    assertThat(v.decision().enabled()).isTrue();
    assertThat(stats.sent()).isEqualTo(3);
    assertOneConfigRequest();
  }

  @Test
  void disabledEventsAreDroppedWhileOtherEventsArrive() {
    fx.serveConfig(doc(fx, d -> d.put("disable_events", new JsonArray().add("create_prompt"))));
    TelemetryVerticle v = fx.deploy(fx.options());

    Stats first = sendAndFlush(v, "create_prompt", 3);

    assertThat(v.decision().enabled()).as("disable_events leaves telemetry on").isTrue();
    assertThat(v.decision().cause()).isEqualTo(Decision.Cause.ENABLED);
    assertThat(first.dropped(DropReason.DISABLED)).as("held events of a disabled name are dropped").isEqualTo(3);
    assertThat(first.sent()).isZero();
    assertBalanced(first);
    assertThat(fx.ingestionRequests()).isEmpty();

    Stats later = sendAndFlush(v, List.of("evaluate", "create_prompt", "evaluate"));
    assertThat(later.dropped(DropReason.DISABLED)).as("also after the config answered").isEqualTo(4);
    assertThat(later.sent()).isEqualTo(2);
    assertThat(eventNames(fx.records())).containsExactly("evaluate", "evaluate");
    assertBalanced(later);
    assertOneConfigRequest();
  }

  @Test
  void eventsAreHeldWhileTheConfigIsPendingBoundedByCapacity() {
    fx.wm.stubFor(get(urlEqualTo(CONFIG_PATH))
        .willReturn(okJson(ShipperFixture.configJson(fx.base() + "/log")).withFixedDelay(500)));
    TelemetryVerticle v = fx.deploy(fx.options().setCapacity(3).setConfigTimeoutMs(5_000));

    Stats stats = sendAndFlush(v, "create_prompt", 5);

    assertThat(v.decision().enabled()).isTrue();
    assertThat(stats.dropped(DropReason.QUEUE_FULL)).as("held events count against capacity").isEqualTo(2);
    assertThat(stats.sent()).as("the held events leave once the config answers").isEqualTo(3);
    assertBalanced(stats);
    assertThat(fx.records()).hasSize(3);
    assertOneConfigRequest();
  }

  // ---------------------------------------------------------------- off: the fetch fails

  /** A way the config endpoint fails, and the words the decision must use. */
  record Failure(String name, Function<ShipperFixture, ResponseDefinitionBuilder> response, String[] detail) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Failure> failures() {
    return Stream.of(
        new Failure("404", f -> aResponse().withStatus(404), new String[] {"remote config unavailable", "HTTP 404"}),
        new Failure("500 with a valid body",
            f -> aResponse().withStatus(500).withBody(ShipperFixture.configJson(f.base() + "/log")),
            new String[] {"remote config unavailable", "HTTP 500"}),
        new Failure("201 with a valid body",
            f -> aResponse().withStatus(201).withBody(ShipperFixture.configJson(f.base() + "/log")),
            new String[] {"remote config unavailable", "HTTP 201"}),
        new Failure("malformed JSON", f -> okJson("{\"mlflow_version\": \"3.7.0\", \"ingestion_url\": "),
            new String[] {"not valid JSON"}),
        new Failure("not an object", f -> okJson("[]"), new String[] {"not a JSON object"}),
        new Failure("empty body", f -> okJson(""), new String[] {"remote config"}),
        new Failure("field of the wrong type", f -> okJson(doc(f, d -> d.put("disable_sdks", "mlflow-java"))),
            new String[] {"disable_sdks", "wrong type"}),
        new Failure("oversized body (a valid document padded past 64 KiB)",
            f -> okJson(padTo(doc(f, d -> { }), 64 * 1024 + 1)),
            new String[] {"larger than 65536 bytes"}),
        new Failure("oversized body (one huge unknown field)",
            f -> okJson(doc(f, d -> d.put("padding", "x".repeat(200 * 1024)))),
            new String[] {"larger than 65536 bytes"}),
        new Failure("connection reset", f -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
            new String[] {"remote config unavailable"}),
        new Failure("empty response", f -> aResponse().withFault(Fault.EMPTY_RESPONSE),
            new String[] {"remote config unavailable"}),
        new Failure("garbage then close", f -> aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE),
            new String[] {"remote config unavailable"}),
        new Failure("malformed chunk", f -> aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK),
            new String[] {"remote config"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void aFailedFetchDisablesForTheProcess(Failure failure) {
    fx.wm.stubFor(get(urlEqualTo(CONFIG_PATH)).willReturn(failure.response().apply(fx)));
    TelemetryVerticle v = fx.deploy(fx.options());

    assertOff(v, sendAndFlush(v, "create_prompt", 3), Decision.Cause.CONFIG_UNAVAILABLE, failure.detail());
    assertOneConfigRequest();
  }

  @Test
  void aConfigSlowerThanTheTimeoutDisablesWithoutWaitingForIt() {
    fx.wm.stubFor(get(urlEqualTo(CONFIG_PATH))
        .willReturn(okJson(ShipperFixture.configJson(fx.base() + "/log")).withFixedDelay(3_000)));
    TelemetryVerticle v = fx.deploy(fx.options().setConfigTimeoutMs(200));

    long t0 = System.nanoTime();
    Stats first = sendAndFlush(v, "create_prompt", 3);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(ms).as("flush answers at the 200 ms config timeout, not at the 3 s delay").isLessThan(1_500);
    assertOff(v, first, Decision.Cause.CONFIG_UNAVAILABLE, "remote config unavailable", "timeout");
    assertOneConfigRequest();
  }

  @Test
  void aConfigThatDribblesPastTheTimeoutHitsTheHardDeadline() {
    // 30 chunks over 3 s: the connection is never idle for 200 ms, so only a hard deadline stops it.
    fx.wm.stubFor(get(urlEqualTo(CONFIG_PATH))
        .willReturn(okJson(ShipperFixture.configJson(fx.base() + "/log")).withChunkedDribbleDelay(30, 3_000)));
    TelemetryVerticle v = fx.deploy(fx.options().setConfigTimeoutMs(200));

    long t0 = System.nanoTime();
    Stats first = sendAndFlush(v, "create_prompt", 3);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(ms).as("the config timeout is a deadline, not an idle timeout").isLessThan(1_500);
    assertOff(v, first, Decision.Cause.CONFIG_UNAVAILABLE, "remote config unavailable", "timeout");
    assertOneConfigRequest();
  }

  @Test
  void aRefusedConnectionDisables() {
    String refused = ShipperFixture.refused().replace("/log", "/config");
    TelemetryVerticle v = fx.deploy(fx.options().setConfigUrl(refused));

    assertOff(v, sendAndFlush(v, "create_prompt", 3), Decision.Cause.CONFIG_UNAVAILABLE,
        "remote config unavailable", "connection refused");
    assertThat(fx.wm.getAllServeEvents()).as("nothing else was contacted").isEmpty();
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void aRedirectIsNotFollowed(int status) {
    String target = "/elsewhere/" + ShipperFixture.VERSION + ".json";
    fx.wm.stubFor(get(urlEqualTo(CONFIG_PATH))
        .willReturn(aResponse().withStatus(status).withHeader("Location", fx.base() + target)));
    fx.wm.stubFor(get(urlEqualTo(target)).willReturn(okJson(ShipperFixture.configJson(fx.base() + "/log"))));
    TelemetryVerticle v = fx.deploy(fx.options());

    assertOff(v, sendAndFlush(v, "create_prompt", 3), Decision.Cause.CONFIG_UNAVAILABLE,
        "redirect", String.valueOf(status), "not followed");
    assertOneConfigRequest();
    assertThat(fx.wm.findAll(getRequestedFor(urlEqualTo(target))))
        .as("the redirect target is never requested")
        .isEmpty();
  }

  // ---------------------------------------------------------------- off: a rule in the document

  /** A config document rule that switches telemetry off, and the words the decision must use. */
  record Rule(String name, Function<ShipperFixture, String> body, String[] detail) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Rule> rules() {
    String platform = ClientInfo.platform(System.getProperty("os.name"));
    return Stream.of(
        new Rule("version mismatch", f -> doc(f, d -> d.put("mlflow_version", "3.6.0")),
            new String[] {"version mismatch", "3.7.0"}),
        new Rule("version missing", f -> doc(f, d -> d.remove("mlflow_version")),
            new String[] {"version mismatch"}),
        new Rule("disable_telemetry true", f -> doc(f, d -> d.put("disable_telemetry", true)),
            new String[] {"disable_telemetry is true"}),
        new Rule("rollout_percentage 0", f -> doc(f, d -> d.put("rollout_percentage", 0)),
            new String[] {"rollout", "0.0%"}),
        new Rule("disable_sdks mlflow-java",
            f -> doc(f, d -> d.put("disable_sdks", new JsonArray().add("mlflow-python").add("mlflow-java"))),
            new String[] {"SDK mlflow-java is disabled"}),
        new Rule("disable_os this platform",
            f -> doc(f, d -> d.put("disable_os", new JsonArray().add(platform))),
            new String[] {"OS " + platform + " is disabled"}),
        new Rule("no ingestion_url", f -> doc(f, d -> d.remove("ingestion_url")),
            new String[] {"no ingestion_url"}),
        new Rule("plain http ingestion_url to a remote host",
            f -> doc(f, d -> d.put("ingestion_url", "http://example.com/log")),
            new String[] {"ingestion_url refused", "non-loopback"}),
        new Rule("ingestion_url with another scheme",
            f -> doc(f, d -> d.put("ingestion_url", "ftp://127.0.0.1/log")),
            new String[] {"ingestion_url refused", "ftp"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void aRuleInTheDocumentDisablesAndSaysWhich(Rule rule) {
    fx.serveConfig(rule.body().apply(fx));
    TelemetryVerticle v = fx.deploy(fx.options());

    Stats last = assertOff(v, sendAndFlush(v, "create_prompt", 3), Decision.Cause.REMOTE_CONFIG, rule.detail());
    assertThat(last.requests()).as("no ingestion request was even attempted").isZero();
    assertThat(fx.wm.getAllServeEvents()).as("only the config was requested").hasSize(1);
    assertOneConfigRequest();
  }

  @Test
  void plainHttpConfigUrlWithoutAllowInsecureLoopbackFailsTheDeployment() {
    TelemetryOptions options = fx.options().setAllowInsecureLoopback(false);
    Throwable failure = failureOf(fx.vertx.deployVerticle(new TelemetryVerticle(options, ShipperFixture.CLEAN_ENV)));

    assertThat(failure).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure.getMessage()).contains("configUrl").contains(fx.base() + "/config");
    assertThat(fx.vertx.deploymentIDs()).isEmpty();
    assertThat(fx.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void aNewDeploymentFetchesAfresh() {
    fx.wm.stubFor(get(urlEqualTo(CONFIG_PATH)).willReturn(aResponse().withStatus(503)));
    TelemetryVerticle first = fx.deploy(fx.options());
    assertOff(first, sendAndFlush(first, "create_prompt", 3), Decision.Cause.CONFIG_UNAVAILABLE, "HTTP 503");
    await(fx.vertx.undeploy(fx.vertx.deploymentIDs().iterator().next()));

    fx.serveConfigPointingAt(fx.base() + "/log");
    TelemetryVerticle second = fx.deploy(fx.options());
    Stats stats = sendAndFlush(second, "create_prompt", 3);

    assertThat(second.decision().enabled()).as("the first deployment's verdict is not shared").isTrue();
    assertThat(stats.recorded()).as("stats are per deployment").isEqualTo(3);
    assertThat(stats.sent()).isEqualTo(3);
    assertThat(fx.wm.findAll(getRequestedFor(urlEqualTo(CONFIG_PATH)))).hasSize(2);
  }

  // ---------------------------------------------------------------- no config at all

  @Test
  void selfHostedIngestionSkipsTheConfig() {
    fx.serveConfig(doc(fx, d -> d.put("disable_telemetry", true)));
    TelemetryVerticle v = fx.deploy(fx.options().setIngestionUrl(fx.base() + "/log"));

    Stats stats = sendAndFlush(v, "create_prompt", 3);

    assertThat(v.decision().enabled()).isTrue();
    assertThat(stats.sent()).isEqualTo(3);
    assertBalanced(stats);
    assertThat(fx.records()).hasSize(3);
    assertThat(fx.wm.findAll(getRequestedFor(anyUrl()))).as("no config request").isEmpty();
  }

  static Stream<Object[]> consentOff() {
    return Stream.of(
        new Object[] {Map.of("DO_NOT_TRACK", "1"), Decision.Cause.DO_NOT_TRACK, "DO_NOT_TRACK=1"},
        new Object[] {Map.of("CI", "true"), Decision.Cause.CI, "CI"},
        new Object[] {Map.of("MLFLOW_DISABLE_TELEMETRY", "true"), Decision.Cause.OPT_OUT, "MLFLOW_DISABLE_TELEMETRY=true"});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("consentOff")
  void consentOffMakesNoRequestOfAnyKind(Map<String, String> env, Decision.Cause cause, String variable) {
    fx.serveConfigPointingAt(fx.base() + "/log");
    TelemetryVerticle v = fx.deploy(fx.options(), Environment.of(env, Map.of()));

    // JSON bus messages: a typed TelemetryEvent cannot be sent at all when consent is off (see
    // typedEventsOnTheBusDoNotThrowWhenConsentIsOff).
    for (int i = 0; i < 3; i++) {
      fx.send(new JsonObject().put("event_name", "create_prompt"));
    }
    Stats stats = await(v.flush());

    assertThat(v.decision().enabled()).isFalse();
    assertThat(v.decision().cause()).isEqualTo(cause);
    assertThat(v.decision().describe()).startsWith("disabled: ").contains(variable);
    assertThat(stats.recorded()).as("no consumer: nothing is taken off the bus").isZero();
    assertBalanced(stats);
    assertThat(fx.wm.getAllServeEvents()).as("neither config nor ingestion was contacted").isEmpty();
  }

  @Test
  void typedEventsOnTheBusDoNotThrowWhenConsentIsOff() {
    fx.serveConfigPointingAt(fx.base() + "/log");
    TelemetryVerticle v = fx.deploy(fx.options(), Environment.of(Map.of("DO_NOT_TRACK", "1"), Map.of()));

    assertThatCode(() -> fx.send(event("create_prompt")))
        .as("telemetry never throws into the caller, on or off")
        .doesNotThrowAnyException();
    Stats stats = await(v.flush());

    assertThat(stats.recorded()).isZero();
    assertThat(fx.wm.getAllServeEvents()).isEmpty();
  }

  static Stream<Object[]> liveOptOuts() {
    return Stream.of(
        new Object[] {"MLFLOW_DISABLE_TELEMETRY", "true", Decision.Cause.OPT_OUT},
        new Object[] {"DO_NOT_TRACK", "1", Decision.Cause.DO_NOT_TRACK});
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("liveOptOuts")
  void liveOptOutStopsNewEventsAtOnce(String property, String value, Decision.Cause cause) {
    fx.serveConfigPointingAt(fx.base() + "/log");
    Map<String, String> sysprops = new HashMap<>();
    TelemetryVerticle v = fx.deploy(fx.options(), Environment.of(Map.of(), sysprops));

    Stats before = sendAndFlush(v, "create_prompt", 1);
    assertThat(before.sent()).isEqualTo(1);
    assertThat(v.decision().enabled()).isTrue();

    sysprops.put(property, value);
    Stats after = sendAndFlush(v, "create_prompt", 2);

    assertThat(after.dropped(DropReason.DISABLED)).isEqualTo(2);
    assertThat(after.sent()).isEqualTo(1);
    assertBalanced(after);
    assertThat(v.decision().enabled()).isFalse();
    assertThat(v.decision().cause()).isEqualTo(cause);
    assertThat(v.decision().describe()).contains(property + "=" + value);
    assertThat(fx.records()).hasSize(1);
    assertThat(fx.ingestionRequests()).hasSize(1);
    assertOneConfigRequest();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Checks that after the first three {@code create_prompt} events ({@code first}: the flush that
   * followed them) telemetry is off for {@code cause} with every {@code detail} in its description,
   * that the held events were dropped as disabled and nothing reached ingestion; then sends two
   * more and checks that they are dropped too and that the decision stays. Returns the last stats.
   */
  private Stats assertOff(TelemetryVerticle v, Stats first, Decision.Cause cause, String... detail) {
    Decision d = v.decision();
    assertThat(d.enabled()).as("decision %s", d).isFalse();
    assertThat(d.cause()).as("decision %s", d).isEqualTo(cause);
    assertThat(d.describe()).startsWith("disabled: ").contains(detail);
    assertThat(first.recorded()).isEqualTo(3);
    assertThat(first.dropped(DropReason.DISABLED)).as("held events are dropped as disabled: %s", first).isEqualTo(3);
    assertThat(first.sent()).isZero();
    assertThat(first.pending()).isZero();
    assertBalanced(first);
    assertThat(fx.ingestionRequests()).isEmpty();

    Stats later = sendAndFlush(v, List.of("create_prompt", "evaluate"));
    assertThat(later.dropped(DropReason.DISABLED)).isEqualTo(5);
    assertThat(later.droppedTotal()).isEqualTo(5);
    assertBalanced(later);
    assertThat(fx.ingestionRequests()).isEmpty();
    assertThat(v.decision()).isEqualTo(d);
    return later;
  }

  private Stats sendAndFlush(TelemetryVerticle v, String name, int n) {
    return sendAndFlush(v, Collections.nCopies(n, name));
  }

  /** Sends the events, waits until the verticle has taken them all, then flushes. */
  private Stats sendAndFlush(TelemetryVerticle v, List<String> names) {
    long target = await(v.stats()).recorded() + names.size();
    for (String name : names) {
      fx.send(event(name));
    }
    await(fx.when(() -> v.stats().map(s -> s.recorded() >= target)));
    return await(v.flush());
  }

  private void assertOneConfigRequest() {
    assertThat(fx.wm.findAll(getRequestedFor(urlEqualTo(CONFIG_PATH))))
        .as("the config is fetched once per deployment")
        .hasSize(1);
  }

  /** The standard enabling document for {@code f}, changed by {@code edit}. */
  static String doc(ShipperFixture f, Consumer<JsonObject> edit) {
    JsonObject d = new JsonObject(ShipperFixture.configJson(f.base() + "/log"));
    edit.accept(d);
    return d.encode();
  }

  /**
   * {@code json} (an object) with an unknown {@code padding} field of short strings added, so that
   * it is exactly {@code bytes} long (ASCII) and every string stays small.
   */
  static String padTo(String json, int bytes) {
    String open = json.substring(0, json.length() - 1) + ",\"padding\":[";
    StringBuilder sb = new StringBuilder(open);
    int room = bytes - open.length() - 2; // "]}"
    boolean firstItem = true;
    while (room > 0) {
      int overhead = firstItem ? 2 : 3; // quotes, and a comma after the first item
      // The last item takes what is left; an earlier one leaves room for at least an empty last item.
      int len = room - overhead <= 1_000 ? room - overhead : Math.min(1_000, room - overhead - 3);
      if (len < 0) {
        throw new IllegalArgumentException("cannot pad to exactly " + bytes);
      }
      if (!firstItem) {
        sb.append(',');
      }
      sb.append('"').append("x".repeat(len)).append('"');
      room -= len + overhead;
      firstItem = false;
    }
    String out = sb.append("]}").toString();
    if (out.length() != bytes) {
      throw new IllegalStateException("padded to " + out.length() + ", not " + bytes);
    }
    return out;
  }

  private static List<String> eventNames(List<JsonNode> records) {
    return records.stream().map(r -> r.get("data").get("event_name").asText()).toList();
  }

  /** The failure of {@code future}, or null if it succeeded; waits like {@link ShipperFixture#await}. */
  private static Throwable failureOf(Future<?> future) {
    return await(future.transform(ar -> Future.succeededFuture(ar.cause())));
  }
}
