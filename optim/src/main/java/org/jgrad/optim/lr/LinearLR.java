package org.jgrad.optim.lr;

import org.jgrad.optim.Optimizer;

/**
 * Moves the rate's multiplier linearly from {@code startFactor} to {@code endFactor} over {@code
 * totalIters} epochs, then holds it, as {@code torch.optim.lr_scheduler.LinearLR}. With {@code
 * startFactor < 1 = endFactor} it is the usual linear warm-up.
 *
 * <pre>{@code
 * var warmup = new LinearLR(opt, 0.1, 1.0, 5);   // 10 % of lr at epoch 0, full lr from epoch 5
 * }</pre>
 */
public final class LinearLR extends LRScheduler {
  private double startFactor;
  private double endFactor;
  private int totalIters;

  /** PyTorch's defaults: from 1/3 to 1 over 5 epochs. */
  public LinearLR(Optimizer optimizer) {
    this(optimizer, 1.0 / 3, 1.0, 5);
  }

  public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
    this(optimizer, startFactor, endFactor, totalIters, -1);
  }

  public LinearLR(
      Optimizer optimizer, double startFactor, double endFactor, int totalIters, int lastEpoch) {
    super(optimizer, lastEpoch);
    // PyTorch 1.13 accepts a start factor of 0, from which the chainable form never leaves 0
    if (!(startFactor > 0 && startFactor <= 1)) {
      throw new IllegalArgumentException(
          "Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got "
              + startFactor);
    }
    if (!(endFactor >= 0 && endFactor <= 1)) {
      throw new IllegalArgumentException(
          "Ending multiplicative factor expected to be between 0 and 1, got " + endFactor);
    }
    if (totalIters <= 0)
      throw new IllegalArgumentException(
          "LinearLR: total_iters must be positive, got " + totalIters);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    if (lastEpoch == 0) return currentLrsTimes(startFactor);
    if (lastEpoch > totalIters) return currentLrs();
    return currentLrsTimes(
        1.0
            + (endFactor - startFactor)
                / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor)));
  }

  @Override
  protected double[] closedFormLr() {
    return baseLrsTimes(
        startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters);
  }

  @Override
  protected void stateFields(StateFields f) {
    startFactor = f.doubleField("startFactor", startFactor);
    endFactor = f.doubleField("endFactor", endFactor);
    totalIters = f.intField("totalIters", totalIters);
  }
}
