package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Decision.Cause;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConsentTest {

  private static final Profile MLFLOW = Profiles.mlflow("3.7.0");
  private static final Map<String, String> NONE = Map.of();

  private static Decision decide(Map<String, String> env, Map<String, String> sysProps) {
    return Consent.decide(env, sysProps, MLFLOW);
  }

  private static Decision env(String key, String value) {
    return decide(Map.of(key, value), NONE);
  }

  @Test
  void emptyEnvironmentIsEnabled() {
    assertThat(decide(NONE, NONE)).isEqualTo(Decision.ENABLED);
  }

  @Test
  void nullMapsFindNothing() {
    assertThat(Consent.decide((Map<String, String>) null, null, MLFLOW)).isEqualTo(Decision.ENABLED);
    assertThat(Consent.lookup(null).apply("CI")).isNull();
  }

  @Test
  void unrelatedVariablesDoNotMatter() {
    assertThat(decide(Map.of("HOME", "/home/x", "MLFLOW_TRACKING_URI", "http://x"), Map.of("user.name", "x")))
        .isEqualTo(Decision.ENABLED);
  }

  // --- CI -------------------------------------------------------------------------------------

  @Test
  void ciVariablesAreExactlyTheTwelve() {
    assertThat(Consent.CI_VARIABLES)
        .containsExactly(
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
  }

  static Stream<Arguments> ciVariableWithCountingValue() {
    return Consent.CI_VARIABLES.stream()
        .flatMap(
            v ->
                Stream.of("true", "1", "yes", "", "  ", "TRUE", "https://jenkins.example/", "2")
                    .map(value -> Arguments.of(v, value)));
  }

  @ParameterizedTest(name = "{0}=[{1}]")
  @MethodSource("ciVariableWithCountingValue")
  void ciVariableDisablesUnlessFalseOrZero(String variable, String value) {
    Decision d = env(variable, value);
    assertThat(d.enabled()).isFalse();
    assertThat(d.cause()).isEqualTo(Cause.CI);
    assertThat(d.detail()).contains(variable);
    assertThat(d.describe()).isEqualTo("disabled: CI environment (" + variable + " is set)");
  }

  static Stream<Arguments> ciVariableWithFalseValue() {
    return Consent.CI_VARIABLES.stream()
        .flatMap(v -> Stream.of("false", "0", " FALSE ", "False", " 0 ").map(value -> Arguments.of(v, value)));
  }

  @ParameterizedTest(name = "{0}=[{1}]")
  @MethodSource("ciVariableWithFalseValue")
  void ciVariableFalseOrZeroDoesNotCount(String variable, String value) {
    assertThat(env(variable, value)).isEqualTo(Decision.ENABLED);
  }

  @Test
  void ciIsReadFromTheEnvironmentOnly() {
    assertThat(decide(NONE, Map.of("CI", "true", "GITHUB_ACTIONS", "true"))).isEqualTo(Decision.ENABLED);
  }

  @Test
  void ciFalseDoesNotHideAnotherCiVariable() {
    Decision d = decide(Map.of("CI", "false", "GITLAB_CI", "true"), NONE);
    assertThat(d.cause()).isEqualTo(Cause.CI);
    assertThat(d.detail()).contains("GITLAB_CI");
  }

  @Test
  void ciVariableNamesAreCaseSensitive() {
    assertThat(env("ci", "true")).isEqualTo(Decision.ENABLED);
  }

  // --- the opt-out variable -------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"true", "1", "TRUE", " 1 ", "True", "\ttrue\n"})
  void optOutTrueOrOneDisables(String value) {
    Decision d = env("MLFLOW_DISABLE_TELEMETRY", value);
    assertThat(d.enabled()).isFalse();
    assertThat(d.cause()).isEqualTo(Cause.OPT_OUT);
    assertThat(d.detail()).isEqualTo("MLFLOW_DISABLE_TELEMETRY=" + value.trim());
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"false", "0", "FALSE", " false ", " 0 "})
  void optOutFalseOrZeroDoesNotDisable(String value) {
    assertThat(env("MLFLOW_DISABLE_TELEMETRY", value)).isEqualTo(Decision.ENABLED);
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"yes", "", "2", "   ", "off", "no", "disable", "00", "-1"})
  void optOutAnyOtherValueDisables(String value) {
    Decision d = env("MLFLOW_DISABLE_TELEMETRY", value);
    assertThat(d.enabled()).isFalse();
    assertThat(d.cause()).isEqualTo(Cause.OPT_OUT);
    assertThat(d.detail()).startsWith("MLFLOW_DISABLE_TELEMETRY=");
  }

  @Test
  void describeOptOut() {
    assertThat(env("MLFLOW_DISABLE_TELEMETRY", " 1 ").describe()).isEqualTo("disabled: MLFLOW_DISABLE_TELEMETRY=1");
  }

  @Test
  void optOutVariableIsTheProfiles() {
    Profile acme = Profile.builder("acme").sdkName("acme-java").sdkVersion("1").event("start").build();
    assertThat(Consent.decide(Map.of("MLFLOW_DISABLE_TELEMETRY", "true"), NONE, acme)).isEqualTo(Decision.ENABLED);
    Decision d = Consent.decide(Map.of("ACME_DISABLE_TELEMETRY", "true"), NONE, acme);
    assertThat(d.cause()).isEqualTo(Cause.OPT_OUT);
    assertThat(d.describe()).isEqualTo("disabled: ACME_DISABLE_TELEMETRY=true");
  }

  // --- DO_NOT_TRACK ---------------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"true", "1", "TRUE", " 1 ", "True"})
  void doNotTrackTrueOrOneDisables(String value) {
    Decision d = env("DO_NOT_TRACK", value);
    assertThat(d.enabled()).isFalse();
    assertThat(d.cause()).isEqualTo(Cause.DO_NOT_TRACK);
    assertThat(d.detail()).isEqualTo("DO_NOT_TRACK=" + value.trim());
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"false", "0", "yes", "", "2", "no"})
  void doNotTrackOtherValuesDoNotDisable(String value) {
    assertThat(env("DO_NOT_TRACK", value)).isEqualTo(Decision.ENABLED);
  }

  @Test
  void describeDoNotTrack() {
    assertThat(env("DO_NOT_TRACK", "true").describe()).isEqualTo("disabled: DO_NOT_TRACK=true");
  }

  // --- system properties ----------------------------------------------------------------------

  @Test
  void sysPropOptOutDisables() {
    Decision d = decide(NONE, Map.of("MLFLOW_DISABLE_TELEMETRY", "true"));
    assertThat(d.cause()).isEqualTo(Cause.OPT_OUT);
    assertThat(d.describe()).isEqualTo("disabled: MLFLOW_DISABLE_TELEMETRY=true");
  }

  @Test
  void sysPropDoNotTrackDisables() {
    Decision d = decide(NONE, Map.of("DO_NOT_TRACK", "1"));
    assertThat(d.cause()).isEqualTo(Cause.DO_NOT_TRACK);
    assertThat(d.describe()).isEqualTo("disabled: DO_NOT_TRACK=1");
  }

  @Test
  void sysPropFalseCannotReEnableWhatTheEnvironmentDisabled() {
    Decision d = decide(Map.of("MLFLOW_DISABLE_TELEMETRY", "true"), Map.of("MLFLOW_DISABLE_TELEMETRY", "false"));
    assertThat(d.enabled()).isFalse();
    assertThat(d.cause()).isEqualTo(Cause.OPT_OUT);
  }

  @Test
  void sysPropCanDisableWhatTheEnvironmentAllowed() {
    Decision d = decide(Map.of("MLFLOW_DISABLE_TELEMETRY", "false"), Map.of("MLFLOW_DISABLE_TELEMETRY", "1"));
    assertThat(d.enabled()).isFalse();
    assertThat(d.describe()).isEqualTo("disabled: MLFLOW_DISABLE_TELEMETRY=1");
  }

  @Test
  void sysPropFalseCannotHideCi() {
    Decision d = decide(Map.of("CI", "true"), Map.of("CI", "false", "MLFLOW_DISABLE_TELEMETRY", "false"));
    assertThat(d.cause()).isEqualTo(Cause.CI);
  }

  // --- precedence: opt-out, then DO_NOT_TRACK, then CI ----------------------------------------

  @Test
  void optOutComesBeforeDoNotTrackAndCi() {
    Decision d = decide(Map.of("MLFLOW_DISABLE_TELEMETRY", "1", "DO_NOT_TRACK", "1", "CI", "true"), NONE);
    assertThat(d.cause()).isEqualTo(Cause.OPT_OUT);
  }

  @Test
  void doNotTrackComesBeforeCi() {
    Decision d = decide(Map.of("DO_NOT_TRACK", "1", "CI", "true"), NONE);
    assertThat(d.cause()).isEqualTo(Cause.DO_NOT_TRACK);
  }

  @Test
  void sysPropOptOutComesBeforeCi() {
    Decision d = decide(Map.of("CI", "true"), Map.of("MLFLOW_DISABLE_TELEMETRY", "1"));
    assertThat(d.cause()).isEqualTo(Cause.OPT_OUT);
  }

  @Test
  void sysPropDoNotTrackComesBeforeCi() {
    Decision d = decide(Map.of("CI", "true"), Map.of("DO_NOT_TRACK", "true"));
    assertThat(d.cause()).isEqualTo(Cause.DO_NOT_TRACK);
  }

  @Test
  void optOutInSysPropsComesBeforeDoNotTrackInEnvironment() {
    Decision d = decide(Map.of("DO_NOT_TRACK", "1"), Map.of("MLFLOW_DISABLE_TELEMETRY", "1"));
    assertThat(d.cause()).isEqualTo(Cause.OPT_OUT);
    assertThat(d.describe()).isEqualTo("disabled: MLFLOW_DISABLE_TELEMETRY=1");
  }

  // --- live re-check --------------------------------------------------------------------------

  @Test
  void liveIsNullWhenNothingOptsOut() {
    assertThat(Consent.live(Consent.lookup(Map.of("DO_NOT_TRACK", "0", "MLFLOW_DISABLE_TELEMETRY", "false")), MLFLOW))
        .isNull();
    assertThat(Consent.live(Consent.lookup(NONE), MLFLOW)).isNull();
  }

  @Test
  void liveSeesASysPropSetLater() {
    Map<String, String> sysProps = new HashMap<>();
    Function<String, String> lookup = Consent.lookup(sysProps);
    assertThat(Consent.live(lookup, MLFLOW)).isNull();

    sysProps.put("MLFLOW_DISABLE_TELEMETRY", "true");
    Decision d = Consent.live(lookup, MLFLOW);
    assertThat(d).isNotNull();
    assertThat(d.cause()).isEqualTo(Cause.OPT_OUT);
    assertThat(d.describe()).isEqualTo("disabled: MLFLOW_DISABLE_TELEMETRY=true");

    sysProps.remove("MLFLOW_DISABLE_TELEMETRY");
    sysProps.put("DO_NOT_TRACK", "1");
    assertThat(Consent.live(lookup, MLFLOW).cause()).isEqualTo(Cause.DO_NOT_TRACK);
  }

  @Test
  void liveIgnoresCi() {
    assertThat(Consent.live(Consent.lookup(Map.of("CI", "true")), MLFLOW)).isNull();
  }

  // --- debug ----------------------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"1", "true", "TRUE", " 1 "})
  void debugVariableTrueOrOneTurnsDebugOn(String value) {
    Function<String, String> set = Consent.lookup(Map.of("BEACON_TELEMETRY_DEBUG", value));
    Function<String, String> none = Consent.lookup(NONE);
    assertThat(Consent.debug(set, none, MLFLOW)).isTrue();
    assertThat(Consent.debug(none, set, MLFLOW)).isTrue();
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"0", "false", "yes", "", "2"})
  void debugVariableOtherValuesLeaveDebugOff(String value) {
    Function<String, String> set = Consent.lookup(Map.of("BEACON_TELEMETRY_DEBUG", value));
    assertThat(Consent.debug(set, set, MLFLOW)).isFalse();
  }

  @Test
  void debugIsOffByDefault() {
    assertThat(Consent.debug(Consent.lookup(NONE), Consent.lookup(NONE), MLFLOW)).isFalse();
  }

  @Test
  void profileDebugVariableAlsoWorks() {
    Profile acme =
        Profile.builder("acme").sdkName("acme-java").sdkVersion("1").debugVariable("ACME_DEBUG").event("start").build();
    Function<String, String> none = Consent.lookup(NONE);
    assertThat(Consent.debug(Consent.lookup(Map.of("ACME_DEBUG", "1")), none, acme)).isTrue();
    assertThat(Consent.debug(none, Consent.lookup(Map.of("ACME_DEBUG", "true")), acme)).isTrue();
    assertThat(Consent.debug(Consent.lookup(Map.of("ACME_DEBUG", "1")), none, MLFLOW)).isFalse();
  }

  @Test
  void debugDoesNotDisable() {
    assertThat(decide(Map.of("BEACON_TELEMETRY_DEBUG", "1"), NONE)).isEqualTo(Decision.ENABLED);
  }
}
