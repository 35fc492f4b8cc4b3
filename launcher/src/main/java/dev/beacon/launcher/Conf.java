package dev.beacon.launcher;

import dev.beacon.Profile;
import dev.beacon.vertx.TelemetryOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The shipper's config as {@code -conf} gives it, read and checked before anything starts: the
 * JSON object exactly as given (what {@code run} hands to the verticle as its deployment config)
 * and the {@link TelemetryOptions} it makes.
 *
 * <p>A {@code -conf} value is read as vertx-launcher-application reads it: the path of a JSON
 * file if such a file exists, else the JSON object itself. Unlike that launcher, which warns and
 * carries on with an empty config, a value that is neither is an error here, as is a missing
 * {@code sdkVersion} and every error {@link TelemetryOptions} finds (unknown key, wrong type, value
 * out of range, unknown profile, refused URL).
 *
 * @param source where the config came from, for messages ({@code config file shipper.json},
 *     {@code -conf}, {@code no -conf given})
 * @param json the config as given; {@code {}} without {@code -conf}
 * @param options the validated options
 */
record Conf(String source, JsonObject json, TelemetryOptions options) {

  /**
   * Reads and checks {@code value} (null: no {@code -conf} given).
   *
   * @throws BadUsage naming the file or the option, and what is wrong with it
   */
  static Conf read(String value) {
    Json read = value == null ? new Json("no -conf given", new JsonObject()) : json("-conf", value);
    try {
      TelemetryOptions options = new TelemetryOptions(read.json()).validate();
      return new Conf(read.source(), read.json(), options);
    } catch (RuntimeException e) { // IllegalArgumentException by contract; whatever else, the config caused it
      String hint = value == null ? "; give at least -conf '{\"sdkVersion\": \"<version>\"}'" : "";
      throw BadUsage.config(read.source() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()) + hint);
    }
  }

  /** The profile that reports. */
  Profile profile() {
    return options.resolveProfile();
  }

  /** A JSON object and where it came from. */
  record Json(String source, JsonObject json) {}

  /**
   * The JSON object of an option that takes a file or the object itself ({@code -conf}, {@code
   * -options}).
   *
   * @throws BadUsage naming the option, the file and the problem
   */
  static Json json(String option, String value) {
    Path path = null;
    try {
      path = Path.of(value);
    } catch (InvalidPathException notAPath) {
      // then it can only be the JSON itself
    }
    if (path != null && !value.isBlank() && Files.exists(path)) {
      String source = kind(option) + value;
      if (Files.isDirectory(path)) {
        throw BadUsage.config(source + " (" + option + ") is a directory");
      }
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(path);
      } catch (IOException e) {
        throw BadUsage.config("cannot read " + source + " (" + option + "): " + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : " " + e.getMessage()));
      }
      try {
        return new Json(source, new JsonObject(Buffer.buffer(bytes)));
      } catch (DecodeException e) {
        throw BadUsage.config(source + " (" + option + ") is not a JSON object: " + decodeProblem(e));
      }
    }
    if (value.strip().startsWith("{")) {
      try {
        return new Json(option, new JsonObject(value));
      } catch (DecodeException e) {
        throw BadUsage.config(option + " is not a JSON object: " + decodeProblem(e));
      }
    }
    throw BadUsage.config(kind(option) + value + " (" + option + ") does not exist (" + option
        + " takes the path of a JSON file, or the JSON object itself)");
  }

  private static String kind(String option) {
    return option.equals("-conf") ? "config file " : "file ";
  }

  /** Jackson's message without Vert.x's prefix, on one line. */
  private static String decodeProblem(DecodeException e) {
    String m = e.getMessage() == null ? "unreadable" : e.getMessage();
    if (m.startsWith("Failed to decode:")) {
      m = m.substring("Failed to decode:".length()).strip();
    }
    // Jackson's location names no source here ("[Source: REDACTED (...); line: 1, column: 15]")
    return m.replaceAll("\\s+", " ").replaceAll("\\[Source: [^;\\]]*; ", "[");
  }
}
