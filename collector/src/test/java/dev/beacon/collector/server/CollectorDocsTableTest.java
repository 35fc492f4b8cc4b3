package dev.beacon.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.CollectorOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/collector.md's table of {@code -conf} keys and {@link CollectorOptions} cannot drift apart:
 * every key is in the table, only keys are, and a default written as code ({@code `5`}) is the
 * constant's value. Defaults written in words ("2 MiB") are left to the reader.
 */
class CollectorDocsTableTest {

  private static final String START = "`--help` lists the keys:";
  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  @Test
  void theKeysTableListsEveryKeyWithItsDefault() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "collector.md"));
    int start = doc.indexOf(START);
    assertThat(start).as("docs/collector.md has '%s'", START).isNotNegative();
    int end = doc.indexOf("\n## ", start);
    List<String> rows = doc.substring(start, end).lines().filter(l -> l.startsWith("| `")).toList();
    JsonObject defaults = new CollectorOptions().toJson();
    Set<String> documented = new LinkedHashSet<>();
    for (String row : rows) {
      String[] cells = row.split("\\|");
      List<String> keys = codes(cells[1]);
      documented.addAll(keys);
      List<String> values = codes(cells[2]);
      if (values.size() == keys.size() && cells[2].replaceAll("`[^`]*`", "").replace(",", "").isBlank()) {
        for (int i = 0; i < keys.size(); i++) {
          assertThat(values.get(i)).as("documented default of %s", keys.get(i))
              .isEqualTo(String.valueOf(defaults.getValue(keys.get(i))));
        }
      }
    }
    assertThat(documented).as("every key is documented, and only keys").containsExactlyInAnyOrderElementsOf(CollectorOptions.KEYS.keySet());
  }

  private static List<String> codes(String cell) {
    List<String> out = new ArrayList<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
