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
 * <p>Subclasses implement {@link #update(ParamGroup)}, which runs with gradient recording off and
 * changes the parameters in place, and {@link #validate(ParamGroup)}, which rejects bad
 * hyper-parameters with PyTorch's messages (for example {@code "Invalid learning rate: -1.0"}).
 * Parameters whose {@code grad()} is null are skipped, as in PyTorch.
 */
public abstract class Optimizer {

  /** Re-evaluates the model and returns the loss (it usually zeroes grads and calls backward). */
  @FunctionalInterface
  public interface Closure {
    Tensor call();
  }

  /** Options that schedulers add to groups; accepted in a group although not in the defaults. */
  static final Set<String> SCHEDULER_KEYS = Set.of("initialLr", "maxLr", "minLr", "maxMomentum", "baseMomentum");

  private final String name;
  private final Map<String, Object> defaults;
  private final List<ParamGroup> paramGroups = new ArrayList<>();
  private final Map<Tensor, Map<String, Object>> state = new IdentityHashMap<>();

  /**
   * @param name the optimizer's name, used in messages
   * @param groups the parameter groups (at least one, none empty, no tensor twice)
   * @param defaults every option the optimizer knows, with its default value
   */
  protected Optimizer(String name, List<ParamGroup> groups, Map<String, ?> defaults) {
    this.name = Objects.requireNonNull(name, "name");
    ParamGroup d = new ParamGroup(List.of(), defaults);
    validate(d);
    this.defaults = Collections.unmodifiableMap(new LinkedHashMap<>(d.options()));
    Objects.requireNonNull(groups, "groups");
    if (groups.isEmpty()) throw new IllegalArgumentException(name + ": optimizer got an empty parameter list");
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

  /** The default options (unmodifiable). */
  public final Map<String, Object> defaults() {
    return defaults;
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
   * Adds a group (for example to unfreeze layers while training). Options it does not set are
   * taken from the defaults.
   */
  public void addParamGroup(ParamGroup group) {
    Objects.requireNonNull(group, "group");
    if (group.params().isEmpty()) {
      throw new IllegalArgumentException(name + ": optimizer got an empty parameter list (group "
          + paramGroups.size() + ")");
    }
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ParamGroup g : paramGroups) seen.addAll(g.params());
    for (int i = 0; i < group.params().size(); i++) {
      Tensor p = group.params().get(i);
      if (!p.isLeaf()) {
        throw new IllegalArgumentException(name + ": can't optimize a non-leaf Tensor (parameter " + i + " of group "
            + paramGroups.size() + ")");
      }
      if (!p.dtype().isFloatingPoint()) {
        throw new IllegalArgumentException(name + ": can only optimize floating point tensors, parameter " + i
            + " of group " + paramGroups.size() + " is " + p.dtype());
      }
      if (!seen.add(p)) {
        throw new IllegalArgumentException(name + ": some parameters appear more than once in the parameter groups"
            + " (parameter " + i + " of group " + paramGroups.size() + ")");
      }
    }
    for (String key : group.options().keySet()) {
      if (!defaults.containsKey(key) && !SCHEDULER_KEYS.contains(key)) {
        throw new IllegalArgumentException(name + ": unknown option '" + key + "' in parameter group "
            + paramGroups.size() + "; known options: " + defaults.keySet());
      }
    }
    defaults.forEach(group::setDefault);
    validate(group);
    paramGroups.add(group);
  }

  /**
   * Rejects invalid hyper-parameters in {@code group} with an {@link IllegalArgumentException}
   * worded as PyTorch's {@code ValueError}.
   */
  protected abstract void validate(ParamGroup group);

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

  /** The live state of {@code p}, created empty on first use. */
  protected final Map<String, Object> state(Tensor p) {
    return state.computeIfAbsent(p, k -> new LinkedHashMap<>());
  }

  /** True when {@code p} has state (it has been stepped at least once, for most optimizers). */
  protected final boolean hasState(Tensor p) {
    Map<String, Object> s = state.get(p);
    return s != null && !s.isEmpty();
  }

  /** A read-only deep copy of the state of {@code p} (empty if none), for inspection and tests. */
  public final Map<String, Object> stateOf(Tensor p) {
    Map<String, Object> s = state.get(p);
    return s == null ? Map.of() : Collections.unmodifiableMap(OptimizerStateDict.deepCopyMap(s));
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
        Map<String, Object> s = state.get(p);
        if (s != null && !s.isEmpty()) packedState.put(index, s);
        ids.add(index++);
      }
      packed.put("params", ids);
      groups.add(packed);
    }
    return new OptimizerStateDict(packedState, groups);
  }

  /**
   * Replaces the state and the group options with a deep copy of {@code dict}. Floating-point
   * state tensors are converted to their parameter's dtype and device.
   */
  public void loadStateDict(OptimizerStateDict dict) {
    Objects.requireNonNull(dict, "dict");
    List<Map<String, Object>> saved = dict.paramGroups();
    if (saved.size() != paramGroups.size()) {
      throw new IllegalArgumentException(name + ".loadStateDict: loaded state dict has " + saved.size()
          + " parameter groups, the optimizer has " + paramGroups.size());
    }
    List<Tensor> byIndex = new ArrayList<>();
    for (int i = 0; i < saved.size(); i++) {
      Object ids = saved.get(i).get("params");
      int n = ids instanceof List<?> l ? l.size() : -1;
      if (n != paramGroups.get(i).params().size()) {
        throw new IllegalArgumentException(name + ".loadStateDict: loaded state dict contains a parameter group (" + i
            + ") of " + n + " parameters that doesn't match the size of the optimizer's group ("
            + paramGroups.get(i).params().size() + ")");
      }
      for (int j = 0; j < n; j++) {
        Object id = ((List<?>) ids).get(j);
        if (!(id instanceof Number num) || num.intValue() != byIndex.size()) {
          throw new IllegalArgumentException(name + ".loadStateDict: parameter ids must be 0, 1, 2, … in group order,"
              + " got " + id + " at position " + byIndex.size());
        }
        byIndex.add(paramGroups.get(i).params().get(j));
      }
    }
    Map<Tensor, Map<String, Object>> newState = new IdentityHashMap<>();
    for (Map.Entry<Integer, Map<String, Object>> e : dict.state().entrySet()) {
      int id = e.getKey();
      if (id < 0 || id >= byIndex.size()) {
        throw new IllegalArgumentException(name + ".loadStateDict: state for parameter " + id
            + " but the optimizer has " + byIndex.size() + " parameters");
      }
      Tensor p = byIndex.get(id);
      Map<String, Object> s = new LinkedHashMap<>();
      e.getValue().forEach((k, v) -> s.put(k, cast(p, k, OptimizerStateDict.deepCopy(v))));
      newState.put(p, s);
    }
    // Validate every group before changing anything, so a bad dict leaves the optimizer intact.
    List<ParamGroup> loaded = new ArrayList<>();
    for (int i = 0; i < saved.size(); i++) {
      Map<String, Object> opts = new LinkedHashMap<>(saved.get(i));
      opts.remove("params");
      ParamGroup g = new ParamGroup(paramGroups.get(i).params(), opts);
      defaults.forEach(g::setDefault);
      validate(g);
      loaded.add(g);
    }
    for (int i = 0; i < loaded.size(); i++) paramGroups.set(i, loaded.get(i));
    state.clear();
    state.putAll(newState);
  }

  private static Object cast(Tensor p, String key, Object v) {
    if (v instanceof Tensor t) {
      if (!"step".equals(key) && t.dtype().isFloatingPoint() && t.dtype() != p.dtype()) t = t.to(p.dtype());
      return t.device().equals(p.device()) ? t : t.to(p.device());
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) out.add(cast(p, null, o));
      return out;
    }
    return v;
  }

  // ---------------------------------------------------------------- helpers for subclasses

  /** Throws {@code IllegalArgumentException(message)} unless {@code ok}. */
  protected static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
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
    return (v < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
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

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name).append(" (");
    for (int i = 0; i < paramGroups.size(); i++) {
      sb.append("\nParameter Group ").append(i);
      paramGroups.get(i).options().forEach((k, v) -> sb.append("\n    ").append(k).append(": ")
          .append(v instanceof double[] a ? java.util.Arrays.toString(a) : v));
    }
    return sb.append("\n)").toString();
  }
}
