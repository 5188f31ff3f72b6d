package org.jgrad.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jgrad.tensor.Tensor;

/**
 * A set of parameters that share hyper-parameters (PyTorch's {@code param_groups} entry). Once the
 * group belongs to an optimizer it holds that optimizer's typed, validated {@link OptimizerConfig}
 * ({@link #config(Class)}); schedulers change the rate through {@link #setLr(double)}.
 *
 * <pre>{@code
 * var opt = new SGD(List.of(
 *     ParamGroup.of(backbone.parameters()),                    // uses the default lr 0.01
 *     ParamGroup.of(head.parameters()).set("lr", 0.1)),        // its own lr
 *   SGD.options(0.01).momentum(0.9));
 * opt.paramGroups().get(1).setLr(0.05);
 * SGD.Config c = opt.paramGroups().get(0).config(SGD.Config.class);
 * }</pre>
 *
 * <p>Before it is added, a group carries only the options it overrides, keyed by the camelCase form
 * of PyTorch's names ({@code "lr"}, {@code "momentum"}, {@code "betas"} as {@code double[2]}, …);
 * the optimizer fills the rest from its defaults and validates the result. The map view {@link
 * #options()} and the name-based getters read the same typed config.
 *
 * <p>Schedulers also keep their per-group numbers here ({@code "initialLr"}, {@code "maxLr"},
 * {@code "minLr"}, {@code "maxMomentum"}, {@code "baseMomentum"}), as PyTorch does.
 */
public final class ParamGroup {
  /** Option names schedulers add to groups, beside the optimizer's own. */
  static final Set<String> SCHEDULER_KEYS =
      Set.of("initialLr", "maxLr", "minLr", "maxMomentum", "baseMomentum");

  private final List<Tensor> params;

  /** The overrides of a group not yet added to an optimizer. */
  private final Map<String, Object> overrides = new LinkedHashMap<>();

  private final Map<String, Double> schedulerValues = new LinkedHashMap<>();
  private OptimizerConfig config;

  /** A group over {@code params} with no overridden options. */
  public ParamGroup(Iterable<? extends Tensor> params) {
    Objects.requireNonNull(params, "params");
    List<Tensor> list = new ArrayList<>();
    for (Tensor p : params) {
      if (p == null) throw new IllegalArgumentException("ParamGroup: parameter list contains null");
      list.add(p);
    }
    this.params = Collections.unmodifiableList(list);
  }

  /** A group over {@code params} with the given option overrides. */
  public ParamGroup(Iterable<? extends Tensor> params, Map<String, ?> options) {
    this(params);
    options.forEach(this::set);
  }

  /**
   * A group over {@code params} with a complete typed config (the optimizer's defaults are not
   * used).
   */
  public ParamGroup(Iterable<? extends Tensor> params, OptimizerConfig config) {
    this(params);
    this.config = Objects.requireNonNull(config, "config");
  }

  /** Shorthand for {@code new ParamGroup(params)}. */
  public static ParamGroup of(Iterable<? extends Tensor> params) {
    return new ParamGroup(params);
  }

  /** Shorthand for a group of explicitly listed tensors. */
  public static ParamGroup of(Tensor... params) {
    return new ParamGroup(List.of(params));
  }

  /** The parameters, in order (unmodifiable). */
  public List<Tensor> params() {
    return params;
  }

  /** The typed config; null before the group is added to an optimizer (unless given). */
  public OptimizerConfig config() {
    return config;
  }

  /** The typed config as {@code type} (for example {@code Adam.Config.class}). */
  public <C extends OptimizerConfig> C config(Class<C> type) {
    if (!type.isInstance(config)) {
      throw new IllegalStateException(
          "ParamGroup: config is "
              + (config == null
                  ? "not set (group not added to an" + " optimizer)"
                  : config.getClass().getName())
              + ", not "
              + type.getName());
    }
    return type.cast(config);
  }

  /** Replaces the config of a group that belongs to an optimizer (by one of the same type). */
  public ParamGroup setConfig(OptimizerConfig newConfig) {
    Objects.requireNonNull(newConfig, "config");
    if (config != null && config.getClass() != newConfig.getClass()) {
      throw new IllegalArgumentException(
          "ParamGroup: expected a "
              + config.getClass().getName()
              + ", got a "
              + newConfig.getClass().getName());
    }
    config = newConfig;
    return this;
  }

  /** The learning rate. */
  public double lr() {
    if (config == null) return getDouble("lr");
    return config.lr();
  }

  /**
   * Sets the learning rate (a copy of the config with the new rate; see {@link
   * OptimizerConfig#withLr}).
   */
  public ParamGroup setLr(double lr) {
    if (config == null) return set("lr", lr);
    config = config.withLr(lr);
    return this;
  }

  /** A scheduler's per-group number ({@code "initialLr"}, …), or null when not set. */
  public Double schedulerValue(String key) {
    return schedulerValues.get(key);
  }

  /**
   * Every option as a map (a snapshot): the config's entries, or the overrides of a group not yet
   * added, then the scheduler's numbers. Arrays inside are copies.
   */
  public Map<String, Object> options() {
    Map<String, Object> out =
        config == null ? new LinkedHashMap<>(overrides) : RecordCodec.toMap((Record) config);
    out.replaceAll((k, v) -> v instanceof double[] a ? a.clone() : v);
    out.putAll(schedulerValues);
    return Collections.unmodifiableMap(out);
  }

  public boolean has(String key) {
    return options().containsKey(key);
  }

  /**
   * Sets one option by its PyTorch-style name; returns this group for chaining. On a group that
   * belongs to an optimizer this replaces the typed config by a validated copy.
   */
  public ParamGroup set(String key, Object value) {
    Objects.requireNonNull(key, "key");
    if (SCHEDULER_KEYS.contains(key)) {
      if (!(value instanceof Number n)) {
        throw new IllegalArgumentException(
            "ParamGroup: option '" + key + "' must be a number, got " + value);
      }
      schedulerValues.put(key, n.doubleValue());
    } else if (config == null) {
      overrides.put(key, normalize(key, value));
    } else {
      config =
          (OptimizerConfig)
              RecordCodec.with((Record) config, key, normalize(key, value), "ParamGroup");
    }
    return this;
  }

  /** Sets an option only when the group does not carry it yet (Python's {@code setdefault}). */
  public ParamGroup setDefault(String key, Object value) {
    if (!has(key)) set(key, value);
    return this;
  }

  /**
   * Binds the group to an optimizer: its overrides on top of {@code defaults} become the typed
   * config (validated by the record's constructor).
   */
  void bind(OptimizerConfig defaults, String what) {
    if (config != null) {
      if (config.getClass() != defaults.getClass()) {
        throw new IllegalArgumentException(
            what
                + ": the group's config is a "
                + config.getClass().getName()
                + ", the optimizer takes "
                + defaults.getClass().getName());
      }
      return;
    }
    Map<String, Object> merged = RecordCodec.toMap((Record) defaults);
    Set<String> known = RecordCodec.keys(((Record) defaults).getClass());
    for (String key : overrides.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException(
            what + ": unknown option '" + key + "'; known options: " + known);
      }
    }
    merged.putAll(overrides);
    @SuppressWarnings("unchecked")
    Class<? extends Record> type = ((Record) defaults).getClass();
    config = (OptimizerConfig) RecordCodec.fromMap(type, merged, what);
    overrides.clear();
  }

  public Object get(String key) {
    Object v = options().get(key);
    return v instanceof double[] a ? a.clone() : v;
  }

  private Object require(String key) {
    Map<String, Object> o = options();
    Object v = o.get(key);
    if (v == null && !o.containsKey(key)) {
      throw new IllegalArgumentException(
          "ParamGroup: no option '" + key + "' (options: " + o.keySet() + ")");
    }
    return v;
  }

  public double getDouble(String key) {
    Object v = require(key);
    if (v instanceof Number n) return n.doubleValue();
    throw new IllegalArgumentException("ParamGroup: option '" + key + "' is not a number: " + v);
  }

  public int getInt(String key) {
    Object v = require(key);
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.intValue();
    throw new IllegalArgumentException("ParamGroup: option '" + key + "' is not an integer: " + v);
  }

  public boolean getBoolean(String key) {
    Object v = require(key);
    if (v instanceof Boolean b) return b;
    throw new IllegalArgumentException("ParamGroup: option '" + key + "' is not a boolean: " + v);
  }

  /**
   * A string option, or null when the option is set to null (e.g. LBFGS's {@code lineSearchFn}).
   */
  public String getString(String key) {
    Object v = require(key);
    if (v == null || v instanceof String) return (String) v;
    throw new IllegalArgumentException("ParamGroup: option '" + key + "' is not a string: " + v);
  }

  public double[] getDoubles(String key) {
    Object v = require(key);
    if (v instanceof double[] a) return a.clone();
    throw new IllegalArgumentException("ParamGroup: option '" + key + "' is not a double[]: " + v);
  }

  private static Object normalize(String key, Object value) {
    if (value == null || value instanceof Boolean || value instanceof String) return value;
    if (value instanceof double[] a) return a.clone();
    if (value instanceof float[] a) {
      double[] d = new double[a.length];
      for (int i = 0; i < a.length; i++) d[i] = a[i];
      return d;
    }
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).intValue();
    }
    if (value instanceof Number n) return n.doubleValue();
    throw new IllegalArgumentException(
        "ParamGroup: option '"
            + key
            + "' has unsupported type "
            + value.getClass().getSimpleName()
            + " (use Double, Integer, Boolean, String or double[])");
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ParamGroup(").append(params.size()).append(" params");
    options()
        .forEach(
            (k, v) ->
                sb.append(", ")
                    .append(k)
                    .append('=')
                    .append(v instanceof double[] a ? java.util.Arrays.toString(a) : v));
    return sb.append(')').toString();
  }
}
