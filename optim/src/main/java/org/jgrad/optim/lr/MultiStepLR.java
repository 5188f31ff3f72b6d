package org.jgrad.optim.lr;

import java.util.Arrays;
import org.jgrad.optim.Optimizer;

/**
 * Multiplies the rate by {@code gamma} at each milestone epoch (a milestone listed twice applies
 * gamma twice), as {@code torch.optim.lr_scheduler.MultiStepLR}.
 *
 * <pre>{@code
 * var sched = new MultiStepLR(opt, new int[] {30, 80}, 0.1);
 * }</pre>
 */
public final class MultiStepLR extends LRScheduler {
  private int[] milestones;
  private double gamma;

  public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
    this(optimizer, milestones, gamma, -1);
  }

  public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma, int lastEpoch) {
    super(optimizer, lastEpoch);
    this.milestones = milestones.clone();
    Arrays.sort(this.milestones);
    this.gamma = gamma;
    initialStep();
  }

  private int count(int epoch) {
    int c = 0;
    for (int m : milestones) if (m == epoch) c++;
    return c;
  }

  @Override
  protected double[] computeLr() {
    int c = count(lastEpoch);
    return currentLrsTimes(c == 0 ? 1 : Math.pow(gamma, c));
  }

  @Override
  protected double[] closedFormLr() {
    int passed = 0;
    for (int m : milestones) if (m <= lastEpoch) passed++;
    return baseLrsTimes(Math.pow(gamma, passed));
  }

  @Override
  protected void stateFields(StateFields f) {
    milestones = f.intsField("milestones", milestones);
    gamma = f.doubleField("gamma", gamma);
  }
}
