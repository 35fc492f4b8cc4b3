package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventDefinitionTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "create_run", "start_trace", "e2e_1", "x_"})
  void acceptsLowercaseSnakeCaseNames(String name) {
    assertThat(EventDefinition.of(name).name()).isEqualTo(name);
  }

  @Test
  void acceptsSixtyFourCharacterName() {
    String name = "a".repeat(64);
    assertThat(EventDefinition.of(name).name()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Create_run", "1run", "_run", "create-run", "create run", "créer", "run\u0000"})
  void rejectsBadNamesWithTheValueInTheMessage(String name) {
    assertThatThrownBy(() -> EventDefinition.of(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + name + "'");
  }

  @Test
  void rejectsSixtyFiveCharacterName() {
    String name = "a".repeat(65);
    assertThatThrownBy(() -> EventDefinition.of(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name);
  }

  @Test
  void rejectsNullNameAndNullParams() {
    assertThatThrownBy(() -> EventDefinition.of(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> EventDefinition.of("x", null)).isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"_flavor", "9lives", "with space", "dash-key", "dotted.key"})
  void rejectsBadParamKeysNamingKeyAndEvent(String key) {
    assertThatThrownBy(() -> EventDefinition.of("create_logged_model", Map.of(key, ParamSpec.flag())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + key + "'")
        .hasMessageContaining("create_logged_model");
  }

  @Test
  void ofWithoutParamsHasEmptyParams() {
    assertThat(EventDefinition.of("import_mlflow").params()).isEmpty();
  }

  @Test
  void paramsAreCopiedAndUnmodifiable() {
    Map<String, ParamSpec> params = new HashMap<>();
    params.put("flavor", ParamSpec.oneOf("sklearn"));
    EventDefinition def = EventDefinition.of("create_logged_model", params);
    params.put("extra", ParamSpec.flag());

    assertThat(def.params()).containsOnlyKeys("flavor");
    assertThatThrownBy(() -> def.params().put("x", ParamSpec.flag()))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
