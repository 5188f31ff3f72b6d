package org.jgrad.distributed;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Ring all-reduce over direct TCP connections between the replicas (reduce-scatter, then
 * all-gather, as in Baidu's ring all-reduce and Horovod): each replica sends and receives {@code 2
 * (W-1)/W} times the buffer per call, whatever the number of replicas W, and the driver carries
 * nothing but the addresses exchanged once at the start.
 *
 * <pre>{@code
 * BarrierTaskContext ctx = BarrierTaskContext.get();
 * try (var comm = RingCommunicator.connect(ctx.partitionId(), n, host, ctx::allGather)) {
 *   comm.allReduceSum(gradients);
 * }
 * }</pre>
 *
 * <p>Chunk {@code c} is summed along the ring starting at rank {@code c} and then copied to every
 * replica, so all replicas end with the same bits.
 */
public final class RingCommunicator implements Communicator {
  private static final int TIMEOUT_MS = 600_000;

  private final int rank;
  private final int size;
  private final Socket toNext;
  private final Socket fromPrev;
  private final OutputStream out;
  private final DataInputStream in;
  private final ExecutorService sender;
  private byte[] sendBytes = new byte[0];
  private byte[] recvBytes = new byte[0];

  private RingCommunicator(int rank, int size, Socket toNext, Socket fromPrev) throws IOException {
    this.rank = rank;
    this.size = size;
    this.toNext = toNext;
    this.fromPrev = fromPrev;
    this.out = toNext == null ? null : new BufferedOutputStream(toNext.getOutputStream(), 1 << 16);
    this.in =
        fromPrev == null
            ? null
            : new DataInputStream(new BufferedInputStream(fromPrev.getInputStream(), 1 << 16));
    this.sender =
        size == 1
            ? null
            : Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "jgrad-ring-send-" + rank);
                  t.setDaemon(true);
                  return t;
                });
  }

  /**
   * Opens a listening socket on {@code host}, exchanges addresses through {@code allGather} (one
   * call; every replica must call this together) and connects to the next replica in the ring.
   */
  public static RingCommunicator connect(
      int rank, int size, String host, Function<String, String[]> allGather) {
    if (size == 1) {
      try {
        return new RingCommunicator(0, 1, null, null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    ServerSocket server = null;
    Socket next = null;
    Socket prev = null;
    try {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getByName(host), 0), size);
      server.setSoTimeout(TIMEOUT_MS);
      String[] addresses = allGather.apply(host + ":" + server.getLocalPort());
      if (addresses.length != size) {
        throw new IllegalStateException(
            "RingCommunicator: expected " + size + " addresses, got " + addresses.length);
      }
      String target = addresses[(rank + 1) % size];
      int colon = target.lastIndexOf(':');
      next = new Socket();
      next.connect(
          new InetSocketAddress(
              target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))),
          TIMEOUT_MS);
      prev = server.accept();
      for (Socket s : new Socket[] {next, prev}) {
        s.setTcpNoDelay(true);
        s.setSoTimeout(TIMEOUT_MS);
      }
      // The first bytes tell the receiver who connected: a stale replica of an earlier attempt
      // must not be taken for the previous rank.
      next.getOutputStream().write(ByteBuffer.allocate(4).putInt(rank).array());
      int from = new DataInputStream(prev.getInputStream()).readInt();
      int expected = (rank + size - 1) % size;
      if (from != expected) {
        throw new IllegalStateException(
            "RingCommunicator: rank " + rank + " expected rank " + expected + ", got " + from);
      }
      return new RingCommunicator(rank, size, next, prev);
    } catch (IOException e) {
      closeQuietly(next);
      closeQuietly(prev);
      throw new UncheckedIOException("RingCommunicator: rank " + rank + " could not connect", e);
    } finally {
      if (server != null) {
        try {
          server.close();
        } catch (IOException ignored) {
          // the listening socket is no longer needed; nothing to recover
        }
      }
    }
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public void allReduceSum(float[] buf) {
    if (size == 1) return;
    int n = buf.length;
    // Reduce-scatter: after W-1 steps this rank holds the full sum of chunk (rank + 1) mod W.
    for (int s = 0; s < size - 1; s++) {
      exchange(buf, chunk(rank - s, n), chunk(rank - s - 1, n), true);
    }
    // All-gather: pass the finished chunks around the ring.
    for (int s = 0; s < size - 1; s++) {
      exchange(buf, chunk(rank + 1 - s, n), chunk(rank - s, n), false);
    }
  }

  private int[] chunk(int c, int n) {
    int i = Math.floorMod(c, size);
    return new int[] {(int) ((long) i * n / size), (int) ((long) (i + 1) * n / size)};
  }

  private void exchange(float[] buf, int[] send, int[] recv, boolean add) {
    int sendLen = (send[1] - send[0]) * 4;
    int recvLen = (recv[1] - recv[0]) * 4;
    if (sendBytes.length < sendLen) sendBytes = new byte[sendLen];
    if (recvBytes.length < recvLen) recvBytes = new byte[recvLen];
    ByteBuffer.wrap(sendBytes, 0, sendLen)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .put(buf, send[0], send[1] - send[0]);
    Future<?> sent =
        sender.submit(
            () -> {
              out.write(sendBytes, 0, sendLen);
              out.flush();
              return null;
            });
    try {
      in.readFully(recvBytes, 0, recvLen);
      sent.get();
    } catch (IOException e) {
      throw new UncheckedIOException("RingCommunicator: rank " + rank + " lost its ring", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("RingCommunicator: interrupted", e);
    } catch (ExecutionException e) {
      throw new UncheckedIOException(
          "RingCommunicator: rank " + rank + " could not send",
          e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
    }
    var fb = ByteBuffer.wrap(recvBytes, 0, recvLen).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    int off = recv[0];
    int len = recv[1] - recv[0];
    if (add) {
      for (int i = 0; i < len; i++) buf[off + i] += fb.get(i);
    } else {
      fb.get(buf, off, len);
    }
  }

  @Override
  public void close() {
    if (sender != null) sender.shutdownNow();
    closeQuietly(toNext);
    closeQuietly(fromPrev);
  }

  private static void closeQuietly(Socket s) {
    if (s == null) return;
    try {
      s.close();
    } catch (IOException ignored) {
      // closing a broken connection: nothing left to do
    }
  }
}
