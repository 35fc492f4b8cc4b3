package dev.beacon;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The wire encoder's output: a growable byte array that can be cut back (to undo an oversize
 * record), with the JSON pieces the records are made of written in place (decimal numbers, hex
 * ids, strings escaped as Jackson escapes them, in UTF-8). Not thread-safe.
 */
final class WireBytes {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LOWER_HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final long[] POW10 = new long[19]; // 10^0 .. 10^18
  private static final byte[] DIGIT_TENS = new byte[100];
  private static final byte[] DIGIT_ONES = new byte[100];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
    for (int i = 0; i < 100; i++) {
      DIGIT_TENS[i] = (byte) ('0' + i / 10);
      DIGIT_ONES[i] = (byte) ('0' + i % 10);
    }
  }

  byte[] a;
  int n;

  WireBytes(int capacity) {
    a = new byte[Math.max(16, capacity)];
  }

  private void ensure(int more) {
    if (n + more > a.length) {
      a = Arrays.copyOf(a, Math.max(a.length * 2, n + more));
    }
  }

  void put(byte b) {
    ensure(1);
    a[n++] = b;
  }

  void put(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, a, n, b.length);
    n += b.length;
  }

  /** A whole number in decimal, digits written in place, two at a time. */
  void decimal(long v) {
    if (v < 0) {
      put(Long.toString(v).getBytes(StandardCharsets.US_ASCII)); // never on the wire: kept simple
      return;
    }
    int digits = 1;
    while (digits < POW10.length && v >= POW10[digits]) {
      digits++;
    }
    ensure(digits);
    int pos = n + digits;
    while (v >= 100) {
      long q = v / 100;
      int r = (int) (v - q * 100);
      a[--pos] = DIGIT_ONES[r];
      a[--pos] = DIGIT_TENS[r];
      v = q;
    }
    if (v >= 10) {
      a[--pos] = DIGIT_ONES[(int) v];
      a[--pos] = DIGIT_TENS[(int) v];
    } else {
      a[--pos] = (byte) ('0' + v);
    }
    n += digits;
  }

  /** Two longs as a quoted string of 32 lowercase hex characters, as {@link Ids#randomHex32}. */
  void hex32(long hi, long lo) {
    ensure(34);
    a[n] = '"';
    for (int i = 15; i >= 0; i--) {
      a[n + 1 + i] = LOWER_HEX[(int) (hi & 0xF)];
      hi >>>= 4;
      a[n + 17 + i] = LOWER_HEX[(int) (lo & 0xF)];
      lo >>>= 4;
    }
    a[n + 33] = '"';
    n += 34;
  }

  /** A JSON string, escaped as Jackson escapes it, UTF-8. */
  void string(String s) {
    ensure(s.length() + 2);
    a[n++] = '"';
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ensure(1);
        a[n++] = (byte) c;
      } else if (c < 0x80) {
        escape(c);
      } else if (c < 0x800) {
        ensure(2);
        a[n++] = (byte) (0xC0 | (c >> 6));
        a[n++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        ensure(4);
        a[n++] = (byte) (0xF0 | (cp >> 18));
        a[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        a[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        a[n++] = (byte) (0x80 | (cp & 0x3F));
      } else if (Character.isSurrogate(c)) {
        escape(c); // a lone surrogate: escaped, so the output stays valid UTF-8
      } else {
        ensure(3);
        a[n++] = (byte) (0xE0 | (c >> 12));
        a[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        a[n++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    ensure(1);
    a[n++] = '"';
  }

  private void escape(char c) {
    ensure(6);
    a[n++] = '\\';
    switch (c) {
      case '"' -> a[n++] = '"';
      case '\\' -> a[n++] = '\\';
      case '\b' -> a[n++] = 'b';
      case '\t' -> a[n++] = 't';
      case '\f' -> a[n++] = 'f';
      case '\n' -> a[n++] = 'n';
      case '\r' -> a[n++] = 'r';
      default -> {
        a[n++] = 'u';
        a[n++] = HEX[(c >> 12) & 0xF];
        a[n++] = HEX[(c >> 8) & 0xF];
        a[n++] = HEX[(c >> 4) & 0xF];
        a[n++] = HEX[c & 0xF];
      }
    }
  }
}
