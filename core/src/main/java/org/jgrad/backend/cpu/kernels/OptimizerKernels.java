package org.jgrad.backend.cpu.kernels;

/**
 * Float32 optimizer updates in one pass per parameter (behind {@code FusedKernels.adamStep} and
 * {@code sgdStep}). Each element is computed with the same float operations, in the same order, as
 * the composite of in-place tensor ops that {@code optim.Adam} / {@code optim.SGD} run without the
 * fused kernel, so switching between the two changes no bit; only the passes over memory (eight for
 * Adam, with three temporaries) become one.
 *
 * <p>Elements are independent, so a large parameter is split over threads with boundaries that do
 * not change any result.
 *
 * <pre>{@code
 * OptimizerKernels.adam(n, p, 0, g, 0, m, 0, v, 0, new OptimizerKernels.Adam(...));
 * }</pre>
 */
public final class OptimizerKernels {
  private OptimizerKernels() {}

  /** Elements per task when one parameter is split across threads. */
  static final int GRAIN = 1 << 16;

  /**
   * Adam's per-step constants, already rounded to float as the composite rounds them: {@code b1 =
   * β1}, {@code omb1 = 1 − β1}, {@code decay = 1 − lr·wd} (decoupled only), {@code bias2Sqrt = √(1
   * − β2^t)}, {@code negStep = −lr / (1 − β1^t)}.
   */
  public record Adam(
      float b1,
      float omb1,
      float b2,
      float omb2,
      float weightDecay,
      boolean decoupled,
      float decay,
      boolean maximize,
      float bias2Sqrt,
      float eps,
      float negStep) {

    /** The constants of one step from the double hyper-parameters. */
    public static Adam of(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean decoupled,
        boolean maximize,
        long step) {
      double bias1 = 1 - Math.pow(beta1, step), bias2 = 1 - Math.pow(beta2, step);
      return new Adam(
          (float) beta1,
          (float) (1 - beta1),
          (float) beta2,
          (float) (1 - beta2),
          (float) weightDecay,
          decoupled,
          (float) (1 - lr * weightDecay),
          maximize,
          (float) Math.sqrt(bias2),
          (float) eps,
          (float) -(lr / bias1));
    }
  }

  /** One Adam step over {@code n} dense elements of param, grad and the two moments. */
  public static void adam(
      int n, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, Adam h) {
    Parallel.forRange(
        n,
        GRAIN,
        (s, e) -> ElementwiseKernels.adam(e - s, p, po + s, g, go + s, m, mo + s, v, vo + s, h));
  }

  /** SGD's per-step constants, rounded to float as the composite rounds them. */
  public record Sgd(
      float negLr,
      float momentum,
      float oneMinusDampening,
      boolean nesterov,
      float weightDecay,
      boolean maximize,
      boolean firstStep) {

    /** The constants of one step from the double hyper-parameters. */
    public static Sgd of(
        double lr,
        double momentum,
        double dampening,
        boolean nesterov,
        double weightDecay,
        boolean maximize,
        boolean firstStep) {
      return new Sgd(
          (float) -lr,
          (float) momentum,
          (float) (1 - dampening),
          nesterov,
          (float) weightDecay,
          maximize,
          firstStep);
    }
  }

  /** One SGD step; {@code buf} is null without momentum. */
  public static void sgd(int n, float[] p, int po, float[] g, int go, float[] buf, int bo, Sgd h) {
    Parallel.forRange(
        n, GRAIN, (s, e) -> ElementwiseKernels.sgd(e - s, p, po + s, g, go + s, buf, bo + s, h));
  }
}
