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
