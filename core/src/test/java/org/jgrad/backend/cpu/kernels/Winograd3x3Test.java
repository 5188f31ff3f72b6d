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
 * {@link Winograd3x3} against the direct convolution loops of {@link Conv2dKernelsTest} (double,
 * with the tolerance those tests use for im2col), with every micro-kernel (the Vector API variants
 * when the module is present, and the scalar one), tile edges (odd output sizes, padding 0 to 2),
 * channel counts that do not fill a panel, several sub-chunks and groups per call, and 1 to 3
 * threads (bit-identical).
 */
class Winograd3x3Test {

  /** {N, C, H, W, O, pad}. */
  static final int[][] SHAPES = {
    {2, 3, 6, 6, 4, 0}, // even output
    {3, 5, 7, 9, 6, 1}, // odd output rows and columns
    {1, 9, 5, 4, 17, 2}, // padding 2, output wider than the input, O past one 8- and 16-row panel
    {10, 4, 6, 5, 3, 1}, // more groups than weight-gradient blocks
    {2, 33, 4, 4, 2, 0}, // one tile per image, C past a 32-column panel
  };

  static ConvGeometry shape(int[] v) {
    return ConvGeometry.of(v[0], v[1], v[2], v[3], v[4], 3, 3, 1, 1, v[5], v[5], 1, 1, 1);
  }

  static List<SgemmKernel> kernels() {
    List<SgemmKernel> ks = new ArrayList<>(Arrays.asList(Gemm.vectorKernelVariants()));
    ks.add(Gemm.scalarKernel());
    return ks;
  }

  static List<WinogradTiles> transforms() {
    List<WinogradTiles> ts = new ArrayList<>();
    if (Winograd3x3.VECTOR_TILES != null) {
      ts.add(Winograd3x3.VECTOR_TILES);
    }
    ts.add(WinogradTiles.SCALAR);
    return ts;
  }

  /** Runs all three passes with one kernel and transform; returns {y (with bias), dx, dw}. */
  static float[][] run(
      SgemmKernel k,
      WinogradTiles tt,
      ConvGeometry s,
      float[] x,
      float[] w,
      float[] bias,
      float[] dy) {
    float[] y = new float[s.outputSize() + 2];
    Arrays.fill(y, Float.NaN);
    Winograd3x3.forward(k, tt, s, x, 3, w, 2, bias, 1, y, 2);
    float[] dx = new float[s.inputSize() + 1];
    Arrays.fill(dx, Float.NaN);
    Winograd3x3.inputGrad(k, tt, s, dy, 5, w, 2, dx, 1);
    float[] dw = new float[s.weightSize() + 4];
    Arrays.fill(dw, Float.NaN);
    Winograd3x3.weightGrad(k, tt, s, x, 3, dy, 5, dw, 4);
    return new float[][] {y, dx, dw};
  }

  @Test
  void allPassesMatchDirectLoopsWithEveryKernel() {
    Random rnd = new Random(31);
    int saved = Winograd3x3.chunkFloats;
    try {
      for (int chunk : new int[] {saved, 1}) {
        // 1: the smallest sub-chunks (one panel of tiles), so groups hold several.
        Winograd3x3.chunkFloats = chunk;
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
          for (SgemmKernel k : kernels()) {
            for (WinogradTiles tt : transforms()) {
              String what = Arrays.toString(v) + " " + k + " " + tt.name() + " chunk " + chunk;
              for (int threads : new int[] {1, 2, 3}) {
                float[][] got = Parallel.withThreads(threads, () -> run(k, tt, s, x, w, bias, dy));
                y.check(what + " forward, threads " + threads, got[0], 2);
                dx.check(what + " input grad, threads " + threads, got[1], 1);
                dw.check(what + " weight grad, threads " + threads, got[2], 4);
                assertTrue(
                    Float.isNaN(got[0][1]) && Float.isNaN(got[1][0]), what + " wrote before");
                assertTrue(Float.isNaN(got[2][3]), what + " wrote before dw");
              }
            }
          }
        }
      }
    } finally {
      Winograd3x3.chunkFloats = saved;
    }
  }

  @Test
  void bitIdenticalAcrossRunsAndThreadCounts() {
    Random rnd = new Random(32);
    ConvGeometry s = ConvGeometry.of(19, 16, 9, 11, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    assertTrue(Winograd3x3.applies(s) || !Winograd3x3.ENABLED);
    float[] x = Conv2dKernelsTest.random(rnd, s.inputSize() + 3);
    float[] w = Conv2dKernelsTest.random(rnd, s.weightSize() + 2);
    float[] bias = Conv2dKernelsTest.random(rnd, s.outChannels() + 1);
    float[] dy = Conv2dKernelsTest.random(rnd, s.outputSize() + 5);
    for (SgemmKernel k : kernels()) {
      for (WinogradTiles tt : transforms()) {
        float[][] ref = null;
        for (int threads : new int[] {1, 2, 3, 2, 1}) {
          float[][] got = Parallel.withThreads(threads, () -> run(k, tt, s, x, w, bias, dy));
          if (ref == null) {
            ref = got;
          } else {
            for (int i = 0; i < 3; i++) {
              assertArrayEquals(
                  ref[i], got[i], k + " " + tt.name() + " output " + i + ", threads " + threads);
            }
          }
        }
      }
    }
  }

  @Test
  void usedByConv2dKernelsOnlyForWideThreeByThreeStrideOne() {
    assertTrue(Winograd3x3.shapeFits(ConvGeometry.of(2, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
    assertFalse(
        Winograd3x3.applies(ConvGeometry.of(2, 3, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1)),
        "3 input channels");
    assertFalse(
        Winograd3x3.shapeFits(ConvGeometry.of(2, 16, 8, 8, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1)),
        "stride 2");
    assertFalse(
        Winograd3x3.shapeFits(ConvGeometry.of(2, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 2, 2, 1)),
        "dilation 2");
    assertFalse(
        Winograd3x3.shapeFits(ConvGeometry.of(2, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 2)),
        "groups 2");
    assertFalse(
        Winograd3x3.shapeFits(ConvGeometry.of(2, 16, 8, 8, 16, 3, 2, 1, 1, 1, 1, 1, 1, 1)),
        "3x2 kernel");
  }

  @Test
  void conv2dKernelsRoutesWideShapesHereWithTheSameResults() {
    Random rnd = new Random(33);
    // Output 33x33: all three passes run here (planes up to 32x32 go to Winograd4x4; the weight
    // gradient runs here only from 256 positions on).
    ConvGeometry s = ConvGeometry.of(2, 16, 33, 33, 18, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    assertFalse(
        Winograd3x3.appliesToWeightGrad(
            ConvGeometry.of(2, 16, 13, 13, 18, 3, 3, 1, 1, 0, 0, 1, 1, 1)),
        "11x11 output: weight gradient by im2col");
    float[] x = Conv2dKernelsTest.random(rnd, s.inputSize() + 3);
    float[] w = Conv2dKernelsTest.random(rnd, s.weightSize() + 2);
    float[] bias = Conv2dKernelsTest.random(rnd, s.outChannels() + 1);
    float[] dy = Conv2dKernelsTest.random(rnd, s.outputSize() + 5);
    float[][] direct = run(Gemm.defaultKernel(), Winograd3x3.defaultTiles(), s, x, w, bias, dy);
    float[] y = new float[s.outputSize() + 2];
    Arrays.fill(y, Float.NaN);
    Conv2dKernels.forward(s, x, 3, w, 2, bias, 1, y, 2);
    float[] dx = new float[s.inputSize() + 1];
    Arrays.fill(dx, Float.NaN);
    Conv2dKernels.inputGrad(s, dy, 5, w, 2, dx, 1);
    float[] dw = new float[s.weightSize() + 4];
    Arrays.fill(dw, Float.NaN);
    Conv2dKernels.weightGrad(s, x, 3, dy, 5, dw, 4);
    if (Winograd3x3.ENABLED) {
      assertTrue(Winograd3x3.appliesToWeightGrad(s));
      assertArrayEquals(direct[0], y);
      assertArrayEquals(direct[1], dx);
      assertArrayEquals(direct[2], dw);
    }
  }
}
