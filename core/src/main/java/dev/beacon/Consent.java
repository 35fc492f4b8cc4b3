package dev.beacon;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The local consent rules, as pure functions of the environment and the system properties. They
 * are passed in (as maps or lookups) so that tests never read or change the real ones.
 *
 * <p>Rules, in the order they are checked (the first that fires is the reason):
 *
 * <ol>
 *   <li>the profile's opt-out variable ({@code MLFLOW_DISABLE_TELEMETRY}): {@code true}/{@code 1}
 *       disable, {@code false}/{@code 0} do not, <em>any other value disables</em> (including an
 *       empty one: when in doubt, stay off);
 *   <li>{@code DO_NOT_TRACK}: {@code true}/{@code 1} disable, anything else does not;
 *   <li>CI: any of {@link #CI_VARIABLES} present in the environment disables, with any value except
 *       {@code false}/{@code 0}.
 * </ol>
 *
 * <p>Values are trimmed and compared case-insensitively. The opt-out variable and {@code
 * DO_NOT_TRACK} are read from system properties of the same names as well as the environment, and
 * an opt-out in either place wins: a system property cannot switch back on what the environment
 * switched off. CI is an environment fact and is read from the environment only.
 *
 * <p>Stateless and thread-safe.
 */
public final class Consent {

  /** The universal opt-out variable. */
  public static final String DO_NOT_TRACK = "DO_NOT_TRACK";

  /** Environment variables whose presence means "running on CI". */
  public static final List<String> CI_VARIABLES =
      List.of(
          "CI",
          "GITHUB_ACTIONS",
          "CIRCLECI",
          "GITLAB_CI",
          "JENKINS_URL",
          "TRAVIS",
          "TF_BUILD",
          "BITBUCKET_BUILD_NUMBER",
          "CODEBUILD_BUILD_ARN",
          "CODEBUILD_BUILD_ID",
          "BUILDKITE",
          "TEAMCITY_VERSION");

  private Consent() {}

  /** {@link #decide(Function, Function, Profile)} over maps. */
  public static Decision decide(Map<String, String> env, Map<String, String> sysProps, Profile profile) {
    return decide(lookup(env), lookup(sysProps), profile);
  }

  /**
   * Decides local consent: opt-out variable, {@code DO_NOT_TRACK}, CI. Never throws for any
   * lookup result.
   *
   * @param env looks up an environment variable ({@code System::getenv} in production)
   * @param sysProps looks up a system property ({@code System::getProperty} in production)
   */
  public static Decision decide(
      Function<String, String> env, Function<String, String> sysProps, Profile profile) {
    Decision d = optOut(env, profile);
    if (d == null) {
      d = optOut(sysProps, profile);
    }
    if (d == null) {
      d = doNotTrack(env);
    }
    if (d == null) {
      d = doNotTrack(sysProps);
    }
    if (d != null) {
      return d;
    }
    for (String variable : CI_VARIABLES) {
      String value = env.apply(variable);
      if (value != null && !isFalse(value)) {
        return Decision.disabled(Decision.Cause.CI, "CI environment (" + variable + " is set)");
      }
    }
    return Decision.ENABLED;
  }

  /**
   * The live re-check, run on every event: the opt-out variable and {@code DO_NOT_TRACK} looked
   * up in {@code source} (the system properties, in production). Returns the "disabled" decision,
   * or {@code null} when neither opts out. Two lookups, no allocation on the "on" path.
   */
  public static Decision live(Function<String, String> source, Profile profile) {
    Decision d = optOut(source, profile);
    return d != null ? d : doNotTrack(source);
  }

  private static Decision optOut(Function<String, String> source, Profile profile) {
    String optOut = source.apply(profile.optOutVariable());
    if (optOut != null && !isFalse(optOut)) {
      return Decision.disabled(Decision.Cause.OPT_OUT, profile.optOutVariable() + "=" + optOut.trim());
    }
    return null;
  }

  private static Decision doNotTrack(Function<String, String> source) {
    String dnt = source.apply(DO_NOT_TRACK);
    if (dnt != null && isTrue(dnt)) {
      return Decision.disabled(Decision.Cause.DO_NOT_TRACK, DO_NOT_TRACK + "=" + dnt.trim());
    }
    return null;
  }

  /**
   * Whether debug mode is on: {@value Profile#UNIVERSAL_DEBUG_VARIABLE} or the profile's debug
   * variable is {@code 1} or {@code true}, in the environment or the system properties.
   */
  public static boolean debug(Function<String, String> env, Function<String, String> sysProps, Profile profile) {
    for (String variable : new String[] {Profile.UNIVERSAL_DEBUG_VARIABLE, profile.debugVariable()}) {
      if (variable != null && (isTrue(env.apply(variable)) || isTrue(sysProps.apply(variable)))) {
        return true;
      }
    }
    return false;
  }

  /** A lookup over a map; a null map finds nothing. */
  public static Function<String, String> lookup(Map<String, String> map) {
    return map == null ? k -> null : map::get;
  }

  /** {@code true} or {@code 1}, trimmed, any case. */
  static boolean isTrue(String value) {
    if (value == null) {
      return false;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.equals("true") || v.equals("1");
  }

  /** {@code false} or {@code 0}, trimmed, any case. */
  static boolean isFalse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.equals("false") || v.equals("0");
  }
}
