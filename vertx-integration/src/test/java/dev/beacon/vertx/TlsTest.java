package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.assertBalanced;
import static dev.beacon.vertx.ShipperFixture.await;
import static dev.beacon.vertx.ShipperFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Stats;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** https endpoints: verified against the JVM's trust anchors by default, or a trust store the user gives. */
class TlsTest {

  private ShipperFixture fx;
  private SelfSignedCertificate certificate;
  private HttpServer server;
  private final AtomicInteger configRequests = new AtomicInteger();
  private final AtomicInteger ingestedRecords = new AtomicInteger();

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
    certificate = SelfSignedCertificate.create("localhost");
    server =
        fx.vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(certificate.keyCertOptions()));
    server.requestHandler(
        request -> {
          if (request.path().startsWith("/config/")) {
            configRequests.incrementAndGet();
            request.response().end(ShipperFixture.configJson("https://localhost:" + server.actualPort() + "/log"));
          } else {
            request.body().onSuccess(body -> {
              ingestedRecords.addAndGet(new JsonObject(body).getJsonArray("records").size());
              request.response().end();
            });
          }
        });
    await(server.listen(0, "127.0.0.1"));
  }

  @AfterEach
  void tearDown() {
    certificate.delete();
    fx.close();
  }

  private TelemetryOptions httpsOptions(String host) {
    return fx.options()
        .setAllowInsecureLoopback(false)
        .setConfigUrl("https://" + host + ":" + server.actualPort() + "/config");
  }

  @Test
  void aSelfSignedEndpointIsRefusedByDefault() {
    TelemetryVerticle v = fx.deploy(httpsOptions("localhost"));
    fx.send(event("evaluate"));
    Stats stats = fx.flush(v);

    assertThat(v.decision().cause()).isEqualTo(Decision.Cause.CONFIG_UNAVAILABLE);
    assertThat(stats.dropped(DropReason.DISABLED)).isEqualTo(1);
    assertThat(ingestedRecords.get()).isZero();
    assertBalanced(stats);
  }

  @Test
  void aUserSuppliedTrustStoreIsAcceptedForConfigAndIngestion() {
    TelemetryVerticle v = fx.deploy(httpsOptions("localhost").setTrustStorePath(certificate.certificatePath()));
    fx.send(event("evaluate"));
    fx.send(event("evaluate"));
    Stats stats = fx.flush(v);

    assertThat(v.decision().enabled()).as("%s", v.decision()).isTrue();
    assertThat(stats.sent()).isEqualTo(2);
    assertThat(ingestedRecords.get()).isEqualTo(2);
    assertThat(configRequests.get()).isEqualTo(1);
  }

  @Test
  void theHostNameIsVerifiedEvenWithATrustedCertificate() {
    // The certificate names "localhost"; reaching the same server as 127.0.0.1 must fail.
    TelemetryVerticle v = fx.deploy(httpsOptions("127.0.0.1").setTrustStorePath(certificate.certificatePath()));
    fx.send(event("evaluate"));
    Stats stats = fx.flush(v);

    assertThat(v.decision().cause()).isEqualTo(Decision.Cause.CONFIG_UNAVAILABLE);
    assertThat(configRequests.get()).isZero();
    assertThat(stats.dropped(DropReason.DISABLED)).isEqualTo(1);
  }

  @Test
  void aMissingOrUnknownTrustStoreFailsAtDeployNamingIt() {
    Throwable missing =
        fx.vertx.deployVerticle(new TelemetryVerticle(httpsOptions("localhost").setTrustStorePath("/nonexistent/ca.pem"),
            ShipperFixture.CLEAN_ENV)).toCompletionStage().toCompletableFuture().handle((id, e) -> e).join();
    assertThat(missing).hasMessageContaining("trustStorePath").hasMessageContaining("/nonexistent/ca.pem");
    assertThat(new TelemetryOptions().setSdkVersion("1").setTrustStorePath(certificate.certificatePath() + ".txt"))
        .satisfies(o -> org.assertj.core.api.Assertions.assertThatThrownBy(o::validate)
            .hasMessageContaining(".pem, .crt, .p12, .pfx or .jks"));
  }

  @Test
  void theTrustStorePasswordNeverAppearsInToString() {
    assertThat(new TelemetryOptions().setTrustStorePassword("s3cret").toString()).doesNotContain("s3cret").contains("***");
  }
}
