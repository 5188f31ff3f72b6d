package org.jgrad.backend.cpu.kernels;

import org.jgrad.backend.Backends;

/**
 * Run in a child JVM by {@link KernelSetupTest}: twice, a float32 GEMM (so the scalar-fallback
 * warning, if due, is seen to be printed once) and the thread count, each reporting its result or
 * the exception class and message (so a bad {@code -Djgrad.threads} is seen to fail the same way on
 * every use, not just the first).
 */
public final class KernelSetupMain {
  private KernelSetupMain() {}

  public static void main(String[] args) {
    for (int i = 0; i < 2; i++) {
      try {
        float[] a = {1, 2, 3, 4};
        float[] c = new float[4];
        Gemm.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, a, 0, 2, 0f, c, 0, 2);
        System.out.println("gemm " + c[0] + " " + c[3]);
      } catch (Throwable t) {
        System.out.println("failure " + t.getClass().getName() + ": " + t.getMessage());
      }
      try {
        System.out.println("threads " + Parallel.threads());
      } catch (Throwable t) {
        System.out.println("failure " + t.getClass().getName() + ": " + t.getMessage());
      }
    }
    System.out.println("describe>>");
    System.out.println(Backends.describe());
  }
}
