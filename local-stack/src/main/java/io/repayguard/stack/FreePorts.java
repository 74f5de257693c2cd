package io.repayguard.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks TCP ports on the loopback interface that are free at the time of the call.
 *
 * <p>The ports are released before they are returned, so another process may grab one before the
 * caller binds it; on a developer machine that race is rare enough to accept.
 */
final class FreePorts {

  private FreePorts() {}

  /**
   * Returns {@code count} distinct ports that were free on 127.0.0.1.
   *
   * <p>All sockets stay open until every port is picked, so the ports differ from each other.
   */
  static List<Integer> pick(final int count) {
    final List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (final IOException e) {
      throw new UncheckedIOException("Cannot find a free port on 127.0.0.1", e);
    } finally {
      sockets.forEach(FreePorts::close);
    }
  }

  /** Returns {@code requested}, or a free port when {@code requested} is 0. */
  static int orFree(final int requested) {
    return requested == 0 ? pick(1).get(0) : requested;
  }

  private static void close(final ServerSocket socket) {
    try {
      socket.close();
    } catch (final IOException e) {
      throw new UncheckedIOException("Cannot release probe port " + socket.getLocalPort(), e);
    }
  }
}
