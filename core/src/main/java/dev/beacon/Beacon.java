package dev.beacon;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts about this Beacon build. */
public final class Beacon {

  /** This Beacon's version, as built ({@code 0.1.0-SNAPSHOT}); {@code unknown} if the build lost it. */
  public static final String VERSION = readVersion();

  private Beacon() {}

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
