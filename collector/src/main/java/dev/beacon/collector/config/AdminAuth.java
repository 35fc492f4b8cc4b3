package dev.beacon.collector.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The admin bearer token check. Only the token's SHA-256 is kept, and an offered token is compared
 * digest to digest with {@link MessageDigest#isEqual} (constant time for equal lengths, and digests
 * always have equal lengths), so neither the time taken nor {@code toString} reveals the token.
 * Thread-safe.
 */
final class AdminAuth {

  /** The outcome of one check. */
  enum Result {
    OK,
    MISSING,
    INVALID
  }

  private final byte[] expected;

  AdminAuth(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("adminToken must not be empty (null turns the admin API off)");
    }
    this.expected = sha256(token);
  }

  /** Checks an {@code Authorization} header value. */
  Result check(String authorization) {
    if (authorization == null || authorization.length() < 7) {
      return Result.MISSING;
    }
    if (!authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return Result.MISSING;
    }
    String offered = authorization.substring(7).trim();
    return MessageDigest.isEqual(expected, sha256(offered)) ? Result.OK : Result.INVALID;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "AdminAuth{token=<hidden>}";
  }
}
