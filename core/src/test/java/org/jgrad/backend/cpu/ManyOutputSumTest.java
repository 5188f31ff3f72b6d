package org.jgrad.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.ReduceOp;
import org.jgrad.backend.cpu.kernels.Parallel;
import org.junit.jupiter.api.Test;

/**
 * A float sum with several outputs (a conv bias gradient) runs several outputs' addition chains
 * together and splits outputs over threads; each output must keep the bits of the general loop,
 * which a one-output view of the same values (every kept axis cut to size 1) still goes through.
 */
class ManyOutputSumTest {
  private static final CpuBackend CPU = CpuBackend.INSTANCE;

  @Test
  void eachOutputEqualsItsOneOutputSumBitwiseOnAnyThreadCount() {
    Random r = new Random(11);
    Object[][] cases = {
      {new int[] {64, 32, 26, 26}, new int[] {0, 2, 3}},
      {new int[] {6, 7, 3, 5}, new int[] {0, 2, 3}},
      {new int[] {6, 7, 3, 5}, new int[] {1}},
      {new int[] {6, 7, 3, 5}, new int[] {0, 3}},
      {new int[] {6, 7, 3, 5}, new int[] {3}},
      {new int[] {9, 3}, new int[] {0}},
      {new int[] {2, 1, 4}, new int[] {0, 2}},
    };
    for (Object[] c : cases) {
      int[] shape = (int[]) c[0], axes = (int[]) c[1];
      int n = RawTensor.numel(shape);
      float[] v = new float[n];
      for (int i = 0; i < n; i++)
        v[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
      RawTensor dense = RawTensor.dense(CPU.fromHost(v), shape);
      check(dense, axes);
      // A permuted (non-contiguous) view of the same storage: axes 0 and last swapped.
      int k = shape.length - 1;
      int[] ps = shape.clone(), pst = dense.strides().clone();
      ps[0] = shape[k];
      ps[k] = shape[0];
      pst[0] = dense.strides()[k];
      pst[k] = dense.strides()[0];
      check(new RawTensor(dense.storage(), ps, pst, 0), axes);
    }
  }

  private static void check(RawTensor x, int[] axes) {
    String what = Arrays.toString(x.shape()) + " strides " + Arrays.toString(x.strides());
    float[] one = Parallel.withThreads(1, () -> sum(x, axes));
    float[] two = Parallel.withThreads(2, () -> sum(x, axes));
    float[] three = Parallel.withThreads(3, () -> sum(x, axes));
    assertArrayEquals(one, two, what);
    assertArrayEquals(one, three, what);
    // Outputs in row-major order of the kept axes; each from a view with the kept axes cut to 1.
    int r = x.rank();
    boolean[] red = new boolean[r];
    for (int a : axes) red[a] = true;
    int[] keptShape = new int[r];
    for (int d = 0; d < r; d++) keptShape[d] = red[d] ? 1 : x.shape()[d];
    int outer = RawTensor.numel(keptShape);
    assertEquals(outer, one.length, what);
    RawTensor kept = new RawTensor(x.storage(), keptShape, x.strides(), x.offset());
    int[] oneShape = x.shape().clone();
    for (int d = 0; d < r; d++) if (!red[d]) oneShape[d] = 1;
    for (int o = 0; o < outer; o++) {
      RawTensor single = new RawTensor(x.storage(), oneShape, x.strides(), kept.offsetOfLinear(o));
      float[] expect = sum(single, axes);
      assertEquals(1, expect.length);
      assertEquals(
          Float.floatToRawIntBits(expect[0]),
          Float.floatToRawIntBits(one[o]),
          what + " output " + o + ": " + expect[0] + " vs " + one[o]);
    }
  }

  private static float[] sum(RawTensor x, int[] axes) {
    return CPU.toHostFloat(CPU.reduce(ReduceOp.SUM, x, axes));
  }
}
