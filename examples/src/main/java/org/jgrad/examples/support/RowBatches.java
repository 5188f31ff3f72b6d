package org.jgrad.examples.support;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jgrad.data.Batch;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Mini-batches of the rows of two tensors for {@link org.jgrad.train.Trainer}: batch {@code k} is
 * rows {@code order[k·size … (k+1)·size)} of {@code inputs} and of {@code targets}. Shuffled, each
 * pass draws a new order with {@code Tensor.randperm(n, generator)}, so exercises that share one
 * {@link Generator} between several models keep the batch order their seed always gave; in order,
 * it serves evaluation.
 *
 * <pre>{@code
 * Iterable<Batch> train = RowBatches.shuffled(blurred, clear, 32, new Generator(seed));
 * Iterable<Batch> test = RowBatches.inOrder(x, x, 500);
 * }</pre>
 */
public final class RowBatches implements Iterable<Batch> {
  private final Tensor inputs;
  private final Tensor targets;
  private final int batchSize;
  private final Generator generator;

  private RowBatches(Tensor inputs, Tensor targets, int batchSize, Generator generator) {
    if (inputs.dim() == 0
        || targets.dim() == 0
        || inputs.size(0) != targets.size(0)
        || inputs.size(0) == 0) {
      throw new IllegalArgumentException(
          "RowBatches: inputs and targets need the same positive number of rows, got "
              + java.util.Arrays.toString(inputs.shape())
              + " and "
              + java.util.Arrays.toString(targets.shape()));
    }
    if (batchSize < 1)
      throw new IllegalArgumentException(
          "RowBatches: batch size must be positive, got " + batchSize);
    this.inputs = inputs;
    this.targets = targets;
    this.batchSize = batchSize;
    this.generator = generator;
  }

  /** A new random order of the rows at every pass, drawn from {@code generator}. */
  public static RowBatches shuffled(
      Tensor inputs, Tensor targets, int batchSize, Generator generator) {
    return new RowBatches(
        inputs, targets, batchSize, java.util.Objects.requireNonNull(generator, "generator"));
  }

  /** The rows in order, in blocks of {@code batchSize}. */
  public static RowBatches inOrder(Tensor inputs, Tensor targets, int batchSize) {
    return new RowBatches(inputs, targets, batchSize, null);
  }

  /** The number of batches per pass. */
  public int size() {
    return (inputs.size(0) + batchSize - 1) / batchSize;
  }

  @Override
  public Iterator<Batch> iterator() {
    int n = inputs.size(0);
    long[] order = generator == null ? null : Tensor.randperm(n, generator).toLongArray();
    return new Iterator<>() {
      private int start;

      @Override
      public boolean hasNext() {
        return start < n;
      }

      @Override
      public Batch next() {
        if (start >= n) throw new NoSuchElementException();
        int len = Math.min(batchSize, n - start);
        Batch b;
        if (order == null) {
          b = new Batch(inputs.narrow(0, start, len), targets.narrow(0, start, len));
        } else {
          long[] idx = new long[len];
          System.arraycopy(order, start, idx, 0, len);
          Tensor rows = Tensor.ofLongs(idx, len);
          Tensor in = inputs.indexSelect(0, rows);
          b = new Batch(in, targets == inputs ? in : targets.indexSelect(0, rows));
        }
        start += len;
        return b;
      }
    };
  }
}
