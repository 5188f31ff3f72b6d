package org.jgrad.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Function;

/**
 * All-reduce through Spark's own barrier RPC ({@code BarrierTaskContext.allGather}): every replica
 * sends its whole buffer to the driver, gets everyone's back and sums them in rank order.
 *
 * <p>Simple and needs no extra ports, but slow: the buffer travels through the driver (W times its
 * size in and out), as Base64 text, and Spark 4.2's barrier call polls its reply once a second, so
 * every call costs about one second whatever the size (see the module's README section). It is kept
 * as the reference the {@link RingCommunicator} is measured against.
 */
public final class AllGatherCommunicator implements Communicator {
  private final int rank;
  private final int size;
  private final Function<String, String[]> allGather;

  /**
   * @param rank this replica's index
   * @param size the number of replicas
   * @param allGather the barrier's allGather (in a task: {@code
   *     BarrierTaskContext.get()::allGather})
   */
  public AllGatherCommunicator(int rank, int size, Function<String, String[]> allGather) {
    this.rank = rank;
    this.size = size;
    this.allGather = allGather;
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
    ByteBuffer bytes = ByteBuffer.allocate(buf.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(buf);
    String[] all = allGather.apply(Base64.getEncoder().encodeToString(bytes.array()));
    if (all.length != size) {
      throw new IllegalStateException(
          "AllGatherCommunicator: expected " + size + " messages, got " + all.length);
    }
    Arrays.fill(buf, 0f);
    for (String s : all) {
      var fb =
          ByteBuffer.wrap(Base64.getDecoder().decode(s))
              .order(ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer();
      if (fb.remaining() != buf.length) {
        throw new IllegalStateException(
            "AllGatherCommunicator: a replica sent "
                + fb.remaining()
                + " values, this one has "
                + buf.length);
      }
      for (int i = 0; i < buf.length; i++) buf[i] += fb.get(i);
    }
  }

  @Override
  public void close() {}
}
