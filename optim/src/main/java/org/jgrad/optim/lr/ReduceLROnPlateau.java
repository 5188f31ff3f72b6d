package org.jgrad.optim.lr;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.ParamGroup;

/**
 * Cuts the rate by {@code factor} when a metric has stopped improving for {@code patience} epochs,
 * as {@code torch.optim.lr_scheduler.ReduceLROnPlateau}.
 *
 * <pre>{@code
 * var plateau = new ReduceLROnPlateau(opt, ReduceLROnPlateau.options().patience(5).factor(0.5));
 * for (int epoch = 0; epoch < 100; epoch++) {
 *   train(opt);
 *   plateau.step(validationLoss());
 * }
 * }</pre>
 *
 * <p>"Improving" means {@code a < best·(1 − threshold)} in mode MIN with REL thresholds, {@code a <
 * best − threshold} with ABS, and the mirror images in mode MAX. After a cut, the schedule waits
 * {@code cooldown} epochs before counting bad epochs again; rates never go below {@code minLr}, and
 * cuts smaller than {@code eps} are skipped.
 */
public final class ReduceLROnPlateau {

  public enum Mode {
    MIN,
    MAX
  }

  public enum ThresholdMode {
    REL,
    ABS
  }

  /** Settings; defaults as PyTorch's. */
  public static final class Options {
    private Mode mode = Mode.MIN;
    private double factor = 0.1;
    private int patience = 10;
    private double threshold = 1e-4;
    private ThresholdMode thresholdMode = ThresholdMode.REL;
    private int cooldown = 0;
    private double[] minLr = {0};
    private double eps = 1e-8;

    private Options() {}

    public Options mode(Mode v) {
      mode = v;
      return this;
    }

    public Options factor(double v) {
      factor = v;
      return this;
    }

    public Options patience(int v) {
      patience = v;
      return this;
    }

    public Options threshold(double v) {
      threshold = v;
      return this;
    }

    public Options thresholdMode(ThresholdMode v) {
      thresholdMode = v;
      return this;
    }

    public Options cooldown(int v) {
      cooldown = v;
      return this;
    }

    /** One lower bound for all groups, or one per group. */
    public Options minLr(double... v) {
      minLr = v.clone();
      return this;
    }

    public Options eps(double v) {
      eps = v;
      return this;
    }
  }

  public static Options options() {
    return new Options();
  }

  private final Optimizer optimizer;
  private final Mode mode;
  private final double factor;
  private final int patience;
  private final double threshold;
  private final ThresholdMode thresholdMode;
  private final int cooldown;
  private final double[] minLrs;
  private final double eps;
  private double best;
  private int numBadEpochs;
  private int cooldownCounter;
  private int lastEpoch;
  private double[] lastLr;

  public ReduceLROnPlateau(Optimizer optimizer) {
    this(optimizer, options());
  }

  public ReduceLROnPlateau(Optimizer optimizer, Options o) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    if (o.factor >= 1.0) throw new IllegalArgumentException("Factor should be < 1.0.");
    if (o.patience < 0)
      throw new IllegalArgumentException(
          "ReduceLROnPlateau: patience must be >= 0, got " + o.patience);
    int n = optimizer.paramGroups().size();
    if (o.minLr.length != 1 && o.minLr.length != n) {
      throw new IllegalArgumentException("expected " + n + " min_lrs, got " + o.minLr.length);
    }
    minLrs = new double[n];
    for (int i = 0; i < n; i++) minLrs[i] = o.minLr.length == 1 ? o.minLr[0] : o.minLr[i];
    mode = Objects.requireNonNull(o.mode, "mode");
    thresholdMode = Objects.requireNonNull(o.thresholdMode, "thresholdMode");
    factor = o.factor;
    patience = o.patience;
    threshold = o.threshold;
    cooldown = o.cooldown;
    eps = o.eps;
    lastEpoch = 0;
    reset();
  }

  private void reset() {
    best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    cooldownCounter = 0;
    numBadEpochs = 0;
  }

  /** Records one epoch's metric and cuts the rates if it has plateaued. */
  public void step(double metric) {
    lastEpoch++;
    if (isBetter(metric, best)) {
      best = metric;
      numBadEpochs = 0;
    } else {
      numBadEpochs++;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      numBadEpochs = 0;
    }
    if (numBadEpochs > patience) {
      reduceLr();
      cooldownCounter = cooldown;
      numBadEpochs = 0;
    }
    lastLr = currentLrs();
  }

  private void reduceLr() {
    List<ParamGroup> groups = optimizer.paramGroups();
    for (int i = 0; i < groups.size(); i++) {
      double old = groups.get(i).lr();
      double next = Math.max(old * factor, minLrs[i]);
      if (old - next > eps) groups.get(i).setLr(next);
    }
  }

  private boolean isBetter(double a, double best) {
    if (mode == Mode.MIN && thresholdMode == ThresholdMode.REL) return a < best * (1.0 - threshold);
    if (mode == Mode.MIN) return a < best - threshold;
    if (thresholdMode == ThresholdMode.REL) return a > best * (threshold + 1.0);
    return a > best + threshold;
  }

  private double[] currentLrs() {
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] out = new double[groups.size()];
    for (int i = 0; i < out.length; i++) out[i] = groups.get(i).lr();
    return out;
  }

  public double[] getLastLr() {
    return lastLr == null ? currentLrs() : lastLr.clone();
  }

  /** The best metric seen so far. */
  public double best() {
    return best;
  }

  /** Epochs since the last improvement (reset by cuts and cooldown). */
  public int numBadEpochs() {
    return numBadEpochs;
  }

  public boolean inCooldown() {
    return cooldownCounter > 0;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  /** The counters (best, bad epochs, cooldown, epoch); settings stay those of the constructor. */
  public Map<String, Object> stateDict() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("best", best);
    m.put("numBadEpochs", numBadEpochs);
    m.put("cooldownCounter", cooldownCounter);
    m.put("lastEpoch", lastEpoch);
    m.put("lastLr", getLastLr());
    return m;
  }

  public void loadStateDict(Map<String, Object> s) {
    best = LRScheduler.doubleOf(s, "best");
    numBadEpochs = LRScheduler.intOf(s, "numBadEpochs");
    cooldownCounter = LRScheduler.intOf(s, "cooldownCounter");
    lastEpoch = LRScheduler.intOf(s, "lastEpoch");
    lastLr = LRScheduler.doublesOf(s, "lastLr");
  }
}
