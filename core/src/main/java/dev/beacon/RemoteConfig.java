package dev.beacon;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;

/**
 * The remote config document and the rules that turn it into on or off.
 *
 * <p>Telemetry stays on only if the body is at most {@link #DEFAULT_MAX_BYTES}, parses as a JSON
 * object, its version field equals the SDK version, {@code disable_telemetry} is not the JSON
 * literal {@code true}, {@code ingestion_url} is present and allowed by {@link UrlPolicy}, the SDK
 * is not in {@code disable_sdks}, the OS is not in {@code disable_os}, and the session passes the
 * rollout draw. A field of the wrong type is a malformed config and switches telemetry off; unknown
 * fields are ignored. {@code rollout_percentage} defaults to 100 when absent, as in MLflow.
 *
 * <p>Stateless and thread-safe; {@link #evaluate} never throws.
 */
public final class RemoteConfig {

  /** Largest config body read, in bytes (64 KiB); a larger one switches telemetry off. */
  public static final int DEFAULT_MAX_BYTES = 64 * 1024;

  private RemoteConfig() {}

  /**
   * What the config allows.
   *
   * @param decision on, or off with the rule that fired
   * @param ingestionUrl where to send, when on
   * @param disabledEvents event names not to send ({@code disable_events}), when on
   */
  public record Verdict(Decision decision, URI ingestionUrl, Set<String> disabledEvents) {
    static Verdict off(Decision.Cause cause, String detail) {
      return new Verdict(Decision.disabled(cause, detail), null, Set.of());
    }

    /** Whether telemetry may go on. */
    public boolean enabled() {
      return decision.enabled();
    }
  }

  /**
   * Evaluates a config body. With a Jackson older than Beacon needs (2.16.0) on the class path, the
   * body is not read and telemetry is off ({@code CONFIG_UNAVAILABLE}, the detail naming the
   * versions).
   *
   * @param body the response body (any bytes)
   * @param profile the reporting profile (SDK name, version, version key)
   * @param platform the OS as {@code sys.platform} names it ({@link ClientInfo#platform()})
   * @param allowInsecureLoopback whether plain http to loopback is allowed for ingestion
   * @param rolloutDraw this session's draw, uniform in {@code [0, 100)}: the session is in when
   *     {@code draw < rollout_percentage}
   */
  public static Verdict evaluate(
      byte[] body, Profile profile, String platform, boolean allowInsecureLoopback, double rolloutDraw) {
    if (body == null) {
      return Verdict.off(Decision.Cause.CONFIG_UNAVAILABLE, "remote config has no body");
    }
    if (body.length > DEFAULT_MAX_BYTES) {
      return Verdict.off(
          Decision.Cause.CONFIG_UNAVAILABLE,
          "remote config larger than " + DEFAULT_MAX_BYTES + " bytes");
    }
    if (Json.JACKSON_PROBLEM != null) {
      return Verdict.off(Decision.Cause.CONFIG_UNAVAILABLE, Json.JACKSON_PROBLEM);
    }
    JsonNode root;
    try {
      root = Json.mapper().readTree(body);
    } catch (IOException | RuntimeException e) {
      return Verdict.off(Decision.Cause.CONFIG_UNAVAILABLE, "remote config is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      return Verdict.off(Decision.Cause.CONFIG_UNAVAILABLE, "remote config is not a JSON object");
    }
    return evaluate(root, profile, platform, allowInsecureLoopback, rolloutDraw);
  }

  private static Verdict evaluate(
      JsonNode root, Profile profile, String platform, boolean allowInsecureLoopback, double draw) {
    JsonNode version = root.get(profile.versionKey());
    if (version == null || !version.isTextual() || !version.textValue().equals(profile.sdkVersion())) {
      return Verdict.off(
          Decision.Cause.REMOTE_CONFIG,
          "remote config: version mismatch (" + profile.versionKey() + " is not " + profile.sdkVersion() + ")");
    }
    JsonNode disable = root.get("disable_telemetry");
    if (disable != null && disable.isBoolean() && disable.booleanValue()) {
      return Verdict.off(Decision.Cause.REMOTE_CONFIG, "remote config: disable_telemetry is true");
    }
    if (disable != null && !disable.isBoolean() && !disable.isNull()) {
      return malformed("disable_telemetry");
    }
    JsonNode url = root.get("ingestion_url");
    if (url == null || url.isNull()) {
      return Verdict.off(Decision.Cause.REMOTE_CONFIG, "remote config: no ingestion_url");
    }
    if (!url.isTextual()) {
      return malformed("ingestion_url");
    }
    UrlPolicy.Check check = UrlPolicy.check(url.textValue(), allowInsecureLoopback);
    if (!check.allowed()) {
      return Verdict.off(
          Decision.Cause.REMOTE_CONFIG, "remote config: ingestion_url refused (" + check.reason() + ")");
    }
    Set<String> sdks = strings(root.get("disable_sdks"));
    if (sdks == null) {
      return malformed("disable_sdks");
    }
    if (sdks.contains(profile.sdkName())) {
      return Verdict.off(
          Decision.Cause.REMOTE_CONFIG, "remote config: SDK " + profile.sdkName() + " is disabled");
    }
    Set<String> os = strings(root.get("disable_os"));
    if (os == null) {
      return malformed("disable_os");
    }
    if (os.contains(platform)) {
      return Verdict.off(Decision.Cause.REMOTE_CONFIG, "remote config: OS " + platform + " is disabled");
    }
    JsonNode rollout = root.get("rollout_percentage");
    double percentage = 100;
    if (rollout != null && !rollout.isNull()) {
      if (!rollout.isNumber() || !Double.isFinite(rollout.doubleValue())) {
        return malformed("rollout_percentage");
      }
      percentage = rollout.doubleValue();
    }
    if (!(draw < percentage)) {
      return Verdict.off(
          Decision.Cause.REMOTE_CONFIG,
          "remote config: session outside the rollout (" + percentage + "%)");
    }
    Set<String> events = strings(root.get("disable_events"));
    if (events == null) {
      return malformed("disable_events");
    }
    return new Verdict(Decision.ENABLED, check.uri(), Set.copyOf(events));
  }

  private static Verdict malformed(String field) {
    return Verdict.off(Decision.Cause.CONFIG_UNAVAILABLE, "remote config: " + field + " has the wrong type");
  }

  /** The strings of a JSON array; an absent or null field is empty; anything else is null (malformed). */
  private static Set<String> strings(JsonNode node) {
    if (node == null || node.isNull()) {
      return Set.of();
    }
    if (!node.isArray()) {
      return null;
    }
    Set<String> out = new HashSet<>();
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        return null;
      }
      out.add(item.textValue());
    }
    return out;
  }
}
