package dev.beacon.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.CollectorOptions;
import dev.beacon.collector.store.StoredEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input over real HTTP: each gets a clear answer, is counted in {@code /metrics}, stores
 * nothing it should not, and the collector serves a well-behaved client right after.
 */
class HostileInputTest {

  TestCollector c;

  TestCollector start(CollectorOptions options) {
    c = TestCollector.start(options);
    return c;
  }

  @AfterEach
  void stop() {
    if (c != null) {
      c.close();
    }
  }

  @Test
  void truncatedJsonIs400WithAMessage() throws Exception {
    start(TestCollector.options());
    String good = Bodies.envelope(3);

    RawHttp.Response r = c.ingest(good.substring(0, good.length() / 2));

    assertThat(r.status()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).startsWith("the body is not valid JSON");
    assertThat(c.metric("beacon_collector_bad_requests_total", "reason=\"not_json\"")).isEqualTo(1);
    assertThat(c.store.events()).isEmpty();
    c.assertServesAGoodClient();
  }

  @Test
  void jsonNestedTenThousandDeepIs400() throws Exception {
    start(TestCollector.options());

    RawHttp.Response r = c.ingest("{\"records\":[" + "[".repeat(10_000) + "]".repeat(10_000) + "]}");

    assertThat(r.status()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).contains("JSON limit");
    assertThat(c.metric("beacon_collector_bad_requests_total", "reason=\"json_limit\"")).isEqualTo(1);
    c.assertServesAGoodClient();
  }

  @Test
  void aHugeArrayIsCountedNotStored() throws Exception {
    start(TestCollector.options());
    StringBuilder b = new StringBuilder("{\"records\":[");
    for (int i = 0; i < 1_000_000; i++) {
      b.append("0,");
    }
    String body = b.append("0]}").toString();
    assertThat(body.length()).isLessThan(CollectorOptions.DEFAULT_MAX_BODY_BYTES);

    RawHttp.Response r = c.ingest(body);

    assertThat(r.status()).isEqualTo(200);
    JsonObject answer = TestCollector.json(r);
    assertThat(answer.getInteger("accepted")).isZero();
    assertThat(answer.getJsonObject("rejected").getMap())
        .containsEntry("not_an_object", 1_000)
        .containsEntry("too_many_records", 999_001);
    assertThat(c.metric("beacon_collector_records_rejected_total", "reason=\"too_many_records\"")).isEqualTo(999_001);
    assertThat(c.store.events()).isEmpty();
    c.assertServesAGoodClient();
  }

  @Test
  void wrongTypesInEveryFieldAreRejectedOrStrippedAndNothingOfThemIsStored() throws Exception {
    start(TestCollector.options());
    List<String> hostile = List.of("null", "true", "-1", "1.5", "1e300", "123456789012345678901234567890", "\"\"",
        "\"Robert'); DROP TABLE students;--\"", "\"<script>alert(1)</script>\"", "\"\\u00fcn\\u00efc\\u00f6d\\u00e9\"",
        "\"" + "z".repeat(300) + "\"", "[]", "[\"a\",{\"b\":[1]}]", "{}", "{\"a\":{\"b\":1}}");
    List<String> fields = List.of("session_id", "source_sdk", "mlflow_version", "schema_version", "java_version",
        "python_version", "operating_system", "tracking_uri_scheme", "is_localhost", "event_name", "status",
        "timestamp_ns", "duration_ms", "params", "installation_id");
    StringBuilder records = new StringBuilder();
    int n = 0;
    for (String field : fields) {
      for (String v : hostile) {
        JsonObject d = Bodies.data();
        d.remove(field);
        String data = d.encode();
        data = data.substring(0, data.length() - 1) + ",\"" + field + "\":" + v + "}";
        records.append(n++ == 0 ? "" : ",").append("{\"data\":").append(data)
            .append(",\"partition-key\":\"").append(Bodies.key()).append("\"}");
      }
    }

    RawHttp.Response r = c.ingest("{\"records\":[" + records + "]}");

    assertThat(r.status()).isEqualTo(200);
    JsonObject answer = TestCollector.json(r);
    int rejected = answer.getJsonObject("rejected").getMap().values().stream().mapToInt(x -> (Integer) x).sum();
    assertThat(answer.getInteger("accepted") + rejected).isEqualTo(n);
    assertThat(answer.getJsonObject("rejected").fieldNames())
        .containsExactlyInAnyOrder("bad_session_id", "bad_source_sdk", "bad_version", "bad_event_name", "unknown_event", "bad_timestamp");
    assertThat(c.store.events()).hasSize(answer.getInteger("accepted"));
    for (StoredEvent e : c.store.events()) {
      String s = e.toString();
      for (String bad : List.of("DROP", "script", "zzzz", "1.5", "1e300", "12345678901234567890", "\\u00fc", "ü", "{\"a\"", "[\"a\"")) {
        assertThat(s).as(s).doesNotContain(bad);
      }
    }
    assertThat(c.metric("beacon_collector_fields_stripped_total")).isEqualTo((double) answer.getInteger("fields_stripped"));
    c.assertServesAGoodClient();
  }

  @Test
  void tenThousandDistinctParamKeysCostOneRecord() throws Exception {
    start(TestCollector.options());
    JsonObject params = new JsonObject();
    for (int i = 0; i < 10_000; i++) {
      params.put("k" + i, true);
    }
    JsonObject asString = Bodies.record(Bodies.data().put("params", params.encode()), Bodies.key());
    JsonObject asObject = Bodies.record(Bodies.data().put("params", params), Bodies.key());

    RawHttp.Response r = c.ingest(Bodies.envelope(asString, asObject, Bodies.record()));

    assertThat(r.status()).isEqualTo(200);
    JsonObject answer = TestCollector.json(r);
    assertThat(answer.getInteger("accepted")).isEqualTo(1);
    assertThat(answer.getJsonObject("rejected").getInteger("too_large")).isEqualTo(2);
    assertThat(c.store.events()).extracting(StoredEvent::paramsJson).containsExactly("{\"imports\":[\"smile\"]}");
    c.assertServesAGoodClient();
  }

  @Test
  void aGzipBombIs413AfterInflatingNoMoreThanTheCap() throws Exception {
    start(TestCollector.options());
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
      byte[] zeros = new byte[1 << 20];
      gz.write("{\"records\":[\"".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 64; i++) { // 64 MiB inflated, 8 times the cap
        gz.write(zeros);
      }
    }
    assertThat(compressed.size()).isLessThan(CollectorOptions.DEFAULT_MAX_BODY_BYTES);

    RawHttp.Response r = c.ingest(compressed.toByteArray(), "Content-Encoding: gzip");

    assertThat(r.status()).isEqualTo(413);
    assertThat(c.metric("beacon_collector_too_large_total", "cause=\"decompressed\"")).isEqualTo(1);
    assertThat(c.store.events()).isEmpty();
    RawHttp.Response corrupt = c.ingest(new byte[] {31, -117, 8, 0, 1, 2, 3}, "Content-Encoding: gzip");
    assertThat(corrupt.status()).isEqualTo(400);
    assertThat(c.metric("beacon_collector_bad_requests_total", "reason=\"bad_gzip\"")).isEqualTo(1);
    c.assertServesAGoodClient();
  }

  @Test
  void aBodyOverTheLimitWithContentLengthIs413BeforeItIsSent() throws Exception {
    start(TestCollector.options());
    try (RawHttp conn = RawHttp.open(c.port(), 5_000)) {
      conn.send(RawHttp.postHead("/mlflow/ingest", 3L * 1024 * 1024));

      RawHttp.Response r = conn.read(); // no body byte sent yet

      assertThat(r.status()).isEqualTo(413);
      assertThat(r.header("connection")).isEqualTo("close");
      conn.send(new byte[64 * 1024]); // the client goes on sending; the collector drains, then closes
      assertThat(conn.closedByPeer()).isTrue();
    }
    assertThat(c.metric("beacon_collector_too_large_total", "cause=\"content_length\"")).isEqualTo(1);
    assertThat(c.store.events()).isEmpty();
    c.assertServesAGoodClient();
  }

  @Test
  void aChunkedBodyOverTheLimitIs413AsItStreams() throws Exception {
    start(TestCollector.options().setMaxBodyBytes(64 * 1024).setMaxDecompressedBytes(64 * 1024));
    try (RawHttp conn = RawHttp.open(c.port(), 5_000)) {
      conn.send(RawHttp.postHead("/mlflow/ingest", -1, "Transfer-Encoding: chunked"));
      byte[] chunk = "{\"records\":[".concat(" ".repeat(8_000)).getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 9; i++) {
        conn.chunk(chunk);
      }

      RawHttp.Response r = conn.read();

      assertThat(r.status()).isEqualTo(413);
      assertThat(conn.closedByPeer()).isTrue(); // chunk size unknown: drained up to the limit, then closed
    }
    assertThat(c.metric("beacon_collector_too_large_total", "cause=\"streamed\"")).isEqualTo(1);
    c.assertServesAGoodClient();
  }

  @Test
  void aSlowBodyIsCutOffWhileOtherClientsAreServed() throws Exception {
    start(TestCollector.options().setBodyTimeoutMs(600).setIdleTimeoutMs(60_000));
    ScheduledExecutorService slow = Executors.newSingleThreadScheduledExecutor();
    try (RawHttp conn = RawHttp.open(c.port(), 10_000)) {
      byte[] body = Bodies.bytes(Bodies.envelope(1));
      conn.send(RawHttp.postHead("/mlflow/ingest", body.length));
      int[] next = {0};
      slow.scheduleAtFixedRate(() -> {
        try {
          if (next[0] < body.length - 1) {
            conn.send(new byte[] {body[next[0]++]});
          }
        } catch (Exception ignored) {
          // the collector closed the connection: expected
        }
      }, 0, 100, TimeUnit.MILLISECONDS);

      c.assertServesAGoodClient(); // while the slow one trickles

      RawHttp.Response r = conn.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(conn.closedByPeer()).isTrue();
    } finally {
      slow.shutdownNow();
    }
    assertThat(c.metric("beacon_collector_timeouts_total", "cause=\"body\"")).isEqualTo(1);
    c.assertServesAGoodClient();
  }

  @Test
  void aSlowRequestHeadAndAnIdleConnectionAreClosed() throws Exception {
    start(TestCollector.options().setBodyTimeoutMs(60_000).setIdleTimeoutMs(600));
    ScheduledExecutorService slow = Executors.newSingleThreadScheduledExecutor();
    try (RawHttp trickling = RawHttp.open(c.port(), 10_000); RawHttp idle = RawHttp.open(c.port(), 10_000)) {
      trickling.send("POST /mlflow/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      slow.scheduleAtFixedRate(() -> {
        try {
          trickling.send("a");
        } catch (Exception ignored) {
          // closed: expected
        }
      }, 0, 100, TimeUnit.MILLISECONDS);

      c.assertServesAGoodClient();

      assertThat(trickling.closedByPeer()).isTrue();
      assertThat(idle.closedByPeer()).isTrue();
    } finally {
      slow.shutdownNow();
    }
    assertThat(c.metric("beacon_collector_timeouts_total", "cause=\"idle\"")).isGreaterThanOrEqualTo(2);
    c.assertServesAGoodClient();
  }

  @Test
  void aFloodFromOneAddressIs429WithRetryAfterBeforeTheBodyAndOtherAddressesAreServed() throws Exception {
    start(TestCollector.options().setRateLimitPerSecond(0.01).setRateLimitBurst(5));
    int ok = 0;
    int throttled = 0;
    for (int i = 0; i < 30; i++) {
      RawHttp.Response r = c.ingest(Bodies.envelope(1));
      if (r.status() == 200) {
        ok++;
      } else {
        assertThat(r.status()).isEqualTo(429);
        assertThat(Long.parseLong(r.header("retry-after"))).isBetween(1L, 100L);
        throttled++;
      }
    }
    assertThat(ok).isEqualTo(5);
    assertThat(throttled).isEqualTo(25);

    try (RawHttp conn = RawHttp.open(c.port(), 5_000)) {
      conn.send(RawHttp.postHead("/mlflow/ingest", 1_000)); // the head only: the answer cannot wait for a body
      assertThat(conn.read().status()).isEqualTo(429);
    }
    assertThat(c.metric("beacon_collector_throttled_total", "cause=\"rate\"")).isEqualTo(26);
    assertThat(c.store.events()).hasSize(5);

    // Another source address on this machine (127.0.0.0/8 is loopback) has its own bucket.
    byte[] body = Bodies.bytes(Bodies.envelope(Bodies.record()));
    try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), c.port(), InetAddress.getByName("127.0.0.2"), 0)) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(RawHttp.postHead("/mlflow/ingest", body.length));
      s.getOutputStream().write(body);
      String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(status).isEqualTo("HTTP/1.1 200");
    }
    assertThat(c.store.events()).hasSize(6);
  }

  @Test
  void aRefusedSmallBodyIsDrainedAndTheConnectionStaysUsable() throws Exception {
    start(TestCollector.options().setRateLimitPerSecond(0.01).setRateLimitBurst(1));
    byte[] body = Bodies.bytes(Bodies.envelope(2));
    try (RawHttp conn = RawHttp.open(c.port(), 5_000)) {
      conn.send(RawHttp.postHead("/mlflow/ingest", body.length));
      conn.send(body);
      assertThat(conn.read().status()).isEqualTo(200);
      for (int i = 0; i < 3; i++) { // the same connection: each 429 leaves it clean for the next request
        conn.send(RawHttp.postHead("/mlflow/ingest", body.length));
        conn.send(body);
        RawHttp.Response r = conn.read();
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("connection")).isNull();
      }
    }
    assertThat(c.store.events()).hasSize(2);
  }

  @Test
  void expectContinueIsAnsweredOnlyWhenTheBodyIsWanted() throws Exception {
    start(TestCollector.options());
    byte[] body = Bodies.bytes(Bodies.envelope(1));
    try (RawHttp conn = RawHttp.open(c.port(), 5_000)) {
      conn.send(RawHttp.postHead("/mlflow/ingest", body.length, "Expect: 100-continue"));
      conn.send(body);
      assertThat(conn.read().status()).isEqualTo(200);
      assertThat(conn.interim).as("100 Continue before the 200").isEqualTo(1);
    }
    try (RawHttp conn = RawHttp.open(c.port(), 5_000)) {
      conn.send(RawHttp.postHead("/mlflow/ingest", 3L * 1024 * 1024, "Expect: 100-continue"));
      RawHttp.Response r = conn.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(conn.interim).as("no 100 Continue for a body that is refused").isZero();
    }
  }

  @Test
  void behindATrustedProxyTheLimiterKeysOnTheLastForwardedAddressAndOtherwiseIgnoresIt() throws Exception {
    start(TestCollector.options().setRateLimitPerSecond(0.01).setRateLimitBurst(1).setTrustForwardedHeaders(true));
    String body = Bodies.envelope(1);
    assertThat(c.ingest(body, "X-Forwarded-For: 203.0.113.7, 198.51.100.1").status()).isEqualTo(200);
    assertThat(c.ingest(body, "X-Forwarded-For: 203.0.113.8, 198.51.100.1").status()).isEqualTo(429);
    assertThat(c.ingest(body, "X-Forwarded-For: 198.51.100.2").status()).isEqualTo(200);
    c.close();

    start(TestCollector.options().setRateLimitPerSecond(0.01).setRateLimitBurst(1));
    assertThat(c.ingest(body, "X-Forwarded-For: 198.51.100.3").status()).isEqualTo(200);
    assertThat(c.ingest(body, "X-Forwarded-For: 198.51.100.4").status()).isEqualTo(429); // same connection address
  }

  @Test
  void aFullWriteBufferIs429BeforeTheBodyAndTheHeldRequestIsAnsweredAfterItsCommit() throws Exception {
    start(TestCollector.options().setMaxRecordsPerRequest(10).setWriteBufferRecords(10));
    c.store.hold();
    java.util.concurrent.CompletableFuture<RawHttp.Response> held = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return c.ingest(Bodies.envelope(10));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    c.store.firstHeldWrite().get(10, TimeUnit.SECONDS);

    RawHttp.Response r = c.ingest(Bodies.envelope(1));

    assertThat(r.status()).isEqualTo(429);
    assertThat(r.header("retry-after")).isEqualTo("1");
    assertThat(c.metric("beacon_collector_throttled_total", "cause=\"buffer_full\"")).isEqualTo(1);
    assertThat(c.metric("beacon_collector_write_buffer_records")).isEqualTo(10);
    assertThat(held.isDone()).isFalse(); // no 200 before the commit
    c.store.release();
    RawHttp.Response first = held.get(10, TimeUnit.SECONDS);
    assertThat(first.status()).isEqualTo(200);
    assertThat(TestCollector.json(first).getInteger("accepted")).isEqualTo(10);
    c.assertServesAGoodClient();
  }

  @Test
  void recordsThatAreNotObjectsAndRecordsWithoutDataAreCounted() throws Exception {
    start(TestCollector.options());
    String body = new JsonObject().put("records", new JsonArray().add(1).add("x").addNull().add(new JsonArray())
        .add(new JsonObject()).add(new JsonObject().put("data", "nope").put("partition-key", Bodies.key()))).encode();

    RawHttp.Response r = c.ingest(body);

    assertThat(r.status()).isEqualTo(200);
    assertThat(TestCollector.json(r).getJsonObject("rejected").getMap())
        .containsEntry("not_an_object", 4).containsEntry("no_data", 2);
    c.assertServesAGoodClient();
  }
}
