package dev.beacon;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The one-time notice a host application may print to tell its end users that it collects
 * anonymous usage data, and how to opt out. Beacon never prints it by itself: the host calls
 * {@link #showOnce(Profile, Environment, PrintStream)} at start-up, typically from {@code main}.
 *
 * <p>The notice is shown only when all of these hold:
 *
 * <ol>
 *   <li>local consent is on ({@link Environment#consent(Profile)}): not opted out by the profile's
 *       variable or {@code DO_NOT_TRACK} (environment or system property), not on CI;
 *   <li>the profile keeps an installation id file ({@link Profile#installationIdPath()}): the
 *       marker lives beside it. A profile without one never shows the notice, since "once" could
 *       not be kept across runs and a notice printed at every start is noise; such a host prints
 *       {@link #text(Profile)} where it sees fit;
 *   <li>standard error is a terminal (see {@link #stderrIsTerminal()}), so that logs, pipes and
 *       captured output never carry it;
 *   <li>the marker file does not exist yet: {@code <dir>/<stem>.notice} beside the installation
 *       id file {@code <dir>/<stem>.json} (MLflow's profile: {@code ~/.config/mlflow/telemetry.notice}).
 * </ol>
 *
 * <p>After showing, the marker is written atomically (a temporary file, then a rename). When the
 * marker cannot be written (read-only directory, no home directory), the notice is still shown at
 * most once per process. Nothing is shown twice in one process for the same marker, even from
 * several threads at once.
 *
 * <p>Thread-safe. Never throws (a {@code null} profile, environment or stream is a programming
 * error and throws {@link NullPointerException}). It reads and may write one small file on the
 * calling thread: call it from {@code main}, never on an event loop.
 */
public final class Notice {

  /** File name extension of the marker, replacing the installation id file's {@code .json}. */
  public static final String MARKER_EXTENSION = ".notice";

  /** What this process has shown (marker paths, or {@code profile:<name>:<id path>} without one): once per process. */
  private static final Set<String> SHOWN = ConcurrentHashMap.newKeySet();

  private Notice() {}

  /**
   * Shows the notice on {@code err} if the rules above allow, with the real terminal check.
   *
   * @return whether the notice was printed
   */
  public static boolean showOnce(Profile profile, Environment env, PrintStream err) {
    return showOnce(profile, env, err, Notice::stderrIsTerminal);
  }

  /**
   * {@link #showOnce(Profile, Environment, PrintStream)} with the terminal check given: tests, and
   * hosts that know better (a GUI launcher, a terminal library such as JLine).
   *
   * @param isTerminal whether {@code err} is a terminal; asked only when consent is on. A check
   *     that throws counts as "not a terminal"
   * @return whether the notice was printed
   */
  public static boolean showOnce(Profile profile, Environment env, PrintStream err, BooleanSupplier isTerminal) {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(isTerminal, "isTerminal");
    if (!env.consent(profile).enabled() || profile.installationIdPath() == null || !ask(isTerminal)) {
      return false;
    }
    Path marker = markerFile(profile, env);
    if (marker != null && exists(marker)) {
      return false;
    }
    String key = marker != null ? marker.toAbsolutePath().normalize().toString() : "profile:" + profile.name() + ":" + profile.installationIdPath();
    if (!SHOWN.add(key)) {
      return false; // shown already in this process (the marker could not be written, or a race)
    }
    try {
      err.println(text(profile));
      err.flush();
    } catch (RuntimeException e) {
      SHOWN.remove(key); // a stream that throws showed nothing
      return false;
    }
    if (marker != null) {
      writeMarker(marker, profile.sdkVersion());
    }
    return true;
  }

  /**
   * The notice: the product, what is collected (one line, no link) and how to opt out. Three
   * lines, no trailing newline.
   */
  public static String text(Profile profile) {
    Objects.requireNonNull(profile, "profile");
    return profile.sdkName() + " (" + profile.name() + ") collects anonymous usage data: which features are used, whether"
        + " they succeed and how long they take, the Java and OS versions, and a random id for this installation;"
        + " never names, paths or contents.\n"
        + "To opt out, set " + profile.optOutVariable() + "=true or " + Consent.DO_NOT_TRACK + "=1 in the environment.\n"
        + "This notice is shown once.";
  }

  /**
   * The marker file for {@code profile}: {@code <stem>.notice} beside the installation id file
   * ({@link InstallationId#resolve}); {@code null} when the profile keeps no installation id or
   * its path cannot be resolved (no home directory).
   */
  public static Path markerFile(Profile profile, Environment env) {
    Path idFile = InstallationId.resolve(profile.installationIdPath(), env.env(), env.sysProps());
    if (idFile == null || idFile.getFileName() == null) {
      return null;
    }
    String name = idFile.getFileName().toString();
    String stem = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
    return idFile.resolveSibling(stem + MARKER_EXTENSION);
  }

  /**
   * Whether standard error is probably a terminal. Java has no {@code isatty} for stderr, so this
   * is a heuristic:
   *
   * <ul>
   *   <li>{@link System#console()} must not be {@code null}: on JDK 17 to 21 that means standard
   *       input and output are both a terminal; from JDK 22 on, where a console may exist without
   *       one, {@code Console.isTerminal()} must say so too (called reflectively);
   *   <li>on Linux, {@code /proc/self/fd/2} must resolve to a terminal device ({@code /dev/pts/*}
   *       or {@code /dev/tty*}): that catches {@code 2> file} and {@code 2>&1 | tee} while stdin and
   *       stdout are still a terminal.
   * </ul>
   *
   * <p>Limits: on macOS, Windows and other systems without {@code /proc} only the first check
   * runs, so stderr redirected alone ({@code 2> log}) is taken for a terminal there; stdin
   * redirected alone ({@code < input}) counts as "not a terminal" everywhere. Never throws.
   */
  public static boolean stderrIsTerminal() {
    try {
      Console console = System.console();
      if (console == null || !consoleIsTerminal(console)) {
        return false;
      }
      Path fd2 = Path.of("/proc/self/fd/2");
      if (!Files.exists(fd2, LinkOption.NOFOLLOW_LINKS)) {
        return true; // no /proc: the console check is all there is
      }
      String target = Files.readSymbolicLink(fd2).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** {@code Console.isTerminal()} where the JDK has it (22+); {@code true} before. */
  private static boolean consoleIsTerminal(Console console) {
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return Boolean.TRUE.equals(isTerminal.invoke(console));
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  private static boolean ask(BooleanSupplier isTerminal) {
    try {
      return isTerminal.getAsBoolean();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean exists(Path marker) {
    try {
      return Files.exists(marker);
    } catch (RuntimeException e) {
      return false; // cannot tell: the per-process rule still holds
    }
  }

  /** Writes the marker (parents included) atomically; false when it cannot. Never throws. */
  static boolean writeMarker(Path marker, String sdkVersion) {
    Path tmp = null;
    try {
      Path dir = marker.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      tmp = marker.resolveSibling(marker.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
      String body = "{\"notice_shown_at\": \"" + Instant.now() + "\", \"sdk_version\": "
          + (sdkVersion == null ? "null" : "\"" + sdkVersion.replaceAll("[^A-Za-z0-9._+-]", "?") + "\"") + "}\n";
      Files.writeString(tmp, body, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, marker, StandardCopyOption.REPLACE_EXISTING);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException | RuntimeException ignored) {
          // nothing more to do: the notice stays once per process
        }
      }
      return false;
    }
  }
}
