package org.jgrad.nn;

import java.util.Arrays;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.DType;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Shared implementation of {@link BatchNorm1d} and {@link BatchNorm2d}: normalisation over the
 * batch (and spatial) dims per channel, with learnable scale/shift ({@code affine}) and running
 * statistics ({@code trackRunningStats}) used in eval mode. Buffers, named as in PyTorch: {@code
 * running_mean}, {@code running_var} and the int64 {@code num_batches_tracked}. A null momentum
 * means a cumulative moving average.
 *
 * <pre>{@code
 * BatchNorm2d bn = new BatchNorm2d(16);
 * Tensor y = bn.call(x);          // training: batch statistics; running statistics updated
 * bn.eval();
 * Tensor z = bn.call(x);          // running statistics
 * }</pre>
 */
public abstract class BatchNorm extends Module {
  private final int numFeatures;
  private final double eps;
  private final Double momentum;
  private final boolean affine, trackRunningStats;

  protected BatchNorm(
      int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    this.numFeatures = Defaults.positive(typeName(), "numFeatures", numFeatures);
    if (!(eps > 0))
      throw new IllegalArgumentException(typeName() + ": eps must be positive, got " + eps);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    if (affine) {
      param("weight", Tensor.ones(numFeatures));
      param("bias", Tensor.zeros(numFeatures));
    }
    if (trackRunningStats) {
      buffer("running_mean", Tensor.zeros(numFeatures));
      buffer("running_var", Tensor.ones(numFeatures));
      buffer("num_batches_tracked", Tensor.zeros(DType.INT64));
    }
  }

  /** Throws unless {@code x} has a rank this variant accepts. */
  protected abstract void checkInput(Tensor x);

  public Parameter weight() {
    return parameter("weight");
  }

  public Parameter bias() {
    return parameter("bias");
  }

  public Tensor runningMean() {
    return buffer("running_mean");
  }

  public Tensor runningVar() {
    return buffer("running_var");
  }

  /** Resets the running statistics to mean 0, variance 1 and zero batches. */
  public void resetRunningStats() {
    if (!trackRunningStats) return;
    try (var ng = GradMode.noGrad()) {
      runningMean().fill(0);
      runningVar().fill(1);
      buffer("num_batches_tracked").fill(0);
    }
  }

  @Override
  public Tensor forward(Tensor input) {
    checkInput(input);
    if (input.size(1) != numFeatures) {
      throw new IllegalArgumentException(
          typeName()
              + ": expected "
              + numFeatures
              + " channels in dim 1, got input "
              + Arrays.toString(input.shape()));
    }
    double factor = 0;
    if (isTraining() && trackRunningStats) {
      Tensor nbt = buffer("num_batches_tracked");
      try (var ng = GradMode.noGrad()) {
        nbt.copyFrom(nbt.add(1));
      }
      factor = momentum == null ? 1.0 / nbt.item() : momentum;
    }
    boolean useBatchStats = isTraining() || !trackRunningStats;
    return F.batchNorm(
        input,
        trackRunningStats ? runningMean() : null,
        trackRunningStats ? runningVar() : null,
        weight(),
        bias(),
        useBatchStats,
        factor,
        eps);
  }

  @Override
  protected String extraRepr() {
    return numFeatures
        + ", eps="
        + Defaults.num(eps)
        + ", momentum="
        + momentum
        + ", affine="
        + affine
        + ", track_running_stats="
        + trackRunningStats;
  }
}
