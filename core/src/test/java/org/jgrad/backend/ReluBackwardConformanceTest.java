package org.jgrad.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.jgrad.backend.cpu.CpuBackend;
import org.jgrad.backend.cpu.kernels.Parallel;
import org.jgrad.backend.reference.ReferenceBackend;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link FusedKernels#reluBackward}: the CPU kernel gives, bit for bit (every NaN counted as one
 * value, as in the other element-wise conformance tests), its definition (the reference backend's
 * composite {@code gy · sign(y)}) and the CPU composite, on dense, strided and broadcast gradients,
 * on one and two threads; and ReLU's backward through autograd, which uses it when no graph is
 * recorded, gives the composite's gradient.
 */
class ReluBackwardConformanceTest {
  private static final CpuBackend CPU = CpuBackend.INSTANCE;
  private static final ReferenceBackend REF = ReferenceBackend.on(Device.CPU);

  private static float[] values(Random r, int n) {
    float[] specials = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(8) == 0 ? specials[r.nextInt(specials.length)] : (float) r.nextGaussian();
    }
    return v;
  }

  private static void assertSameBits(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what);
    for (int i = 0; i < want.length; i++) {
      assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), what + " at " + i);
    }
  }

  @Test
  void cpuKernelEqualsTheDefinitionAndTheCompositeBitwise() {
    Random r = new Random(3);
    for (int[] shape : new int[][] {{7, 5}, {4, 8, 13, 13}, {2, 40000}}) {
      int n = RawTensor.numel(shape);
      float[] yv = values(r, n), gv = values(r, n);
      // y as a ReLU output would be: max(0, x), with -0 for x = -0 and NaN kept.
      for (int i = 0; i < n; i++) yv[i] = yv[i] > 0 ? yv[i] : 0 * yv[i];
      RawTensor y = RawTensor.dense(CPU.fromHost(yv), shape);
      RawTensor g = RawTensor.dense(CPU.fromHost(gv), shape);
      float[] composite = CPU.toHostFloat(CPU.binary(BinaryOp.MUL, g, CPU.unary(UnaryOp.SIGN, y)));
      RawTensor yr = RawTensor.dense(REF.fromHost(yv), shape);
      RawTensor gr = RawTensor.dense(REF.fromHost(gv), shape);
      float[] definition = REF.toHostFloat(REF.reluBackward(gr, yr));
      String what = Arrays.toString(shape);
      assertSameBits(definition, composite, what + " composite");
      for (int threads : new int[] {1, 2}) {
        float[] fused =
            Parallel.withThreads(threads, () -> CPU.toHostFloat(CPU.reluBackward(g, y)));
        assertSameBits(definition, fused, what + " threads " + threads);
      }
      // A broadcast gradient (stride 0 everywhere) and a strided one go through the composite.
      RawTensor ones =
          new RawTensor(CPU.fromHost(new float[] {-2.5f}), shape, new int[shape.length], 0);
      float[] bc = CPU.toHostFloat(CPU.reluBackward(ones, y));
      for (int i = 0; i < n; i++) {
        float want = -2.5f * Math.signum(yv[i]);
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(bc[i]), what + i);
      }
      if (shape.length == 2) {
        int rows = shape[0], cols = shape[1];
        float[] t = new float[n];
        for (int i = 0; i < rows; i++)
          for (int j = 0; j < cols; j++) t[j * rows + i] = gv[i * cols + j];
        RawTensor gt = new RawTensor(CPU.fromHost(t), shape, new int[] {1, rows}, 0);
        assertSameBits(definition, CPU.toHostFloat(CPU.reluBackward(gt, y)), what + " strided");
      }
    }
  }

  @Test
  void reluBackwardThroughAutogradEqualsTheComposite() {
    Tensor.manualSeed(5);
    Tensor x = Tensor.randn(64, 300).requiresGrad(true);
    Tensor w = Tensor.randn(64, 300);
    x.relu().mul(w).sum().backward();
    float[] got = x.grad().toFloatArray();
    float[] want = w.mul(x.detach().relu().sign()).toFloatArray();
    assertArrayEquals(want, got);
  }
}
