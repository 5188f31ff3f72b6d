package org.jgrad.optim.lr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.ParamGroup;

/**
 * Base class of the epoch- or batch-driven learning-rate schedules, as PyTorch's {@code
 * _LRScheduler}: call {@link #step()} after {@code optimizer.step()}; the schedule writes each
 * group's {@code "lr"}.
 *
 * <pre>{@code
 * var opt = new SGD(model.parameters(), SGD.options(0.1).momentum(0.9));
 * var sched = new StepLR(opt, 30, 0.1);
 * for (int epoch = 0; epoch < 90; epoch++) {
 *   trainOneEpoch(opt);
 *   sched.step();
 * }
 * }</pre>
 *
 * <p>The arithmetic is PyTorch 1.13's "chainable" form (each rate derived from the group's current
 * rate), so rates match {@code torch.optim.lr_scheduler} to the last bits and schedules compose
 * with {@link ChainedScheduler} and {@link SequentialLR}. Each group keeps its starting rate in the
 * option {@code "initialLr"}.
 *
 * <p>Subclasses set their fields, then call {@link #initialStep()} at the end of their constructor
 * (PyTorch does that step inside the base constructor, which Java cannot do before the subclass
 * fields exist).
 */
public abstract class LRScheduler {
  protected final Optimizer optimizer;
  protected double[] baseLrs;
  protected int lastEpoch;
  protected int stepCount;
  private double[] lastLr;

  /**
   * @param lastEpoch -1 to start a new schedule; otherwise the index of the last epoch of a resumed
   *     schedule, which requires {@code "initialLr"} in every group
   */
  protected LRScheduler(Optimizer optimizer, int lastEpoch) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    List<ParamGroup> groups = optimizer.paramGroups();
    if (lastEpoch == -1) {
      for (ParamGroup g : groups) g.setDefault("initialLr", g.lr());
    } else {
      for (int i = 0; i < groups.size(); i++) {
        if (!groups.get(i).has("initialLr")) {
          throw new IllegalArgumentException(
              "param 'initialLr' is not specified in paramGroups["
                  + i
                  + "] when resuming an optimizer");
        }
      }
    }
    baseLrs = new double[groups.size()];
    for (int i = 0; i < groups.size(); i++) baseLrs[i] = groups.get(i).getDouble("initialLr");
    this.lastEpoch = lastEpoch;
  }

  /** The optimizer whose rates this schedule sets. */
  public final Optimizer optimizer() {
    return optimizer;
  }

  /** Resets the step counter and takes the first step (sets the rates for epoch 0). */
  protected final void initialStep() {
    stepCount = 0;
    step();
  }

  /** The rates for {@link #lastEpoch}, from the groups' current rates (the chainable form). */
  protected abstract double[] computeLr();

  /** The rates for {@link #lastEpoch} from the base rates alone, or null when there is none. */
  protected double[] closedFormLr() {
    return null;
  }

  /** Advances the schedule by one epoch (or batch) and writes the new rates. */
  public void step() {
    stepCount++;
    lastEpoch++;
    apply(computeLr());
  }

  /**
   * Jumps to {@code epoch}, using the closed form where the schedule has one (PyTorch's deprecated
   * {@code step(epoch)}; {@link SequentialLR} uses it to restart a schedule at 0).
   */
  public void step(int epoch) {
    stepCount++;
    lastEpoch = epoch;
    double[] closed = closedFormLr();
    apply(closed != null ? closed : computeLr());
  }

  protected final void apply(double[] lrs) {
    List<ParamGroup> groups = optimizer.paramGroups();
    for (int i = 0; i < groups.size(); i++) groups.get(i).setLr(lrs[i]);
    lastLr = currentLrs();
  }

  /** The rates the groups hold now. */
  protected final double[] currentLrs() {
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] out = new double[groups.size()];
    for (int i = 0; i < out.length; i++) out[i] = groups.get(i).lr();
    return out;
  }

  /**
   * The rates the groups hold now, each times {@code factor}: a chainable step of a multiplicative
   * schedule.
   */
  protected final double[] currentLrsTimes(double factor) {
    double[] lrs = currentLrs();
    for (int i = 0; i < lrs.length; i++) lrs[i] *= factor;
    return lrs;
  }

  /** The initial rates, each times {@code factor}: the closed form of a multiplicative schedule. */
  protected final double[] baseLrsTimes(double factor) {
    double[] out = baseLrs.clone();
    for (int i = 0; i < out.length; i++) out[i] = baseLrs[i] * factor;
    return out;
  }

  protected final void setLastLr(double[] lrs) {
    lastLr = lrs.clone();
  }

  /** The rates set by the last step, one per group. */
  public double[] getLastLr() {
    return lastLr == null ? currentLrs() : lastLr.clone();
  }

  /** The index of the last epoch (or batch) stepped to; 0 right after construction. */
  public final int lastEpoch() {
    return lastEpoch;
  }

  /** The rates each group started from. */
  public final double[] baseLrs() {
    return baseLrs.clone();
  }

  // ---------------------------------------------------------------- state dicts

  /**
   * The schedule's counters and settings, as PyTorch's {@code state_dict} (everything but the
   * optimizer). Restore the optimizer's state dict too: the current rates live there.
   */
  public Map<String, Object> stateDict() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lastEpoch", lastEpoch);
    m.put("stepCount", stepCount);
    m.put("baseLrs", baseLrs.clone());
    m.put("lastLr", getLastLr());
    stateFields(new StateFields(m, false));
    return m;
  }

  /** Restores what {@link #stateDict()} returned. */
  public void loadStateDict(Map<String, Object> state) {
    Objects.requireNonNull(state, "state");
    lastEpoch = intOf(state, "lastEpoch");
    stepCount = intOf(state, "stepCount");
    double[] base = doublesOf(state, "baseLrs");
    if (base.length != optimizer.paramGroups().size()) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + ".loadStateDict: state has "
              + base.length
              + " base rates, the optimizer has "
              + optimizer.paramGroups().size()
              + " groups");
    }
    baseLrs = base;
    lastLr = doublesOf(state, "lastLr");
    stateFields(new StateFields(state, true));
  }

  /**
   * Lists the subclass's own state-dict fields, once for saving and once for loading, so that the
   * two directions cannot drift apart:
   *
   * <pre>{@code
   * protected void stateFields(StateFields f) {
   *   stepSize = f.intField("stepSize", stepSize);
   *   gamma = f.doubleField("gamma", gamma);
   * }
   * }</pre>
   */
  protected void stateFields(StateFields fields) {}

  /**
   * One direction of a scheduler's state dict: each method stores the field's current value and
   * returns it when saving, and returns the stored value when loading.
   */
  protected final class StateFields {
    private final Map<String, Object> map;
    private final boolean loading;

    private StateFields(Map<String, Object> map, boolean loading) {
      this.map = map;
      this.loading = loading;
    }

    /** Whether this pass loads a state dict (rather than saving one). */
    public boolean loading() {
      return loading;
    }

    public int intField(String key, int value) {
      if (loading) return intOf(map, key);
      map.put(key, value);
      return value;
    }

    public double doubleField(String key, double value) {
      if (loading) return doubleOf(map, key);
      map.put(key, value);
      return value;
    }

    public int[] intsField(String key, int[] value) {
      if (!loading) {
        map.put(key, value.clone());
        return value;
      }
      if (map.get(key) instanceof int[] a) return a.clone();
      throw new IllegalArgumentException(
          "scheduler state dict: missing or non-int-array '" + key + "': " + map.get(key));
    }

    /** The state dicts of the wrapped {@code schedulers}, saved as a list or loaded into them. */
    @SuppressWarnings("unchecked")
    public void children(String key, List<? extends LRScheduler> schedulers) {
      if (!loading) {
        List<Object> children = new ArrayList<>();
        for (LRScheduler c : schedulers) children.add(c.stateDict());
        map.put(key, children);
        return;
      }
      List<Object> children = (List<Object>) map.get(key);
      if (children == null || children.size() != schedulers.size()) {
        throw new IllegalArgumentException(
            LRScheduler.this.getClass().getSimpleName()
                + ".loadStateDict: expected state for "
                + schedulers.size()
                + " schedulers");
      }
      for (int i = 0; i < schedulers.size(); i++)
        schedulers.get(i).loadStateDict((Map<String, Object>) children.get(i));
    }
  }

  protected static int intOf(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v instanceof Number n) return n.intValue();
    throw new IllegalArgumentException(
        "scheduler state dict: missing or non-numeric '" + key + "': " + v);
  }

  protected static double doubleOf(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v instanceof Number n) return n.doubleValue();
    throw new IllegalArgumentException(
        "scheduler state dict: missing or non-numeric '" + key + "': " + v);
  }

  protected static double[] doublesOf(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v instanceof double[] a) return a.clone();
    throw new IllegalArgumentException(
        "scheduler state dict: missing or non-array '" + key + "': " + v);
  }

  /**
   * Per-group copies of one value, or the given per-group values (PyTorch's {@code _format_param}).
   */
  protected static double[] perGroup(Optimizer optimizer, String name, double[] values) {
    int n = optimizer.paramGroups().size();
    if (values.length == 1) {
      double[] out = new double[n];
      java.util.Arrays.fill(out, values[0]);
      return out;
    }
    if (values.length != n) {
      throw new IllegalArgumentException(
          "expected " + n + " values for " + name + ", got " + values.length);
    }
    return values.clone();
  }
}
