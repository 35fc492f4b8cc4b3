package dev.beacon.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The options page's defaults table (docs/options.md) and the DEFAULT_* constants cannot drift apart. */
class ReadmeDefaultsTest {

  private static final String SECTION = "## The shipping verticle: options and defaults";
  private static final Pattern ROW = Pattern.compile("^\\| `(\\w+)` \\| `([^`]*)` \\|", Pattern.MULTILINE);

  @Test
  void readmeDefaultsTableMatchesTheOptionDefaults() throws IOException {
    String readme = Files.readString(Path.of("..", "docs", "options.md"));
    int start = readme.indexOf(SECTION);
    assertThat(start).as("README has the section '%s'", SECTION).isNotNegative();
    int end = readme.indexOf("\n## ", start + SECTION.length());
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    Map<String, String> table = new LinkedHashMap<>();
    Matcher m = ROW.matcher(section);
    while (m.find()) {
      table.put(m.group(1), m.group(2));
    }
    JsonObject defaults = new TelemetryOptions().toJson();

    assertThat(table.keySet()).as("every option is documented, and only options").isEqualTo(defaults.fieldNames());
    for (String key : defaults.fieldNames()) {
      assertThat(table.get(key)).as("README default of %s", key).isEqualTo(String.valueOf(defaults.getValue(key)));
    }
  }
}
