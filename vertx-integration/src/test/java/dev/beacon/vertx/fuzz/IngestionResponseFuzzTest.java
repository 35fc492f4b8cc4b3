package dev.beacon.vertx.fuzz;

import dev.beacon.fuzz.Gen;
import static dev.beacon.fuzz.Gen.w;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An ingestion endpoint (a Vert.x HTTP server on 127.0.0.1) that answers with any status code,
 * any {@code Retry-After}, a {@code Location} on redirects, and bodies of any size, chunked or not,
 * keeping the connection or closing it. For every try a fresh verticle sends a few events and
 * flushes: the books balance, nothing reaches the caller, nothing is logged, the events end up sent
 * or dropped under exactly the reason the answers call for, and telemetry switches off exactly when
 * a 400, 401, 403 or 404 was answered. The fixture and the server live for the class ({@code
 * PER_CLASS}: one instance holds them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
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

  @BeforeAll
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

  @AfterAll
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

  static Gen<String> retryAfterValues() {
    Gen<String> headerChars =
        Gen.strings(Gen.frequency(w(95, Gen.chars(' ', '~')), w(1, Gen.constant('\t')), w(128, Gen.chars('\u0080', '\u00ff'))), 0, 30);
    Gen<Long> seconds = Gen.longs(-400_000_000L, 4_000_000_000L);
    return Gen.frequency(
        w(4, Gen.of("0", "1", "2", "00", "120", "3600", "-1", "1.5", " 1 ", "", "+1")),
        w(2, Gen.strings(Gen.charsOf(Gen.DIGITS), 1, 70)),
        w(3, seconds.map(s -> HTTP_DATE.format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(s), ZoneOffset.UTC)))),
        w(1, Gen.of("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994", "Mon, 31 Feb 2030 00:00:00 GMT", "tomorrow", "\u00e9t\u00e9")),
        w(2, headerChars));
  }

  static Gen<Integer> statuses() {
    return Gen.frequency(
        w(6, Gen.of(200, 201, 202, 204, 206, 299, 301, 302, 303, 304, 307, 308, 400, 401, 403,
            404, 405, 408, 409, 410, 413, 418, 422, 429, 431, 451, 500, 501, 502, 503, 504, 505, 511, 599)),
        w(3, Gen.ints(200, 599)),
        w(3, Gen.of(408, 429, 500, 502, 503, 504)),
        w(1, Gen.of(400, 401, 403, 404)),
        // 1xx as the only answer: 100 and 103 are interim (the client waits for more, so the
        // request times out and is retried); the others are taken as a final, unknown status
        w(1, Gen.of(100, 101, 102, 103, 150, 199)));
  }

  static Gen<Answer> answers() {
    Gen<Integer> statuses = statuses();
    Gen<List<String>> retryAfter = retryAfterValues().list(0, 2);
    Gen<String> location = Gen.of("https://elsewhere.example/log", "/log", "http://127.0.0.1:1/", "", "\u00e9").orNull(0.3);
    Gen<Integer> bodySize =
        Gen.frequency(w(3, Gen.constant(0)), w(4, Gen.ints(1, 2_000)), w(1, Gen.of(65_536, 1_048_577, 2_500_000)));
    Gen<Long> bodySeed = Gen.longs();
    Gen<Boolean> close = Gen.frequency(w(4, Gen.constant(false)), w(1, Gen.constant(true)));
    return r -> new Answer(statuses.next(r), retryAfter.next(r), location.next(r), bodySize.next(r), bodySeed.next(r),
        r.nextBoolean(), close.next(r));
  }

  private static final Gen<Plan> PLANS = plans();

  static Gen<Plan> plans() {
    Gen<Integer> events = Gen.ints(1, 5);
    Gen<List<Answer>> answers = answers().list(MAX_RETRIES + 1, MAX_RETRIES + 1);
    return r -> new Plan(events.next(r), answers.next(r));
  }

  // ------------------------------------------------------------------ the property

  @Test
  void anyIngestionAnswerKeepsTheBooksAndOnlyRejectionsSwitchOff() {
    Gen.Tally outcomes = new Gen.Tally("outcome");
    Gen.Tally interims = new Gen.Tally("interim 1xx answered");
    Gen.Settings run = Gen.forAll(0x1A6E_0001L, 80, PLANS, plan -> oneTry(plan, outcomes, interims));
    outcomes.requireSeen(run, "sent", "rejected, switched off", DropReason.REJECTED.key(), DropReason.RETRIES_EXHAUSTED.key());
    interims.requireSeen(run); // interim answers are rare (a few in a run): counted, not required
  }

  private void oneTry(Plan plan, Gen.Tally outcomes, Gen.Tally interims) {
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
      outcomes.add(expectSent ? "sent" : expectOff ? "rejected, switched off" : expectedDrop.key());
      interims.add(interim);
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
