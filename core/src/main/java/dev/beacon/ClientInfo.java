package dev.beacon;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fields that every record of one client carries: a random session id, the SDK and its
 * version, the Java version, the operating system, and the <em>class</em> of the backend URI the
 * host uses. The URI itself never leaves the process: only its scheme class and, for http(s),
 * whether it is local.
 *
 * @param sessionId 32 lowercase hex characters, random per client
 * @param sourceSdk the profile's SDK name
 * @param versionKey the record field that carries the version ({@code mlflow_version})
 * @param sdkVersion the SDK version
 * @param schemaVersion {@link Profile#SCHEMA_VERSION}
 * @param javaVersion {@code feature.interim.update}, for example {@code 17.0.15}
 * @param operatingSystem {@code os.name-os.version-os.arch}
 * @param platform the OS as Python's {@code sys.platform} names it ({@code linux}, {@code darwin},
 *     {@code win32}), matched against the config's {@code disable_os}; not sent
 * @param trackingUriScheme the backend's scheme class, or {@code null}
 * @param isLocalhost for http and https backends, whether the host is loopback; else {@code null}
 * @param installationId the installation id (a UUID with dashes), or {@code null} when the profile
 *     keeps none or it could not be read or written; sent as {@code installation_id} when present
 */
public record ClientInfo(
    String sessionId,
    String sourceSdk,
    String versionKey,
    String sdkVersion,
    int schemaVersion,
    String javaVersion,
    String operatingSystem,
    String platform,
    String trackingUriScheme,
    Boolean isLocalhost,
    String installationId) {

  /** The scheme classes that may be sent as {@code tracking_uri_scheme}. */
  public static final Set<String> SCHEMES =
      Set.of("file", "sqlite", "mysql", "postgresql", "mssql", "http", "https", "databricks", "custom_scheme");

  private static final Pattern SESSION_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern INSTALLATION_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern WINDOWS_PATH = Pattern.compile("^[A-Za-z]:[\\\\/].*|^\\\\\\\\.*");
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):.*", Pattern.DOTALL);

  /** Checks the session id and the scheme class. */
  public ClientInfo {
    Objects.requireNonNull(sessionId, "sessionId");
    if (!SESSION_ID.matcher(sessionId).matches()) {
      throw new IllegalArgumentException("sessionId must be 32 lowercase hex characters, but was '" + sessionId + "'");
    }
    if (trackingUriScheme != null && !SCHEMES.contains(trackingUriScheme)) {
      throw new IllegalArgumentException("unknown scheme class '" + trackingUriScheme + "'");
    }
    if (installationId != null && !INSTALLATION_ID.matcher(installationId).matches()) {
      throw new IllegalArgumentException("installationId must be a UUID, but was '" + installationId + "'");
    }
  }

  /**
   * The info of a new client of {@code profile} on this JVM: a fresh secure session id, this
   * JVM's Java version and OS (from the system properties), and the class of {@code backendUri};
   * no installation id.
   */
  public static ClientInfo current(Profile profile, String backendUri) {
    return current(profile, backendUri, Ids.newSessionId(), null);
  }

  /**
   * The info of a client of {@code profile} on this JVM with this session id (a parent process's,
   * from the profile's session variable, or a fresh one) and installation id (or {@code null}).
   */
  public static ClientInfo current(Profile profile, String backendUri, String sessionId, String installationId) {
    return of(
            sessionId,
            profile,
            javaVersion(Runtime.version()),
            System.getProperty("os.name", ""),
            System.getProperty("os.version", ""),
            System.getProperty("os.arch", ""),
            backendUri)
        .withInstallationId(installationId);
  }

  /** This info with another installation id. */
  public ClientInfo withInstallationId(String id) {
    return new ClientInfo(
        sessionId, sourceSdk, versionKey, sdkVersion, schemaVersion, javaVersion, operatingSystem, platform,
        trackingUriScheme, isLocalhost, id);
  }

  /**
   * The {@code User-Agent} Beacon sends on config and ingestion requests: {@code beacon/<version>
   * (<source_sdk> <sdk version>; Java <version>)}, for example {@code beacon/0.1.0 (mlflow-java
   * 3.7.0; Java 17.0.15)}.
   */
  public String userAgent() {
    return "beacon/" + Beacon.VERSION + " (" + sourceSdk + " " + sdkVersion + "; Java " + javaVersion + ")";
  }

  /** The info from explicit parts; for tests and for hosts that know better. */
  public static ClientInfo of(
      String sessionId,
      Profile profile,
      String javaVersion,
      String osName,
      String osVersion,
      String osArch,
      String backendUri) {
    String scheme = trackingUriScheme(backendUri);
    Boolean local =
        "http".equals(scheme) || "https".equals(scheme) ? isLocalhost(backendUri) : null;
    return new ClientInfo(
        sessionId,
        profile.sdkName(),
        profile.versionKey(),
        profile.sdkVersion(),
        Profile.SCHEMA_VERSION,
        javaVersion,
        osName + "-" + osVersion + "-" + machine(osName, osArch),
        platform(osName),
        scheme,
        local,
        null);
  }

  /**
   * The architecture as Python's {@code platform.machine()} names it, from Java's {@code os.arch}:
   * on Linux {@code x86_64}, {@code aarch64}, {@code i686}; on macOS {@code x86_64}, {@code arm64};
   * on Windows {@code AMD64}, {@code ARM64}, {@code x86}. Anything else is passed on as is.
   */
  public static String machine(String osName, String osArch) {
    String arch = osArch == null ? "" : osArch.trim();
    String a = arch.toLowerCase(Locale.ROOT);
    String os = platform(osName);
    boolean x64 = a.equals("amd64") || a.equals("x86_64") || a.equals("x64");
    boolean arm64 = a.equals("aarch64") || a.equals("arm64");
    boolean x86 = a.equals("x86") || a.equals("i386") || a.equals("i486") || a.equals("i586") || a.equals("i686");
    switch (os) {
      case "win32":
        return x64 ? "AMD64" : arm64 ? "ARM64" : x86 ? "x86" : arch;
      case "darwin":
        return x64 ? "x86_64" : arm64 ? "arm64" : arch;
      default:
        return x64 ? "x86_64" : arm64 ? "aarch64" : x86 ? "i686" : arch;
    }
  }

  /** {@code feature.interim.update} of a runtime version, for example {@code 17.0.15}. */
  public static String javaVersion(Runtime.Version v) {
    return v.feature() + "." + v.interim() + "." + v.update();
  }

  /**
   * The OS as Python's {@code sys.platform} names it: {@code linux}, {@code darwin}, {@code
   * win32}, else {@code os.name} lowercased without blanks (for example {@code freebsd}).
   */
  public static String platform(String osName) {
    String n = osName == null ? "" : osName.trim().toLowerCase(Locale.ROOT);
    if (n.startsWith("windows")) {
      return "win32";
    }
    if (n.startsWith("mac") || n.startsWith("darwin")) {
      return "darwin";
    }
    if (n.startsWith("linux")) {
      return "linux";
    }
    return n.replaceAll("\\s+", "");
  }

  /**
   * The class of a backend URI: {@code null} for none; {@code file} for a path or {@code file:}
   * URI; {@code sqlite}, {@code mysql}, {@code postgresql}, {@code mssql} for database URIs
   * (driver suffixes such as {@code +pymysql} ignored); {@code http}, {@code https}; {@code
   * databricks} (also {@code databricks-uc}, {@code uc}); anything else {@code custom_scheme}.
   * Never throws; never returns any part of the URI itself.
   */
  public static String trackingUriScheme(String uri) {
    if (uri == null || uri.isBlank()) {
      return null;
    }
    String u = uri.trim();
    switch (u.toLowerCase(Locale.ROOT)) {
      case "databricks", "databricks-uc", "uc":
        return "databricks"; // MLflow's usual bare forms, no colon
      default:
        break;
    }
    if (WINDOWS_PATH.matcher(u).matches()) {
      return "file";
    }
    var m = SCHEME.matcher(u);
    if (!m.matches()) {
      return "file";
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    int plus = scheme.indexOf('+');
    String base = plus >= 0 ? scheme.substring(0, plus) : scheme;
    switch (base) {
      case "file":
        return "file";
      case "http":
      case "https":
        return plus >= 0 ? "custom_scheme" : base;
      case "sqlite":
      case "mysql":
      case "mssql":
      case "postgresql":
        return base;
      case "postgres":
        return "postgresql";
      case "databricks":
      case "databricks-uc":
      case "uc":
        return "databricks";
      default:
        return "custom_scheme";
    }
  }

  /** Whether an http(s) URI's host is loopback ({@link UrlPolicy#isLoopback(String)}); false if unparsable. */
  public static boolean isLocalhost(String uri) {
    try {
      return UrlPolicy.isLoopback(URI.create(uri.trim()).getHost());
    } catch (RuntimeException e) {
      return false;
    }
  }
}
