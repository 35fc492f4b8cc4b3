package dev.beacon.collector.store.duckdb;

import static dev.beacon.collector.store.duckdb.DuckDbTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.SyntheticEvents;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a stream of writes: every write whose future had succeeded is in the
 * file after a restart, each event exactly once.
 */
class DurabilityTest {

  private static final int BATCH = 200;
  private static final int MAX_BATCHES = 100_000;
  private static final int KILL_AFTER_ACKS = 60;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesSigkillExactlyOnce() throws Exception {
    Path file = dir.resolve("beacon.duckdb");
    Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"),
        DurabilityChild.class.getName(),
        file.toString(), "77", from.toString(), Integer.toString(BATCH), Integer.toString(MAX_BATCHES));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().clear();
    pb.redirectError(dir.resolve("child.err").toFile());
    Process child = pb.start();
    List<String> acks = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ack ")) {
          acks.add(line);
          if (acks.size() == KILL_AFTER_ACKS) {
            // SIGKILL while the child is in the middle of its next writes. Through its handle:
            // Process.destroyForcibly() would also close our end of the pipe, and the acks the
            // child printed before it died would be lost to this test.
            child.toHandle().destroyForcibly();
          }
        } else if (!line.equals("started")) {
          throw new AssertionError("child said: " + line);
        }
      }
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acks).as("stderr: %s", Files.readString(dir.resolve("child.err"))).hasSizeGreaterThanOrEqualTo(KILL_AFTER_ACKS);
    assertThat(child.exitValue()).isNotZero();

    // the acknowledged batches, regenerated; the batch after them may or may not have committed
    int acked = acks.size();
    SyntheticEvents gen = DurabilityChild.events(77, from, BATCH, MAX_BATCHES);
    List<StoredEvent> expected = new ArrayList<>();
    for (int b = 0; b < acked; b++) {
      List<StoredEvent> batch = gen.next(BATCH);
      assertThat(acks.get(b)).isEqualTo("ack " + b + " " + batch.get(BATCH - 1).key());
      expected.addAll(batch);
    }
    // one write at a time: at most the batch after the last ack committed without its ack
    Set<UUID> maybe = new HashSet<>();
    gen.next(BATCH).forEach(e -> maybe.add(e.key()));

    // reopening replays the WAL
    Vertx vertx = Vertx.vertx();
    try {
      DuckDbStore store = new DuckDbStore(vertx, file);
      await(store.start());
      // every acknowledged event is known: writing them again stores none
      assertThat(await(store.write(expected)).duplicateCount()).isEqualTo(expected.size());
      await(store.close());
    } finally {
      await(vertx.close());
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT key), (SELECT sum(events) FROM rollup) FROM events")) {
        rs.next();
        long rows = rs.getLong(1);
        assertThat(rs.getLong(2)).as("each event once").isEqualTo(rows);
        assertThat(rs.getLong(3)).as("rollups match raw rows").isEqualTo(rows);
        assertThat(rows).isBetween((long) expected.size(), (long) expected.size() + maybe.size());
      }
      Set<UUID> stored = new HashSet<>();
      try (PreparedStatement p = c.prepareStatement("SELECT key FROM events"); ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          stored.add((UUID) rs.getObject(1));
        }
      }
      for (StoredEvent e : expected) {
        assertThat(stored).contains(e.key());
      }
      stored.removeAll(expected.stream().map(StoredEvent::key).toList());
      assertThat(maybe).containsAll(stored);
    }
  }
}
