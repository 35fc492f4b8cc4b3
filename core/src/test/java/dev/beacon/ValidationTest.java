package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidationTest {

  @Test
  void rejectedCarriesOnlyTheReason() {
    Validation v = Validation.rejected("unknown event");
    assertThat(v.accepted()).isFalse();
    assertThat(v.eventName()).isNull();
    assertThat(v.params()).isNull();
    assertThat(v.stripped()).isZero();
    assertThat(v.coerced()).isZero();
    assertThat(v.rejection()).isEqualTo("unknown event");
  }

  @Test
  void acceptedCarriesNameParamsAndCounts() {
    Validation v = new Validation(true, "create_run", Map.of("imports", "x"), 2, 1, null);
    assertThat(v.accepted()).isTrue();
    assertThat(v.eventName()).isEqualTo("create_run");
    assertThat(v.params()).containsEntry("imports", "x");
    assertThat(v.stripped()).isEqualTo(2);
    assertThat(v.coerced()).isEqualTo(1);
    assertThat(v.rejection()).isNull();
  }

  @Test
  void equalByValue() {
    assertThat(Validation.rejected("a")).isEqualTo(Validation.rejected("a"));
    assertThat(Validation.rejected("a")).isNotEqualTo(Validation.rejected("b"));
  }
}
