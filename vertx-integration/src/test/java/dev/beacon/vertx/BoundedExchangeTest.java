package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.vertx.impl.BoundedExchange;
import dev.beacon.vertx.impl.BoundedExchange.Body;
import dev.beacon.vertx.impl.BoundedExchange.Limits;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link BoundedExchange}: the cap, the deadline and cancel, each with its effect on the connection. */
class BoundedExchangeTest {

  private static final Limits READ_1000 = new Limits(2_000, 5_000, 1_000, Body.READ);

  private ShipperFixture fx;
  private WebClient client;
  private HostileEndpoint endpoint;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
    client = client(new PoolOptions());
  }

  private WebClient client(PoolOptions pool) {
    WebClientOptions options = new WebClientOptions().setFollowRedirects(false).setUserAgentEnabled(false);
    return BoundedExchange.bounded(WebClient.wrap(
        fx.vertx.httpClientBuilder().with(options).with(pool).withConnectHandler(conn -> conn.exceptionHandler(t -> { })).build(),
        options));
  }

  @AfterEach
  void tearDown() {
    try {
      client.close();
      fx.close();
    } finally {
      if (endpoint != null) {
        endpoint.close();
      }
    }
  }

  private BoundedExchange get(WebClient c, Limits limits) {
    return get(c, "/x", limits);
  }

  private BoundedExchange get(WebClient c, String path, Limits limits) {
    return BoundedExchange.start(fx.vertx, c, HttpMethod.GET, endpoint.url(path), null, null, limits);
  }

  @Test
  void readKeepsABodyOfExactlyTheCapAndLeavesTheConnectionOpen() {
    endpoint = HostileEndpoint.http(request -> request.response().putHeader("X-A", "1").end("z".repeat(1_000)));

    BoundedExchange.Answer answer = await(get(client, READ_1000).answer());
    BoundedExchange.Answer again = await(get(client, READ_1000).answer());

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("X-A")).isEqualTo("1");
    assertThat(answer.body().toString()).isEqualTo("z".repeat(1_000));
    assertThat(answer.bodyBytes()).isEqualTo(1_000);
    assertThat(answer.bodyEnded()).isTrue();
    assertThat(again.body().length()).isEqualTo(1_000);
    assertThat(endpoint.connections()).isEqualTo(1);
    assertThat(endpoint.closes()).isZero();
  }

  @Test
  void readFailsOneByteOverTheCapAndClosesTheConnection() {
    endpoint = HostileEndpoint.http(request -> request.response().end("z".repeat(1_001)));

    Throwable failure = failureOf(get(client, READ_1000));

    assertThat(failure).isInstanceOf(BoundedExchange.BodyTooLargeException.class).hasMessage("body larger than 1000 bytes");
    assertThat(endpoint.closedWithin(2_000)).isTrue();
  }

  @Test
  void discardAnswersWithTheStatusAndKeepsNoBody() {
    endpoint = HostileEndpoint.http(request -> request.response().setStatusCode(202).end("z".repeat(900)));

    BoundedExchange.Answer answer = await(get(client, new Limits(2_000, 5_000, 1_000, Body.DISCARD)).answer());

    assertThat(answer.status()).isEqualTo(202);
    assertThat(answer.body().length()).as("counted, not kept").isZero();
    assertThat(answer.bodyBytes()).isEqualTo(900);
    assertThat(answer.bodyEnded()).isTrue();
  }

  @Test
  void aCancelWhileWaitingForAConnectionNeverWritesTheRequest() {
    // One connection in the pool, held by a first request that trickles: the second waits for it.
    endpoint = HostileEndpoint.trickling(false);
    WebClient single = client(new PoolOptions().setHttp1MaxSize(1));
    try {
      Limits limits = new Limits(10_000, 10_000, 1_000, Body.DISCARD);
      BoundedExchange first = get(single, "/first", limits);
      await(fx.when(() -> Future.succeededFuture(endpoint.requests() == 1)));
      BoundedExchange second = get(single, "/second", limits);

      second.cancel();
      Throwable cancelled = failureOf(second);
      first.cancel();
      failureOf(first);
      // The freed slot goes to the cancelled waiter first, then to this third request.
      BoundedExchange third = get(single, "/third", limits);
      await(fx.when(() -> Future.succeededFuture(endpoint.requests() == 2)));
      third.cancel();
      failureOf(third);

      assertThat(cancelled).isInstanceOf(CancellationException.class);
      assertThat(second.mayHaveReachedServer()).isFalse();
      assertThat(first.mayHaveReachedServer()).isTrue();
      assertThat(endpoint.rawRequests()).hasSize(2);
      assertThat(endpoint.rawRequests().get(0)).startsWith("GET /first ");
      assertThat(endpoint.rawRequests().get(1))
          .as("the cancelled request was never written; its connection carried the next one")
          .startsWith("GET /third ");
      assertThat(endpoint.connections()).isEqualTo(2);
    } finally {
      single.close();
    }
  }

  private static Throwable failureOf(BoundedExchange exchange) {
    return await(exchange.answer().transform(ar -> Future.succeededFuture(ar.cause())));
  }

  @Test
  void aMalformedUrlFailsTheAnswerInsteadOfThrowing() {
    BoundedExchange exchange =
        BoundedExchange.start(fx.vertx, client, HttpMethod.GET, "http://[bad", null, null, READ_1000);

    assertThat(failureOf(exchange)).isNotNull();
    assertThat(exchange.mayHaveReachedServer()).isFalse();
  }
}
