package dev.beacon.collector.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a plain socket, for tests that must control every byte: wrong or
 * missing Content-Length, chunked bodies, bodies sent a byte at a time, requests on one kept-alive
 * connection. Every read has a timeout, so a test fails instead of hanging.
 */
public final class RawHttp implements AutoCloseable {

  /** One answer. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Interim (1xx) answers skipped by the last {@link #read()}. */
  public int interim;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** A connection to 127.0.0.1:{@code port}; reads time out after {@code timeoutMs}. */
  public static RawHttp open(int port, int timeoutMs) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(timeoutMs);
    s.setTcpNoDelay(true);
    return new RawHttp(s);
  }

  /** A POST with a Content-Length on a new connection; the answer. */
  public static Response post(int port, String path, byte[] body, String... headers) throws IOException {
    try (RawHttp c = open(port, 15_000)) {
      c.send(postHead(path, body.length, headers));
      c.send(body);
      return c.read();
    }
  }

  /** The head of a POST (with Content-Length unless {@code length} is negative) and extra header lines. */
  public static byte[] postHead(String path, long length, String... headers) {
    StringBuilder b = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    b.append("Content-Type: application/json\r\n");
    if (length >= 0) {
      b.append("Content-Length: ").append(length).append("\r\n");
    }
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Any request with a body (PUT, POST) on a new connection. */
  public static Response request(int port, String method, String path, byte[] body, String... headers) throws IOException {
    try (RawHttp c = open(port, 15_000)) {
      byte[] head = postHead(path, body.length, headers);
      String h = new String(head, StandardCharsets.US_ASCII).replaceFirst("^POST ", method + " ");
      c.send(h.getBytes(StandardCharsets.US_ASCII));
      c.send(body);
      return c.read();
    }
  }

  /** A GET on a new connection. */
  public static Response get(int port, String path) throws IOException {
    try (RawHttp c = open(port, 15_000)) {
      c.send(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return c.read();
    }
  }

  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void send(String s) throws IOException {
    send(s.getBytes(StandardCharsets.UTF_8));
  }

  /** One chunk of a chunked body ({@code ""} ends it). */
  public void chunk(byte[] data) throws IOException {
    send((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(data);
    send("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /** Reads one answer (skipping 1xx); throws on timeout or when the peer closed first. */
  public Response read() throws IOException {
    interim = 0;
    while (true) {
      String statusLine = line();
      if (statusLine == null) {
        throw new IOException("connection closed before an answer");
      }
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      String l;
      while ((l = line()) != null && !l.isEmpty()) {
        int colon = l.indexOf(':');
        headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
      }
      if (status >= 100 && status < 200) {
        interim++;
        continue;
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = in.readNBytes(length);
      return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }
  }

  /**
   * Whether the server closes the connection within the read timeout (reads and drops anything
   * it sends first). False on timeout.
   */
  public boolean closedByPeer() throws IOException {
    try {
      byte[] buf = new byte[4096];
      while (true) {
        int n = in.read(buf);
        if (n < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
