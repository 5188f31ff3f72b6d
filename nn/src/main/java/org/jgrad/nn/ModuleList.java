package org.jgrad.nn;

import java.util.Iterator;
import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * A list of sub-modules, registered under their index ("0", "1", …) so that their parameters are
 * visible to {@link Module#parameters()}; it has no forward of its own.
 *
 * <pre>{@code
 * ModuleList blocks = new ModuleList();
 * for (int i = 0; i < 3; i++) blocks.add(new Linear(16, 16));
 * for (Module b : blocks) x = F.relu(b.call(x));
 * }</pre>
 */
public class ModuleList extends Module implements Iterable<Module> {
  public ModuleList(Module... modules) {
    for (Module m : modules) add(m);
  }

  /** Appends a module; returns this. */
  public ModuleList add(Module m) {
    child(Integer.toString(size()), m);
    return this;
  }

  /** The module at {@code index} (negative counts from the end). */
  public Module get(int index) {
    int n = size();
    int i = index < 0 ? index + n : index;
    if (i < 0 || i >= n)
      throw new IllegalArgumentException(
          "ModuleList: index " + index + " is out of range for " + n + " modules");
    return child(Integer.toString(i));
  }

  public int size() {
    return namedChildren().size();
  }

  @Override
  public Iterator<Module> iterator() {
    return List.copyOf(children()).iterator();
  }

  /** Always fails: a ModuleList only holds modules; iterate over it in the parent's forward. */
  @Override
  public Tensor forward(Tensor input) {
    throw new UnsupportedOperationException(
        "ModuleList has no forward; call its modules from the parent's forward");
  }
}
