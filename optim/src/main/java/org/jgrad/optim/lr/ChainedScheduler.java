package org.jgrad.optim.lr;

import java.util.ArrayList;
import java.util.List;

/**
 * Steps several schedules together, each scaling the rate the previous one left, as {@code
 * torch.optim.lr_scheduler.ChainedScheduler}. Only chainable schedules make sense here (not {@link
 * OneCycleLR}, {@link LambdaLR} or {@link CosineAnnealingWarmRestarts}, which set absolute rates).
 *
 * <pre>{@code
 * var sched = new ChainedScheduler(List.of(new LinearLR(opt, 0.1, 1.0, 8), new ExponentialLR(opt, 0.95)));
 * }</pre>
 */
public final class ChainedScheduler extends LRScheduler {
  private final List<LRScheduler> schedulers;

  public ChainedScheduler(List<? extends LRScheduler> schedulers) {
    super(first(schedulers).optimizer(), -1);
    for (int i = 1; i < schedulers.size(); i++) {
      if (schedulers.get(i).optimizer() != optimizer) {
        throw new IllegalArgumentException(
            "ChainedScheduler expects all schedulers to belong to the same optimizer, "
                + "but got schedulers at index 0 and "
                + i
                + " to be different");
      }
    }
    this.schedulers = new ArrayList<>(schedulers);
    setLastLr(currentLrs());
  }

  private static LRScheduler first(List<? extends LRScheduler> schedulers) {
    if (schedulers.isEmpty())
      throw new IllegalArgumentException("ChainedScheduler: expects at least one scheduler");
    return schedulers.get(0);
  }

  @Override
  protected double[] computeLr() {
    return currentLrs();
  }

  @Override
  public void step() {
    for (LRScheduler s : schedulers) s.step();
    setLastLr(currentLrs());
  }

  /** Not supported: a chain is only stepped forward. */
  @Override
  public void step(int epoch) {
    throw new UnsupportedOperationException(
        "ChainedScheduler: step(epoch) is not supported, call step()");
  }

  @Override
  protected void stateFields(StateFields f) {
    f.children("schedulers", schedulers);
  }
}
