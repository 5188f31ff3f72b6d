package org.jgrad.optim.lr;

import java.util.List;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.ParamGroup;

/**
 * The 1cycle policy (Smith and Topin, 2017), as {@code torch.optim.lr_scheduler.OneCycleLR}: the
 * rate rises from {@code maxLr/divFactor} to {@code maxLr} over the first {@code pctStart} of the
 * steps, then anneals to {@code initialLr/finalDivFactor}; momentum (or Adam's β1) moves the
 * opposite way between {@code maxMomentum} and {@code baseMomentum}. With {@code threePhase} the
 * descent mirrors the rise and a third phase anneals to the minimum. Step it after every batch.
 *
 * <pre>{@code
 * var sched = new OneCycleLR(opt, OneCycleLR.options(0.1).epochs(10, loader.size()));
 * for (int epoch = 0; epoch < 10; epoch++) {
 *   for (Batch b : loader) { trainStep(b); sched.step(); }
 * }
 * }</pre>
 */
public final class OneCycleLR extends LRScheduler {

  /** How the rate moves within a phase. */
  public enum AnnealStrategy {
    COS,
    LINEAR
  }

  /** Settings of the 1cycle schedule; defaults as PyTorch's. */
  public static final class Options {
    private double[] maxLr;
    private Integer totalSteps;
    private Integer epochs;
    private Integer stepsPerEpoch;
    private double pctStart = 0.3;
    private AnnealStrategy annealStrategy = AnnealStrategy.COS;
    private boolean cycleMomentum = true;
    private double[] baseMomentum = {0.85};
    private double[] maxMomentum = {0.95};
    private double divFactor = 25;
    private double finalDivFactor = 1e4;
    private boolean threePhase;
    private int lastEpoch = -1;

    private Options(double[] maxLr) {
      this.maxLr = maxLr.clone();
    }

    /** The number of steps of the cycle (or give {@link #epochs}). */
    public Options totalSteps(int v) {
      totalSteps = v;
      return this;
    }

    /** Total steps as epochs × steps per epoch (used when totalSteps is not given). */
    public Options epochs(int epochs, int stepsPerEpoch) {
      this.epochs = epochs;
      this.stepsPerEpoch = stepsPerEpoch;
      return this;
    }

    /** Fraction of the cycle spent raising the rate (default 0.3). */
    public Options pctStart(double v) {
      pctStart = v;
      return this;
    }

    public Options annealStrategy(AnnealStrategy v) {
      annealStrategy = v;
      return this;
    }

    /** Whether to cycle momentum (SGD's momentum, RMSprop's momentum or Adam's β1). */
    public Options cycleMomentum(boolean v) {
      cycleMomentum = v;
      return this;
    }

    public Options baseMomentum(double... v) {
      baseMomentum = v.clone();
      return this;
    }

    public Options maxMomentum(double... v) {
      maxMomentum = v.clone();
      return this;
    }

    /** initialLr = maxLr / divFactor (default 25). */
    public Options divFactor(double v) {
      divFactor = v;
      return this;
    }

    /** minLr = initialLr / finalDivFactor (default 1e4). */
    public Options finalDivFactor(double v) {
      finalDivFactor = v;
      return this;
    }

    public Options threePhase(boolean v) {
      threePhase = v;
      return this;
    }

    /** The index of the last batch when resuming (default -1: start a new cycle). */
    public Options lastEpoch(int v) {
      lastEpoch = v;
      return this;
    }
  }

  /** Options with the peak rate {@code maxLr} (one value for all groups, or one per group). */
  public static Options options(double... maxLr) {
    return new Options(maxLr);
  }

  private record Phase(
      double endStep, String startLr, String endLr, String startMomentum, String endMomentum) {}

  private int totalSteps;
  private final List<Phase> phases;
  private final AnnealStrategy anneal;
  private final boolean cycleMomentum;
  private final boolean useBeta1;

  public OneCycleLR(Optimizer optimizer, Options o) {
    super(optimizer, o.lastEpoch);
    if (o.totalSteps == null && (o.epochs == null || o.stepsPerEpoch == null)) {
      throw new IllegalArgumentException(
          "You must define either total_steps OR (epochs AND steps_per_epoch)");
    } else if (o.totalSteps != null) {
      if (o.totalSteps <= 0) {
        throw new IllegalArgumentException(
            "Expected positive integer total_steps, but got " + o.totalSteps);
      }
      totalSteps = o.totalSteps;
    } else {
      if (o.epochs <= 0)
        throw new IllegalArgumentException("Expected positive integer epochs, but got " + o.epochs);
      if (o.stepsPerEpoch <= 0) {
        throw new IllegalArgumentException(
            "Expected positive integer steps_per_epoch, but got " + o.stepsPerEpoch);
      }
      totalSteps = o.epochs * o.stepsPerEpoch;
    }
    if (o.threePhase) {
      phases =
          List.of(
              new Phase(
                  o.pctStart * totalSteps - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"),
              new Phase(
                  2 * o.pctStart * totalSteps - 2,
                  "maxLr",
                  "initialLr",
                  "baseMomentum",
                  "maxMomentum"),
              new Phase(totalSteps - 1, "initialLr", "minLr", "maxMomentum", "maxMomentum"));
    } else {
      phases =
          List.of(
              new Phase(
                  o.pctStart * totalSteps - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"),
              new Phase(totalSteps - 1, "maxLr", "minLr", "baseMomentum", "maxMomentum"));
    }
    if (!(o.pctStart >= 0 && o.pctStart <= 1)) {
      throw new IllegalArgumentException(
          "Expected float between 0 and 1 pct_start, but got " + o.pctStart);
    }
    anneal = o.annealStrategy;
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] maxLrs = perGroup(optimizer, "max_lr", o.maxLr);
    if (o.lastEpoch == -1) {
      for (int i = 0; i < groups.size(); i++) {
        ParamGroup g = groups.get(i);
        g.set("initialLr", maxLrs[i] / o.divFactor);
        g.set("maxLr", maxLrs[i]);
        g.set("minLr", g.getDouble("initialLr") / o.finalDivFactor);
      }
    }
    cycleMomentum = o.cycleMomentum;
    useBeta1 = optimizer.defaults().containsKey("betas");
    if (cycleMomentum) {
      if (!optimizer.defaults().containsKey("momentum") && !useBeta1) {
        throw new IllegalArgumentException(
            "optimizer must support momentum with `cycle_momentum` option enabled");
      }
      double[] maxM = perGroup(optimizer, "max_momentum", o.maxMomentum);
      double[] baseM = perGroup(optimizer, "base_momentum", o.baseMomentum);
      if (o.lastEpoch == -1) {
        for (int i = 0; i < groups.size(); i++) {
          ParamGroup g = groups.get(i);
          setMomentum(g, maxM[i]);
          g.set("maxMomentum", maxM[i]);
          g.set("baseMomentum", baseM[i]);
        }
      }
    }
    for (int i = 0; i < groups.size(); i++) baseLrs[i] = groups.get(i).getDouble("initialLr");
    initialStep();
  }

  private void setMomentum(ParamGroup g, double m) {
    if (useBeta1) {
      double[] betas = g.getDoubles("betas");
      betas[0] = m;
      g.set("betas", betas);
    } else {
      g.set("momentum", m);
    }
  }

  /** The number of steps in the cycle. */
  public int totalSteps() {
    return totalSteps;
  }

  private double anneal(double start, double end, double pct) {
    if (anneal == AnnealStrategy.LINEAR) return (end - start) * pct + start;
    double cosOut = Math.cos(Math.PI * pct) + 1;
    return end + (start - end) / 2.0 * cosOut;
  }

  @Override
  protected double[] computeLr() {
    int stepNum = lastEpoch;
    if (stepNum > totalSteps) {
      throw new IllegalStateException(
          "Tried to step "
              + (stepNum + 1)
              + " times. The specified number of total steps is "
              + totalSteps);
    }
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int gi = 0; gi < groups.size(); gi++) {
      ParamGroup g = groups.get(gi);
      double startStep = 0;
      for (int i = 0; i < phases.size(); i++) {
        Phase ph = phases.get(i);
        if (stepNum <= ph.endStep || i == phases.size() - 1) {
          double pct = (stepNum - startStep) / (ph.endStep - startStep);
          lrs[gi] = anneal(g.getDouble(ph.startLr), g.getDouble(ph.endLr), pct);
          if (cycleMomentum)
            setMomentum(g, anneal(g.getDouble(ph.startMomentum), g.getDouble(ph.endMomentum), pct));
          break;
        }
        startStep = ph.endStep;
      }
    }
    return lrs;
  }

  @Override
  protected void stateFields(StateFields f) {
    totalSteps = f.intField("totalSteps", totalSteps);
  }
}
