package dev.beacon;

/**
 * The oldest Jackson Beacon's JSON reader ({@link Json}) runs on, and the check of the Jackson on
 * the class path against it. Beacon cannot pick its users' Jackson: their build (a Vert.x BOM, a
 * framework's BOM, the nearest declaration) does. An older one would fail deep inside the reader
 * with a {@link NoSuchMethodError} (an error no caller expects); this check lets Beacon refuse it
 * instead, with a message naming the versions found and the one needed: where the reader would
 * read (the remote config, the installation id file, both read once telemetry is on, never on a
 * recording path), and through {@link Beacon#jacksonProblem()} for a start or deploy step that
 * wants to refuse early.
 *
 * <p>Versions are compared as {@code major.minor.patch}, numerically; a qualifier
 * ({@code -SNAPSHOT}, {@code -rc1}) counts as its release. A version that cannot be told (missing
 * or unknown, {@code 0.0.0}) passes: the check only refuses what it knows to be too old.
 * Stateless and thread-safe.
 */
final class JacksonVersion {

  /**
   * The oldest jackson-core and jackson-databind the reader runs on: {@code
   * StreamReadConstraints.Builder.maxNameLength} and {@code maxDocumentLength} are new in 2.16.0.
   * The build's {@code beacon.jackson.minimum}, which its enforcer rule uses too.
   */
  static final String MINIMUM = "2.16.0";

  private JacksonVersion() {}

  /** What is wrong with the Jackson on the class path, or {@code null} when it will do. */
  static String problemOnClassPath() {
    return problem(coreVersion(), databindVersion());
  }

  /**
   * {@code null} when neither version is known to be older than {@link #MINIMUM}; otherwise a
   * message that names both versions found and the one needed.
   */
  static String problem(String core, String databind) {
    if (!older(core, MINIMUM) && !older(databind, MINIMUM)) {
      return null;
    }
    return "Beacon needs Jackson " + MINIMUM + " or newer to read JSON, but the class path has jackson-core "
        + shown(core) + " and jackson-databind " + shown(databind) + ": put jackson-core and jackson-databind "
        + MINIMUM + " or newer on it (for example import com.fasterxml.jackson:jackson-bom; `mvn dependency:tree"
        + " -Dincludes=com.fasterxml.jackson.core` shows what pins the old one)";
  }

  /** Whether {@code version} is known and older than {@code minimum}. */
  static boolean older(String version, String minimum) {
    int[] v = parse(version);
    int[] m = parse(minimum);
    if (v == null || m == null) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      if (v[i] != m[i]) {
        return v[i] < m[i];
      }
    }
    return false;
  }

  /**
   * {@code {major, minor, patch}} of {@code 2.16}, {@code 2.16.0}, {@code 2.16.0-SNAPSHOT} or
   * {@code 2.16.0.1}; {@code null} for what is not a version, and for Jackson's unknown {@code 0.0.0}.
   */
  static int[] parse(String version) {
    if (version == null) {
      return null;
    }
    int[] out = new int[3];
    int part = 0;
    int i = 0;
    String s = version.trim();
    while (part < 3) {
      int start = i;
      long n = 0;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 9) {
        n = n * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i == start) {
        if (part < 2) {
          return null; // at least major.minor
        }
        break;
      }
      out[part++] = (int) n;
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
      } else {
        break;
      }
    }
    if (part < 2 || (out[0] == 0 && out[1] == 0 && out[2] == 0)) {
      return null;
    }
    return out;
  }

  private static String shown(String version) {
    return version == null ? "(not found)" : version;
  }

  private static String coreVersion() {
    try {
      return com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString();
    } catch (LinkageError e) {
      return null;
    }
  }

  private static String databindVersion() {
    try {
      return com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString();
    } catch (LinkageError e) {
      return null;
    }
  }
}
