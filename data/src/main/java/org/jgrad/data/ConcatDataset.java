package org.jgrad.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Several data sets one after another, as PyTorch's {@code ConcatDataset}.
 *
 * <pre>{@code
 * ConcatDataset<Example> all = new ConcatDataset<>(List.of(train, extra));
 * }</pre>
 *
 * @param <T> the element type
 */
public final class ConcatDataset<T> implements Dataset<T>, BatchSource {
  private final List<Dataset<T>> parts;
  private final int[] ends; // ends[i] = total size of parts 0..i

  public ConcatDataset(List<? extends Dataset<T>> datasets) {
    if (datasets.isEmpty()) throw new IllegalArgumentException("ConcatDataset: no data sets given");
    this.parts = new ArrayList<>(datasets);
    this.ends = new int[parts.size()];
    long total = 0;
    for (int i = 0; i < parts.size(); i++) {
      total += parts.get(i).size();
      if (total > Integer.MAX_VALUE)
        throw new IllegalArgumentException("ConcatDataset: more than 2^31 examples");
      ends[i] = (int) total;
    }
  }

  @Override
  public int size() {
    return ends[ends.length - 1];
  }

  private int part(int index) {
    int p = Arrays.binarySearch(ends, index);
    p = p >= 0 ? p + 1 : -p - 1; // ends are exclusive
    while (parts.get(p).size() == 0) p++; // duplicates in ends come from empty parts
    return p;
  }

  @Override
  public T get(int index) {
    Dataset.checkIndex(index, size(), "ConcatDataset.get");
    int p = part(index);
    return parts.get(p).get(index - (p == 0 ? 0 : ends[p - 1]));
  }

  @Override
  public Batch batch(int[] indices) {
    // One part only (the common case for a shuffled batch is several parts): delegate, else stack.
    int first = -1;
    for (int i : indices) {
      Dataset.checkIndex(i, size(), "ConcatDataset.batch");
      int p = part(i);
      if (first < 0) first = p;
      else if (p != first) return Collate.fetchAndStack(this, indices);
    }
    int off = first == 0 ? 0 : ends[first - 1];
    int[] local = new int[indices.length];
    for (int k = 0; k < local.length; k++) local[k] = indices[k] - off;
    return Collate.batchOf(parts.get(first), local);
  }
}
