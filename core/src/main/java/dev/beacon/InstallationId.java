package dev.beacon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;

/**
 * The installation id: a random UUID (with dashes) kept in a small JSON file, so that every client
 * start on one machine reports the same installation. The format and the location are MLflow's
 * ({@code mlflow/telemetry/installation_id.py}), so a machine that runs MLflow's Python SDK and
 * Beacon with the MLflow profile shares one id:
 *
 * <pre>{"installation_id": "0dc6df31-...", "created_at": "2025-12-05T09:14:07.512349+00:00", "created_version": "3.7.0", "schema_version": 1}</pre>
 *
 * <p>Location: a relative path ({@code mlflow/telemetry.json}) lives under the user's config
 * directory: {@code %APPDATA%} on Windows when set, else {@code $XDG_CONFIG_HOME} when set and not
 * empty, else {@code ~/.config}. A path may also start with {@code ~}, {@code $XDG_CONFIG_HOME} or
 * {@code %APPDATA%}, resolved the same way.
 *
 * <p>Only read or written when telemetry is on (the caller decides); written atomically (a
 * temporary file beside it, then a rename); a missing, corrupt or unreadable file is replaced by a
 * new id; nothing here ever throws: when the file can be neither read nor written, the id is
 * {@code null}. Stateless and thread-safe (two processes creating an id at once: the last rename
 * wins, as in MLflow).
 */
public final class InstallationId {

  /** Largest installation id file read, in bytes. */
  static final int MAX_BYTES = 4096;

  private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");

  private InstallationId() {}

  /**
   * The file a profile's installation id path names, or {@code null} when the path is null or
   * cannot be resolved (no home directory).
   *
   * @param env looks up environment variables ({@code APPDATA}, {@code XDG_CONFIG_HOME})
   * @param sysProps looks up system properties ({@code user.home}, {@code os.name})
   */
  public static Path resolve(String spec, Function<String, String> env, Function<String, String> sysProps) {
    if (spec == null) {
      return null;
    }
    try {
      String home = sysProps.apply("user.home");
      boolean windows = String.valueOf(sysProps.apply("os.name")).toLowerCase(Locale.ROOT).startsWith("windows");
      String appData = nonEmpty(env.apply("APPDATA"));
      String xdg = nonEmpty(env.apply("XDG_CONFIG_HOME"));
      String rest;
      Path base;
      if (spec.startsWith("%APPDATA%")) {
        rest = spec.substring("%APPDATA%".length());
        base = appData != null ? Path.of(appData) : configHome(home, xdg);
      } else if (spec.startsWith("$XDG_CONFIG_HOME")) {
        rest = spec.substring("$XDG_CONFIG_HOME".length());
        base = configHome(home, xdg);
      } else if (spec.startsWith("~")) {
        rest = spec.substring(1);
        base = home == null ? null : Path.of(home);
      } else if (Path.of(spec).isAbsolute()) {
        return Path.of(spec);
      } else {
        rest = spec;
        base = windows && appData != null ? Path.of(appData) : configHome(home, xdg);
      }
      if (base == null) {
        return null;
      }
      String relative = rest.replaceFirst("^[/\\\\]+", "");
      return relative.isEmpty() ? null : base.resolve(relative);
    } catch (RuntimeException e) {
      return null; // an unusable path: no installation id
    }
  }

  private static Path configHome(String home, String xdg) {
    if (xdg != null) {
      return Path.of(xdg);
    }
    return home == null ? null : Path.of(home, ".config");
  }

  private static String nonEmpty(String v) {
    return v == null || v.isBlank() ? null : v;
  }

  /**
   * The id in {@code file}, or a new one written there (with its parent directories); {@code
   * null} when neither works. Never throws.
   *
   * @param sdkVersion recorded as {@code created_version} in a new file
   */
  public static String readOrCreate(Path file, String sdkVersion, Clock clock) {
    if (file == null) {
      return null;
    }
    try {
      String existing = read(file);
      if (existing != null) {
        return existing;
      }
      String id = UUID.randomUUID().toString();
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      String name = file.getFileName().toString();
      Path tmp = file.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".tmp");
      Files.writeString(tmp, document(id, sdkVersion, clock), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return id;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The id in {@code file}, or {@code null} when it is missing, unreadable or not a valid document. */
  static String read(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
        return null;
      }
      Object root = JsonText.parse(Files.readString(file, StandardCharsets.UTF_8));
      Object id = root instanceof java.util.Map<?, ?> m ? m.get("installation_id") : null;
      if (!(id instanceof String text) || text.isEmpty()) {
        return null;
      }
      UUID.fromString(text); // must parse, as uuid.UUID(raw) must in MLflow
      return text;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The file's content, as MLflow writes it: one line, {@code json.dumps} separators. */
  static String document(String id, String sdkVersion, Clock clock) {
    OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    String createdAt = (now.getNano() / 1000 == 0 ? SECONDS : MICROS).format(now);
    return "{\"installation_id\": \"" + id + "\", \"created_at\": \"" + createdAt + "\", \"created_version\": "
        + quoted(sdkVersion) + ", \"schema_version\": 1}";
  }

  private static String quoted(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
