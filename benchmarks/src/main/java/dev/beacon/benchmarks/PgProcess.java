package dev.beacon.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL for the collector's harnesses, started as the collector's tests start
 * theirs ({@code PgServer}): {@code initdb} into a directory, {@code pg_ctl start} on a free
 * loopback port with the socket in that directory; as root both run as {@code postgres} through
 * {@code runuser}. Unlike the tests' server it keeps PostgreSQL's default durability (fsync on,
 * synchronous commit): a collector's 200 means committed, so the benchmark pays what a deployment
 * pays. {@code shared_buffers=256MB}, {@code max_connections=300}; everything else default.
 *
 * <p>A directory that already holds a cluster is started again as it is (the query harness keeps
 * its 10M-event store across runs); {@link #stop} stops the server (fast shutdown) and leaves the
 * directory, {@link #delete} removes it.
 */
final class PgProcess implements AutoCloseable {

  static final String USER = "beacon";
  static final String PASSWORD = "beacon-bench-password";

  private final Path dir;
  private final Path bin;
  private final List<String> asPostgres;
  final int port;

  private PgProcess(Path dir, Path bin, List<String> asPostgres, int port) {
    this.dir = dir;
    this.bin = bin;
    this.asPostgres = asPostgres;
    this.port = port;
  }

  /** Starts a server on {@code dir} (made with initdb when it holds no cluster yet). */
  static PgProcess start(Path dir) throws IOException {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> asPostgres = root ? List.of("runuser", "-u", "postgres", "--") : List.of();
    Files.createDirectories(dir);
    Path data = dir.resolve("data");
    if (root) {
      chown(dir);
    }
    if (!Files.exists(data.resolve("PG_VERSION"))) {
      Path pw = dir.resolve("pwfile");
      Files.writeString(pw, PASSWORD + "\n", StandardCharsets.UTF_8);
      if (root) {
        chown(pw);
      }
      run(asPostgres, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--pwfile=" + pw,
          "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C"), dir, 180);
    }
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      String opts = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB";
      try {
        run(asPostgres, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-o", opts, "-l",
            dir.resolve("log").toString(), "-w", "-t", "120", "start"), dir, 150);
        PgProcess pg = new PgProcess(dir, bin, asPostgres, port);
        // a harness stopped early (Ctrl-C, timeout) must not leave the server running
        Runtime.getRuntime().addShutdownHook(new Thread(pg::stop, "beacon-pg-stop"));
        return pg;
      } catch (IOException e) {
        last = e; // most likely the port was taken in between
      }
    }
    throw last;
  }

  /** {@code postgresql://beacon:...@127.0.0.1:PORT/database}, with {@code query} appended when not null. */
  String uri(String database, String query) {
    return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + database + (query == null ? "" : "?" + query);
  }

  Connection jdbc(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("password", PASSWORD);
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
  }

  /** Creates {@code name} unless it exists; true when it was created. */
  boolean createDatabase(String name) throws SQLException {
    try (Connection c = jdbc("postgres"); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
        if (rs.next()) {
          return false;
        }
      }
      s.execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
      return true;
    }
  }

  /**
   * The PIDs of this server's processes: its postmaster (from {@code postmaster.pid}) and the
   * processes it forked (backends, workers), for CPU accounting; never another server's, even one
   * started from the same binaries.
   */
  List<Long> pids() {
    List<Long> out = new ArrayList<>();
    try {
      long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).get(0).trim());
      ProcessHandle.of(postmaster).ifPresent(pm -> {
        out.add(pm.pid());
        pm.children().forEach(c -> out.add(c.pid()));
      });
    } catch (IOException | RuntimeException e) {
      // not running
    }
    return out;
  }

  /**
   * CPU ticks (1/100 s) used so far by the server's processes: each live one's own (utime + stime)
   * plus what its ended children used (cutime + cstime): backends and parallel workers come and go,
   * and the postmaster reaps them, so the difference of two readings is the server's CPU between them.
   */
  long cpuTicks() {
    long sum = 0;
    for (long pid : pids()) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
        sum += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
      } catch (IOException | RuntimeException e) {
        // ended meanwhile: its CPU is in the postmaster's cutime now
      }
    }
    return sum;
  }

  private volatile boolean stopped;

  /** Stops the server (fast shutdown: sessions ended, a checkpoint, then exit); once. */
  synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      run(asPostgres, List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "-t", "120",
          "stop"), dir, 150);
    } catch (IOException e) {
      System.out.println("pg_ctl stop failed: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Deletes the directory (after {@link #stop}). */
  void delete() {
    StoreLoad.deleteTree(dir);
  }

  private static void chown(Path p) throws IOException {
    UserPrincipalLookupService users = p.getFileSystem().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(users.lookupPrincipalByName("postgres"));
    view.setGroup(users.lookupPrincipalByGroupName("postgres"));
  }

  static Path binaries() throws IOException {
    String given = System.getProperty("beacon.pg.bin");
    if (given != null) {
      return Path.of(given);
    }
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions
          .filter(p -> p.getFileName().toString().matches("\\d+") && Integer.parseInt(p.getFileName().toString()) >= 15)
          .filter(p -> Files.isExecutable(p.resolve("bin").resolve("initdb")))
          .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
          .map(p -> p.resolve("bin"))
          .orElseThrow(() -> new IOException("no PostgreSQL 15+ under /usr/lib/postgresql (or set -Dbeacon.pg.bin=DIR)"));
    }
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
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + Files.readString(out));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
