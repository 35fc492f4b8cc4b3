package dev.beacon.collector.store.sql;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Session and installation ids as the stores keep them: 128-bit UUIDs, half the size of their hex
 * text and much faster to count distinct. The ingestion path gives 32 lowercase hex digits (or a
 * dashed UUID), which map exactly (hex digits in either case); any other string maps to its
 * name-based (MD5) UUID, distinct for distinct strings with overwhelming probability.
 *
 * <p>Stateless and thread-safe.
 */
public final class Ids {

  private Ids() {}

  /** The UUID of {@code id}, or null for null. */
  public static UUID uuid(String id) {
    if (id == null) {
      return null;
    }
    UUID exact = null;
    if (id.length() == 32) {
      exact = hex(id);
    } else if (id.length() == 36 && id.charAt(8) == '-' && id.charAt(13) == '-' && id.charAt(18) == '-' && id.charAt(23) == '-') {
      exact = hex(id.substring(0, 8) + id.substring(9, 13) + id.substring(14, 18) + id.substring(19, 23) + id.substring(24));
    }
    return exact != null ? exact : UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8));
  }

  /** 32 hex digits as a UUID, or null when they are not. */
  private static UUID hex(String s) {
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 32; i++) {
      char c = s.charAt(i);
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) {
        return null;
      }
      if (i < 16) {
        hi = hi << 4 | d;
      } else {
        lo = lo << 4 | d;
      }
    }
    return new UUID(hi, lo);
  }
}
