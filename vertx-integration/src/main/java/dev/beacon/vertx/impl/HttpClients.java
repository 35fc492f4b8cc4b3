package dev.beacon.vertx.impl;

import io.vertx.core.Vertx;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Locale;

/** The one way Beacon builds its web client: no redirects, no default user agent, quiet connections. */
public final class HttpClients {

  private HttpClients() {}

  /**
   * A web client with this connect timeout and trust store (null: the JVM's trust anchors). Every
   * connection gets an exception handler, so that resets and refusals log nothing; the client is
   * {@link BoundedExchange#bounded} for Beacon's requests.
   */
  public static WebClient create(Vertx vertx, long connectTimeoutMs, String trustStorePath, String trustStorePassword) {
    WebClientOptions options =
        new WebClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeoutMs))
            .setFollowRedirects(false)
            .setUserAgentEnabled(false)
            .setKeepAlive(true)
            .setVerifyHost(true);
    if (trustStorePath != null) {
      options.setTrustOptions(trustOptions(trustStorePath, trustStorePassword));
    }
    return BoundedExchange.bounded(WebClient.wrap(
        vertx.httpClientBuilder()
            .with(options)
            .withConnectHandler(conn -> conn.exceptionHandler(t -> { }))
            .build(),
        options));
  }

  /** Trust anchors from a PEM, PKCS#12 or JKS file, chosen by its extension (checked at deploy). */
  public static TrustOptions trustOptions(String path, String password) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".p12") || lower.endsWith(".pfx")) {
      return new PfxOptions().setPath(path).setPassword(password);
    }
    if (lower.endsWith(".jks")) {
      return new JksOptions().setPath(path).setPassword(password);
    }
    return new PemTrustOptions().addCertPath(path);
  }
}
