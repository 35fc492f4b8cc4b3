package dev.beacon.launcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The two endpoints a shipper talks to, on one WireMock server on 127.0.0.1 (any free port): the
 * remote config at {@code /config/{version}.json} (served only once a test asks for it) and
 * ingestion at {@code /log} (200). {@link #firstIngestion()} completes when the first ingestion
 * request has been answered, so that tests wait on a future, not on a clock.
 */
final class Endpoints implements AutoCloseable {

  static final String VERSION = "3.7.0";
  static final ObjectMapper JSON = new ObjectMapper();

  final WireMockServer wm;
  private final CompletableFuture<LoggedRequest> firstIngestion = new CompletableFuture<>();

  Endpoints() {
    wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().extensions(new IngestionListener()));
    wm.start();
    wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(200)));
  }

  String base() {
    return "http://127.0.0.1:" + wm.port();
  }

  /** The {@code configUrl} option that points the config at this server. */
  String configBase() {
    return base() + "/config";
  }

  String ingestionUrl() {
    return base() + "/log";
  }

  /** A config document that enables telemetry and points ingestion at {@code ingestionUrl}. */
  static String configJson(String ingestionUrl) {
    return "{\"mlflow_version\":\"" + VERSION + "\",\"disable_telemetry\":false,\"rollout_percentage\":100,"
        + "\"ingestion_url\":\"" + ingestionUrl + "\",\"disable_sdks\":[],\"disable_os\":[],\"disable_events\":[]}";
  }

  void serveConfig(String body) {
    wm.stubFor(get(urlEqualTo("/config/" + VERSION + ".json")).willReturn(okJson(body)));
  }

  /** Serves a config that enables telemetry and sends ingestion to this server. */
  void serveConfigPointingAtItself() {
    serveConfig(configJson(ingestionUrl()));
  }

  /** Inline {@code -conf} JSON: the config from this server, plain http to loopback allowed. */
  String conf() {
    // a generous config timeout: a cold JVM's first request on a busy 2-core machine can take seconds
    return "{\"sdkVersion\":\"" + VERSION + "\",\"configUrl\":\"" + configBase() + "\",\"allowInsecureLoopback\":true,"
        + "\"configTimeoutMs\":10000}";
  }

  List<LoggedRequest> ingestionRequests() {
    return wm.findAll(postRequestedFor(urlEqualTo("/log")));
  }

  /** Every record received on {@code /log}, in arrival order. */
  List<JsonNode> records() {
    List<JsonNode> out = new ArrayList<>();
    for (LoggedRequest request : ingestionRequests()) {
      try {
        JSON.readTree(request.getBody()).get("records").forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Completes with the first ingestion request once it has been answered. */
  CompletableFuture<LoggedRequest> firstIngestion() {
    return firstIngestion;
  }

  @Override
  public void close() {
    wm.stop();
  }

  private final class IngestionListener implements ServeEventListener {
    @Override
    public void afterComplete(ServeEvent event, Parameters parameters) {
      LoggedRequest request = event.getRequest();
      if ("POST".equals(request.getMethod().getName()) && request.getUrl().startsWith("/log")) {
        firstIngestion.complete(request);
      }
    }

    @Override
    public String getName() {
      return "beacon-ingestion-listener";
    }
  }
}
