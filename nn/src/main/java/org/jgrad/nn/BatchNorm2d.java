package org.jgrad.nn;

import java.util.Arrays;
import org.jgrad.tensor.Tensor;

/**
 * Batch normalisation of [N, C, H, W] inputs per channel (see {@link BatchNorm}). Defaults as
 * PyTorch: eps 1e-5, momentum 0.1, affine, tracking running statistics.
 *
 * <pre>{@code
 * Sequential block = new Sequential(new Conv2d(3, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU());
 * }</pre>
 */
public class BatchNorm2d extends BatchNorm {
  public BatchNorm2d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /** {@code momentum} null gives a cumulative moving average. */
  public BatchNorm2d(
      int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected void checkInput(Tensor x) {
    if (x.dim() != 4) {
      throw new IllegalArgumentException(
          "BatchNorm2d: expected 4-D input (got "
              + x.dim()
              + "-D input "
              + Arrays.toString(x.shape())
              + ")");
    }
  }
}
