package org.jgrad.data;

import java.util.Arrays;

/**
 * A view of some examples of another data set, in a given order.
 *
 * <pre>{@code
 * Subset<Example> firstHundred = new Subset<>(ds, java.util.stream.IntStream.range(0, 100).toArray());
 * }</pre>
 *
 * @param <T> the element type
 */
public final class Subset<T> implements Dataset<T>, BatchSource {
  private final Dataset<T> base;
  private final int[] indices;

  /** Indices are checked against the base data set and copied. */
  public Subset(Dataset<T> base, int[] indices) {
    this.base = base;
    this.indices = indices.clone();
    int n = base.size();
    for (int i : this.indices) {
      if (i < 0 || i >= n) {
        throw new IndexOutOfBoundsException(
            "Subset: index " + i + " is out of range for a data set of size " + n);
      }
    }
  }

  /** The underlying data set. */
  public Dataset<T> base() {
    return base;
  }

  /** The indices into the base data set (a copy). */
  public int[] indices() {
    return indices.clone();
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public T get(int index) {
    return base.get(indices[Dataset.checkIndex(index, indices.length, "Subset.get")]);
  }

  @Override
  public Batch batch(int[] idx) {
    int[] mapped = new int[idx.length];
    for (int k = 0; k < idx.length; k++)
      mapped[k] = indices[Dataset.checkIndex(idx[k], indices.length, "Subset.batch")];
    return Collate.batchOf(base, mapped);
  }

  @Override
  public String toString() {
    return "Subset["
        + indices.length
        + " of "
        + base.size()
        + (indices.length <= 10 ? " " + Arrays.toString(indices) : "")
        + "]";
  }
}
