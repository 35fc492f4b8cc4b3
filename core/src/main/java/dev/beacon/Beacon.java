package dev.beacon;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts about this Beacon build. */
public final class Beacon {

  /** This Beacon's version, as built ({@code 0.1.0-SNAPSHOT}); {@code unknown} if the build lost it. */
  public static final String VERSION = readVersion();

  /**
   * The oldest Jackson ({@code jackson-core} and {@code jackson-databind}) Beacon reads JSON with:
   * {@value}.
   */
  public static final String JACKSON_MINIMUM = JacksonVersion.MINIMUM;

  private Beacon() {}

  /**
   * Why the Jackson on the class path is too old for Beacon, naming the {@code jackson-core} and
   * {@code jackson-databind} versions found and the one needed; {@code null} when it will do (or
   * when its version cannot be told). Checked once; never throws.
   *
   * <p>Beacon refuses such a Jackson by itself where it would read JSON with it: a remote config
   * then turns telemetry off with this message as the reason, and the installation id file is
   * left alone. A start or deploy step can call this to refuse it earlier.
   */
  public static String jacksonProblem() {
    return Json.JACKSON_PROBLEM;
  }

  private static String readVersion() {
    try (InputStream in = Beacon.class.getResourceAsStream("beacon.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown").trim();
      return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
