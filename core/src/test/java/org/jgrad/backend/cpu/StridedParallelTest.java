package org.jgrad.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.cpu.kernels.Parallel;
import org.junit.jupiter.api.Test;

/**
 * Binary ops and comparisons over many runs (a bias broadcast over [N, C, H, W], a permuted view)
 * split whole runs over threads: every element is the per-element formula of its own operands, on
 * any thread count.
 */
class StridedParallelTest {
  private static final CpuBackend CPU = CpuBackend.INSTANCE;

  @Test
  void manyRunsSplitOverThreadsGiveThePerElementFormula() {
    Random r = new Random(9);
    int[] shape = {16, 32, 13, 13};
    int n = RawTensor.numel(shape), hw = 13 * 13;
    float[] xv = new float[n], bv = new float[32];
    for (int i = 0; i < n; i++) xv[i] = (float) r.nextGaussian();
    for (int i = 0; i < 32; i++) bv[i] = (float) r.nextGaussian();
    RawTensor x = RawTensor.dense(CPU.fromHost(xv), shape);
    // bias [1, 32, 1, 1] expanded to the shape: stride 0 except along channels
    RawTensor b = new RawTensor(CPU.fromHost(bv), shape, new int[] {0, 1, 0, 0}, 0);
    // x viewed with its last two axes swapped: runs of 13 with stride 13
    int[] ts = {32 * hw, hw, 1, 13};
    RawTensor xt = new RawTensor(x.storage(), shape, ts, 0);
    for (int threads : new int[] {1, 2, 3}) {
      float[] add =
          Parallel.withThreads(threads, () -> CPU.toHostFloat(CPU.binary(BinaryOp.ADD, x, b)));
      float[] mulT =
          Parallel.withThreads(threads, () -> CPU.toHostFloat(CPU.binary(BinaryOp.MUL, xt, b)));
      double[] ge =
          Parallel.withThreads(threads, () -> CPU.toHostDouble(CPU.binary(BinaryOp.GE, xt, b)));
      int i = 0;
      for (int a0 = 0; a0 < 16; a0++)
        for (int c = 0; c < 32; c++)
          for (int h = 0; h < 13; h++)
            for (int w = 0; w < 13; w++, i++) {
              float xi = xv[a0 * 32 * hw + c * hw + h * 13 + w];
              float ti = xv[a0 * 32 * hw + c * hw + w * 13 + h];
              String what = "threads " + threads + " at " + i;
              assertEquals(Float.floatToIntBits(xi + bv[c]), Float.floatToIntBits(add[i]), what);
              assertEquals(Float.floatToIntBits(ti * bv[c]), Float.floatToIntBits(mulT[i]), what);
              assertEquals(ti >= bv[c] ? 1.0 : 0.0, ge[i], what);
            }
    }
  }
}
