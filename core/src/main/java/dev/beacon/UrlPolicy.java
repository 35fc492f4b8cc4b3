package dev.beacon;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which URLs Beacon may talk to. An endpoint must be {@code https}, absolute, with a host and no
 * credentials; plain {@code http} is allowed only to a loopback host ({@code 127.0.0.0/8}, {@code
 * ::1}, {@code localhost}; {@code 0.0.0.0} is not loopback) and only when the caller allows it
 * ({@code allowInsecureLoopback}). No name is ever resolved: loopback is judged from the text.
 *
 * <p>Stateless and thread-safe; never throws.
 */
public final class UrlPolicy {

  private UrlPolicy() {}

  /** The verdict on one URL: the parsed URI when allowed, else the reason. */
  public record Check(boolean allowed, URI uri, String reason) {
    static Check no(String reason) {
      return new Check(false, null, reason);
    }
  }

  /** Checks {@code url} as an endpoint. */
  public static Check check(String url, boolean allowInsecureLoopback) {
    if (url == null || url.isBlank()) {
      return Check.no("no URL");
    }
    if (url.length() > 2048) {
      return Check.no("URL longer than 2048 characters");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      return Check.no("malformed URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || uri.getHost() == null || uri.getHost().isEmpty()) {
      return Check.no("not an absolute URL with a host");
    }
    if (uri.getRawUserInfo() != null) {
      return Check.no("URL carries credentials");
    }
    if (scheme.equals("https")) {
      return new Check(true, uri, null);
    }
    if (!scheme.equals("http")) {
      return Check.no("scheme " + scheme + " is not https");
    }
    if (!isLoopback(uri.getHost())) {
      return Check.no("plain http to a non-loopback host");
    }
    if (!allowInsecureLoopback) {
      return Check.no("plain http to loopback without allowInsecureLoopback");
    }
    return new Check(true, uri, null);
  }

  /**
   * Whether {@code s} has {@code min} to {@code max} characters, all from {@code allowed}. By hand,
   * not a regex: options are checked on {@code TelemetryClient.start}'s thread.
   */
  private static boolean only(String s, String allowed, int min, int max) {
    if (s.length() < min || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (allowed.indexOf(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code host} names this machine's loopback: {@code localhost}, an IPv4 literal in
   * {@code 127.0.0.0/8}, or {@code ::1} (with or without brackets). Resolves nothing.
   */
  public static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.equals("localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.indexOf(':') >= 0) {
      // An IPv6 literal: parsing a literal never touches DNS.
      if (!only(h, "0123456789abcdef:.", 1, Integer.MAX_VALUE)) {
        return false;
      }
      try {
        return InetAddress.getByName(h).isLoopbackAddress();
      } catch (UnknownHostException | SecurityException e) {
        return false;
      }
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String part : parts) {
      if (!only(part, "0123456789", 1, 3) || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
