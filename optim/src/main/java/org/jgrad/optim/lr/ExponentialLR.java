package org.jgrad.optim.lr;

import org.jgrad.optim.Optimizer;

/**
 * Multiplies the rate by {@code gamma} every epoch, as {@code
 * torch.optim.lr_scheduler.ExponentialLR}.
 *
 * <pre>{@code
 * var sched = new ExponentialLR(opt, 0.95);
 * }</pre>
 */
public final class ExponentialLR extends LRScheduler {
  private double gamma;

  public ExponentialLR(Optimizer optimizer, double gamma) {
    this(optimizer, gamma, -1);
  }

  public ExponentialLR(Optimizer optimizer, double gamma, int lastEpoch) {
    super(optimizer, lastEpoch);
    this.gamma = gamma;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    return currentLrsTimes(lastEpoch == 0 ? 1 : gamma);
  }

  @Override
  protected double[] closedFormLr() {
    return baseLrsTimes(Math.pow(gamma, lastEpoch));
  }

  @Override
  protected void stateFields(StateFields f) {
    gamma = f.doubleField("gamma", gamma);
  }
}
