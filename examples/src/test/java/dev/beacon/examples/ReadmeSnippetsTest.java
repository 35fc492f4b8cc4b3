package dev.beacon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's Java snippets are copied from the examples, which compile: they cannot rot. */
class ReadmeSnippetsTest {

  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyReadmeJavaLineStandsInACompilingExample() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String examples;
    try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src", "main", "java")), Files.walk(Path.of("src", "test", "java")))) {
      examples =
          files.filter(p -> p.toString().endsWith(".java"))
              .map(ReadmeSnippetsTest::read)
              .collect(Collectors.joining("\n"));
    }
    List<String> sourceLines = examples.lines().map(String::trim).toList();
    List<String> missing = new ArrayList<>();
    Matcher m = JAVA_BLOCK.matcher(readme);
    int blocks = 0;
    while (m.find()) {
      blocks++;
      m.group(1).lines().map(String::trim).filter(l -> !l.isEmpty()).forEach(line -> {
        if (!sourceLines.contains(line)) {
          missing.add(line);
        }
      });
    }

    assertThat(blocks).as("java snippets in the README").isGreaterThanOrEqualTo(3);
    assertThat(missing).as("README lines not found in examples/src/{main,test}/java").isEmpty();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
