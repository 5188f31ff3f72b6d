package org.jgrad.data;

/**
 * A data set that can build a whole batch at once, faster than fetching examples one by one and
 * stacking them (a {@link TensorDataset} slices its big tensors; an image set converts only the
 * selected bytes). {@link DataLoader} uses it when it is there.
 *
 * <pre>{@code
 * Batch b = ((BatchSource) dataset).batch(new int[] {4, 8, 15});
 * }</pre>
 */
public interface BatchSource {
  /** The examples at {@code indices}, in that order, stacked. */
  Batch batch(int[] indices);
}
