package org.jgrad.data;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * The default collate step: stacks the inputs and the targets of a list of examples along a new
 * first dimension (PyTorch's {@code default_collate} for tensors).
 *
 * <pre>{@code
 * Batch b = Collate.stack(List.of(ds.get(0), ds.get(1)));   // inputs [2, ...], targets [2, ...]
 * }</pre>
 */
public final class Collate {
  private Collate() {}

  /** Stacks inputs and targets; all inputs (and all targets) must have one shape. */
  public static Batch stack(List<Example> examples) {
    if (examples.isEmpty()) throw new IllegalArgumentException("Collate.stack: no examples");
    List<Tensor> xs = new ArrayList<>(examples.size());
    List<Tensor> ys = new ArrayList<>(examples.size());
    for (Example e : examples) {
      xs.add(e.input());
      ys.add(e.target());
    }
    return new Batch(Tensor.stack(xs, 0), Tensor.stack(ys, 0));
  }

  /** Fetches the examples at {@code indices} and stacks them. */
  static Batch fetchAndStack(Dataset<?> ds, int[] indices) {
    List<Example> list = new ArrayList<>(indices.length);
    for (int i : indices) {
      Object o = ds.get(i);
      if (!(o instanceof Example e)) {
        throw new IllegalArgumentException(
            "collate: data set element "
                + i
                + " is a "
                + (o == null ? "null" : o.getClass().getSimpleName())
                + ", expected an Example");
      }
      list.add(e);
    }
    return stack(list);
  }

  /** A batch for {@code indices}: the data set's own batch builder if it has one, else stacking. */
  static Batch batchOf(Dataset<?> ds, int[] indices) {
    if (ds instanceof BatchSource bs) return bs.batch(indices);
    return fetchAndStack(ds, indices);
  }
}
