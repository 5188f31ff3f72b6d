package org.jgrad.optim.lr;

import org.jgrad.optim.Optimizer;

/**
 * Multiplies the rate by {@code gamma} every {@code stepSize} epochs, as {@code
 * torch.optim.lr_scheduler.StepLR}.
 *
 * <pre>{@code
 * var sched = new StepLR(opt, 30, 0.1);   // 0.1 for epochs 0–29, 0.01 for 30–59, …
 * }</pre>
 */
public final class StepLR extends LRScheduler {
  private int stepSize;
  private double gamma;

  public StepLR(Optimizer optimizer, int stepSize, double gamma) {
    this(optimizer, stepSize, gamma, -1);
  }

  public StepLR(Optimizer optimizer, int stepSize, double gamma, int lastEpoch) {
    super(optimizer, lastEpoch);
    if (stepSize <= 0)
      throw new IllegalArgumentException("StepLR: step_size must be positive, got " + stepSize);
    this.stepSize = stepSize;
    this.gamma = gamma;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    return currentLrsTimes(lastEpoch == 0 || lastEpoch % stepSize != 0 ? 1 : gamma);
  }

  @Override
  protected double[] closedFormLr() {
    return baseLrsTimes(Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize)));
  }

  @Override
  protected void stateFields(StateFields f) {
    stepSize = f.intField("stepSize", stepSize);
    gamma = f.doubleField("gamma", gamma);
  }
}
