package org.jgrad.optim.lr;

import org.jgrad.optim.Optimizer;

/**
 * Scales the rate by {@code factor} for the first {@code totalIters} epochs, then restores it, as
 * {@code torch.optim.lr_scheduler.ConstantLR} (a simple warm-up).
 *
 * <pre>{@code
 * var sched = new ConstantLR(opt, 0.25, 4);   // lr/4 for epochs 0–3, then lr
 * }</pre>
 */
public final class ConstantLR extends LRScheduler {
  private double factor;
  private int totalIters;

  /** PyTorch's defaults: factor 1/3 for 5 epochs. */
  public ConstantLR(Optimizer optimizer) {
    this(optimizer, 1.0 / 3, 5);
  }

  public ConstantLR(Optimizer optimizer, double factor, int totalIters) {
    this(optimizer, factor, totalIters, -1);
  }

  public ConstantLR(Optimizer optimizer, double factor, int totalIters, int lastEpoch) {
    super(optimizer, lastEpoch);
    // PyTorch 1.13 accepts 0, which then divides by zero when the warm-up ends
    if (!(factor > 0 && factor <= 1)) {
      throw new IllegalArgumentException(
          "Constant multiplicative factor expected to be between 0 and 1, got " + factor);
    }
    this.factor = factor;
    this.totalIters = totalIters;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    return currentLrsTimes(lastEpoch == 0 ? factor : lastEpoch == totalIters ? 1.0 / factor : 1.0);
  }

  @Override
  protected double[] closedFormLr() {
    return baseLrsTimes(factor + (lastEpoch >= totalIters ? 1 : 0) * (1 - factor));
  }

  @Override
  protected void stateFields(StateFields f) {
    factor = f.doubleField("factor", factor);
    totalIters = f.intField("totalIters", totalIters);
  }
}
