package dev.beacon.vertx.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Retry;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;

/**
 * An ingestion endpoint (a Vert.x HTTP server on 127.0.0.1) that answers with any status code,
 * any {@code Retry-After}, a {@code Location} on redirects, and bodies of any size, chunked or not,
 * keeping the connection or closing it. For every try a fresh verticle sends a few events and
 * flushes: the books balance, nothing reaches the caller, nothing is logged, the events end up sent
 * or dropped under exactly the reason the answers call for, and telemetry switches off exactly when
 * a 400, 401, 403 or 404 was answered.
 */
class IngestionResponseFuzzTest {

  private static final int MAX_RETRIES = 1;

  /** One answer of the endpoint. */
  record Answer(int status, List<String> retryAfter, String location, int bodySize, long bodySeed, boolean chunked,
      boolean close) {
    @Override
    public String toString() {
      return status + (retryAfter.isEmpty() ? "" : " Retry-After=" + retryAfter) + (location == null ? "" : " Location=" + location)
          + " body=" + bodySize + (chunked ? " chunked" : "") + (close ? " close" : "");
    }
  }

  /** What one try does: how many events, and the answers to its requests (in order). */
  record Plan(int events, List<Answer> answers) {}

  private FuzzFixture fx;
  private HttpServer server;
  private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Buffer> bodies = new ConcurrentLinkedQueue<>();
  private final List<Integer> answered = new CopyOnWriteArrayList<>();

  @BeforeProperty
  void start() {
    fx = new FuzzFixture();
    server =
        fx.vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .exceptionHandler(t -> {})
            .connectionHandler(c -> c.exceptionHandler(t -> {}))
            .invalidRequestHandler(HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER)
            .requestHandler(this::answer);
    FuzzFixture.await(server.listen());
  }

  @AfterProperty
  void finish() {
    try {
      FuzzFixture.await(server.close());
    } finally {
      fx.close();
    }
  }

  private void answer(HttpServerRequest request) {
    request.body().onComplete(ignored -> {
      Answer a = script.poll();
      Buffer body = bodies.poll();
      if (a == null) {
        a = new Answer(200, List.of(), null, 0, 0, false, false);
        body = Buffer.buffer();
      }
      answered.add(a.status());
      HttpServerResponse response = request.response().setStatusCode(a.status());
      response.exceptionHandler(t -> {});
      a.retryAfter().forEach(v -> response.headers().add("Retry-After", v));
      if (a.location() != null) {
        response.putHeader("Location", a.location());
      }
      if (a.close()) {
        response.putHeader("Connection", "close");
      }
      boolean bodyless = a.status() < 200 || a.status() == 204 || a.status() == 304;
      if (bodyless || body.length() == 0) {
        response.end();
      } else if (a.chunked()) {
        response.setChunked(true);
        int half = body.length() / 2;
        response.write(body.getBuffer(0, half));
        response.end(body.getBuffer(half, body.length()));
      } else {
        response.end(body);
      }
    });
  }

  // ------------------------------------------------------------------ generators

  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

  static Arbitrary<String> retryAfterValues() {
    Arbitrary<String> headerChars =
        Arbitraries.strings().withCharRange(' ', '~').withChars('\t').withCharRange('\u0080', '\u00ff').ofMaxLength(30);
    return Arbitraries.frequencyOf(
        List.<net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<String>>>of(
            BusFuzzValues.w(4, Arbitraries.of("0", "1", "2", "00", "120", "3600", "-1", "1.5", " 1 ", "", "+1")),
            BusFuzzValues.w(2, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(70)),
            BusFuzzValues.w(3, Arbitraries.longs().between(-400_000_000L, 4_000_000_000L)
                .map(s -> HTTP_DATE.format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(s), ZoneOffset.UTC)))),
            BusFuzzValues.w(1, Arbitraries.of("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                "Sun Nov  6 08:49:37 1994", "Mon, 31 Feb 2030 00:00:00 GMT", "tomorrow", "\u00e9t\u00e9")),
            BusFuzzValues.w(2, headerChars)));
  }

  static Arbitrary<Integer> statuses() {
    return Arbitraries.frequencyOf(
        List.<net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<Integer>>>of(
            BusFuzzValues.w(6, Arbitraries.of(200, 201, 202, 204, 206, 299, 301, 302, 303, 304, 307, 308, 400, 401, 403,
                404, 405, 408, 409, 410, 413, 418, 422, 429, 431, 451, 500, 501, 502, 503, 504, 505, 511, 599)),
            BusFuzzValues.w(3, Arbitraries.integers().between(200, 599)),
            BusFuzzValues.w(3, Arbitraries.of(408, 429, 500, 502, 503, 504)),
            BusFuzzValues.w(1, Arbitraries.of(400, 401, 403, 404)),
            // 1xx as the only answer: 100 and 103 are interim (the client waits for more, so the
            // request times out and is retried); the others are taken as a final, unknown status
            BusFuzzValues.w(1, Arbitraries.of(100, 101, 102, 103, 150, 199))));
  }

  static Arbitrary<Answer> answers() {
    return Combinators.combine(
            statuses(),
            retryAfterValues().list().ofMaxSize(2),
            Arbitraries.of("https://elsewhere.example/log", "/log", "http://127.0.0.1:1/", "", "\u00e9").injectNull(0.3),
            Arbitraries.frequencyOf(
                List.<net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<Integer>>>of(
                    BusFuzzValues.w(3, Arbitraries.just(0)),
                    BusFuzzValues.w(4, Arbitraries.integers().between(1, 2_000)),
                    BusFuzzValues.w(1, Arbitraries.of(65_536, 1_048_577, 2_500_000)))),
            Arbitraries.longs(),
            Arbitraries.of(true, false),
            Arbitraries.frequencyOf(
                List.<net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<Boolean>>>of(
                    BusFuzzValues.w(4, Arbitraries.just(false)), BusFuzzValues.w(1, Arbitraries.just(true)))))
        .as(Answer::new);
  }

  @Provide
  Arbitrary<Plan> plans() {
    return Combinators.combine(Arbitraries.integers().between(1, 5), answers().list().ofSize(MAX_RETRIES + 1))
        .as(Plan::new);
  }

  // ------------------------------------------------------------------ the property

  @Property(tries = 80)
  void anyIngestionAnswerKeepsTheBooksAndOnlyRejectionsSwitchOff(@ForAll("plans") Plan plan) {
    int logMark = fx.mark();
    script.clear();
    bodies.clear();
    answered.clear();
    for (Answer a : plan.answers()) {
      script.add(a);
      bodies.add(body(a));
    }
    TelemetryOptions options =
        fx.options()
            .setConfigUrl(null)
            .setIngestionUrl("http://127.0.0.1:" + server.actualPort() + "/log")
            .setMaxRetries(MAX_RETRIES)
            .setRetryBaseDelayMs(1)
            .setRetryMaxDelayMs(5)
            .setRetryAfterCapMs(50)
            .setConnectTimeoutMs(500)
            .setRequestTimeoutMs(500)
            .setCloseTimeoutMs(1_000);
    TelemetryVerticle v = fx.deploy(options);
    try {
      for (int i = 0; i < plan.events(); i++) {
        TelemetryEvent e =
            i % 2 == 0
                ? TelemetryEvent.of("create_run", Status.SUCCESS, (long) i, Map.of("imports", List.of("smile", "weka")))
                : TelemetryEvent.of("evaluate", null);
        assertThatCode(() -> fx.vertx.eventBus().send(TelemetryOptions.DEFAULT_ADDRESS, e)).doesNotThrowAnyException();
      }
      Stats s = fx.flush(v, plan.events());
      FuzzFixture.assertBalanced(s);
      assertThat(s.recorded()).isEqualTo(plan.events());
      assertThat(s.pending()).as("flushed: nothing held in %s", s).isZero();

      // What the answers call for: sent on 2xx, rejected on a terminal or any other final status,
      // retried on 408/429/5xx until the retries run out.
      // 100 and 103 are interim answers: the client waits for the final one, the request times out
      // and is retried as a lost response. Any other 1xx is taken as a final, unknown status.
      boolean interim = false;
      List<Integer> expectedStatuses = new ArrayList<>();
      DropReason expectedDrop = DropReason.RETRIES_EXHAUSTED;
      boolean expectSent = false;
      boolean expectOff = false;
      for (Answer a : plan.answers()) {
        expectedStatuses.add(a.status());
        Retry.Verdict verdict = Retry.classify(a.status());
        if (a.status() == 100 || a.status() == 103) {
          interim = true;
          continue;
        }
        if (verdict == Retry.Verdict.RETRY) {
          continue;
        }
        expectSent = verdict == Retry.Verdict.SENT;
        expectOff = verdict == Retry.Verdict.TERMINAL;
        expectedDrop = expectSent ? null : DropReason.REJECTED;
        break;
      }
      Statistics.label("outcome").collect(expectSent ? "sent" : expectOff ? "rejected, switched off" : expectedDrop.key());
      Statistics.label("interim 1xx answered").collect(interim);
      assertThat(answered).as("the statuses answered").containsExactlyElementsOf(expectedStatuses);
      assertThat(s.requests()).isEqualTo(expectedStatuses.size());
      assertThat(s.retries()).isEqualTo(expectedStatuses.size() - 1);
      if (!interim) {
        assertThat(s.resent()).as("a final status answer is never a lost response").isZero();
      }
      if (expectSent) {
        assertThat(s.sent()).isEqualTo(plan.events());
      } else {
        assertThat(s.sent()).isZero();
        assertThat(s.dropped(expectedDrop)).as("dropped as %s in %s", expectedDrop, s).isEqualTo(plan.events());
      }

      Decision d = v.decision();
      boolean terminalAnswered = answered.stream().anyMatch(Retry.TERMINAL::contains);
      assertThat(terminalAnswered).isEqualTo(expectOff);
      assertThat(d.enabled()).as("decision %s after %s", d, answered).isEqualTo(!terminalAnswered);
      if (!d.enabled()) {
        assertThat(d.cause()).isEqualTo(Decision.Cause.INGESTION_REJECTED);
      }

      CloseReport report = FuzzFixture.await(v.close());
      FuzzFixture.assertBalanced(report.stats());
      assertThat(report.stats().pending()).isZero();
      fx.assertQuietSince(logMark);
    } finally {
      FuzzFixture.await(fx.vertx.undeploy(v.deploymentID()));
    }
  }

  private static Buffer body(Answer a) {
    byte[] bytes = new byte[a.bodySize()];
    new SplittableRandom(a.bodySeed()).nextBytes(bytes);
    return Buffer.buffer(bytes);
  }
}
