package org.jgrad.data;

/**
 * Indexed access to examples, as PyTorch's map-style {@code Dataset}.
 *
 * <pre>{@code
 * Dataset<Example> ds = new TensorDataset(x, y);
 * Example first = ds.get(0);
 * for (Batch b : new DataLoader(ds, 32, true, 42)) { ... }
 * }</pre>
 *
 * @param <T> the element type (usually {@link Example})
 */
public interface Dataset<T> {
  /** Number of examples. */
  int size();

  /** The example at {@code index}, {@code 0 <= index < size()}. */
  T get(int index);

  /** Checks an index and names the data set's size when it is out of range. */
  static int checkIndex(int index, int size, String what) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(
          what + ": index " + index + " is out of range for size " + size);
    }
    return index;
  }
}
