package dev.beacon.collector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Catalog;
import dev.beacon.collector.api.TestHttp;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigRulesTest {

  private static final Catalog CATALOG = TestHttp.MLFLOW.catalog();

  @Test
  void emptyDocumentIsTheDefault() throws Exception {
    ConfigRules r = ConfigRules.parse("{}", CATALOG);
    assertThat(r).isEqualTo(ConfigRules.DEFAULT);
    assertThat(r.toJson())
        .isEqualTo("{\"default\":{\"disable_telemetry\":false,\"rollout_percentage\":100,\"disable_events\":[],"
            + "\"disable_sdks\":[],\"disable_os\":[],\"ingestion_url\":null},\"prefixes\":{},\"versions\":{}}");
    assertThat(r.resolve("3.7.0")).isEqualTo(ConfigSettings.DEFAULT);
  }

  @Test
  void canonicalFormReadsBackEqual() throws Exception {
    String doc = """
        {"versions": {"3.7.0": {"disable_os": ["win32"], "disable_telemetry": true}, "3.6.1": {"ingestion_url": null}},
         "prefixes": {"3.": {"rollout_percentage": 50}},
         "default": {"disable_events": ["start_trace"], "ingestion_url": "https://t.example.com/mlflow/ingest"}}
        """;
    ConfigRules r = ConfigRules.parse(doc, CATALOG);
    assertThat(ConfigRules.parse(r.toJson(), CATALOG)).isEqualTo(r);
    assertThat(r.toJson()).isEqualTo(
        "{\"default\":{\"disable_telemetry\":false,\"rollout_percentage\":100,\"disable_events\":[\"start_trace\"],"
            + "\"disable_sdks\":[],\"disable_os\":[],\"ingestion_url\":\"https://t.example.com/mlflow/ingest\"},"
            + "\"prefixes\":{\"3.\":{\"rollout_percentage\":50}},"
            + "\"versions\":{\"3.6.1\":{\"ingestion_url\":null},\"3.7.0\":{\"disable_telemetry\":true,\"disable_os\":[\"win32\"]}}}");
  }

  @Test
  void resolvesDefaultThenPrefixesShortestFirstThenExactVersion() throws Exception {
    ConfigRules r = ConfigRules.parse("""
        {"default": {"rollout_percentage": 10, "disable_sdks": ["mlflow-skinny"]},
         "prefixes": {"3.": {"rollout_percentage": 20, "disable_os": ["win32"]}, "3.7.": {"rollout_percentage": 30}},
         "versions": {"3.7.1": {"disable_telemetry": true, "disable_os": []}}}
        """, CATALOG);
    assertThat(r.resolve("2.9.0")).isEqualTo(new ConfigSettings(false, 10, List.of(), List.of("mlflow-skinny"), List.of(), null));
    assertThat(r.resolve("3.6.0")).isEqualTo(new ConfigSettings(false, 20, List.of(), List.of("mlflow-skinny"), List.of("win32"), null));
    assertThat(r.resolve("3.7.0")).isEqualTo(new ConfigSettings(false, 30, List.of(), List.of("mlflow-skinny"), List.of("win32"), null));
    assertThat(r.resolve("3.7.1")).isEqualTo(new ConfigSettings(true, 30, List.of(), List.of("mlflow-skinny"), List.of(), null));
  }

  @Test
  void anOverrideCanPointBackAtTheCollector() throws Exception {
    ConfigRules r = ConfigRules.parse("""
        {"default": {"ingestion_url": "https://elsewhere.example.com/ingest"}, "versions": {"3.7.0": {"ingestion_url": null}}}
        """, CATALOG);
    assertThat(r.resolve("3.6.0").ingestionUrl()).isEqualTo("https://elsewhere.example.com/ingest");
    assertThat(r.resolve("3.7.0").ingestionUrl()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"defaults\": {}}                                        | /defaults                              | defaults",
        "{\"default\": {\"rollout\": 5}}                           | /default/rollout                       | rollout",
        "{\"default\": {\"disable_telemetry\": \"true\"}}          | /default/disable_telemetry             | true",
        "{\"default\": {\"disable_telemetry\": null}}              | /default/disable_telemetry             | ",
        "{\"default\": {\"rollout_percentage\": 101}}              | /default/rollout_percentage            | 101",
        "{\"default\": {\"rollout_percentage\": -1}}               | /default/rollout_percentage            | -1",
        "{\"default\": {\"rollout_percentage\": 12.5}}             | /default/rollout_percentage            | 12.5",
        "{\"default\": {\"rollout_percentage\": \"50\"}}           | /default/rollout_percentage            | 50",
        "{\"default\": {\"disable_events\": \"start_trace\"}}      | /default/disable_events                | start_trace",
        "{\"default\": {\"disable_events\": [\"log_metrik\"]}}     | /default/disable_events/0              | log_metrik",
        "{\"default\": {\"disable_events\": [\"evaluate\", 3]}}    | /default/disable_events/1              | 3",
        "{\"default\": {\"disable_events\": [\"evaluate\", \"evaluate\"]}} | /default/disable_events/1      | evaluate",
        "{\"default\": {\"disable_os\": [\"Linux\"]}}              | /default/disable_os/0                  | Linux",
        "{\"default\": {\"disable_sdks\": [\"mlflow java\"]}}      | /default/disable_sdks/0                | mlflow java",
        "{\"default\": {\"ingestion_url\": \"http://example.com/ingest\"}} | /default/ingestion_url         | http://example.com/ingest",
        "{\"default\": {\"ingestion_url\": \"ftp://example.com/\"}}  | /default/ingestion_url               | ftp://example.com/",
        "{\"default\": {\"ingestion_url\": 7}}                     | /default/ingestion_url                 | 7",
        "{\"default\": []}                                         | /default                               | an array",
        "{\"versions\": {\"3.7.0 \": {}}}                          | '/versions/3.7.0 '                      | '3.7.0 '",
        "{\"versions\": {\"../x\": {}}}                            | /versions/..~1x                        | ../x",
        "{\"versions\": {\"3.7.0\": {\"rollout_percentage\": 200}}} | /versions/3.7.0/rollout_percentage    | 200",
        "{\"prefixes\": {\"3.\": {\"kill\": true}}}                | /prefixes/3./kill                      | kill",
        "{\"versions\": {\"3.7.0\": true}}                         | /versions/3.7.0                        | true",
      })
  void rejectsNamingTheKeyAndTheValue(String doc, String key, String value) {
    assertThatThrownBy(() -> ConfigRules.parse(doc, CATALOG))
        .isInstanceOfSatisfying(RulesException.class, e -> {
          assertThat(e.key()).isEqualTo(key);
          assertThat(e.value() == null ? null : String.valueOf(e.value())).isEqualTo(value);
          if (value != null) {
            assertThat(e.getMessage()).contains(value.length() > 20 ? value.substring(0, 20) : value.replace("an array", "array"));
          }
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"not json", "[]", "{\"a\": 1, \"a\": 2}", "{} {}", "''"})
  void rejectsDocumentsThatAreNotOneObject(String doc) {
    assertThatThrownBy(() -> ConfigRules.parse(doc, CATALOG))
        .isInstanceOfSatisfying(RulesException.class, e -> assertThat(e.key()).isEmpty());
  }

  @Test
  void eventsOutsideTheCatalogAreKeptWhenReadingSavedRules() throws Exception {
    String saved = "{\"default\": {\"disable_events\": [\"removed_event\"]}}";
    assertThatThrownBy(() -> ConfigRules.parse(saved, CATALOG)).isInstanceOf(RulesException.class);
    assertThat(ConfigRules.parse(saved, null).defaults().disableEvents()).containsExactly("removed_event");
  }

  @Test
  void boundsTheNumberOfOverrides() {
    StringBuilder b = new StringBuilder("{\"versions\": {");
    for (int i = 0; i <= ConfigRules.MAX_VERSIONS; i++) {
      b.append(i == 0 ? "" : ",").append("\"1.").append(i).append("\": {}");
    }
    b.append("}}");
    assertThatThrownBy(() -> ConfigRules.parse(b.toString(), CATALOG))
        .isInstanceOfSatisfying(RulesException.class, e -> assertThat(e.key()).isEqualTo("/versions"));
  }
}
