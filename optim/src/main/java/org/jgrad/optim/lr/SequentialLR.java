package org.jgrad.optim.lr;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.ParamGroup;

/**
 * Runs schedules one after another, switching at the milestone epochs, as {@code
 * torch.optim.lr_scheduler.SequentialLR}. Each schedule starts from the initial rates when its turn
 * comes.
 *
 * <pre>{@code
 * var warmup = new LinearLR(opt, 0.1, 1.0, 5);
 * var decay = new CosineAnnealingLR(opt, 95);
 * var sched = new SequentialLR(opt, List.of(warmup, decay), new int[] {5});
 * }</pre>
 */
public final class SequentialLR extends LRScheduler {
  private final List<LRScheduler> schedulers;
  private final int[] milestones;

  public SequentialLR(
      Optimizer optimizer, List<? extends LRScheduler> schedulers, int[] milestones) {
    super(optimizer, -1);
    if (schedulers.isEmpty())
      throw new IllegalArgumentException("SequentialLR: expects at least one scheduler");
    for (int i = 0; i < schedulers.size(); i++) {
      if (schedulers.get(i).optimizer() != optimizer) {
        throw new IllegalArgumentException(
            "Sequential Schedulers expects all schedulers to belong to the same optimizer,"
                + " but got schedulers at index "
                + i
                + " to be different than the optimizer passed in.");
      }
    }
    if (milestones.length != schedulers.size() - 1) {
      throw new IllegalArgumentException(
          "Sequential Schedulers expects number of schedulers provided to be one more "
              + "than the number of milestone points, but got number of schedulers "
              + schedulers.size()
              + " and the number of milestones to be equal to "
              + milestones.length);
    }
    this.schedulers = new ArrayList<>(schedulers);
    this.milestones = milestones.clone();
    // Undo the first steps the schedules took when they were built, then restart the first one.
    lastEpoch = 0;
    for (ParamGroup g : optimizer.paramGroups()) g.setLr(g.getDouble("initialLr"));
    for (LRScheduler s : this.schedulers) s.lastEpoch -= 1;
    this.schedulers.get(0).initialStep();
    setLastLr(this.schedulers.get(0).getLastLr());
  }

  @Override
  protected double[] computeLr() {
    return currentLrs();
  }

  @Override
  public void step() {
    lastEpoch++;
    int idx = 0;
    while (idx < milestones.length && milestones[idx] <= lastEpoch) idx++;
    LRScheduler s = schedulers.get(idx);
    if (idx > 0 && milestones[idx - 1] == lastEpoch) {
      s.step(0);
    } else {
      s.step();
    }
    setLastLr(s.getLastLr());
  }

  /** Not supported: a sequence is only stepped forward. */
  @Override
  public void step(int epoch) {
    throw new UnsupportedOperationException(
        "SequentialLR: step(epoch) is not supported, call step()");
  }

  @Override
  protected void stateFields(StateFields f) {
    f.children("schedulers", schedulers);
    // the milestones are fixed at construction: saved as PyTorch does, never read back
    if (!f.loading()) f.intsField("milestones", milestones);
  }
}
