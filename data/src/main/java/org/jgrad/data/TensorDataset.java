package org.jgrad.data;

import java.util.Arrays;
import org.jgrad.data.io.ImageData;
import org.jgrad.data.io.RegressionData;
import org.jgrad.data.io.TabularData;
import org.jgrad.tensor.Tensor;

/**
 * A data set held as two tensors whose first dimension indexes the examples, as PyTorch's {@code
 * TensorDataset}. Batches are cut from the big tensors directly (a view for a run of consecutive
 * indices, {@code indexSelect} otherwise), never by stacking per-example tensors. A view shares
 * storage with the data set, so an in-place op on such a batch writes into the data set; transforms
 * and ordinary ops return new tensors and are safe.
 *
 * <pre>{@code
 * TensorDataset ds = new TensorDataset(Tensor.randn(100, 3), Tensor.randint(0, 2, 100));
 * TensorDataset moons = TensorDataset.of(Synthetic.twoMoons(200, 0.1, 42));   // [200, 2] and int64 [200]
 * }</pre>
 */
public final class TensorDataset implements Dataset<Example>, BatchSource {
  private final Tensor inputs;
  private final Tensor targets;

  /** Both tensors need the same (non-zero-rank) first dimension. */
  public TensorDataset(Tensor inputs, Tensor targets) {
    if (inputs.dim() == 0 || targets.dim() == 0) {
      throw new IllegalArgumentException(
          "TensorDataset: inputs and targets need a first (example) dimension, got shapes "
              + Arrays.toString(inputs.shape())
              + " and "
              + Arrays.toString(targets.shape()));
    }
    if (inputs.size(0) != targets.size(0)) {
      throw new IllegalArgumentException(
          "TensorDataset: size mismatch between inputs "
              + Arrays.toString(inputs.shape())
              + " and targets "
              + Arrays.toString(targets.shape())
              + " in the first dimension");
    }
    this.inputs = inputs;
    this.targets = targets;
  }

  /** Features as float32 [rows, cols], class indices as int64 [rows]. */
  public static TensorDataset of(TabularData d) {
    return new TensorDataset(Tensor.of(d.features(), d.rows(), d.cols()), labels(d.labels()));
  }

  /** Inputs as float32 [rows, inputCols], targets as float32 [rows, targetCols]. */
  public static TensorDataset of(RegressionData d) {
    return new TensorDataset(
        Tensor.of(d.inputs(), d.rows(), d.inputCols()),
        Tensor.of(d.targets(), d.rows(), d.targetCols()));
  }

  /** Images as float32 [N, C, H, W] in [0, 1], labels as int64 [N] (all converted up front). */
  public static TensorDataset of(ImageData d) {
    float[] x = new float[d.pixels().length];
    org.jgrad.data.io.ByteScaling.toUnit(d.pixels(), 0, x, 0, x.length);
    return new TensorDataset(
        Tensor.of(x, d.size(), d.channels(), d.height(), d.width()), labels(d.labels()));
  }

  /** Class indices as an int64 tensor. */
  public static Tensor labels(int[] labels) {
    long[] l = new long[labels.length];
    for (int i = 0; i < l.length; i++) l[i] = labels[i];
    return Tensor.ofLongs(l, l.length);
  }

  /** All inputs. */
  public Tensor inputs() {
    return inputs;
  }

  /** All targets. */
  public Tensor targets() {
    return targets;
  }

  @Override
  public int size() {
    return inputs.size(0);
  }

  @Override
  public Example get(int index) {
    Dataset.checkIndex(index, size(), "TensorDataset.get");
    return new Example(inputs.select(0, index), targets.select(0, index));
  }

  @Override
  public Batch batch(int[] indices) {
    return new Batch(rows(inputs, indices), rows(targets, indices));
  }

  /**
   * Rows {@code indices} of {@code t} along dim 0: a view for consecutive indices, a gather
   * otherwise.
   */
  static Tensor rows(Tensor t, int[] indices) {
    int n = t.size(0);
    if (indices.length == 0) {
      throw new IllegalArgumentException("TensorDataset.batch: empty index list");
    }
    boolean consecutive = true;
    for (int i = 0; i < indices.length; i++) {
      Dataset.checkIndex(indices[i], n, "TensorDataset.batch");
      if (indices[i] != indices[0] + i) consecutive = false;
    }
    if (consecutive) return t.narrow(0, indices[0], indices.length);
    long[] idx = new long[indices.length];
    for (int i = 0; i < idx.length; i++) idx[i] = indices[i];
    return t.indexSelect(0, Tensor.ofLongs(idx, idx.length));
  }

  @Override
  public String toString() {
    return "TensorDataset["
        + size()
        + " examples, inputs "
        + Arrays.toString(inputs.shape())
        + " "
        + inputs.dtype()
        + ", targets "
        + Arrays.toString(targets.shape())
        + " "
        + targets.dtype()
        + "]";
  }
}
