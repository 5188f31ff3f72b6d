package org.jgrad.nn;

import java.util.Arrays;
import org.jgrad.tensor.Tensor;

/**
 * Batch normalisation of [N, C] or [N, C, L] inputs per channel (see {@link BatchNorm}). Defaults
 * as PyTorch: eps 1e-5, momentum 0.1, affine, tracking running statistics.
 *
 * <pre>{@code
 * Sequential mlp = new Sequential(new Linear(20, 64), new BatchNorm1d(64), new ReLU());
 * }</pre>
 */
public class BatchNorm1d extends BatchNorm {
  public BatchNorm1d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /** {@code momentum} null gives a cumulative moving average. */
  public BatchNorm1d(
      int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected void checkInput(Tensor x) {
    if (x.dim() != 2 && x.dim() != 3) {
      throw new IllegalArgumentException(
          "BatchNorm1d: expected 2-D or 3-D input (got "
              + x.dim()
              + "-D input "
              + Arrays.toString(x.shape())
              + ")");
    }
  }
}
