package org.jgrad.optim.lr;

import java.util.function.IntToDoubleFunction;
import org.jgrad.optim.Optimizer;

/**
 * Sets each rate to its initial rate times {@code lambda(epoch)}, as {@code
 * torch.optim.lr_scheduler.LambdaLR}; for schedules the other classes do not cover.
 *
 * <pre>{@code
 * int warmup = 500;   // inverse-square-root schedule with linear warm-up
 * var sched = new LambdaLR(opt, step -> Math.min((step + 1.0) / warmup, Math.sqrt(warmup / (step + 1.0))));
 * }</pre>
 *
 * <p>The function itself is not part of the state dict, only the counters.
 */
public final class LambdaLR extends LRScheduler {
  private final IntToDoubleFunction[] lambdas;

  /** One function for every group. */
  public LambdaLR(Optimizer optimizer, IntToDoubleFunction lambda) {
    this(optimizer, new IntToDoubleFunction[] {lambda});
  }

  /** One function per group (or a single one for all). */
  public LambdaLR(Optimizer optimizer, IntToDoubleFunction[] lambdas) {
    super(optimizer, -1);
    int n = optimizer.paramGroups().size();
    if (lambdas.length != 1 && lambdas.length != n) {
      throw new IllegalArgumentException(
          "Expected " + n + " lr_lambdas, but got " + lambdas.length);
    }
    this.lambdas = new IntToDoubleFunction[n];
    for (int i = 0; i < n; i++) this.lambdas[i] = lambdas.length == 1 ? lambdas[0] : lambdas[i];
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    double[] out = new double[baseLrs.length];
    for (int i = 0; i < out.length; i++) out[i] = baseLrs[i] * lambdas[i].applyAsDouble(lastEpoch);
    return out;
  }
}
