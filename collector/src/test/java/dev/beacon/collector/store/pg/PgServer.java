package dev.beacon.collector.store.pg;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for the tests of one JVM: started on first use from the Debian
 * binaries ({@code /usr/lib/postgresql/<15 or newer>/bin}, or the directory in system property
 * {@code beacon.pg.bin}), reused by every test class, stopped and deleted by a shutdown hook.
 *
 * <p>{@code initdb} into a fresh directory under {@code java.io.tmpdir}, then {@code pg_ctl start}
 * on a free loopback port with the unix socket in that directory. PostgreSQL refuses to run as
 * root: as root (CI) the directory is handed to the {@code postgres} user and both commands run
 * through {@code runuser -u postgres --}; as anyone else they run directly. Host connections
 * authenticate with SCRAM-SHA-256 (PostgreSQL's default), as a real deployment does; durability
 * settings are relaxed ({@code fsync=off}): the tests kill collectors, never this server.
 *
 * <p>For a look inside: {@code -Dbeacon.pg.settings="-c log_min_duration_statement=100"} adds server
 * settings, {@code -Dbeacon.pg.durable=true} keeps PostgreSQL's default durability (fsync on; for
 * benchmarks), {@code -Dbeacon.pg.keep=true} keeps the directory (data and {@code log}) after the JVM.
 *
 * <p>Isolation: {@link #createDatabase} makes a fresh database per test class; the contract tests
 * use a schema per test inside it.
 *
 * <p>Thread-safe.
 */
public final class PgServer {

  /** The superuser the tests connect as. */
  public static final String USER = "beacon";
  /** Its password (SCRAM over TCP). */
  public static final String PASSWORD = "beacon-test-password";

  private static volatile PgServer instance;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path dir;
  private final Path bin;
  private final List<String> asPostgres;
  private final int port;

  private PgServer(Path dir, Path bin, List<String> asPostgres, int port) {
    this.dir = dir;
    this.bin = bin;
    this.asPostgres = asPostgres;
    this.port = port;
  }

  /** The server, started on the first call. */
  public static PgServer get() {
    PgServer s = instance;
    if (s == null) {
      synchronized (PgServer.class) {
        s = instance;
        if (s == null) {
          try {
            s = start();
          } catch (IOException e) {
            throw new IllegalStateException("could not start a throwaway PostgreSQL: " + e.getMessage(), e);
          }
          instance = s;
        }
      }
    }
    return s;
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** {@code postgresql://beacon:...@127.0.0.1:PORT/database}. */
  public String uri(String database) {
    return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + database;
  }

  /** A JDBC connection (pgjdbc) to {@code database}, for checks independent of the store's client. */
  public Connection jdbc(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("password", PASSWORD);
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
  }

  /** Creates a fresh, empty database named {@code prefix} plus a number; returns its name. */
  public String createDatabase(String prefix) {
    String name = prefix.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_" + DATABASES.incrementAndGet();
    try (Connection c = jdbc("postgres"); Statement s = c.createStatement()) {
      // FILE_COPY: with fsync off, copying template0's files beats WAL-logging every block of it
      s.execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8' STRATEGY FILE_COPY");
    } catch (SQLException e) {
      throw new IllegalStateException("CREATE DATABASE " + name + " failed", e);
    }
    return name;
  }

  private static PgServer start() throws IOException {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> asPostgres = root ? List.of("runuser", "-u", "postgres", "--") : List.of();
    Path dir = Files.createTempDirectory("beacon-pg-");
    Path pw = dir.resolve("pwfile");
    Files.writeString(pw, PASSWORD + "\n", StandardCharsets.UTF_8);
    if (root) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      UserPrincipal postgres = users.lookupPrincipalByName("postgres");
      GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
      for (Path p : List.of(dir, pw)) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(postgres);
        view.setGroup(group);
      }
    }
    Path data = dir.resolve("data");
    run(asPostgres, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--pwfile=" + pw,
        "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync"), dir, 120);
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      String durability = Boolean.getBoolean("beacon.pg.durable") ? "" : " -c fsync=off -c full_page_writes=off";
      String opts = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1" + durability
          + " -c synchronous_commit=on -c max_connections=300 -c shared_buffers=256MB"
          + " " + System.getProperty("beacon.pg.settings", "");
      try {
        run(asPostgres, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-o", opts, "-l",
            dir.resolve("log").toString(), "-w", "-t", "60", "start"), dir, 90);
        PgServer s = new PgServer(dir, bin, asPostgres, port);
        Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "beacon-pg-stop"));
        return s;
      } catch (IOException e) {
        last = e; // most likely the port was taken in between: try another
      }
    }
    throw last;
  }

  /** Stops the server at once and deletes its directory (the shutdown hook). */
  private void stop() {
    try {
      run(asPostgres, List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
          "stop"), dir, 30);
    } catch (IOException e) {
      // the JVM is exiting: nothing else to do; the directory is deleted anyway
    }
    if (Boolean.getBoolean("beacon.pg.keep")) {
      return; // -Dbeacon.pg.keep=true: look at the data and the log afterwards
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  /** The newest Debian PostgreSQL (15 or later) binaries, or those named by {@code beacon.pg.bin}. */
  static Path binaries() throws IOException {
    String given = System.getProperty("beacon.pg.bin");
    if (given != null) {
      return Path.of(given);
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Path best = versions
            .filter(p -> p.getFileName().toString().matches("\\d+") && Integer.parseInt(p.getFileName().toString()) >= 15)
            .filter(p -> Files.isExecutable(p.resolve("bin").resolve("initdb")))
            .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
            .orElse(null);
        if (best != null) {
          return best.resolve("bin");
        }
      }
    }
    throw new IOException("no PostgreSQL 15+ binaries under /usr/lib/postgresql/*/bin (install the Debian package "
        + "'postgresql', or set -Dbeacon.pg.bin=DIR)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void run(List<String> prefix, List<String> command, Path dir, int timeoutSeconds) throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(command);
    Path out = Files.createTempFile("beacon-pg-cmd-", ".log");
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
      }
      if (p.exitValue() != 0) {
        String log = Files.readString(out);
        Path serverLog = dir.resolve("log");
        if (Files.exists(serverLog)) {
          log += "\n--- server log ---\n" + Files.readString(serverLog);
        }
        throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
