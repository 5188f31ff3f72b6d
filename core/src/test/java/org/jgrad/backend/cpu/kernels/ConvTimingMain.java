package org.jgrad.backend.cpu.kernels;

import java.util.Arrays;
import java.util.Random;
import org.jgrad.backend.ConvGeometry;

/**
 * Throw-away timing of {@link Conv2dKernels} on issue 3's conv shapes (not a unit test): median and
 * best milliseconds of forward and of forward + input grad + weight grad + bias grad, for 1 and 2
 * threads.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core/target/classes:core/target/test-classes \
 *      org.jgrad.backend.cpu.kernels.ConvTimingMain
 * </pre>
 */
public final class ConvTimingMain {
  private ConvTimingMain() {}

  private static final java.lang.management.ThreadMXBean MX =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /**
   * Thread CPU time with -Dcpu=true (meaningful for 1 thread on a loaded machine), else wall time.
   */
  private static final boolean CPU = Boolean.getBoolean("cpu");

  static long now() {
    return CPU ? MX.getCurrentThreadCpuTime() : System.nanoTime();
  }

  public static void main(String[] args) {
    ConvGeometry[] shapes = {
      ConvGeometry.of(64, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1),
      ConvGeometry.of(64, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1),
      ConvGeometry.of(64, 3, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      ConvGeometry.of(64, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),
    };
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    System.out.println("kernel " + Gemm.kernelName());
    Random rnd = new Random(1);
    for (ConvGeometry s : shapes) {
      float[] x = GemmTest.random(rnd, s.inputSize());
      float[] w = GemmTest.random(rnd, s.weightSize());
      float[] b = GemmTest.random(rnd, s.outChannels());
      float[] y = new float[s.outputSize()];
      float[] dy = GemmTest.random(rnd, s.outputSize());
      float[] dx = new float[s.inputSize()];
      float[] dw = new float[s.weightSize()];
      float[] db = new float[s.outChannels()];
      for (int t : new int[] {1, 2}) {
        double[] fwd = new double[reps];
        double[] all = new double[reps];
        double[] ig = new double[reps];
        double[] wg = new double[reps];
        Parallel.withThreads(
            t,
            () -> {
              for (int r = -3; r < reps; r++) {
                long t0 = now();
                Conv2dKernels.forward(s, x, 0, w, 0, b, 0, y, 0);
                long t1 = now();
                Conv2dKernels.inputGrad(s, dy, 0, w, 0, dx, 0);
                long ta = now();
                Conv2dKernels.weightGrad(s, x, 0, dy, 0, dw, 0);
                long tb = now();
                Conv2dKernels.biasGrad(
                    s.batch(), s.outChannels(), s.outH() * s.outW(), dy, 0, db, 0);
                long t2 = now();
                if (r >= 0) {
                  fwd[r] = (t1 - t0) / 1e6;
                  all[r] = (t2 - t0) / 1e6;
                  ig[r] = (ta - t1) / 1e6;
                  wg[r] = (tb - ta) / 1e6;
                }
              }
            });
        Arrays.sort(fwd);
        Arrays.sort(all);
        Arrays.sort(ig);
        Arrays.sort(wg);
        System.out.printf(
            "%dx%dx%dx%d -> %d k%d pad%d threads=%d  fwd median %.2f ms (best %.2f)  fwd+bwd median %.2f ms (best %.2f)  [best: input grad %.2f, weight grad %.2f]%n",
            s.batch(),
            s.inChannels(),
            s.inH(),
            s.inW(),
            s.outChannels(),
            s.kH(),
            s.padH(),
            t,
            fwd[reps / 2],
            fwd[0],
            all[reps / 2],
            all[0],
            ig[0],
            wg[0]);
      }
    }
  }
}
