package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class DropReasonTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "DISABLED, disabled",
    "INVALID, invalid",
    "QUEUE_FULL, queue_full",
    "OVERSIZE, oversize",
    "REJECTED, rejected",
    "RETRIES_EXHAUSTED, retries_exhausted",
    "BREAKER_OPEN, breaker_open",
    "SHUTDOWN, shutdown",
  })
  void keyIsTheStableContractName(DropReason reason, String key) {
    assertThat(reason.key()).isEqualTo(key);
  }

  @Test
  void thereAreExactlyTheEightDesignedReasons() {
    assertThat(Arrays.stream(DropReason.values()).map(DropReason::key))
        .containsExactly(
            "disabled",
            "invalid",
            "queue_full",
            "oversize",
            "rejected",
            "retries_exhausted",
            "breaker_open",
            "shutdown");
  }

  @ParameterizedTest
  @EnumSource(DropReason.class)
  void keyIsLowercaseSnakeCaseOfTheName(DropReason reason) {
    assertThat(reason.key())
        .isEqualTo(reason.name().toLowerCase(Locale.ROOT))
        .matches("[a-z_]+");
  }
}
