package org.jgrad.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The ring over loopback sockets, with threads standing in for barrier tasks (no Spark). */
class RingCommunicatorTest {
  /** A barrier allGather for {@code world} threads. */
  static Function<String, String[]> fakeAllGather(
      int world, int rank, String[] slots, CyclicBarrier barrier) {
    return msg -> {
      try {
        slots[rank] = msg;
        barrier.await();
        String[] copy = slots.clone();
        barrier.await();
        return copy;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  float[][] run(int world, int n, boolean ring) throws Exception {
    float[][] bufs = new float[world][n];
    SplittableRandom rng = new SplittableRandom(world * 31L + n);
    for (float[] b : bufs) for (int i = 0; i < n; i++) b[i] = (float) rng.nextGaussian();
    String[] slots = new String[world];
    CyclicBarrier barrier = new CyclicBarrier(world);
    ExecutorService pool = Executors.newFixedThreadPool(world);
    try {
      Future<?>[] fs = new Future<?>[world];
      for (int r = 0; r < world; r++) {
        int rank = r;
        fs[r] =
            pool.submit(
                () -> {
                  var gather = fakeAllGather(world, rank, slots, barrier);
                  try (Communicator c =
                      ring
                          ? RingCommunicator.connect(rank, world, "127.0.0.1", gather)
                          : new AllGatherCommunicator(rank, world, gather)) {
                    c.allReduceSum(bufs[rank]);
                    c.allReduceSum(bufs[rank]); // a second call on the same connections
                  }
                  return null;
                });
      }
      for (Future<?> f : fs) f.get();
    } finally {
      pool.shutdownNow();
    }
    return bufs;
  }

  @Test
  void sumsAreIdenticalOnEveryRankAndMatchTheAllGatherSum() throws Exception {
    for (int world : new int[] {1, 2, 3, 4}) {
      for (int n : new int[] {1, 3, 1000}) {
        float[][] ring = run(world, n, true);
        float[][] gathered = run(world, n, false);
        for (int r = 1; r < world; r++) {
          assertArrayEquals(ring[0], ring[r], "ring: rank " + r + " of " + world + ", n=" + n);
        }
        for (int i = 0; i < n; i++) {
          // twice summed: world^2 times the... compare with the rank-order sum within float
          // rounding
          assertEquals(gathered[0][i], ring[0][i], 1e-4 * Math.max(1, Math.abs(gathered[0][i])));
        }
      }
    }
  }
}
