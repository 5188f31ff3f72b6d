package org.jgrad.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Tensor;

/**
 * Base class of the optimizers: parameter groups with per-group hyper-parameters, per-parameter
 * state, {@link #zeroGrad()}, {@link #step()} and state dicts, as {@code torch.optim.Optimizer}.
 *
 * <p>A hand-written training loop:
 *
 * <pre>{@code
 * Optimizer opt = new Adam(model.parameters(), Adam.options().lr(1e-3));
 * for (Batch b : loader) {
 *   opt.zeroGrad();
 *   Tensor loss = lossFn.apply(model.forward(b.inputs()), b.targets());
 *   loss.backward();
 *   opt.step();
 * }
 * }</pre>
 *
 * <p>This class holds what every optimizer shares: the groups, each with a typed {@link
 * OptimizerConfig} record (validated in its constructor with PyTorch's messages, for example {@code
 * "Invalid momentum value: -0.5"}; the rate is checked here when a group joins: {@code "Invalid
 * learning rate: -1.0"}), one typed state record per parameter, {@link #zeroGrad()}, the step and
 * the PyTorch-shaped state dict, which is written and read here only, by mapping the records. An
 * optimizer whose rule is applied parameter by parameter extends {@link PerParameterOptimizer} and
 * is its config, its state and its update rule; parameters whose {@code grad()} is null are
 * skipped, as in PyTorch.
 */
public abstract class Optimizer {

  /** Re-evaluates the model and returns the loss (it usually zeroes grads and calls backward). */
  @FunctionalInterface
  public interface Closure {
    Tensor call();
  }

  private final String name;
  private final OptimizerConfig defaults;
  private final Class<? extends Record> stateType;
  private final List<ParamGroup> paramGroups = new ArrayList<>();
  private final Map<Tensor, Record> state = new IdentityHashMap<>();

  /**
   * @param name the optimizer's name, used in messages
   * @param groups the parameter groups (at least one, none empty, no tensor twice)
   * @param defaults the config of groups that override nothing (a record)
   * @param stateType the record class of the per-parameter state
   */
  protected Optimizer(
      String name,
      List<ParamGroup> groups,
      OptimizerConfig defaults,
      Class<? extends Record> stateType) {
    this.name = Objects.requireNonNull(name, "name");
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    if (!(defaults instanceof Record))
      throw new IllegalArgumentException(name + ": the config must be a record");
    this.stateType = Objects.requireNonNull(stateType, "stateType");
    checkLr(defaults.lr());
    Objects.requireNonNull(groups, "groups");
    if (groups.isEmpty())
      throw new IllegalArgumentException(name + ": optimizer got an empty parameter list");
    for (ParamGroup g : groups) addParamGroup(g);
  }

  /** One group holding {@code params}, for the common single-group constructors. */
  protected static List<ParamGroup> single(Iterable<? extends Tensor> params) {
    return List.of(new ParamGroup(params));
  }

  /** The optimizer's name ("SGD", "Adam", …). */
  public final String name() {
    return name;
  }

  /** The config of groups that override nothing. */
  public final OptimizerConfig defaultConfig() {
    return defaults;
  }

  /** The default options as a PyTorch-style map (unmodifiable). */
  public final Map<String, Object> defaults() {
    return Collections.unmodifiableMap(RecordCodec.toMap((Record) defaults));
  }

  /** The parameter groups (unmodifiable list of live groups: change options through them). */
  public final List<ParamGroup> paramGroups() {
    return Collections.unmodifiableList(paramGroups);
  }

  /** All parameters of all groups, in order. */
  public final List<Tensor> params() {
    List<Tensor> out = new ArrayList<>();
    for (ParamGroup g : paramGroups) out.addAll(g.params());
    return out;
  }

  /**
   * Adds a group (for example to unfreeze layers while training). Options it does not set are taken
   * from the defaults.
   */
  public void addParamGroup(ParamGroup group) {
    Objects.requireNonNull(group, "group");
    if (group.params().isEmpty()) {
      throw new IllegalArgumentException(
          name + ": optimizer got an empty parameter list (group " + paramGroups.size() + ")");
    }
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ParamGroup g : paramGroups) seen.addAll(g.params());
    for (int i = 0; i < group.params().size(); i++) {
      Tensor p = group.params().get(i);
      if (!p.isLeaf()) {
        throw new IllegalArgumentException(
            name
                + ": can't optimize a non-leaf Tensor (parameter "
                + i
                + " of group "
                + paramGroups.size()
                + ")");
      }
      if (!p.dtype().isFloatingPoint()) {
        throw new IllegalArgumentException(
            name
                + ": can only optimize floating point tensors, parameter "
                + i
                + " of group "
                + paramGroups.size()
                + " is "
                + p.dtype());
      }
      if (!seen.add(p)) {
        throw new IllegalArgumentException(
            name
                + ": some parameters appear more than once in the parameter groups"
                + " (parameter "
                + i
                + " of group "
                + paramGroups.size()
                + ")");
      }
    }
    group.bind(defaults, name + " (parameter group " + paramGroups.size() + ")");
    checkLr(group.lr());
    paramGroups.add(group);
  }

  /**
   * The learning rate is checked when a group joins the optimizer, not in the config records:
   * schedulers may drive it a rounding error below zero (as in PyTorch, which checks it only in the
   * constructor), so {@link OptimizerConfig#withLr} must accept any value.
   */
  private static void checkLr(double lr) {
    check(lr >= 0, "Invalid learning rate: " + num(lr));
  }

  /** Updates the parameters of one group from their gradients; runs with grad recording off. */
  protected abstract void update(ParamGroup group);

  /** Sets every parameter's gradient to null (PyTorch's {@code zero_grad(set_to_none=True)}). */
  public void zeroGrad() {
    zeroGrad(true);
  }

  /** Clears gradients: to null when {@code setToNone}, otherwise fills them with zeros in place. */
  public void zeroGrad(boolean setToNone) {
    for (ParamGroup g : paramGroups) {
      for (Tensor p : g.params()) {
        if (setToNone) {
          p.zeroGrad();
        } else if (p.grad() != null) {
          try (var ng = GradMode.noGrad()) {
            p.grad().zero();
          }
        }
      }
    }
  }

  /** One update from the gradients already in {@code grad()}; returns null. */
  public Tensor step() {
    return step(null);
  }

  /**
   * Calls {@code closure} (with grad recording on) when it is not null, then updates the
   * parameters; returns the closure's loss.
   */
  public Tensor step(Closure closure) {
    Tensor loss = null;
    if (closure != null) {
      try (var on = GradMode.enableGrad()) {
        loss = closure.call();
      }
    }
    try (var off = GradMode.noGrad()) {
      for (ParamGroup g : paramGroups) update(g);
    }
    return loss;
  }

  /** The state of {@code p}, or null before its first step. */
  protected final <S extends Record> S state(Tensor p, Class<S> type) {
    return type.cast(state.get(p));
  }

  /** Replaces the state of {@code p} (null removes it). */
  protected final void setState(Tensor p, Record s) {
    if (s == null) {
      state.remove(p);
    } else {
      if (!stateType.isInstance(s)) {
        throw new IllegalArgumentException(
            name + ": state must be a " + stateType.getName() + ", got " + s);
      }
      state.put(p, s);
    }
  }

  /** True when {@code p} has state (it has been stepped at least once, for most optimizers). */
  protected final boolean hasState(Tensor p) {
    return state.get(p) != null;
  }

  /** The typed state of {@code p}, or null; its tensors are live (the optimizer changes them). */
  public final Record typedStateOf(Tensor p) {
    return state.get(p);
  }

  /**
   * A read-only deep copy of the state of {@code p} as a map (empty if none), for inspection and
   * tests.
   */
  public final Map<String, Object> stateOf(Tensor p) {
    Record s = state.get(p);
    return s == null
        ? Map.of()
        : Collections.unmodifiableMap(OptimizerStateDict.deepCopyMap(RecordCodec.toMap(s)));
  }

  // ---------------------------------------------------------------- state dicts

  /** A deep-copied snapshot of the state and the group options (see {@link OptimizerStateDict}). */
  public OptimizerStateDict stateDict() {
    Map<Integer, Map<String, Object>> packedState = new LinkedHashMap<>();
    List<Map<String, Object>> groups = new ArrayList<>();
    int index = 0;
    for (ParamGroup g : paramGroups) {
      Map<String, Object> packed = new LinkedHashMap<>(g.options());
      List<Integer> ids = new ArrayList<>();
      for (Tensor p : g.params()) {
        Record s = state.get(p);
        if (s != null) packedState.put(index, RecordCodec.toMap(s));
        ids.add(index++);
      }
      packed.put("params", ids);
      groups.add(packed);
    }
    return new OptimizerStateDict(packedState, groups);
  }

  /**
   * Replaces the state and the group options with a deep copy of {@code dict} (a PyTorch-shaped
   * dict with this optimizer's camelCase keys). Floating-point state tensors are converted to their
   * parameter's dtype and device. Nothing changes when the dict does not fit.
   */
  public void loadStateDict(OptimizerStateDict dict) {
    Objects.requireNonNull(dict, "dict");
    List<Map<String, Object>> saved = dict.paramGroups();
    if (saved.size() != paramGroups.size()) {
      throw new IllegalArgumentException(
          name
              + ".loadStateDict: loaded state dict has "
              + saved.size()
              + " parameter groups, the optimizer has "
              + paramGroups.size());
    }
    List<Tensor> byIndex = new ArrayList<>();
    for (int i = 0; i < saved.size(); i++) {
      Object ids = saved.get(i).get("params");
      int n = ids instanceof List<?> l ? l.size() : -1;
      if (n != paramGroups.get(i).params().size()) {
        throw new IllegalArgumentException(
            name
                + ".loadStateDict: loaded state dict contains a parameter group ("
                + i
                + ") of "
                + n
                + " parameters that doesn't match the size of the optimizer's group ("
                + paramGroups.get(i).params().size()
                + ")");
      }
      for (int j = 0; j < n; j++) {
        Object id = ((List<?>) ids).get(j);
        if (!(id instanceof Number num) || num.intValue() != byIndex.size()) {
          throw new IllegalArgumentException(
              name
                  + ".loadStateDict: parameter ids must be 0, 1, 2, … in group order,"
                  + " got "
                  + id
                  + " at position "
                  + byIndex.size());
        }
        byIndex.add(paramGroups.get(i).params().get(j));
      }
    }
    Map<Tensor, Record> newState = new IdentityHashMap<>();
    for (Map.Entry<Integer, Map<String, Object>> e : dict.state().entrySet()) {
      int id = e.getKey();
      if (id < 0 || id >= byIndex.size()) {
        throw new IllegalArgumentException(
            name
                + ".loadStateDict: state for parameter "
                + id
                + " but the optimizer has "
                + byIndex.size()
                + " parameters");
      }
      Tensor p = byIndex.get(id);
      Map<String, Object> s = new LinkedHashMap<>();
      e.getValue().forEach((k, v) -> s.put(k, cast(p, OptimizerStateDict.deepCopy(v))));
      newState.put(
          p, RecordCodec.fromMap(stateType, s, name + ".loadStateDict: state of parameter " + id));
    }
    // Build every group before changing anything, so a bad dict leaves the optimizer intact.
    List<ParamGroup> loaded = new ArrayList<>();
    for (int i = 0; i < saved.size(); i++) {
      Map<String, Object> opts = new LinkedHashMap<>(saved.get(i));
      opts.remove("params");
      ParamGroup g = new ParamGroup(paramGroups.get(i).params(), opts);
      g.bind(defaults, name + ".loadStateDict (parameter group " + i + ")");
      loaded.add(g);
    }
    for (int i = 0; i < loaded.size(); i++) paramGroups.set(i, loaded.get(i));
    state.clear();
    state.putAll(newState);
  }

  private static Object cast(Tensor p, Object v) {
    if (v instanceof Tensor t) {
      if (t.dtype().isFloatingPoint() && t.dtype() != p.dtype()) t = t.to(p.dtype());
      return t.device().equals(p.device()) ? t : t.to(p.device());
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) out.add(cast(p, o));
      return out;
    }
    return v;
  }

  // ---------------------------------------------------------------- helpers for subclasses

  /** Throws {@code IllegalArgumentException(message)} unless {@code ok}. */
  protected static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }

  /** Rejects a negative {@code eps} with PyTorch's message. */
  protected static void checkEps(double eps) {
    check(eps >= 0, "Invalid epsilon value: " + num(eps));
  }

  /** Rejects a negative weight decay with PyTorch's message. */
  protected static void checkWeightDecay(double weightDecay) {
    check(weightDecay >= 0, "Invalid weight_decay value: " + num(weightDecay));
  }

  /** Rejects a negative momentum with PyTorch's message. */
  protected static void checkMomentum(double momentum) {
    check(momentum >= 0, "Invalid momentum value: " + num(momentum));
  }

  /** Rejects betas outside [0, 1) with PyTorch's message. */
  protected static void checkBetas(double beta1, double beta2) {
    check(beta1 >= 0 && beta1 < 1, "Invalid beta parameter at index 0: " + num(beta1));
    check(beta2 >= 0 && beta2 < 1, "Invalid beta parameter at index 1: " + num(beta2));
  }

  /** Python's {@code repr(float)}, so messages read as PyTorch's: {@code -1.0}, {@code 1e-08}. */
  protected static String num(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) return 1 / v < 0 ? "-0.0" : "0.0";
    java.math.BigDecimal bd = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
    double a = Math.abs(v);
    if (a >= 1e-4 && a < 1e16) {
      String p = bd.toPlainString();
      return p.contains(".") ? p : p + ".0";
    }
    String digits = bd.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - bd.scale();
    String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
    return (v < 0 ? "-" : "")
        + mantissa
        + "e"
        + (exp < 0 ? "-" : "+")
        + String.format("%02d", Math.abs(exp));
  }

  /** Zeros shaped, typed and placed like {@code p}. */
  protected static Tensor zerosLike(Tensor p) {
    return Tensor.zerosLike(p);
  }

  /** The gradient of {@code p}, negated when the group maximizes. */
  protected static Tensor gradOf(Tensor p, boolean maximize) {
    Tensor g = p.grad().detach();
    return maximize ? g.neg() : g;
  }

  /** {@link #gradOf}, plus {@code weightDecay·p} (L2 weight decay) when the decay is not zero. */
  protected static Tensor gradOf(Tensor p, boolean maximize, double weightDecay) {
    Tensor g = gradOf(p, maximize);
    return weightDecay != 0 ? g.add(p.detach().mul(weightDecay)) : g;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name).append(" (");
    for (int i = 0; i < paramGroups.size(); i++) {
      sb.append("\nParameter Group ").append(i);
      paramGroups
          .get(i)
          .options()
          .forEach(
              (k, v) ->
                  sb.append("\n    ")
                      .append(k)
                      .append(": ")
                      .append(v instanceof double[] a ? java.util.Arrays.toString(a) : v));
    }
    return sb.append("\n)").toString();
  }
}
