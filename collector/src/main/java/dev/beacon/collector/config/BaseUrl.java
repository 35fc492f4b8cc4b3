package dev.beacon.collector.config;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where clients reach this collector, for the {@code ingestion_url} it serves: the configured
 * public URL, else the request's own scheme and {@code Host}; the {@code X-Forwarded-Proto} and
 * {@code X-Forwarded-Host} of a reverse proxy only when the operator says the proxy is trusted
 * (otherwise any client could make the collector hand out an address of its choosing to whoever
 * shares a cache with it). A {@code Host} that is not a plain host name or IP literal with an
 * optional port is refused. Stateless and thread-safe.
 */
final class BaseUrl {

  /** A DNS name, an IPv4 literal or a bracketed IPv6 literal, with an optional port. */
  private static final Pattern AUTHORITY =
      Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\\.?|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");

  private BaseUrl() {}

  /**
   * Checks a configured public URL: absolute http(s), a host, no credentials, query or fragment.
   *
   * @return the URL without trailing slashes
   * @throws IllegalArgumentException naming the option and the value
   */
  static String checkConfigured(String option, String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException | RuntimeException e) {
      throw new IllegalArgumentException(option + " must be an absolute http(s) URL, but was '" + url + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          option + " must be an absolute http(s) URL with a host and no credentials, query or fragment, but was '" + url + "'");
    }
    String s = url;
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  /**
   * The base URL of a request, or {@code null} when its {@code Host} (or trusted forwarded host)
   * is missing or not a plain authority.
   */
  static String of(HttpServerRequest request, boolean trustForwarded) {
    String scheme = request.isSSL() ? "https" : "http";
    String authority = null;
    if (trustForwarded) {
      String proto = first(request.getHeader("X-Forwarded-Proto"));
      if (proto != null) {
        proto = proto.toLowerCase(Locale.ROOT);
        if (!proto.equals("http") && !proto.equals("https")) {
          return null;
        }
        scheme = proto;
      }
      authority = first(request.getHeader("X-Forwarded-Host"));
    }
    if (authority == null) {
      HostAndPort hp = request.authority();
      if (hp == null) {
        return null;
      }
      authority = hp.port() >= 0 ? hostLiteral(hp.host()) + ":" + hp.port() : hostLiteral(hp.host());
    }
    if (authority.length() > 261 || !AUTHORITY.matcher(authority).matches()) {
      return null;
    }
    return scheme + "://" + authority;
  }

  private static String hostLiteral(String host) {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** The first element of a comma-separated header value, trimmed; null when absent or empty. */
  private static String first(String value) {
    if (value == null) {
      return null;
    }
    int comma = value.indexOf(',');
    String v = (comma >= 0 ? value.substring(0, comma) : value).trim();
    return v.isEmpty() ? null : v;
  }
}
