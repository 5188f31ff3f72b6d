package org.jgrad.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jgrad.backend.ConvGeometry;
import org.jgrad.backend.cpu.kernels.Conv2dKernelsTest.Expect;
import org.junit.jupiter.api.Test;

/**
 * {@link Winograd4x4} against the direct convolution loops of {@link Conv2dKernelsTest} (double),
 * with every micro-kernel and both transform implementations, tile edges (outputs not a multiple of
 * 4, padding 0 to 2), channel counts that do not fill a panel, batches that fill no, one or many
 * blocks of images, sub-chunks of one tile position or of all, and 1 to 3 threads (bit-identical).
 *
 * <p>Error bound: F(4x4, 3x3)'s transforms scale values by up to 8 per dimension before the sums
 * over channels and back, so its rounding error is a constant multiple of the direct sum's bound
 * {@code (terms + 4) u sum|term|} ({@link Expect#check}); {@value #FACTOR} covers the worst ratio
 * seen on these shapes with random inputs (printed on failure) with margin. A wrong transform entry
 * gives errors of the order of the values themselves, i.e. ratios above 10^5.
 */
class Winograd4x4Test {
  static final double FACTOR = 16;

  /** {N, C, H, W, O, pad}. */
  static final int[][] SHAPES = {
    {2, 3, 6, 6, 4, 0}, // one 4x4 tile per image
    {3, 5, 13, 13, 6, 0}, // the Keras CNN's 11x11 output: partial tiles on two sides
    {2, 4, 7, 9, 5, 1}, // odd output rows and columns
    {1, 9, 5, 4, 17, 2}, // padding 2, output wider than the input, O past a 16-row panel
    {10, 4, 6, 5, 3, 1}, // a partial block of images (vector lanes)
    {18, 3, 6, 7, 2, 1}, // a full block and a partial one
    {131, 2, 6, 6, 3, 0}, // more image blocks than weight-gradient sums (also with 16 lanes)
    {2, 33, 4, 4, 2, 0}, // output 2x2, C past a 32-column panel
  };

  static ConvGeometry shape(int[] v) {
    return ConvGeometry.of(v[0], v[1], v[2], v[3], v[4], 3, 3, 1, 1, v[5], v[5], 1, 1, 1);
  }

  static List<Winograd4Planes> transforms() {
    List<Winograd4Planes> ts = new ArrayList<>();
    if (Winograd4x4.VECTOR_PLANES != null) {
      ts.add(Winograd4x4.VECTOR_PLANES);
    }
    ts.add(Winograd4Planes.SCALAR);
    return ts;
  }

  /** Runs all three passes with one kernel and transform; returns {y (with bias), dx, dw}. */
  static float[][] run(
      SgemmKernel k,
      Winograd4Planes tp,
      ConvGeometry s,
      float[] x,
      float[] w,
      float[] bias,
      float[] dy) {
    float[] y = new float[s.outputSize() + 2];
    Arrays.fill(y, Float.NaN);
    Winograd4x4.forward(k, tp, s, x, 3, w, 2, bias, 1, y, 2);
    float[] dx = new float[s.inputSize() + 1];
    Arrays.fill(dx, Float.NaN);
    Winograd4x4.inputGrad(k, tp, s, dy, 5, w, 2, dx, 1);
    float[] dw = new float[s.weightSize() + 4];
    Arrays.fill(dw, Float.NaN);
    Winograd4x4.weightGrad(k, tp, s, x, 3, dy, 5, dw, 4);
    return new float[][] {y, dx, dw};
  }

  @Test
  void allPassesMatchDirectLoopsWithEveryKernel() {
    Random rnd = new Random(41);
    double worst = 0;
    for (int[] v : SHAPES) {
      ConvGeometry s = shape(v);
      float[] x = Conv2dKernelsTest.random(rnd, s.inputSize() + 3);
      float[] w = Conv2dKernelsTest.random(rnd, s.weightSize() + 2);
      float[] bias = Conv2dKernelsTest.random(rnd, s.outChannels() + 1);
      float[] dy = Conv2dKernelsTest.random(rnd, s.outputSize() + 5);
      Expect[] direct = Conv2dKernelsTest.directPasses(s, x, w, bias, dy);
      Expect y = direct[0];
      Expect dx = direct[1];
      Expect dw = direct[2];
      int saved = Winograd4x4.chunkFloats;
      for (SgemmKernel k : Winograd3x3Test.kernels()) {
        for (Winograd4Planes tp : transforms()) {
          for (int chunk : new int[] {saved, 1}) {
            // 1: sub-chunks of one tile position (all of a block's images), several per block.
            String what = Arrays.toString(v) + " " + k + " " + tp.name() + " chunk " + chunk;
            for (int threads : new int[] {1, 2, 3}) {
              Winograd4x4.chunkFloats = chunk;
              float[][] got;
              try {
                got = Parallel.withThreads(threads, () -> run(k, tp, s, x, w, bias, dy));
              } finally {
                Winograd4x4.chunkFloats = saved;
              }
              worst = Math.max(worst, y.worstRatio(got[0], 2));
              worst = Math.max(worst, dx.worstRatio(got[1], 1));
              worst = Math.max(worst, dw.worstRatio(got[2], 4));
              String tag = " (worst ratio so far " + worst + ")";
              y.check(what + " forward, threads " + threads + tag, got[0], 2, FACTOR);
              dx.check(what + " input grad, threads " + threads + tag, got[1], 1, FACTOR);
              dw.check(what + " weight grad, threads " + threads + tag, got[2], 4, FACTOR);
              assertTrue(Float.isNaN(got[0][1]) && Float.isNaN(got[1][0]), what + " wrote before");
              assertTrue(Float.isNaN(got[2][3]), what + " wrote before dw");
            }
          }
        }
      }
    }
    System.out.println("Winograd4x4Test: worst error / direct-sum bound = " + worst);
  }

  @Test
  void vectorAndScalarTransformsAgreeBitForBit() {
    Random rnd = new Random(42);
    // 20 images: one full block of 16 lanes (vector lane conversions) and a partial one.
    ConvGeometry s = ConvGeometry.of(20, 16, 13, 13, 20, 3, 3, 1, 1, 0, 0, 1, 1, 1);
    float[] x = Conv2dKernelsTest.random(rnd, s.inputSize() + 3);
    float[] w = Conv2dKernelsTest.random(rnd, s.weightSize() + 2);
    float[] bias = Conv2dKernelsTest.random(rnd, s.outChannels() + 1);
    float[] dy = Conv2dKernelsTest.random(rnd, s.outputSize() + 5);
    for (SgemmKernel k : Winograd3x3Test.kernels()) {
      float[][] ref = run(k, Winograd4Planes.SCALAR, s, x, w, bias, dy);
      for (Winograd4Planes tp : transforms()) {
        float[][] got = run(k, tp, s, x, w, bias, dy);
        // Forward and input gradient: each element is one product column, the same for any block
        // size. (The weight gradient sums over the tiles in the block order, which depends on the
        // lane count; the direct-loop test above covers it for both.)
        for (int i = 0; i < 2; i++) {
          assertArrayEquals(ref[i], got[i], k + " " + tp.name() + " output " + i);
        }
      }
    }
  }

  @Test
  void bitIdenticalAcrossRunsAndThreadCounts() {
    Random rnd = new Random(43);
    ConvGeometry s = ConvGeometry.of(19, 16, 9, 11, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    assertTrue(Winograd4x4.applies(s) || !Winograd4x4.ENABLED);
    float[] x = Conv2dKernelsTest.random(rnd, s.inputSize() + 3);
    float[] w = Conv2dKernelsTest.random(rnd, s.weightSize() + 2);
    float[] bias = Conv2dKernelsTest.random(rnd, s.outChannels() + 1);
    float[] dy = Conv2dKernelsTest.random(rnd, s.outputSize() + 5);
    for (SgemmKernel k : Winograd3x3Test.kernels()) {
      for (Winograd4Planes tp : transforms()) {
        float[][] ref = null;
        for (int threads : new int[] {1, 2, 3, 2, 1}) {
          float[][] got = Parallel.withThreads(threads, () -> run(k, tp, s, x, w, bias, dy));
          if (ref == null) {
            ref = got;
          } else {
            for (int i = 0; i < 3; i++) {
              assertArrayEquals(
                  ref[i], got[i], k + " " + tp.name() + " output " + i + ", threads " + threads);
            }
          }
        }
      }
    }
  }

  @Test
  void conv2dKernelsRoutesSmallPlanesHereWithTheSameResults() {
    Random rnd = new Random(44);
    // The Keras CNN's second convolution at batch 3: output 11x11.
    ConvGeometry s = ConvGeometry.of(3, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1);
    assertFalse(
        Winograd4x4.applies(ConvGeometry.of(2, 16, 34, 34, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1)),
        "34x34 output: F(2x2, 3x3)");
    assertFalse(
        Winograd4x4.applies(ConvGeometry.of(2, 3, 13, 13, 16, 3, 3, 1, 1, 0, 0, 1, 1, 1)),
        "3 input channels: im2col");
    float[] x = Conv2dKernelsTest.random(rnd, s.inputSize() + 3);
    float[] w = Conv2dKernelsTest.random(rnd, s.weightSize() + 2);
    float[] bias = Conv2dKernelsTest.random(rnd, s.outChannels() + 1);
    float[] dy = Conv2dKernelsTest.random(rnd, s.outputSize() + 5);
    float[][] direct = run(Gemm.defaultKernel(), Winograd4x4.defaultPlanes(), s, x, w, bias, dy);
    float[] y = new float[s.outputSize() + 2];
    Arrays.fill(y, Float.NaN);
    Conv2dKernels.forward(s, x, 3, w, 2, bias, 1, y, 2);
    float[] dx = new float[s.inputSize() + 1];
    Arrays.fill(dx, Float.NaN);
    Conv2dKernels.inputGrad(s, dy, 5, w, 2, dx, 1);
    float[] dw = new float[s.weightSize() + 4];
    Arrays.fill(dw, Float.NaN);
    Conv2dKernels.weightGrad(s, x, 3, dy, 5, dw, 4);
    if (Winograd4x4.ENABLED) {
      assertTrue(Winograd4x4.applies(s));
      assertArrayEquals(direct[0], y);
      assertArrayEquals(direct[1], dx);
      assertArrayEquals(direct[2], dw);
    }
  }
}
