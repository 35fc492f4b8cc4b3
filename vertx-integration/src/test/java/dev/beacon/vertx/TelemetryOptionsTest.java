package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TelemetryOptions}: the defaults of DESIGN.md, the JSON form (a public contract: every key,
 * strict about unknown keys and types), {@code validate()}, and deploying the verticle by class
 * name with the options as the deployment config.
 */
class TelemetryOptionsTest {

  /** Every getter, by its JSON key, so that two options can be compared field by field. */
  private static final Map<String, Function<TelemetryOptions, Object>> GETTERS = getters();

  private static Map<String, Function<TelemetryOptions, Object>> getters() {
    Map<String, Function<TelemetryOptions, Object>> m = new LinkedHashMap<>();
    m.put("profile", TelemetryOptions::getProfile);
    m.put("sdkVersion", TelemetryOptions::getSdkVersion);
    m.put("address", TelemetryOptions::getAddress);
    m.put("configUrl", TelemetryOptions::getConfigUrl);
    m.put("ingestionUrl", TelemetryOptions::getIngestionUrl);
    m.put("backendUri", TelemetryOptions::getBackendUri);
    m.put("batchSize", TelemetryOptions::getBatchSize);
    m.put("batchIntervalMs", TelemetryOptions::getBatchIntervalMs);
    m.put("capacity", TelemetryOptions::getCapacity);
    m.put("configTimeoutMs", TelemetryOptions::getConfigTimeoutMs);
    m.put("connectTimeoutMs", TelemetryOptions::getConnectTimeoutMs);
    m.put("requestTimeoutMs", TelemetryOptions::getRequestTimeoutMs);
    m.put("maxRetries", TelemetryOptions::getMaxRetries);
    m.put("retryBaseDelayMs", TelemetryOptions::getRetryBaseDelayMs);
    m.put("retryMaxDelayMs", TelemetryOptions::getRetryMaxDelayMs);
    m.put("retryAfterCapMs", TelemetryOptions::getRetryAfterCapMs);
    m.put("breakerMaxFailures", TelemetryOptions::getBreakerMaxFailures);
    m.put("breakerWindowMs", TelemetryOptions::getBreakerWindowMs);
    m.put("breakerResetMs", TelemetryOptions::getBreakerResetMs);
    m.put("closeTimeoutMs", TelemetryOptions::getCloseTimeoutMs);
    m.put("handOffDelayMs", TelemetryOptions::getHandOffDelayMs);
    m.put("maxRequestBytes", TelemetryOptions::getMaxRequestBytes);
    m.put("maxEventBytes", TelemetryOptions::getMaxEventBytes);
    m.put("allowInsecureLoopback", TelemetryOptions::isAllowInsecureLoopback);
    m.put("debug", TelemetryOptions::isDebug);
    m.put("trustStorePath", TelemetryOptions::getTrustStorePath);
    m.put("trustStorePassword", TelemetryOptions::getTrustStorePassword);
    return m;
  }

  /** The keys DESIGN.md names as the public contract. */
  private static final List<String> DOCUMENTED_KEYS =
      List.of("profile", "sdkVersion", "address", "configUrl", "ingestionUrl", "backendUri", "batchSize",
          "batchIntervalMs", "capacity", "configTimeoutMs", "connectTimeoutMs", "requestTimeoutMs", "maxRetries",
          "closeTimeoutMs", "allowInsecureLoopback", "debug");

  private ShipperFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  /** Options with every field away from its default. */
  /** validate() wants a readable trust store file: an empty one stands in. */
  private static final String TRUST_STORE = emptyTrustStore();

  private static String emptyTrustStore() {
    try {
      java.nio.file.Path p = java.nio.file.Files.createTempFile("beacon-trust", ".p12");
      p.toFile().deleteOnExit();
      return p.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static TelemetryOptions everythingSet() {
    return new TelemetryOptions()
        .setProfile("mlflow")
        .setSdkVersion("3.7.0")
        .setAddress("my.telemetry")
        .setConfigUrl("https://config.example.com/beacon")
        .setIngestionUrl("https://ingest.example.com/log")
        .setBackendUri("sqlite:///tmp/mlflow.db")
        .setBatchSize(250)
        .setBatchIntervalMs(5_000_000_000L)
        .setCapacity(123)
        .setConfigTimeoutMs(1_500)
        .setConnectTimeoutMs(2_500)
        .setRequestTimeoutMs(7_500)
        .setMaxRetries(7)
        .setRetryBaseDelayMs(11)
        .setRetryMaxDelayMs(22)
        .setRetryAfterCapMs(33)
        .setBreakerMaxFailures(9)
        .setBreakerWindowMs(44)
        .setBreakerResetMs(55)
        .setCloseTimeoutMs(66)
        .setHandOffDelayMs(7)
        .setMaxRequestBytes(200_000)
        .setMaxEventBytes(8_000)
        .setAllowInsecureLoopback(true)
        .setDebug(true)
        .setTrustStorePath(TRUST_STORE)
        .setTrustStorePassword("changeit");
  }

  private static void assertSameFields(TelemetryOptions actual, TelemetryOptions expected) {
    GETTERS.forEach(
        (key, getter) -> assertThat(getter.apply(actual)).as(key).isEqualTo(getter.apply(expected)));
  }

  // ---------------------------------------------------------------- defaults

  @Test
  void defaultsAreTheConstantsAndTheDesignTable() {
    TelemetryOptions o = new TelemetryOptions();

    assertThat(o.getProfile()).isEqualTo(TelemetryOptions.DEFAULT_PROFILE).isEqualTo("mlflow");
    assertThat(o.getAddress()).isEqualTo(TelemetryOptions.DEFAULT_ADDRESS).isEqualTo("beacon.telemetry");
    assertThat(o.getBatchSize()).isEqualTo(TelemetryOptions.DEFAULT_BATCH_SIZE).isEqualTo(500);
    assertThat(o.getBatchIntervalMs()).isEqualTo(TelemetryOptions.DEFAULT_BATCH_INTERVAL_MS).isEqualTo(10_000L);
    assertThat(o.getCapacity()).isEqualTo(TelemetryOptions.DEFAULT_CAPACITY).isEqualTo(10_000);
    assertThat(o.getConfigTimeoutMs()).isEqualTo(TelemetryOptions.DEFAULT_CONFIG_TIMEOUT_MS).isEqualTo(3_000L);
    assertThat(o.getConnectTimeoutMs()).isEqualTo(TelemetryOptions.DEFAULT_CONNECT_TIMEOUT_MS).isEqualTo(5_000L);
    assertThat(o.getRequestTimeoutMs()).isEqualTo(TelemetryOptions.DEFAULT_REQUEST_TIMEOUT_MS).isEqualTo(10_000L);
    assertThat(o.getMaxRetries()).isEqualTo(TelemetryOptions.DEFAULT_MAX_RETRIES).isEqualTo(3);
    assertThat(o.getRetryBaseDelayMs()).isEqualTo(TelemetryOptions.DEFAULT_RETRY_BASE_DELAY_MS).isEqualTo(1_000L);
    assertThat(o.getRetryMaxDelayMs()).isEqualTo(TelemetryOptions.DEFAULT_RETRY_MAX_DELAY_MS).isEqualTo(30_000L);
    assertThat(o.getRetryAfterCapMs()).isEqualTo(TelemetryOptions.DEFAULT_RETRY_AFTER_CAP_MS).isEqualTo(60_000L);
    assertThat(o.getBreakerMaxFailures()).isEqualTo(TelemetryOptions.DEFAULT_BREAKER_MAX_FAILURES).isEqualTo(3);
    assertThat(o.getBreakerWindowMs()).isEqualTo(TelemetryOptions.DEFAULT_BREAKER_WINDOW_MS).isEqualTo(600_000L);
    assertThat(o.getBreakerResetMs()).isEqualTo(TelemetryOptions.DEFAULT_BREAKER_RESET_MS).isEqualTo(60_000L);
    assertThat(o.getCloseTimeoutMs()).isEqualTo(TelemetryOptions.DEFAULT_CLOSE_TIMEOUT_MS).isEqualTo(1_000L);
    assertThat(o.getHandOffDelayMs()).isEqualTo(TelemetryOptions.DEFAULT_HAND_OFF_DELAY_MS).isEqualTo(1L);
    assertThat(o.getMaxRequestBytes()).isEqualTo(TelemetryOptions.DEFAULT_MAX_REQUEST_BYTES).isEqualTo(1024 * 1024);
    assertThat(o.getMaxEventBytes()).isEqualTo(TelemetryOptions.DEFAULT_MAX_EVENT_BYTES).isEqualTo(16 * 1024);
    assertThat(TelemetryOptions.DEFAULT_MAX_CONFIG_BYTES).isEqualTo(64 * 1024);
    assertThat(o.isAllowInsecureLoopback()).isEqualTo(TelemetryOptions.DEFAULT_ALLOW_INSECURE_LOOPBACK).isFalse();
    assertThat(o.isDebug()).isEqualTo(TelemetryOptions.DEFAULT_DEBUG).isFalse();
    assertThat(o.getSdkVersion()).isNull();
    assertThat(o.getConfigUrl()).isNull();
    assertThat(o.getIngestionUrl()).isNull();
    assertThat(o.getBackendUri()).isNull();
  }

  @Test
  void emptyJsonGivesTheDefaults() {
    assertSameFields(new TelemetryOptions(new JsonObject()), new TelemetryOptions());
  }

  // ---------------------------------------------------------------- JSON form and copies

  @Test
  void toJsonNamesEveryDocumentedKey() {
    assertThat(new TelemetryOptions().toJson().fieldNames())
        .containsAll(DOCUMENTED_KEYS)
        .containsExactlyInAnyOrderElementsOf(GETTERS.keySet());
  }

  @Test
  void toJsonRoundTripsFieldByField() {
    TelemetryOptions original = everythingSet();
    JsonObject json = original.toJson();

    assertSameFields(new TelemetryOptions(json), original);
    GETTERS.forEach((key, getter) -> assertThat(json.getValue(key)).as(key).isEqualTo(getter.apply(original)));
    assertThat(new TelemetryOptions(json).toJson()).isEqualTo(json);
  }

  @Test
  void encodedJsonRoundTripsToo() {
    // A launcher config file or a clustered deployment carries the options as text: small numbers
    // come back as Integer, large ones as Long.
    TelemetryOptions original = everythingSet();
    assertSameFields(new TelemetryOptions(new JsonObject(original.toJson().encode())), original);
    assertSameFields(new TelemetryOptions(new JsonObject(new TelemetryOptions().toJson().encode())), new TelemetryOptions());
  }

  @Test
  void copyConstructorCopiesEveryFieldAndIsIndependent() {
    TelemetryOptions original = everythingSet();
    TelemetryOptions copy = new TelemetryOptions(original);

    assertSameFields(copy, original);
    copy.setBatchSize(1).setAddress("other").setDebug(false);
    assertThat(original.getBatchSize()).isEqualTo(250);
    assertThat(original.getAddress()).isEqualTo("my.telemetry");
    assertThat(original.isDebug()).isTrue();
    assertSameFields(new TelemetryOptions(new TelemetryOptions()), new TelemetryOptions());
  }

  @Test
  void settersAreFluent() {
    TelemetryOptions o = new TelemetryOptions();
    assertThat(o.setBatchSize(10)).isSameAs(o);
    assertThat(o.setDebug(true)).isSameAs(o);
    assertThat(o.setConfigUrl("https://x.example")).isSameAs(o);
  }

  static Stream<Arguments> everyKey() {
    JsonObject json = everythingSet().toJson();
    return json.fieldNames().stream().map(k -> Arguments.of(k, json.getValue(k)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyKey")
  void everyKnownKeyIsAccepted(String key, Object value) {
    TelemetryOptions o = new TelemetryOptions(new JsonObject().put(key, value));
    assertThat(GETTERS.get(key).apply(o)).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"batchsize", "sdk_version", "ingestion_url", "timeoutMs", "nonsense"})
  void anUnknownKeyFailsNamingIt(String key) {
    JsonObject json = new JsonObject().put("sdkVersion", "3.7.0").put(key, 1);
    assertThatThrownBy(() -> new TelemetryOptions(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + key + "'");
  }

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        Arguments.of("batchSize", "500"),
        Arguments.of("debug", "yes"),
        Arguments.of("capacity", 1.5),
        Arguments.of("capacity", 1.0),
        Arguments.of("batchIntervalMs", "10s"),
        Arguments.of("allowInsecureLoopback", 1),
        Arguments.of("sdkVersion", 3.7),
        Arguments.of("address", true),
        Arguments.of("configUrl", new JsonObject()),
        Arguments.of("maxRetries", new JsonArray().add(3)),
        Arguments.of("debug", null),
        Arguments.of("batchSize", null),
        Arguments.of("batchSize", 3_000_000_000L));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("wrongTypes")
  void aValueOfTheWrongTypeFailsNamingTheKey(String key, Object value) {
    JsonObject json = new JsonObject().put("sdkVersion", "3.7.0").put(key, value);
    assertThatThrownBy(() -> new TelemetryOptions(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key);
  }

  // ---------------------------------------------------------------- validate()

  private static TelemetryOptions valid() {
    return new TelemetryOptions().setSdkVersion("3.7.0");
  }

  @Test
  void validOptionsPass() {
    TelemetryOptions o = valid();
    assertThat(o.validate()).isSameAs(o);
    assertThatCode(() -> everythingSet().validate()).doesNotThrowAnyException();
    assertThatCode(() -> valid().setBatchSize(500).validate()).doesNotThrowAnyException();
    assertThatCode(() -> valid().setBatchSize(1).validate()).doesNotThrowAnyException();
    assertThatCode(() -> valid().setIngestionUrl("https://ingest.example.com/log").validate())
        .doesNotThrowAnyException();
    for (String url : List.of("http://127.0.0.1:1/log", "http://localhost:1/log", "http://[::1]:1/log", "http://127.8.9.10/log")) {
      assertThatCode(() -> valid().setAllowInsecureLoopback(true).setIngestionUrl(url).setConfigUrl(url).validate())
          .as(url)
          .doesNotThrowAnyException();
    }
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("no sdkVersion", new TelemetryOptions(), List.of("sdkVersion", "null")),
        Arguments.of("blank sdkVersion", valid().setSdkVersion(" "), List.of("sdkVersion")),
        Arguments.of("batchSize 0", valid().setBatchSize(0), List.of("batchSize", "0")),
        Arguments.of("batchSize 501", valid().setBatchSize(501), List.of("batchSize", "501")),
        Arguments.of("negative capacity", valid().setCapacity(-5), List.of("capacity", "-5")),
        Arguments.of("zero capacity", valid().setCapacity(0), List.of("capacity", "0")),
        Arguments.of("negative maxRetries", valid().setMaxRetries(-1), List.of("maxRetries", "-1")),
        Arguments.of("zero configTimeoutMs", valid().setConfigTimeoutMs(0), List.of("configTimeoutMs", "0")),
        Arguments.of("negative handOffDelayMs", valid().setHandOffDelayMs(-1), List.of("handOffDelayMs", "-1")),
        Arguments.of("handOffDelayMs over a second", valid().setHandOffDelayMs(1_001), List.of("handOffDelayMs", "1001")),
        Arguments.of("unknown profile", valid().setProfile("nope"), List.of("nope")),
        Arguments.of("http ingestionUrl to a remote host", valid().setIngestionUrl("http://example.com/log"),
            List.of("ingestionUrl", "http://example.com/log")),
        Arguments.of("http ingestionUrl to a remote host, loopback allowed",
            valid().setAllowInsecureLoopback(true).setIngestionUrl("http://example.com/log"),
            List.of("ingestionUrl", "http://example.com/log")),
        Arguments.of("0.0.0.0 is not loopback",
            valid().setAllowInsecureLoopback(true).setIngestionUrl("http://0.0.0.0:8080/log"),
            List.of("ingestionUrl", "http://0.0.0.0:8080/log")),
        Arguments.of("http loopback ingestionUrl without allowInsecureLoopback",
            valid().setIngestionUrl("http://127.0.0.1:8080/log"),
            List.of("ingestionUrl", "http://127.0.0.1:8080/log", "allowInsecureLoopback")),
        Arguments.of("http loopback configUrl without allowInsecureLoopback",
            valid().setConfigUrl("http://localhost:8080/config"),
            List.of("configUrl", "http://localhost:8080/config", "allowInsecureLoopback")),
        Arguments.of("configUrl with another scheme", valid().setConfigUrl("ftp://config.example.com"),
            List.of("configUrl", "ftp://config.example.com")),
        Arguments.of("ingestionUrl with credentials", valid().setIngestionUrl("https://user:pw@ingest.example.com/log"),
            List.of("ingestionUrl")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void validateRejectsWithTheKeyAndTheBadValue(String name, TelemetryOptions options, List<String> parts) {
    assertThatThrownBy(options::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(parts.toArray(String[]::new));
  }

  // ---------------------------------------------------------------- deploying by class name

  @Test
  void deploysByClassNameWithTheOptionsAsConfig() {
    JsonObject config = fx.options().toJson();
    String id =
        await(fx.vertx.deployVerticle("dev.beacon.vertx.TelemetryVerticle", new DeploymentOptions().setConfig(config)));

    // The no-arg constructor reads the real environment (CI may switch it off), so only the
    // deployment itself is checked here.
    assertThat(id).isNotBlank();
    assertThat(fx.vertx.deploymentIDs()).containsExactly(id);
    await(fx.vertx.undeploy(id));
  }

  @Test
  void deployingByClassNameWithAnUnknownKeyFailsNamingIt() {
    JsonObject config = fx.options().toJson().put("batchsize", 10);
    Throwable failure =
        failureOf(fx.vertx.deployVerticle("dev.beacon.vertx.TelemetryVerticle", new DeploymentOptions().setConfig(config)));

    assertThat(failure).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure.getMessage()).contains("'batchsize'");
    assertThat(fx.vertx.deploymentIDs()).isEmpty();
  }

  @Test
  void deployingByClassNameWithAWrongTypeOrBadValueFails() {
    Throwable wrongType =
        failureOf(fx.vertx.deployVerticle("dev.beacon.vertx.TelemetryVerticle",
            new DeploymentOptions().setConfig(fx.options().toJson().put("batchSize", "500"))));
    assertThat(wrongType).isInstanceOf(IllegalArgumentException.class);
    assertThat(wrongType.getMessage()).contains("batchSize");

    Throwable missing =
        failureOf(fx.vertx.deployVerticle("dev.beacon.vertx.TelemetryVerticle", new DeploymentOptions()));
    assertThat(missing).isInstanceOf(IllegalArgumentException.class);
    assertThat(missing.getMessage()).contains("sdkVersion");
    assertThat(fx.vertx.deploymentIDs()).isEmpty();
  }

  /** The failure of {@code future}, or null if it succeeded; waits like {@link ShipperFixture#await}. */
  private static Throwable failureOf(Future<?> future) {
    return await(future.transform(ar -> Future.succeededFuture(ar.cause())));
  }
}
