package dev.beacon.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A black-holed endpoint: a ServerSocket on 127.0.0.1 that accepts every connection and never
 * reads or answers, so requests hang until the client's own timeouts fire.
 */
final class BlackHole implements AutoCloseable {

  private final ServerSocket socket;
  private final List<Socket> held = new ArrayList<>();
  private final Thread acceptor;

  BlackHole() throws IOException {
    socket = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "black-hole-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        synchronized (held) {
          held.add(s);
        }
      } catch (IOException closed) {
        return;
      }
    }
  }

  String url() {
    return base() + "/ingest";
  }

  /** {@code http://127.0.0.1:port}, no path. */
  String base() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  int accepted() {
    synchronized (held) {
      return held.size();
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    synchronized (held) {
      for (Socket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }
}
