package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class JacksonVersionTest {

  @ParameterizedTest(name = "{0} older than 2.16.0: {1}")
  @CsvSource({
    "2.15.4, true",
    "2.15.99, true",
    "2.9.10, true", // numeric, not text: 9 < 16
    "1.99.99, true",
    "2.16.0-rc1, false", // a qualifier counts as its release
    "2.16.0-SNAPSHOT, false",
    "2.16.0, false",
    "2.16, false",
    "2.16.1, false",
    "2.18.2, false",
    "2.20.1, false",
    "2.100.0, false",
    "3.0.0, false",
    "2.20.1.1, false",
  })
  void comparesMajorMinorPatchNumerically(String found, boolean older) {
    assertThat(JacksonVersion.older(found, JacksonVersion.MINIMUM)).isEqualTo(older);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "unknown", "0.0.0", "2", "v2.15.0", "2.x", "${jackson.version}"})
  void letsAVersionItCannotTellPass(String found) {
    assertThat(JacksonVersion.parse(found)).isNull();
    assertThat(JacksonVersion.older(found, JacksonVersion.MINIMUM)).isFalse();
    assertThat(JacksonVersion.problem(found, found)).isNull();
  }

  @Test
  void parsesWhatJacksonVersionToStringGives() {
    assertThat(JacksonVersion.parse("2.16.0-SNAPSHOT")).containsExactly(2, 16, 0);
    assertThat(JacksonVersion.parse("2.20")).containsExactly(2, 20, 0);
    assertThat(JacksonVersion.parse(" 2.18.2 ")).containsExactly(2, 18, 2);
  }

  @Test
  void refusesAnOldJacksonNamingBothVersionsFoundAndTheOneNeeded() {
    String problem = JacksonVersion.problem("2.15.4", "2.15.3");

    assertThat(problem)
        .startsWith("Beacon needs Jackson 2.16.0 or newer to read JSON")
        .contains("jackson-core 2.15.4", "jackson-databind 2.15.3", "jackson-bom");
  }

  @Test
  void refusesWhenOnlyOneOfTheTwoIsOld() {
    assertThat(JacksonVersion.problem("2.20.1", "2.14.2")).contains("jackson-core 2.20.1", "jackson-databind 2.14.2");
    assertThat(JacksonVersion.problem("2.15.0", "2.20.1")).contains("jackson-core 2.15.0", "jackson-databind 2.20.1");
    assertThat(JacksonVersion.problem(null, "2.15.0")).contains("jackson-core (not found)");
  }

  @Test
  void acceptsTheMinimumAndNewer() {
    assertThat(JacksonVersion.problem("2.16.0", "2.16.0")).isNull();
    assertThat(JacksonVersion.problem("2.20.1", "2.18.2")).isNull();
  }

  @Test
  void theJacksonThisBuildRunsOnPasses() {
    assertThat(JacksonVersion.problemOnClassPath()).isNull();
    assertThat(Json.JACKSON_PROBLEM).isNull();
    assertThat(Beacon.jacksonProblem()).isNull();
    assertThat(Beacon.JACKSON_MINIMUM).isEqualTo(JacksonVersion.MINIMUM);
    assertThat(Json.mapper()).isSameAs(Json.mapper());
  }

  @Test
  void theMinimumIsTheOneTheBuildEnforces() throws IOException {
    Properties built = new Properties();
    try (InputStream in = Beacon.class.getResourceAsStream("beacon.properties")) {
      assertThat(in).isNotNull();
      built.load(in);
    }
    // beacon.properties is filtered with the pom's beacon.jackson.minimum, which the enforcer bans below
    assertThat(built.getProperty("jacksonMinimum")).isEqualTo(JacksonVersion.MINIMUM);
  }
}
