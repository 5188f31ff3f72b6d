package org.jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.backend.cpu.kernels.Parallel;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same results: from run to run, and across CPU thread counts (the backend promises
 * bit-for-bit identical results for the same seed whatever the pool size).
 */
class DeterminismTest {
  /** A small training-like step, big enough for the parallel paths: forward, loss, backward. */
  private static List<float[]> step(long seed) {
    Generator g = new Generator(seed);
    Tensor x = Tensor.randn(g, 64, 96);
    Tensor w1 = Tensor.randn(g, 96, 128).mul(0.1).detach().requiresGrad(true);
    Tensor w2 = Tensor.randn(g, 128, 10).mul(0.1).detach().requiresGrad(true);
    Tensor b = Tensor.randn(g, 128).detach().requiresGrad(true);
    Tensor h = x.matmul(w1).add(b).gelu();
    Tensor big = Tensor.randn(g, 300, 400);
    Tensor e = big.exp().mul(big.sigmoid()).sum(0, false); // element-wise over 120k elements
    Tensor logits = h.matmul(w2);
    // Recurrent cells large enough for their row-parallel forward and backward passes.
    Tensor gates = Tensor.randn(g, 64, 1024).detach().requiresGrad(true);
    Tensor lstm = NeuralOps.lstmCell(gates, Tensor.randn(g, 64, 256));
    Tensor xg = Tensor.randn(g, 64, 768).detach().requiresGrad(true);
    Tensor gru = NeuralOps.gruCell(xg, Tensor.randn(g, 64, 768), Tensor.randn(g, 64, 256));
    Tensor loss =
        logits
            .logSoftmax(1)
            .mean()
            .neg()
            .add(e.mean().mul(1e-3))
            .add(lstm.square().mean())
            .add(gru.square().mean());
    loss.backward();
    List<float[]> out = new ArrayList<>();
    out.add(loss.toFloatArray());
    out.add(e.toFloatArray());
    out.add(w1.grad().toFloatArray());
    out.add(w2.grad().toFloatArray());
    out.add(b.grad().toFloatArray());
    out.add(lstm.toFloatArray());
    out.add(gates.grad().toFloatArray());
    out.add(gru.toFloatArray());
    out.add(xg.grad().toFloatArray());
    return out;
  }

  private static void assertSame(List<float[]> a, List<float[]> b, String what) {
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++)
      assertArrayEquals(a.get(i), b.get(i), what + ": result " + i + " differs");
  }

  @Test
  void sameSeedSameResults() {
    assertSame(step(77), step(77), "two runs with seed 77");
  }

  @Test
  void sameResultsWhateverTheThreadCount() {
    List<float[]> one = Parallel.withThreads(1, () -> step(5));
    for (int threads : new int[] {2, 3, 4}) {
      List<float[]> many = Parallel.withThreads(threads, () -> step(5));
      assertSame(one, many, threads + " threads vs 1");
    }
  }

  @Test
  void theDefaultGeneratorIsReproducibleAfterManualSeed() {
    Tensor.manualSeed(99);
    float[] a = Tensor.randn(1000).toFloatArray();
    Tensor.manualSeed(99);
    assertArrayEquals(a, Tensor.randn(1000).toFloatArray());
  }
}
