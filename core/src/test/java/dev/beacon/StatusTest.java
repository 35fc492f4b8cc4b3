package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class StatusTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "SUCCESS, success",
    "FAILURE, failure",
    "UNKNOWN, unknown",
  })
  void wireValueIsLowercaseName(Status status, String wire) {
    assertThat(status.wireValue()).isEqualTo(wire);
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource({
    "success, SUCCESS",
    "failure, FAILURE",
    "unknown, UNKNOWN",
    "SUCCESS, SUCCESS",
    "Failure, FAILURE",
    "'  success ', SUCCESS",
    "'\tfailure\t', FAILURE",
    "'', UNKNOWN",
    "'   ', UNKNOWN",
    "succeeded, UNKNOWN",
    "fail, UNKNOWN",
    "ok, UNKNOWN",
    "error, UNKNOWN",
  })
  void fromWireParsesLenientlyAndDefaultsToUnknown(String wire, Status expected) {
    assertThat(Status.fromWire(wire)).isEqualTo(expected);
  }

  static Stream<Arguments> nonStrings() {
    return Stream.of(
        Arguments.of((Object) null),
        Arguments.of(1),
        Arguments.of(true),
        Arguments.of(Status.SUCCESS),
        Arguments.of(new StringBuilder("success")),
        Arguments.of((Object) new String[] {"success"}));
  }

  @ParameterizedTest
  @MethodSource("nonStrings")
  void fromWireGivesUnknownForNonStrings(Object value) {
    assertThat(Status.fromWire(value)).isEqualTo(Status.UNKNOWN);
  }

  @Test
  void fromWireRoundTripsEveryWireValue() {
    for (Status s : Status.values()) {
      assertThat(Status.fromWire(s.wireValue())).isEqualTo(s);
    }
  }
}
