package dev.beacon.collector;

import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar beacon-collector-<version>-fat.jar [-conf <file or inline JSON>]}: starts a
 * collector with {@link CollectorOptions} read from the file (or the JSON given inline; every key
 * optional) and prints exactly one line on stdout once it listens: {@code beacon collector listening
 * on http://HOST:PORT}. SIGTERM (or Ctrl-C) stops it gracefully ({@link CollectorServer#close()}).
 *
 * <p>Exit codes: 0 for {@code --help}; 64 for bad arguments or a bad config, with one line on stderr
 * naming the key and the value; 1 when it cannot start (port taken, store unavailable).
 */
public final class CollectorMain {

  /** Exit code for a usage or configuration error (sysexits' EX_USAGE). */
  public static final int EXIT_USAGE = 64;
  /** Exit code when the collector cannot start. */
  public static final int EXIT_START_FAILED = 1;
  /** The prefix of every line the launcher writes to stderr. */
  static final String PREFIX = "beacon collector: ";

  private CollectorMain() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code >= 0) {
      System.exit(code);
    }
    // Running: Vert.x's (non-daemon) threads keep the process alive until it is stopped.
  }

  /**
   * Parses the arguments and starts the collector (for {@link #main} and tests: the streams are
   * given).
   *
   * @return the exit code, or -1 when the collector is running (the shutdown hook stops it)
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CollectorOptions options;
    try {
      JsonObject conf = new JsonObject();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--help", "-h", "-help" -> {
            help(out);
            return 0;
          }
          case "-conf", "--conf" -> {
            if (i + 1 >= args.length) {
              err.println(PREFIX + "-conf needs a file or an inline JSON object");
              return EXIT_USAGE;
            }
            conf = readConf(args[++i]);
          }
          default -> {
            err.println(PREFIX + "unknown argument '" + args[i] + "' (try --help)");
            return EXIT_USAGE;
          }
        }
      }
      options = new CollectorOptions(conf).validate();
    } catch (IllegalArgumentException e) {
      err.println(PREFIX + "bad config: " + oneLine(e.getMessage()));
      return EXIT_USAGE;
    }

    Vertx vertx = Vertx.vertx();
    CollectorServer server;
    try {
      server = CollectorServer.start(vertx, options).toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      err.println(PREFIX + "cannot start: " + oneLine(String.valueOf(cause.getMessage())));
      vertx.close();
      return EXIT_START_FAILED;
    }
    long deadline = options.getShutdownTimeoutMs() + 5_000;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close().eventually(() -> vertx.close()).toCompletionStage().toCompletableFuture()
            .get(deadline, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        err.println(PREFIX + "stopped before everything was closed: " + oneLine(String.valueOf(e.getMessage())));
      }
    }, "beacon-collector-shutdown"));
    out.println("beacon collector listening on " + server.baseUrl());
    out.flush();
    return -1;
  }

  private static JsonObject readConf(String arg) {
    String text;
    String source;
    if (arg.trim().startsWith("{")) {
      text = arg;
      source = "the inline config";
    } else {
      try {
        text = Files.readString(Path.of(arg), StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cannot read config file " + arg + " (" + e.getClass().getSimpleName() + ")");
      }
      source = "config file " + arg;
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new IllegalArgumentException(source + " is not a JSON object");
    }
  }

  private static void help(PrintStream out) {
    out.println("usage: java -jar beacon-collector-<version>-fat.jar [-conf <file.json or inline JSON>]");
    out.println("config keys (all optional):");
    for (Map.Entry<String, String> e : CollectorOptions.KEYS.entrySet()) {
      out.printf("  %-22s %s%n", e.getKey(), e.getValue());
    }
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
  }
}
