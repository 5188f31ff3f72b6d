package org.jgrad.backend.cpu.kernels;

/**
 * Throw-away: GFLOP/s of the micro-kernel alone on cache-resident packed panels (best of many
 * rounds).
 */
public final class MicroKernelTimingMain {
  private MicroKernelTimingMain() {}

  public static void main(String[] args) {
    int kc = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    SgemmKernel[] all = {
      Gemm.vectorKernelVariants()[0], Gemm.vectorKernelVariants()[1], Gemm.scalarKernel()
    };
    SgemmKernel[] pick = args.length > 1 ? new SgemmKernel[] {all[Integer.parseInt(args[1])]} : all;
    for (SgemmKernel k : pick) {
      float[] ap = new float[k.mr * kc];
      float[] bp = new float[k.nr * kc * 4];
      for (int i = 0; i < ap.length; i++) ap[i] = (i % 7) * 0.01f;
      for (int i = 0; i < bp.length; i++) bp[i] = (i % 5) * 0.01f;
      float[] c = new float[k.mr * k.nr];
      float[] scratch = new float[k.mr * k.nr];
      double best = 0;
      for (int round = 0; round < 60; round++) {
        int calls = 20000;
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          k.kernel(kc, ap, 0, bp, (i & 3) * k.nr * kc, 1f, 1f, c, 0, k.nr, 1, k.mr, k.nr, scratch);
        }
        double gf = 2.0 * k.mr * k.nr * kc * calls / (System.nanoTime() - t0);
        best = Math.max(best, gf);
      }
      com.sun.management.ThreadMXBean mx =
          (com.sun.management.ThreadMXBean)
              java.lang.management.ManagementFactory.getThreadMXBean();
      long before = 0;
      for (int i = -200000; i < 10000; i++) {
        if (i == 0) {
          before = mx.getCurrentThreadAllocatedBytes();
        }
        k.kernel(
            kc,
            ap,
            0,
            bp,
            0,
            1f,
            (i & 1) == 0 ? 1f : 0.5f,
            c,
            0,
            k.nr,
            1,
            k.mr,
            k.nr - (i % 3 == 0 ? 1 : 0),
            scratch);
      }
      long bytes = mx.getCurrentThreadAllocatedBytes() - before;
      System.out.printf(
          "%s kc=%d best %.1f GFLOP/s, %.1f bytes allocated per call (c[0]=%f)%n",
          k, kc, best, bytes / 10000.0, c[0]);
    }
  }
}
