package dev.beacon;

import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

  private static final Charset UTF8 = StandardCharsets.UTF_8;

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
    Object parsed;
    try {
      // JsonText, not Jackson: a cold CLI must not load Jackson's 400 classes to read 300 bytes.
      parsed = JsonText.parse(UTF8.newDecoder().decode(java.nio.ByteBuffer.wrap(body)).toString());
    } catch (java.nio.charset.CharacterCodingException | IllegalArgumentException e) {
      return Verdict.off(Decision.Cause.CONFIG_UNAVAILABLE, "remote config is not valid JSON");
    }
    if (!(parsed instanceof Map<?, ?> root)) {
      return Verdict.off(Decision.Cause.CONFIG_UNAVAILABLE, "remote config is not a JSON object");
    }
    return evaluate(root, profile, platform, allowInsecureLoopback, rolloutDraw);
  }

  private static Verdict evaluate(
      Map<?, ?> root, Profile profile, String platform, boolean allowInsecureLoopback, double draw) {
    Object version = root.get(profile.versionKey());
    if (!(version instanceof String v) || !v.equals(profile.sdkVersion())) {
      return Verdict.off(
          Decision.Cause.REMOTE_CONFIG,
          "remote config: version mismatch (" + profile.versionKey() + " is not " + profile.sdkVersion() + ")");
    }
    Object disable = root.get("disable_telemetry");
    if (Boolean.TRUE.equals(disable)) {
      return Verdict.off(Decision.Cause.REMOTE_CONFIG, "remote config: disable_telemetry is true");
    }
    if (disable != null && !(disable instanceof Boolean)) {
      return malformed("disable_telemetry");
    }
    Object url = root.get("ingestion_url");
    if (url == null) {
      return Verdict.off(Decision.Cause.REMOTE_CONFIG, "remote config: no ingestion_url");
    }
    if (!(url instanceof String u)) {
      return malformed("ingestion_url");
    }
    UrlPolicy.Check check = UrlPolicy.check(u, allowInsecureLoopback);
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
    Object rollout = root.get("rollout_percentage");
    double percentage = 100;
    if (rollout != null) {
      if (!(rollout instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        return malformed("rollout_percentage");
      }
      percentage = n.doubleValue();
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
  private static Set<String> strings(Object node) {
    if (node == null) {
      return Set.of();
    }
    if (!(node instanceof List<?> items)) {
      return null;
    }
    Set<String> out = new HashSet<>();
    for (Object item : items) {
      if (!(item instanceof String str)) {
        return null;
      }
      out.add(str);
    }
    return out;
  }
}
