package dev.beacon.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.CollectorMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorMainTest {

  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) {
    return CollectorMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpPrintsEveryKey() {
    assertThat(run("--help")).isZero();
    String help = out.toString(StandardCharsets.UTF_8);
    for (String key : dev.beacon.collector.CollectorOptions.KEYS.keySet()) {
      assertThat(help).contains("  " + key + " ");
    }
  }

  @Test
  void aBadValueIsOneLineOnStderrNamingKeyAndValueAndExit64() {
    assertThat(run("-conf", "{\"port\": \"eighty\"}")).isEqualTo(64);
    assertThat(err()).isEqualTo("beacon collector: bad config: port must be a whole number, but was String eighty"
        + System.lineSeparator());
    assertThat(out.size()).isZero();
  }

  @Test
  void anOutOfRangeValueIsExit64() {
    assertThat(run("-conf", "{\"maxBodyBytes\": 10}")).isEqualTo(64);
    assertThat(err()).contains("maxBodyBytes must be at least 1024, but was 10").hasLineCount(1);
  }

  @Test
  void aMissingOrBrokenConfigFileIsExit64(@TempDir Path dir) throws Exception {
    assertThat(run("-conf", dir.resolve("nope.json").toString())).isEqualTo(64);
    assertThat(err()).contains("cannot read config file").hasLineCount(1);
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"port\": ");
    err.reset();
    assertThat(run("-conf", broken.toString())).isEqualTo(64);
    assertThat(err()).contains("is not a JSON object").hasLineCount(1);
  }

  @Test
  void anUnknownArgumentIsExit64() {
    assertThat(run("--port", "8080")).isEqualTo(64);
    assertThat(err()).contains("unknown argument '--port'");
    err.reset();
    assertThat(run("-conf")).isEqualTo(64);
  }
}
