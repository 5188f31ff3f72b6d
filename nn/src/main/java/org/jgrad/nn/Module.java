package org.jgrad.nn;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.nn.io.SafeTensors;
import org.jgrad.tensor.Tensor;

/**
 * Base class of every layer and model: a tree of modules, each owning named parameters and buffers
 * in a deterministic order. Java has no {@code __setattr__}: register explicitly, or let the fields
 * be registered automatically (see below).
 *
 * <p>Write a model as a small subclass: register parameters with {@link #param}, buffers with
 * {@link #buffer(String, Tensor)} and sub-modules with {@link #child(String, Module)} in the
 * constructor, and implement {@link #forward(Tensor)}. Call sub-modules through {@link
 * #call(Tensor)} so that forward hooks (used by {@link #summary}) see them.
 *
 * <pre>{@code
 * class Mlp extends Module {
 *   private final Linear fc1, fc2;
 *
 *   Mlp(int in, int hidden, int out) {
 *     fc1 = child("fc1", new Linear(in, hidden));
 *     fc2 = child("fc2", new Linear(hidden, out));
 *   }
 *
 *   @Override
 *   public Tensor forward(Tensor x) {
 *     return fc2.call(F.relu(fc1.call(x)));
 *   }
 * }
 *
 * Mlp model = new Mlp(4, 16, 3);
 * Tensor logits = model.call(Tensor.randn(8, 4));
 * model.namedParameters().keySet();   // [fc1.weight, fc1.bias, fc2.weight, fc2.bias]
 * model.save(Path.of("mlp.safetensors"));
 * }</pre>
 *
 * <p>Layers read their parameters back through {@link #parameter(String)} rather than keeping them
 * in fields, so {@link #to(DType)} and {@link #registerParameter} can replace them.
 *
 * <p>Fields are registered automatically too, as PyTorch's {@code __setattr__} does: a non-static,
 * non-transient field holding a {@link Module} or a {@link Parameter} that was not registered
 * explicitly is registered under the field's name when the tree is first traversed ({@link
 * #parameters()}, {@link #namedModules()}, {@link #stateDict()}, …), superclass fields first, then
 * in declaration order, after the explicitly registered entries. So forgetting {@code child(...)}
 * does not silently leave a sub-module's parameters out of the optimizer or the state dict. Mark a
 * field {@code transient} to keep it out (for example a reference to a module owned elsewhere);
 * plain tensors are never registered as buffers automatically. A field keeps the object it was
 * given: after {@link #to(DType)} or {@link #to(Device)} replace the registered parameters, read
 * them through {@link #parameter(String)} (or the sub-module).
 *
 * <p>Import this class by name ({@code import org.jgrad.nn.Module;}): with only {@code import
 * org.jgrad.nn.*;} the name clashes with {@code java.lang.Module}.
 */
public abstract class Module {
  private final Map<String, Parameter> params = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();

  /**
   * Parameters and modules replaced by re-registration or conversion: stale field values, never
   * re-registered.
   */
  private final Set<Object> retired = Collections.newSetFromMap(new IdentityHashMap<>());

  /** Names registered from fields, which a later value of the same field may replace. */
  private final Set<String> fromFields = new java.util.HashSet<>();

  private boolean scanningFields;
  private final List<BiConsumer<Module, Tensor>> forwardHooks = new CopyOnWriteArrayList<>();
  private boolean training = true;

  /** Computes the module's output. Prefer {@link #call(Tensor)}, which also runs forward hooks. */
  public abstract Tensor forward(Tensor input);

  /** Runs {@link #forward(Tensor)}, then the forward hooks (PyTorch's {@code module(x)}). */
  public final Tensor call(Tensor input) {
    Tensor out = forward(input);
    return runHooks(out);
  }

  /**
   * Passes {@code output} to the forward hooks and returns it; for forwards with other signatures.
   */
  protected final Tensor runHooks(Tensor output) {
    for (BiConsumer<Module, Tensor> h : forwardHooks) h.accept(this, output);
    return output;
  }

  /**
   * Registers a hook that receives this module and its output after each {@link #call}. Closing the
   * returned handle removes it.
   */
  public final HookHandle registerForwardHook(BiConsumer<Module, Tensor> hook) {
    forwardHooks.add(hook);
    return () -> forwardHooks.remove(hook);
  }

  /** Removes a hook registered with {@link #registerForwardHook}. */
  @FunctionalInterface
  public interface HookHandle extends AutoCloseable {
    @Override
    void close();
  }

  // ---------------------------------------------------------------- registration

  private void checkName(String kind, String name) {
    if (name == null || name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException(
          kind + " name must be non-empty and contain no '.', got \"" + name + "\"");
    }
    boolean taken =
        (params.containsKey(name) && !kind.equals("parameter"))
            || (buffers.containsKey(name) && !kind.equals("buffer"))
            || (children.containsKey(name) && !kind.equals("module"));
    if (taken)
      throw new IllegalArgumentException(
          kind + " name \"" + name + "\" is already used in " + typeName());
  }

  /** Registers (or replaces) a parameter made from {@code init}; returns it. */
  protected final Parameter param(String name, Tensor init) {
    Parameter p = init instanceof Parameter pp ? pp : new Parameter(init.detach());
    registerParameter(name, p);
    return p;
  }

  /**
   * Registers or replaces parameter {@code name} (shared parameters, e.g. tied weights, are
   * allowed).
   */
  public final void registerParameter(String name, Parameter p) {
    checkName("parameter", name);
    if (p == null)
      throw new IllegalArgumentException("registerParameter: parameter \"" + name + "\" is null");
    Parameter old = params.put(name, p);
    if (old != null && old != p) retire(old);
  }

  /** Registers (or replaces) a buffer: state saved in the state dict but not trained. */
  protected final Tensor buffer(String name, Tensor value) {
    checkName("buffer", name);
    if (value == null)
      throw new IllegalArgumentException("buffer: buffer \"" + name + "\" is null");
    Tensor b = value.detach();
    buffers.put(name, b);
    return b;
  }

  /** Registers (or replaces) a sub-module; returns it. */
  protected final <M extends Module> M child(String name, M module) {
    checkName("module", name);
    if (module == null)
      throw new IllegalArgumentException("child: module \"" + name + "\" is null");
    if (module == this) throw new IllegalArgumentException("child: a module cannot contain itself");
    Module old = children.put(name, module);
    if (old != null && old != module) retire(old);
    return module;
  }

  // ---------------------------------------------------------------- automatic registration of
  // fields

  /** Per class: the fields that may hold a sub-module or parameter, superclass fields first. */
  private static final ClassValue<List<Field>> CANDIDATE_FIELDS =
      new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
          List<Class<?>> chain = new ArrayList<>();
          for (Class<?> c = type; c != null && c != Module.class; c = c.getSuperclass())
            chain.add(0, c);
          List<Field> out = new ArrayList<>();
          for (Class<?> c : chain) {
            for (Field f : c.getDeclaredFields()) {
              int mod = f.getModifiers();
              if (Modifier.isStatic(mod)
                  || Modifier.isTransient(mod)
                  || f.isSynthetic()
                  || f.getType().isPrimitive()) continue;
              Class<?> t = f.getType();
              // A field typed Module/Parameter, or a supertype that may hold one (Tensor, Object).
              boolean may =
                  Module.class.isAssignableFrom(t)
                      || t.isAssignableFrom(Module.class)
                      || Parameter.class.isAssignableFrom(t)
                      || t.isAssignableFrom(Parameter.class);
              if (!may) continue;
              try {
                f.setAccessible(true);
              } catch (RuntimeException e) {
                // Reported with advice when the field is read (registerFields).
              }
              out.add(f);
            }
          }
          return List.copyOf(out);
        }
      };

  /**
   * Registers the module and parameter fields that were not registered explicitly, under their
   * field names (see the class comment). Runs at each traversal, so fields assigned after the
   * constructor are seen too; it is idempotent.
   */
  private void registerFields() {
    if (scanningFields) return;
    scanningFields = true;
    try {
      for (Field f : CANDIDATE_FIELDS.get(getClass())) {
        Object value;
        try {
          value = f.get(this);
        } catch (ReflectiveOperationException | RuntimeException e) {
          throw new IllegalStateException(
              typeName()
                  + ": cannot read field '"
                  + f.getName()
                  + "' to register it"
                  + " automatically ("
                  + e.getMessage()
                  + "); register it explicitly with child(\""
                  + f.getName()
                  + "\", ...) or param(\""
                  + f.getName()
                  + "\", ...) in the constructor, open the package to org.jgrad.nn,"
                  + " or declare the field transient",
              e);
        }
        if (value == this || value == null || retired.contains(value)) continue;
        if (value instanceof Module m) {
          if (children.containsValue(m)) continue;
          registerField(f.getName(), "module", children, m);
        } else if (value instanceof Parameter p) {
          if (params.containsValue(p)) continue;
          registerField(f.getName(), "parameter", params, p);
        }
      }
    } finally {
      scanningFields = false;
    }
  }

  /**
   * Remembers a replaced parameter or module that a field of this module still holds, so that the
   * stale field is not registered again. Objects no field holds are not kept (no memory is pinned).
   */
  private void retire(Object old) {
    for (Field f : CANDIDATE_FIELDS.get(getClass())) {
      try {
        if (f.get(this) == old) {
          retired.add(old);
          return;
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        return;
      }
    }
  }

  private <V> void registerField(String name, String kind, Map<String, V> into, V value) {
    V old = into.get(name);
    if (old != null && !fromFields.contains(name)) {
      throw new IllegalStateException(
          typeName()
              + ": field '"
              + name
              + "' holds a "
              + kind
              + " that is not the one"
              + " registered explicitly under that name; register the field's value (child/param) or rename the field");
    }
    checkName(kind, name);
    into.put(name, value);
    if (old != null) retire(old);
    fromFields.add(name);
  }

  /** This module's own parameter {@code name}, or null. */
  public final Parameter parameter(String name) {
    return params.get(name);
  }

  /** This module's own buffer {@code name}, or null. */
  public final Tensor buffer(String name) {
    return buffers.get(name);
  }

  /** The direct sub-module {@code name}, or null. */
  public final Module child(String name) {
    return children.get(name);
  }

  // ---------------------------------------------------------------- traversal

  /** This module and all descendants, keyed by dotted path ("" for this module), depth first. */
  public final Map<String, Module> namedModules() {
    Map<String, Module> out = new LinkedHashMap<>();
    Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    collectModules("", this, out, seen);
    return out;
  }

  private static void collectModules(
      String prefix, Module m, Map<String, Module> out, Set<Module> seen) {
    if (!seen.add(m)) return;
    m.registerFields();
    out.put(prefix, m);
    for (Map.Entry<String, Module> e : m.children.entrySet()) {
      collectModules(
          prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out, seen);
    }
  }

  /** All modules in the tree, this one first. */
  public final List<Module> modules() {
    return new ArrayList<>(namedModules().values());
  }

  /** Direct sub-modules by name, in registration order. */
  public final Map<String, Module> namedChildren() {
    registerFields();
    return Collections.unmodifiableMap(children);
  }

  public final List<Module> children() {
    registerFields();
    return new ArrayList<>(children.values());
  }

  /**
   * All parameters of the tree by dotted name ({@code features.0.weight}), each module's own
   * parameters first, then its children's; a parameter shared by two modules appears once.
   */
  public final Map<String, Parameter> namedParameters() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<String, Module> m : namedModules().entrySet()) {
      for (Map.Entry<String, Parameter> p : m.getValue().params.entrySet()) {
        if (seen.add(p.getValue())) out.put(join(m.getKey(), p.getKey()), p.getValue());
      }
    }
    return out;
  }

  /** All parameters of the tree, in {@link #namedParameters()} order. */
  public final List<Parameter> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** All buffers of the tree by dotted name. */
  public final Map<String, Tensor> namedBuffers() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Module> m : namedModules().entrySet()) {
      for (Map.Entry<String, Tensor> b : m.getValue().buffers.entrySet())
        out.put(join(m.getKey(), b.getKey()), b.getValue());
    }
    return out;
  }

  public final List<Tensor> buffers() {
    return new ArrayList<>(namedBuffers().values());
  }

  private static String join(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  /** The number of parameter elements in the tree (shared parameters counted once). */
  public final long numParameters() {
    long n = 0;
    for (Parameter p : parameters()) n += p.numel();
    return n;
  }

  // ---------------------------------------------------------------- modes and helpers

  /** Sets training mode on this module and its descendants; returns this. */
  public Module train(boolean on) {
    for (Module m : modules()) m.training = on;
    return this;
  }

  public final Module train() {
    return train(true);
  }

  /** Evaluation mode: dropout off, batch norm uses its running statistics. */
  public final Module eval() {
    return train(false);
  }

  public final boolean isTraining() {
    return training;
  }

  /** Calls {@code fn} on every descendant, then on this module (PyTorch's order); returns this. */
  public final Module apply(Consumer<Module> fn) {
    registerFields();
    for (Module c : children.values()) c.apply(fn);
    fn.accept(this);
    return this;
  }

  /** Clears the gradients of all parameters. */
  public final void zeroGrad() {
    for (Parameter p : parameters()) p.zeroGrad();
  }

  /**
   * Converts every floating point parameter and buffer to {@code dtype} (e.g. FLOAT64 for gradient
   * checks); returns this. Parameters are replaced by new ones, so optimizers must be built after.
   */
  public Module to(DType dtype) {
    if (!dtype.isFloatingPoint())
      throw new IllegalArgumentException("to: expected a floating point dtype, got " + dtype);
    Map<Parameter, Parameter> converted = new IdentityHashMap<>();
    for (Module m : modules()) {
      for (Map.Entry<String, Parameter> e : m.params.entrySet()) {
        Parameter p = e.getValue();
        if (p.dtype() == dtype) continue;
        e.setValue(
            converted.computeIfAbsent(
                p, q -> new Parameter(q.detach().to(dtype).contiguous(), q.requiresGrad())));
        m.retire(p);
      }
      for (Map.Entry<String, Tensor> e : m.buffers.entrySet()) {
        if (e.getValue().dtype().isFloatingPoint()) e.setValue(e.getValue().to(dtype));
      }
    }
    return this;
  }

  /**
   * Moves every parameter and buffer to {@code device} (PyTorch's {@code module.to(device)});
   * returns this. Parameters already there are kept; the others are replaced by new ones on the
   * device (with the same requiresGrad and no gradient), so build optimizers after moving.
   */
  public Module to(Device device) {
    if (device == null) throw new IllegalArgumentException("to: device is null");
    Map<Parameter, Parameter> moved = new IdentityHashMap<>();
    for (Module m : modules()) {
      for (Map.Entry<String, Parameter> e : m.params.entrySet()) {
        Parameter p = e.getValue();
        if (p.device().equals(device)) continue;
        e.setValue(
            moved.computeIfAbsent(p, q -> new Parameter(q.detach().to(device), q.requiresGrad())));
        m.retire(p);
      }
      for (Map.Entry<String, Tensor> e : m.buffers.entrySet())
        e.setValue(e.getValue().detach().to(device));
    }
    return this;
  }

  // ---------------------------------------------------------------- state

  /**
   * Parameters (detached, sharing storage) and buffers by dotted name, in PyTorch's order: each
   * module's parameters, then its buffers, then its children's entries.
   */
  public final Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collectState("", this, out, Collections.newSetFromMap(new IdentityHashMap<>()));
    return out;
  }

  private static void collectState(
      String prefix, Module m, Map<String, Tensor> out, Set<Module> seen) {
    if (!seen.add(m)) return;
    m.registerFields();
    for (Map.Entry<String, Parameter> p : m.params.entrySet())
      out.put(join(prefix, p.getKey()), p.getValue().detach());
    for (Map.Entry<String, Tensor> b : m.buffers.entrySet())
      out.put(join(prefix, b.getKey()), b.getValue());
    for (Map.Entry<String, Module> c : m.children.entrySet()) {
      collectState(join(prefix, c.getKey()), c.getValue(), out, seen);
    }
  }

  /** Keys a non-strict {@link #loadStateDict(Map, boolean)} could not match. */
  public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

  /** Strict load: every key must match, with the same shape. */
  public final LoadResult loadStateDict(Map<String, Tensor> state) {
    return loadStateDict(state, true);
  }

  /**
   * Copies values from {@code state} into this tree's parameters and buffers (converting the dtype
   * if needed). A shape mismatch always fails; with {@code strict}, missing and unexpected keys
   * fail too, otherwise they are returned. Nothing is modified when the load fails.
   */
  public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
    Map<String, Tensor> own = stateDict();
    List<String> missing = new ArrayList<>(),
        unexpected = new ArrayList<>(),
        errors = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : own.entrySet()) {
      Tensor src = state.get(e.getKey());
      if (src == null) {
        missing.add(e.getKey());
      } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
        errors.add(
            "size mismatch for "
                + e.getKey()
                + ": copying a param with shape "
                + Arrays.toString(src.shape())
                + " from checkpoint, the shape in current model is "
                + Arrays.toString(e.getValue().shape())
                + ".");
      } else if (e.getValue().dtype().isFloatingPoint() && !src.dtype().isFloatingPoint()) {
        errors.add(
            "dtype mismatch for "
                + e.getKey()
                + ": checkpoint has "
                + src.dtype()
                + ", the model expects "
                + e.getValue().dtype()
                + ".");
      }
    }
    for (String k : state.keySet()) if (!own.containsKey(k)) unexpected.add(k);
    if (strict) {
      if (!unexpected.isEmpty())
        errors.add(0, "Unexpected key(s) in state_dict: " + quoted(unexpected) + ".");
      if (!missing.isEmpty())
        errors.add(0, "Missing key(s) in state_dict: " + quoted(missing) + ".");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(
          "Error(s) in loading state_dict for "
              + typeName()
              + ":\n\t"
              + String.join("\n\t", errors));
    }
    try (var ng = GradMode.noGrad()) {
      for (Map.Entry<String, Tensor> e : own.entrySet()) {
        Tensor src = state.get(e.getKey());
        if (src != null) e.getValue().copyFrom(src.detach().to(e.getValue().dtype()));
      }
    }
    return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
  }

  private static String quoted(List<String> keys) {
    return String.join(", ", keys.stream().map(k -> "\"" + k + "\"").toList());
  }

  /** Saves {@link #stateDict()} to a safetensors file, atomically. */
  public final void save(Path file) throws IOException {
    Map<String, Tensor> state = stateDict();
    SafeTensors.save(state, Map.of("format", "pt"), file);
  }

  /** Loads a safetensors file with a strict {@link #loadStateDict}. */
  public final void load(Path file) throws IOException {
    load(file, true);
  }

  /** Loads a safetensors file; see {@link #loadStateDict(Map, boolean)}. */
  public final LoadResult load(Path file, boolean strict) throws IOException {
    Map<String, Tensor> state = SafeTensors.load(file);
    try {
      return loadStateDict(state, strict);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- printing

  /** The type name shown by {@link #toString()} (the simple class name). */
  protected String typeName() {
    String n = getClass().getSimpleName();
    return n.isEmpty() ? "Module" : n;
  }

  /** The configuration shown between the parentheses of {@link #toString()} ("" by default). */
  protected String extraRepr() {
    return "";
  }

  /** An indented tree, as PyTorch prints modules. */
  @Override
  public String toString() {
    registerFields();
    StringBuilder b = new StringBuilder(typeName()).append('(');
    String extra = extraRepr();
    if (children.isEmpty()) {
      b.append(extra);
    } else {
      b.append('\n');
      if (!extra.isEmpty()) b.append("  ").append(extra.replace("\n", "\n  ")).append('\n');
      for (Map.Entry<String, Module> e : children.entrySet()) {
        String sub = e.getValue().toString().replace("\n", "\n  ");
        b.append("  (").append(e.getKey()).append("): ").append(sub).append('\n');
      }
    }
    return b.append(')').toString();
  }

  // ---------------------------------------------------------------- summary

  /**
   * Runs one forward pass on zeros of {@code inputShape} (batch dimension included, e.g. {@code 1,
   * 1, 28, 28}) in eval mode without recording a graph, and returns a table of each layer, its
   * output shape and its own parameter count, with totals.
   */
  public final String summary(int... inputShape) {
    DType dtype = DType.FLOAT32;
    for (Parameter p : parameters()) {
      dtype = p.dtype();
      break;
    }
    return summary(Tensor.zeros(dtype, inputShape));
  }

  /**
   * As {@link #summary(int...)}, with an example input (for instance int64 indices for Embedding).
   */
  public final String summary(Tensor exampleInput) {
    Map<String, Module> all = namedModules();
    Map<Module, int[]> shapes = new IdentityHashMap<>();
    Map<Module, Boolean> modes = new IdentityHashMap<>();
    List<HookHandle> handles = new ArrayList<>();
    for (Module m : all.values()) {
      modes.put(m, m.training);
      handles.add(m.registerForwardHook((mod, out) -> shapes.put(mod, out.shape())));
    }
    Tensor out;
    try (var ng = GradMode.noGrad()) {
      for (Module m : all.values()) m.training = false;
      out = call(exampleInput);
    } finally {
      for (HookHandle h : handles) h.close();
      for (Map.Entry<Module, Boolean> e : modes.entrySet()) e.getKey().training = e.getValue();
    }
    shapes.put(this, out.shape());

    List<String[]> rows = new ArrayList<>();
    Set<Parameter> counted = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<String, Module> e : all.entrySet()) {
      Module m = e.getValue();
      boolean leaf = m.children.isEmpty();
      if (!leaf && m.params.isEmpty()) continue;
      long own = 0;
      for (Parameter p : m.params.values()) if (counted.add(p)) own += p.numel();
      String name = e.getKey().isEmpty() ? m.typeName() : e.getKey() + " (" + m.typeName() + ")";
      int[] s = shapes.get(m);
      rows.add(
          new String[] {
            name, s == null ? "-" : Arrays.toString(s), String.format(Locale.ROOT, "%,d", own)
          });
    }
    long total = 0, trainable = 0;
    for (Parameter p : parameters()) {
      total += p.numel();
      if (p.requiresGrad()) trainable += p.numel();
    }
    int w0 = "Layer (type)".length(), w1 = "Output Shape".length(), w2 = "Param #".length();
    for (String[] r : rows) {
      w0 = Math.max(w0, r[0].length());
      w1 = Math.max(w1, r[1].length());
      w2 = Math.max(w2, r[2].length());
    }
    String fmt = "%-" + w0 + "s  %-" + w1 + "s  %" + w2 + "s%n";
    int width = w0 + w1 + w2 + 4;
    StringBuilder b = new StringBuilder();
    b.append(typeName())
        .append(" summary (input ")
        .append(Arrays.toString(exampleInput.shape()))
        .append(")\n");
    b.append("=".repeat(width)).append('\n');
    b.append(String.format(Locale.ROOT, fmt, "Layer (type)", "Output Shape", "Param #"));
    b.append("=".repeat(width)).append('\n');
    for (String[] r : rows) b.append(String.format(Locale.ROOT, fmt, r[0], r[1], r[2]));
    b.append("=".repeat(width)).append('\n');
    b.append(String.format(Locale.ROOT, "Total params: %,d%n", total));
    b.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
    b.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable));
    b.append("=".repeat(width)).append('\n');
    return b.toString();
  }
}
