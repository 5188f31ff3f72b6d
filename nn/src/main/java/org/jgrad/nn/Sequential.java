package org.jgrad.nn;

import java.util.Map;
import org.jgrad.tensor.Tensor;

/**
 * Modules applied one after the other; children are named "0", "1", … unless named explicitly.
 *
 * <pre>{@code
 * Sequential model = new Sequential(
 *     new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2),
 *     new Flatten(), new Linear(32 * 13 * 13, 10));
 * Tensor logits = model.call(images);
 * model.get(0);                        // the Conv2d; its weight is "0.weight" in the state dict
 * }</pre>
 */
public class Sequential extends Module {
  private int size;

  public Sequential(Module... modules) {
    for (Module m : modules) add(m);
  }

  /** A sequence with explicit names, in the map's iteration order. */
  public Sequential(Map<String, ? extends Module> modules) {
    for (Map.Entry<String, ? extends Module> e : modules.entrySet()) add(e.getKey(), e.getValue());
  }

  /** Appends a module named by its position; returns this. */
  public Sequential add(Module m) {
    return add(Integer.toString(size), m);
  }

  /** Appends a module under {@code name}; returns this. */
  public Sequential add(String name, Module m) {
    if (child(name) != null)
      throw new IllegalArgumentException(
          "Sequential: a module named \"" + name + "\" already exists");
    child(name, m);
    size++;
    return this;
  }

  /** The module at {@code index} (negative counts from the end). */
  public Module get(int index) {
    int i = index < 0 ? index + size : index;
    if (i < 0 || i >= size) {
      throw new IllegalArgumentException(
          "Sequential: index " + index + " is out of range for " + size + " modules");
    }
    return children().get(i);
  }

  public int size() {
    return size;
  }

  @Override
  public Tensor forward(Tensor input) {
    Tensor x = input;
    for (Module m : children()) x = m.call(x);
    return x;
  }
}
