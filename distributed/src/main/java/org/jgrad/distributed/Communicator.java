package org.jgrad.distributed;

/**
 * Collective operations between the replicas of one barrier stage.
 *
 * <p>{@link #allReduceSum} leaves the same bits in every replica's buffer (each element is summed
 * once, in an order fixed by the ranks, and copied), so replicas that apply the same update stay
 * bit-identical.
 */
public interface Communicator extends AutoCloseable {
  /** This replica's index, 0 to {@code size() - 1}. */
  int rank();

  /** The number of replicas. */
  int size();

  /** Replaces {@code buf} on every replica by the element-wise sum of all replicas' buffers. */
  void allReduceSum(float[] buf);

  @Override
  void close();
}
