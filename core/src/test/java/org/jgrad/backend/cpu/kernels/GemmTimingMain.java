package org.jgrad.backend.cpu.kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * Throw-away timing of {@link Gemm#sgemm} (not a unit test; the JMH benchmarks are the real
 * measurement). Prints the median and best GFLOP/s of square products for 1 and 2 threads.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core/target/classes:core/target/test-classes \
 *      org.jgrad.backend.cpu.kernels.GemmTimingMain [sizes...]
 * </pre>
 */
public final class GemmTimingMain {
  private GemmTimingMain() {}

  public static void main(String[] args) {
    int[] sizes =
        args.length == 0
            ? new int[] {256, 512, 1024}
            : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    System.out.println("kernel " + Gemm.kernelName() + ", threads available " + Parallel.threads());
    Random rnd = new Random(1);
    for (int n : sizes) {
      float[] a = new float[n * n];
      float[] b = new float[n * n];
      float[] c = new float[n * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = rnd.nextFloat() - 0.5f;
        b[i] = rnd.nextFloat() - 0.5f;
      }
      for (int t : new int[] {1, 2}) {
        double flops = 2.0 * n * n * n;
        int reps = (int) Math.max(5, Math.min(200, 4e10 / flops));
        double[] gf = new double[reps];
        Parallel.withThreads(
            t,
            () -> {
              for (int w = 0; w < reps; w++) {
                Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
              }
              for (int r = 0; r < reps; r++) {
                long t0 = ConvTimingMain.now();
                Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
                gf[r] = flops / (ConvTimingMain.now() - t0);
              }
            });
        Arrays.sort(gf);
        System.out.printf(
            "n=%5d threads=%d  median %7.1f GFLOP/s  best %7.1f  (%d reps)%n",
            n, t, gf[reps / 2], gf[reps - 1], reps);
      }
    }
  }
}
