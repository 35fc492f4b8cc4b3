package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.vertx.impl.BoundedExchange;
import dev.beacon.vertx.impl.IngestionSender;
import dev.beacon.vertx.impl.Sender.Outcome;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link IngestionSender}: one attempt against real loopback servers, its answer classified once;
 * connections reused for short answers and closed on everything else.
 */
class IngestionSenderTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final long RETRY_AFTER_CAP_MS = 60_000;
  private static final Buffer BODY = Buffer.buffer("{\"records\":[]}", "UTF-8");

  private ShipperFixture fx;
  private WebClient client;
  private HostileEndpoint endpoint;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
    // as TelemetryVerticle.http() builds it: every connection has an exception handler, so resets log nothing
    WebClientOptions options =
        new WebClientOptions().setConnectTimeout(5_000).setFollowRedirects(false).setUserAgentEnabled(false).setKeepAlive(true);
    client =
        BoundedExchange.bounded(WebClient.wrap(
            fx.vertx.httpClientBuilder().with(options).withConnectHandler(conn -> conn.exceptionHandler(t -> { })).build(),
            options));
  }

  @AfterEach
  void tearDown() {
    try {
      client.close();
      fx.close(); // also: nothing was logged at INFO or above
    } finally {
      if (endpoint != null) {
        endpoint.close();
      }
    }
  }

  private IngestionSender sender(String url, long deadlineMs) {
    return new IngestionSender(
        fx.vertx, client, URI.create(url), 2_000, deadlineMs, RETRY_AFTER_CAP_MS, Clock.fixed(NOW, ZoneOffset.UTC),
        Map.of("User-Agent", "beacon-test/1"));
  }

  private Outcome sendOnce(Consumer<HttpServerRequest> answer) {
    endpoint = HostileEndpoint.http(answer);
    return await(sender(endpoint.url("/log"), 5_000).send(BODY));
  }

  private Outcome answer(int status, Map<String, String> headers) {
    return sendOnce(request -> {
      headers.forEach(request.response()::putHeader);
      request.response().setStatusCode(status).end("{\"accepted\":1}");
    });
  }

  // ---------------------------------------------------------------- statuses

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {200, 201, 202, 204, 299})
  void a2xxIsSent(int status) {
    assertThat(answer(status, Map.of())).isEqualTo(new Outcome.Sent(status));
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void aRedirectIsRefusedAndNeverFollowed(int status) {
    Outcome outcome = answer(status, Map.of("Location", "/elsewhere"));

    assertThat(outcome).isEqualTo(new Outcome.Refused(status, false));
    assertThat(endpoint.requests()).as("the Location is never requested").isEqualTo(1);
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {400, 401, 403, 404})
  void aRejectionIsRefusedForGood(int status) {
    assertThat(answer(status, Map.of())).isEqualTo(new Outcome.Refused(status, true));
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {405, 409, 410, 413, 418, 422, 431, 501, 505, 599})
  void anyOtherStatusIsRefusedButNotForGood(int status) {
    assertThat(answer(status, Map.of())).isEqualTo(new Outcome.Refused(status, false));
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {408, 500, 502, 504})
  void aRetryableStatusIgnoresRetryAfterUnless429Or503(int status) {
    assertThat(answer(status, Map.of("Retry-After", "5")))
        .isEqualTo(new Outcome.Retryable(status, -1, false, "HTTP " + status));
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {429, 503})
  void retryAfterInSeconds(int status) {
    assertThat(answer(status, Map.of("Retry-After", "7")))
        .isEqualTo(new Outcome.Retryable(status, 7_000, false, "HTTP " + status));
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {429, 503})
  void retryAfterAsAnHttpDateIsMeasuredAgainstTheInjectedClock(int status) {
    assertThat(answer(status, Map.of("Retry-After", "Tue, 01 Jan 2030 00:00:42 GMT")))
        .isEqualTo(new Outcome.Retryable(status, 42_000, false, "HTTP " + status));
  }

  @Test
  void retryAfterInThePastIsZeroAndAFarOneIsCapped() {
    assertThat(answer(429, Map.of("Retry-After", "Mon, 31 Dec 2029 23:00:00 GMT")))
        .isEqualTo(new Outcome.Retryable(429, 0, false, "HTTP 429"));
    endpoint.close();
    assertThat(answer(503, Map.of("Retry-After", "86400")))
        .isEqualTo(new Outcome.Retryable(503, RETRY_AFTER_CAP_MS, false, "HTTP 503"));
  }

  @Test
  void noOrAnUnreadableRetryAfterIsMinusOne() {
    assertThat(answer(429, Map.of())).isEqualTo(new Outcome.Retryable(429, -1, false, "HTTP 429"));
    endpoint.close();
    assertThat(answer(503, Map.of("Retry-After", "soon"))).isEqualTo(new Outcome.Retryable(503, -1, false, "HTTP 503"));
  }

  // ---------------------------------------------------------------- no status

  @Test
  void aRefusedConnectionIsRetryableAndCannotHaveDeliveredAnything() {
    Outcome outcome = await(sender(refusedUrl(), 5_000).send(BODY));

    assertThat(outcome).isEqualTo(new Outcome.Retryable(-1, -1, false, "connection refused"));
  }

  @Test
  void aResetAfterTheRequestWasReadIsALostResponse() {
    endpoint = HostileEndpoint.answeringThenClosing("", true);
    Outcome outcome = await(sender(endpoint.url("/log"), 5_000).send(BODY));

    assertThat(outcome).isInstanceOfSatisfying(Outcome.Retryable.class, r -> {
      assertThat(r.status()).isEqualTo(-1);
      assertThat(r.retryAfterMs()).isEqualTo(-1);
      assertThat(r.responseLost()).as("the server had the request: a resend may duplicate it").isTrue();
    });
  }

  @Test
  void aResetMidHeadIsALostResponse() {
    endpoint = HostileEndpoint.answeringThenClosing("HTTP/1.1 200 OK\r\nContent-Le", true);
    Outcome outcome = await(sender(endpoint.url("/log"), 5_000).send(BODY));

    assertThat(outcome).isInstanceOfSatisfying(Outcome.Retryable.class, r -> {
      assertThat(r.status()).isEqualTo(-1);
      assertThat(r.responseLost()).isTrue();
    });
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {200, 503})
  void aConnectionClosedMidBodyKeepsTheStatusThatCame(int status) {
    endpoint = HostileEndpoint.answeringThenClosing(
        "HTTP/1.1 " + status + " X\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1_000), false);
    Outcome outcome = await(sender(endpoint.url("/log"), 5_000).send(BODY));

    assertThat(outcome).isEqualTo(status == 200 ? new Outcome.Sent(200) : new Outcome.Retryable(503, -1, false, "HTTP 503"));
  }

  @Test
  void aHeadTrickledPastTheDeadlineIsCutThereAndIsALostResponse() {
    endpoint = HostileEndpoint.trickling(false);
    long t0 = System.nanoTime();
    Outcome outcome = await(sender(endpoint.url("/log"), 300).send(BODY));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(outcome).isEqualTo(new Outcome.Retryable(-1, -1, true, "timeout"));
    assertThat(ms).as("answered at the 300 ms deadline, though bytes kept coming").isBetween(250L, 2_000L);
    assertThat(endpoint.closedWithin(2_000)).as("the connection was closed at the deadline").isTrue();
  }

  @Test
  void aBodyTrickledPastTheDeadlineIsCutThereAndTheStatusThatCameStands() {
    endpoint = HostileEndpoint.trickling(true);
    long t0 = System.nanoTime();
    Outcome outcome = await(sender(endpoint.url("/log"), 300).send(BODY));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(outcome).as("the server said 200; the body is not Beacon's business").isEqualTo(new Outcome.Sent(200));
    assertThat(ms).isBetween(250L, 2_000L);
    assertThat(endpoint.closedWithin(2_000)).as("the connection was closed at the deadline").isTrue();
  }

  @Test
  void cancelAllClosesWhatIsInFlight() {
    endpoint = HostileEndpoint.trickling(false);
    IngestionSender sender = sender(endpoint.url("/log"), 30_000);
    Future<Outcome> pending = sender.send(BODY);
    await(fx.when(() -> Future.succeededFuture(endpoint.requests() == 1)));

    sender.cancelAll();

    assertThat(await(pending, 2_000)).isEqualTo(new Outcome.Retryable(-1, -1, true, "cancelled"));
    assertThat(endpoint.closedWithin(2_000)).as("the connection was closed at once").isTrue();
  }

  // ---------------------------------------------------------------- the wire and the connections

  @Test
  void postsTheBodyAsJsonWithTheExtraHeadersAndLeavesTheBufferAsItWas() {
    Buffer body = Buffer.buffer("{\"records\":[{\"data\":{}}]}", "UTF-8");
    endpoint = HostileEndpoint.http(request -> request.response().end());
    IngestionSender sender = sender(endpoint.url("/log"), 5_000);

    assertThat(await(sender.send(body))).isEqualTo(new Outcome.Sent(200));
    assertThat(await(sender.send(body))).as("the same buffer, sent again").isEqualTo(new Outcome.Sent(200));

    assertThat(endpoint.requestBodies()).hasSize(2).allSatisfy(b -> assertThat(b).isEqualTo(body));
    HttpServerRequest first = endpoint.seen().get(0);
    assertThat(first.method().name()).isEqualTo("POST");
    assertThat(first.path()).isEqualTo("/log");
    assertThat(first.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(first.getHeader("User-Agent")).isEqualTo("beacon-test/1");
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("{\"records\":[{\"data\":{}}]}");
  }

  @ParameterizedTest(name = "body of {0} bytes")
  @ValueSource(ints = {0, 14, IngestionSender.MAX_RESPONSE_BYTES})
  void answersWithinTheCapLeaveTheConnectionToTheNextRequest(int bodyBytes) {
    endpoint = HostileEndpoint.http(request -> request.response().end("y".repeat(bodyBytes)));
    IngestionSender sender = sender(endpoint.url("/log"), 5_000);

    for (int i = 0; i < 5; i++) {
      assertThat(await(sender.send(BODY))).isEqualTo(new Outcome.Sent(200));
    }

    assertThat(endpoint.requests()).isEqualTo(5);
    assertThat(endpoint.connections()).as("five sequential requests, one keep-alive connection").isEqualTo(1);
    assertThat(endpoint.closes()).isZero();
  }

  @Test
  void anAnswerOverTheCapCostsItsConnectionButKeepsItsStatus() {
    endpoint = HostileEndpoint.streaming(200, IngestionSender.MAX_RESPONSE_BYTES + 1, false);
    IngestionSender sender = sender(endpoint.url("/log"), 5_000);

    for (int i = 0; i < 3; i++) {
      assertThat(await(sender.send(BODY))).isEqualTo(new Outcome.Sent(200));
    }

    assertThat(endpoint.connections()).as("each answer went one byte past the cap: its connection was closed").isEqualTo(3);
    await(fx.when(() -> Future.succeededFuture(endpoint.closes() == 3)));
  }

  private static String refusedUrl() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/log";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
