package org.jgrad.nn;

import java.util.Map;
import java.util.Set;
import org.jgrad.tensor.Tensor;

/**
 * Sub-modules by name, in insertion order; it has no forward of its own.
 *
 * <pre>{@code
 * ModuleDict heads = new ModuleDict();
 * heads.put("classify", new Linear(64, 10));
 * heads.put("regress", new Linear(64, 1));
 * Tensor y = heads.get("classify").call(features);   // parameters named "classify.weight", …
 * }</pre>
 */
public class ModuleDict extends Module {
  public ModuleDict() {}

  public ModuleDict(Map<String, ? extends Module> modules) {
    for (Map.Entry<String, ? extends Module> e : modules.entrySet()) put(e.getKey(), e.getValue());
  }

  /** Adds or replaces the module under {@code name}; returns this. */
  public ModuleDict put(String name, Module m) {
    child(name, m);
    return this;
  }

  /** The module under {@code name}. */
  public Module get(String name) {
    Module m = child(name);
    if (m == null)
      throw new IllegalArgumentException(
          "ModuleDict: no module named \"" + name + "\"; keys are " + keySet());
    return m;
  }

  public boolean containsKey(String name) {
    return child(name) != null;
  }

  public Set<String> keySet() {
    return namedChildren().keySet();
  }

  public int size() {
    return namedChildren().size();
  }

  /** Always fails: a ModuleDict only holds modules. */
  @Override
  public Tensor forward(Tensor input) {
    throw new UnsupportedOperationException(
        "ModuleDict has no forward; call its modules from the parent's forward");
  }
}
