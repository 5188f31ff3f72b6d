package org.jgrad.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.ReduceOp;
import org.junit.jupiter.api.Test;

/**
 * The row-accumulating sum over leading axes of a dense tensor (bias gradients) gives the same bits
 * as the general strided loop, which a transposed copy of the same values goes through.
 */
class LeadingAxesSumTest {
  @Test
  void denseLeadingAxisSumEqualsTheGeneralLoopBitwise() {
    CpuBackend cpu = CpuBackend.INSTANCE;
    Random r = new Random(4);
    for (int[] shape : new int[][] {{64, 784}, {3, 5, 7}, {1, 9}, {0, 4}, {33, 1}}) {
      int n = RawTensor.numel(shape);
      float[] v = new float[n];
      for (int i = 0; i < n; i++)
        v[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
      RawTensor dense = RawTensor.dense(cpu.fromHost(v), shape);
      int rows = shape[0],
          cols = RawTensor.numel(java.util.Arrays.copyOfRange(shape, 1, shape.length));
      // The same values stored column-major, viewed as [rows, cols]: not contiguous.
      float[] t = new float[n];
      for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) t[j * rows + i] = v[i * cols + j];
      RawTensor colMajor =
          new RawTensor(cpu.fromHost(t), new int[] {rows, cols}, new int[] {1, rows}, 0);
      float[] fast = cpu.toHostFloat(cpu.reduce(ReduceOp.SUM, dense, new int[] {0}));
      float[] general = cpu.toHostFloat(cpu.reduce(ReduceOp.SUM, colMajor, new int[] {0}));
      assertArrayEquals(general, fast, java.util.Arrays.toString(shape));
      if (shape.length == 3) {
        float[] both = cpu.toHostFloat(cpu.reduce(ReduceOp.SUM, dense, new int[] {1, 0}));
        // Flattened to [a*b, c] and stored column-major: the general loop over the same order.
        int q = shape[0] * shape[1], c = shape[2];
        float[] t2 = new float[n];
        for (int i = 0; i < q; i++) for (int k = 0; k < c; k++) t2[k * q + i] = v[i * c + k];
        RawTensor view = new RawTensor(cpu.fromHost(t2), new int[] {q, c}, new int[] {1, q}, 0);
        float[] viaTwo = cpu.toHostFloat(cpu.reduce(ReduceOp.SUM, view, new int[] {0}));
        assertArrayEquals(viaTwo, both, "two leading axes");
      }
    }
  }
}
