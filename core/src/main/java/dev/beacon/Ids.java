package dev.beacon;

import java.util.UUID;
import java.util.random.RandomGenerator;

/** Random identifiers as 32 lowercase hex characters (a UUID without dashes). Thread-safe. */
public final class Ids {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {}

  /** A new session id from a secure random UUID (version 4). */
  public static String newSessionId() {
    UUID uuid = UUID.randomUUID();
    return hex32(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
  }

  /**
   * A session id handed down by a parent process (the profile's session variable), normalised to
   * 32 lowercase hex characters; {@code null} when {@code value} is not a UUID, with or without
   * dashes, so that a bad value gets a fresh id rather than an error.
   */
  public static String sessionIdFrom(String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    if (v.length() == 36 && v.charAt(8) == '-' && v.charAt(13) == '-' && v.charAt(18) == '-' && v.charAt(23) == '-') {
      v = v.replace("-", "");
    }
    if (v.length() != 32) {
      return null;
    }
    for (int i = 0; i < 32; i++) {
      char c = v.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
    }
    return v;
  }

  /**
   * 32 random hex characters from {@code random}: used for partition keys, which only spread
   * records across shards and need no secrecy.
   */
  public static String randomHex32(RandomGenerator random) {
    return hex32(random.nextLong(), random.nextLong());
  }

  static String hex32(long hi, long lo) {
    char[] out = new char[32];
    for (int i = 15; i >= 0; i--) {
      out[i] = HEX[(int) (hi & 0xF)];
      hi >>>= 4;
      out[16 + i] = HEX[(int) (lo & 0xF)];
      lo >>>= 4;
    }
    return new String(out);
  }
}
