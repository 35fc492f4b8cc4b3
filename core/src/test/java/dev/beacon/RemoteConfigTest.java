package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beacon.Decision.Cause;
import dev.beacon.RemoteConfig.Verdict;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RemoteConfigTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Profile MLFLOW = Profiles.mlflow("3.7.0");

  /** The config document of DESIGN.md's appendix, verbatim. */
  private static final String APPENDIX =
      "{\"mlflow_version\": \"3.7.0\", \"disable_telemetry\": false, \"rollout_percentage\": 100,\n"
          + " \"ingestion_url\": \"https://api.mlflow-telemetry.io/log\", \"disable_sdks\": [], \"disable_os\": [],\n"
          + " \"disable_events\": []}";

  private static Verdict evaluate(String body) {
    return evaluate(body, false, 0.0);
  }

  private static Verdict evaluate(String body, boolean allowInsecureLoopback, double draw) {
    return RemoteConfig.evaluate(body.getBytes(StandardCharsets.UTF_8), MLFLOW, "linux", allowInsecureLoopback, draw);
  }

  /** The appendix document with one change. */
  private static String appendixWith(Consumer<ObjectNode> change) {
    try {
      ObjectNode doc = (ObjectNode) MAPPER.readTree(APPENDIX);
      change.accept(doc);
      return MAPPER.writeValueAsString(doc);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertOff(Verdict v, Cause cause, String detailPart) {
    assertThat(v.enabled()).isFalse();
    assertThat(v.decision().enabled()).isFalse();
    assertThat(v.decision().cause()).isEqualTo(cause);
    assertThat(v.decision().detail()).contains(detailPart);
    assertThat(v.ingestionUrl()).isNull();
    assertThat(v.disabledEvents()).isEmpty();
  }

  // --- on -------------------------------------------------------------------------------------

  @Test
  void appendixDocumentEnablesWithItsIngestionUrl() {
    Verdict v = evaluate(APPENDIX);
    assertThat(v.enabled()).isTrue();
    assertThat(v.decision()).isEqualTo(Decision.ENABLED);
    assertThat(v.ingestionUrl()).isEqualTo(URI.create("https://api.mlflow-telemetry.io/log"));
    assertThat(v.disabledEvents()).isEmpty();
  }

  @Test
  void disableEventsAreReturned() {
    Verdict v = evaluate(appendixWith(d -> d.putArray("disable_events").add("create_run").add("evaluate")));
    assertThat(v.enabled()).isTrue();
    assertThat(v.disabledEvents()).containsExactlyInAnyOrder("create_run", "evaluate");
    assertThatThrownBy(() -> v.disabledEvents().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void unknownFieldsAreIgnored() {
    Verdict v = evaluate(appendixWith(d -> {
      d.put("future_field", "x");
      d.putObject("nested").put("a", 1);
    }));
    assertThat(v.enabled()).isTrue();
  }

  @Test
  void minimalDocumentEnables() {
    Verdict v = evaluate("{\"mlflow_version\":\"3.7.0\",\"ingestion_url\":\"https://i.example/log\"}", false, 99.999);
    assertThat(v.enabled()).isTrue();
    assertThat(v.ingestionUrl()).isEqualTo(URI.create("https://i.example/log"));
    assertThat(v.disabledEvents()).isEmpty();
  }

  @Test
  void nullListsAndNullDisableTelemetryCountAsAbsent() {
    Verdict v = evaluate(appendixWith(d -> {
      d.putNull("disable_telemetry");
      d.putNull("disable_sdks");
      d.putNull("disable_os");
      d.putNull("disable_events");
      d.putNull("rollout_percentage");
    }), false, 99.9);
    assertThat(v.enabled()).isTrue();
  }

  @Test
  void profileVersionKeyIsUsed() {
    Profile acme =
        Profile.builder("acme").sdkName("acme-java").sdkVersion("1.0").event("start").build();
    String doc = "{\"acme_version\":\"1.0\",\"ingestion_url\":\"https://i.example/log\"}";
    byte[] body = doc.getBytes(StandardCharsets.UTF_8);
    assertThat(RemoteConfig.evaluate(body, acme, "linux", false, 0).enabled()).isTrue();
    assertThat(RemoteConfig.evaluate(body, MLFLOW, "linux", false, 0).enabled()).isFalse();
  }

  // --- version --------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"3.6.0", "3.7.1", "3.7", " 3.7.0", "3.7.0 ", ""})
  void versionMismatchDisables(String version) {
    Verdict v = evaluate(appendixWith(d -> d.put("mlflow_version", version)));
    assertOff(v, Cause.REMOTE_CONFIG, "version mismatch");
    assertThat(v.decision().detail()).contains("mlflow_version", "3.7.0");
  }

  @Test
  void versionAsANumberDisables() {
    Verdict v = evaluate(appendixWith(d -> d.put("mlflow_version", 3.7)));
    assertOff(v, Cause.REMOTE_CONFIG, "mlflow_version");
  }

  @Test
  void missingVersionDisables() {
    assertOff(evaluate(appendixWith(d -> d.remove("mlflow_version"))), Cause.REMOTE_CONFIG, "version mismatch");
    assertOff(evaluate(appendixWith(d -> d.putNull("mlflow_version"))), Cause.REMOTE_CONFIG, "version mismatch");
  }

  // --- disable_telemetry ----------------------------------------------------------------------

  @Test
  void disableTelemetryTrueDisables() {
    Verdict v = evaluate(appendixWith(d -> d.put("disable_telemetry", true)));
    assertOff(v, Cause.REMOTE_CONFIG, "disable_telemetry is true");
    assertThat(v.decision().describe()).startsWith("disabled: remote config");
  }

  @Test
  void disableTelemetryFalseKeepsOn() {
    assertThat(evaluate(appendixWith(d -> d.put("disable_telemetry", false))).enabled()).isTrue();
  }

  @Test
  void disableTelemetryAbsentKeepsOn() {
    assertThat(evaluate(appendixWith(d -> d.remove("disable_telemetry"))).enabled()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"true\"", "\"false\"", "1", "0", "[]", "{}"})
  void disableTelemetryOfTheWrongTypeIsMalformed(String json) {
    String doc = APPENDIX.replace("\"disable_telemetry\": false", "\"disable_telemetry\": " + json);
    assertThat(doc).contains("\"disable_telemetry\": " + json);
    assertOff(evaluate(doc), Cause.CONFIG_UNAVAILABLE, "disable_telemetry has the wrong type");
  }

  // --- ingestion_url --------------------------------------------------------------------------

  @Test
  void missingIngestionUrlDisables() {
    assertOff(evaluate(appendixWith(d -> d.remove("ingestion_url"))), Cause.REMOTE_CONFIG, "no ingestion_url");
    assertOff(evaluate(appendixWith(d -> d.putNull("ingestion_url"))), Cause.REMOTE_CONFIG, "no ingestion_url");
  }

  @Test
  void ingestionUrlOfTheWrongTypeIsMalformed() {
    Verdict v = evaluate(appendixWith(d -> d.put("ingestion_url", 42)));
    assertOff(v, Cause.CONFIG_UNAVAILABLE, "ingestion_url has the wrong type");
  }

  @Test
  void httpLoopbackIngestionUrlIsRefusedWithoutTheFlag() {
    String doc = appendixWith(d -> d.put("ingestion_url", "http://127.0.0.1:9999/log"));
    Verdict v = evaluate(doc, false, 0);
    assertOff(v, Cause.REMOTE_CONFIG, "ingestion_url refused");
    assertThat(v.decision().detail()).contains("allowInsecureLoopback");
  }

  @Test
  void httpLoopbackIngestionUrlIsAllowedWithTheFlag() {
    String doc = appendixWith(d -> d.put("ingestion_url", "http://127.0.0.1:9999/log"));
    Verdict v = evaluate(doc, true, 0);
    assertThat(v.enabled()).isTrue();
    assertThat(v.ingestionUrl()).isEqualTo(URI.create("http://127.0.0.1:9999/log"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://api.mlflow-telemetry.io/log",
        "http://0.0.0.0:9999/log",
        "https://user:pw@api.mlflow-telemetry.io/log",
        "/log",
        "",
        "ftp://api.mlflow-telemetry.io/log",
        "not a url"
      })
  void disallowedIngestionUrlDisablesEvenWithTheFlag(String url) {
    Verdict v = evaluate(appendixWith(d -> d.put("ingestion_url", url)), true, 0);
    assertOff(v, Cause.REMOTE_CONFIG, "ingestion_url refused");
  }

  // --- disable_sdks / disable_os --------------------------------------------------------------

  @Test
  void disableSdksContainingThisSdkDisables() {
    Verdict v = evaluate(appendixWith(d -> d.putArray("disable_sdks").add("mlflow-python").add("mlflow-java")));
    assertOff(v, Cause.REMOTE_CONFIG, "SDK mlflow-java is disabled");
  }

  @Test
  void disableSdksNamingOtherSdksKeepsOn() {
    Verdict v = evaluate(appendixWith(d -> d.putArray("disable_sdks").add("mlflow-python").add("MLFLOW-JAVA")));
    assertThat(v.enabled()).isTrue();
  }

  @Test
  void disableOsContainingThePlatformDisables() {
    Verdict v = evaluate(appendixWith(d -> d.putArray("disable_os").add("win32").add("linux")));
    assertOff(v, Cause.REMOTE_CONFIG, "OS linux is disabled");
  }

  @Test
  void disableOsNamingOtherPlatformsKeepsOn() {
    String doc = appendixWith(d -> d.putArray("disable_os").add("win32").add("darwin"));
    assertThat(evaluate(doc).enabled()).isTrue();
    byte[] body = doc.getBytes(StandardCharsets.UTF_8);
    assertOff(RemoteConfig.evaluate(body, MLFLOW, "darwin", false, 0), Cause.REMOTE_CONFIG, "OS darwin is disabled");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "disable_sdks | \"mlflow-java\"",
        "disable_sdks | [1]",
        "disable_sdks | {}",
        "disable_os | \"linux\"",
        "disable_os | [null]",
        "disable_events | \"create_run\"",
        "disable_events | [[\"create_run\"]]",
        "rollout_percentage | \"50\"",
        "rollout_percentage | true",
        "rollout_percentage | 1e400",
      })
  void fieldOfTheWrongTypeIsMalformed(String field, String json) {
    String doc = appendixWith(d -> d.remove(field));
    doc = doc.substring(0, doc.length() - 1) + ",\"" + field + "\":" + json + "}";
    Verdict v = evaluate(doc, false, 0);
    assertOff(v, Cause.CONFIG_UNAVAILABLE, field + " has the wrong type");
  }

  // --- rollout --------------------------------------------------------------------------------

  @ParameterizedTest(name = "rollout {0}, draw {1} -> {2}")
  @CsvSource({
    "0, 0.0, false",
    "0, 50.0, false",
    "50, 0.0, true",
    "50, 49.9, true",
    "50, 49.999999, true",
    "50, 50.0, false",
    "50, 99.9, false",
    "33.5, 33.4, true",
    "33.5, 33.5, false",
    "100, 0.0, true",
    "100, 99.999999, true",
    "-5, 0.0, false",
  })
  void rolloutDrawDecides(double percentage, double draw, boolean on) {
    Verdict v = evaluate(appendixWith(d -> d.put("rollout_percentage", percentage)), false, draw);
    assertThat(v.enabled()).isEqualTo(on);
    if (!on) {
      assertOff(v, Cause.REMOTE_CONFIG, "rollout");
    }
  }

  @Test
  void rolloutAbsentIsOneHundred() {
    String doc = appendixWith(d -> d.remove("rollout_percentage"));
    assertThat(evaluate(doc, false, 0.0).enabled()).isTrue();
    assertThat(evaluate(doc, false, 99.99).enabled()).isTrue();
  }

  @Test
  void rolloutIntegerFiftyWithDraws() {
    String doc = appendixWith(d -> d.put("rollout_percentage", 50));
    assertThat(evaluate(doc, false, 49.9).enabled()).isTrue();
    assertOff(evaluate(doc, false, 50.0), Cause.REMOTE_CONFIG, "outside the rollout");
  }

  // --- bodies that are not a config -----------------------------------------------------------

  @Test
  void nullBodyDisables() {
    Verdict v = RemoteConfig.evaluate(null, MLFLOW, "linux", false, 0);
    assertOff(v, Cause.CONFIG_UNAVAILABLE, "no body");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{",
        "not json",
        "{'mlflow_version':'3.7.0'}",
        "{\"mlflow_version\": \"3.7.0\",}",
        "{mlflow_version: \"3.7.0\"}",
        "\"unterminated",
        "[1, 2",
      })
  void malformedJsonDisables(String body) {
    assertOff(evaluate(body), Cause.CONFIG_UNAVAILABLE, "not valid JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[" + "{}" + "]", "\"a string\"", "42", "true", "null", "", "   "})
  void notAnObjectDisables(String body) {
    assertOff(evaluate(body), Cause.CONFIG_UNAVAILABLE, "remote config");
    assertThat(evaluate(body).decision().detail()).containsAnyOf("not a JSON object", "not valid JSON");
  }

  @Test
  void arrayHoldingTheDocumentIsNotAnObject() {
    assertOff(evaluate("[" + APPENDIX + "]"), Cause.CONFIG_UNAVAILABLE, "not a JSON object");
    assertOff(evaluate("\"" + APPENDIX.replace("\"", "\\\"").replace("\n", " ") + "\""), Cause.CONFIG_UNAVAILABLE, "not a JSON object");
  }

  @Test
  void oversizedBodyDisablesWithoutBeingRead() {
    byte[] body = padded(APPENDIX, RemoteConfig.DEFAULT_MAX_BYTES + 1);
    Verdict v = RemoteConfig.evaluate(body, MLFLOW, "linux", false, 0);
    assertOff(v, Cause.CONFIG_UNAVAILABLE, "larger than 65536 bytes");
  }

  @Test
  void bodyOfExactlyTheMaximumIsRead() {
    byte[] body = padded(APPENDIX, RemoteConfig.DEFAULT_MAX_BYTES);
    assertThat(RemoteConfig.evaluate(body, MLFLOW, "linux", false, 0).enabled()).isTrue();
  }

  @Test
  void hugeBodyDisables() {
    byte[] body = new byte[8 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) ' ');
    assertOff(RemoteConfig.evaluate(body, MLFLOW, "linux", false, 0), Cause.CONFIG_UNAVAILABLE, "larger than");
  }

  @Test
  void deeplyNestedJsonDisablesWithoutThrowing() {
    String deep = "{\"a\":".repeat(1000) + "1" + "}".repeat(1000);
    assertOff(evaluate(deep), Cause.CONFIG_UNAVAILABLE, "not valid JSON");
    String deepArray = "[".repeat(1000) + "]".repeat(1000);
    assertOff(evaluate(deepArray), Cause.CONFIG_UNAVAILABLE, "not valid JSON");
  }

  @Test
  void deeplyNestedUnknownFieldDisables() {
    String doc = APPENDIX.substring(0, APPENDIX.length() - 1) + ", \"x\": " + "[".repeat(100) + "]".repeat(100) + "}";
    assertOff(evaluate(doc), Cause.CONFIG_UNAVAILABLE, "not valid JSON");
  }

  @Test
  void duplicateKeysDisable() {
    // Last-one-wins would read "false" and enable: a duplicate must not be resolved silently.
    String doc = APPENDIX.substring(0, APPENDIX.length() - 1) + ", \"disable_telemetry\": true}";
    assertOff(evaluate(doc), Cause.CONFIG_UNAVAILABLE, "not valid JSON");
    String versions = "{\"mlflow_version\":\"0.0.1\",\"mlflow_version\":\"3.7.0\",\"ingestion_url\":\"https://i.example/\"}";
    assertOff(evaluate(versions), Cause.CONFIG_UNAVAILABLE, "not valid JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "{}", "]", ",", "\"x\"", "1", "{\"mlflow_version\":\"3.7.0\"}"})
  void trailingGarbageDisables(String trailer) {
    assertOff(evaluate(APPENDIX + trailer), Cause.CONFIG_UNAVAILABLE, "not valid JSON");
    assertOff(evaluate(APPENDIX + " \n " + trailer), Cause.CONFIG_UNAVAILABLE, "not valid JSON");
  }

  @Test
  void trailingWhitespaceIsFine() {
    assertThat(evaluate(APPENDIX + " \r\n\t ").enabled()).isTrue();
  }

  @Test
  void invalidUtf8Disables() {
    byte[] good = APPENDIX.getBytes(StandardCharsets.UTF_8);
    String marker = "api.mlflow";
    int at = APPENDIX.indexOf(marker);
    byte[] bad = good.clone();
    bad[at] = (byte) 0xFF;
    assertOff(RemoteConfig.evaluate(bad, MLFLOW, "linux", false, 0), Cause.CONFIG_UNAVAILABLE, "not valid JSON");
  }

  @Test
  void randomBytesNeverThrowAndNeverEnable() {
    Random random = new Random(20250729L);
    for (int i = 0; i < 2000; i++) {
      byte[] body = new byte[random.nextInt(200)];
      random.nextBytes(body);
      if (i % 2 == 0 && body.length > 0) {
        body[0] = '{';
      }
      Verdict v = RemoteConfig.evaluate(body, MLFLOW, "linux", true, random.nextDouble() * 100);
      assertThat(v.enabled()).isFalse();
      assertThat(v.decision().detail()).isNotBlank();
    }
  }

  @Test
  void detailsNameTheRuleForEveryRejection() {
    // Each rule gives a different detail, so that "status" can say which rule fired.
    Set<String> details =
        new HashSet<>(
            List.of(
            evaluate(appendixWith(d -> d.put("mlflow_version", "0"))).decision().detail(),
            evaluate(appendixWith(d -> d.put("disable_telemetry", true))).decision().detail(),
            evaluate(appendixWith(d -> d.remove("ingestion_url"))).decision().detail(),
            evaluate(appendixWith(d -> d.put("ingestion_url", "http://example.com"))).decision().detail(),
            evaluate(appendixWith(d -> d.putArray("disable_sdks").add("mlflow-java"))).decision().detail(),
            evaluate(appendixWith(d -> d.putArray("disable_os").add("linux"))).decision().detail(),
            evaluate(appendixWith(d -> d.put("rollout_percentage", 0))).decision().detail(),
            evaluate("{").decision().detail(),
            evaluate("[]").decision().detail()));
    assertThat(details).hasSize(9).allMatch(s -> s.startsWith("remote config"));
  }

  private static byte[] padded(String json, int size) {
    byte[] doc = json.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[size];
    System.arraycopy(doc, 0, out, 0, doc.length);
    java.util.Arrays.fill(out, doc.length, size, (byte) ' ');
    return out;
  }
}
