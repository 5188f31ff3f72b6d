package org.jgrad.backend.cpu.kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * Throw-away timing of {@link Gemm#sgemm} at the MLP training shapes (batch 64, 784-256-128-10), as
 * the layers call it: forward X W^T, weight grad dY^T X, input grad dY W. Thread CPU time with
 * -Dcpu=true.
 */
public final class ShapesTimingMain {
  private ShapesTimingMain() {}

  public static void main(String[] args) {
    // {m, n, k, transA, transB}
    int[][] shapes = {
      {64, 256, 784, 0, 1},
      {64, 256, 784, 0, 0},
      {256, 784, 64, 1, 0},
      {256, 784, 64, 0, 0},
      {64, 128, 256, 0, 1},
      {128, 256, 64, 1, 0},
      {64, 256, 128, 0, 0},
      {64, 10, 128, 0, 1},
      {10, 128, 64, 1, 0},
      {64, 128, 10, 0, 0},
    };
    if (args.length == 5) {
      shapes = new int[][] {java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray()};
    }
    Random rnd = new Random(1);
    System.out.println("kernel " + Gemm.kernelName() + " threads " + Parallel.threads());
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2];
      boolean ta = s[3] == 1, tb = s[4] == 1;
      float[] a = GemmTest.random(rnd, m * k);
      float[] b = GemmTest.random(rnd, k * n);
      float[] c = new float[m * n];
      int reps = 2000;
      double[] us = new double[reps];
      for (int r = -500; r < reps; r++) {
        long t0 = ConvTimingMain.now();
        Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c, 0, n);
        if (r >= 0) {
          us[r] = (ConvTimingMain.now() - t0) / 1e3;
        }
      }
      Arrays.sort(us);
      System.out.printf(
          "m=%4d n=%4d k=%4d %s%s  median %8.1f us  best %8.1f us  (%.1f GFLOP/s median)%n",
          m,
          n,
          k,
          ta ? "A^T" : "A",
          tb ? " B^T" : " B",
          us[reps / 2],
          us[0],
          2.0 * m * n * k / us[reps / 2] / 1e3);
    }
  }
}
