package dev.beacon.collector.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Inflates a gzip body ({@code Content-Encoding: gzip}) with a cap on the inflated size, so a gzip
 * bomb costs at most the cap in memory and the time to inflate that much. Stateless and
 * thread-safe.
 */
final class Gzip {

  /** The inflated body would be larger than the cap. */
  static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("inflated body over the limit", null, false, false);
    }
  }

  /** The inflated bytes and how many of them count. */
  record Inflated(byte[] bytes, int length) {}

  private Gzip() {}

  /**
   * Inflates {@code length} bytes of {@code body} (one or more gzip members).
   *
   * @throws TooLarge when the result would exceed {@code maxBytes}
   * @throws IOException when the body is not valid gzip (bad header, corrupt or truncated data)
   */
  static Inflated inflate(byte[] body, int length, int maxBytes) throws TooLarge, IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body, 0, length), 8192)) {
      byte[] out = new byte[Math.min(maxBytes + 1, Math.max(4096, length * 4))];
      int n = 0;
      while (true) {
        if (n == out.length) {
          if (out.length > maxBytes) {
            throw new TooLarge();
          }
          out = Arrays.copyOf(out, (int) Math.min((long) maxBytes + 1, out.length * 2L));
        }
        int r = in.read(out, n, out.length - n);
        if (r < 0) {
          break;
        }
        n += r;
        if (n > maxBytes) {
          throw new TooLarge();
        }
      }
      return new Inflated(out, n);
    } catch (RuntimeException e) {
      throw new IOException("not valid gzip", e);
    }
  }
}
