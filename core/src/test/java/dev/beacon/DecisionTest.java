package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Decision.Cause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DecisionTest {

  @Test
  void enabledIsOnWithCauseEnabled() {
    assertThat(Decision.ENABLED.enabled()).isTrue();
    assertThat(Decision.ENABLED.cause()).isEqualTo(Cause.ENABLED);
    assertThat(Decision.ENABLED.describe()).isEqualTo("enabled");
    assertThat(Decision.ENABLED).hasToString("enabled");
  }

  @Test
  void disabledDescribesItsDetail() {
    Decision d = Decision.disabled(Cause.DO_NOT_TRACK, "DO_NOT_TRACK=true");
    assertThat(d.enabled()).isFalse();
    assertThat(d.cause()).isEqualTo(Cause.DO_NOT_TRACK);
    assertThat(d.detail()).isEqualTo("DO_NOT_TRACK=true");
    assertThat(d.describe()).isEqualTo("disabled: DO_NOT_TRACK=true");
    assertThat(d).hasToString("disabled: DO_NOT_TRACK=true");
  }

  @ParameterizedTest
  @EnumSource(value = Cause.class, names = "ENABLED", mode = EnumSource.Mode.EXCLUDE)
  void everyOffCauseMakesADisabledDecision(Cause cause) {
    assertThat(Decision.disabled(cause, "why").enabled()).isFalse();
  }

  @Test
  void rejectsEnabledWithAnOffCause() {
    assertThatThrownBy(() -> new Decision(true, Cause.CI, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CI");
  }

  @Test
  void rejectsDisabledWithCauseEnabled() {
    assertThatThrownBy(() -> Decision.disabled(Cause.ENABLED, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ENABLED");
  }

  @Test
  void rejectsNullCauseAndDetail() {
    assertThatThrownBy(() -> Decision.disabled(null, "x")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Decision.disabled(Cause.CI, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void equalByValue() {
    assertThat(Decision.disabled(Cause.CI, "a")).isEqualTo(Decision.disabled(Cause.CI, "a"));
    assertThat(new Decision(true, Cause.ENABLED, "all checks passed")).isEqualTo(Decision.ENABLED);
  }
}
