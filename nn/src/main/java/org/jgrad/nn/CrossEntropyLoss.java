package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Log-softmax plus negative log-likelihood over logits [N, C, ...] (or [C]); the target holds int64
 * class indices or class probabilities of the input's shape. Options as PyTorch: class weights
 * (buffer "weight"), ignoreIndex (default −100, indices only) and labelSmoothing.
 *
 * <pre>{@code
 * Loss ce = new CrossEntropyLoss();
 * Tensor loss = ce.forward(logits, labels);                                    // labels: int64 [N]
 * Loss smooth = new CrossEntropyLoss(classWeights, -100, Reduction.MEAN, 0.1);
 * }</pre>
 */
public class CrossEntropyLoss extends Loss {
  private final int ignoreIndex;
  private final double labelSmoothing;

  public CrossEntropyLoss() {
    this(null, -100, Reduction.MEAN, 0);
  }

  public CrossEntropyLoss(
      Tensor weight, int ignoreIndex, Reduction reduction, double labelSmoothing) {
    super(reduction);
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException(
          "CrossEntropyLoss: labelSmoothing must be in [0, 1], got " + labelSmoothing);
    }
    if (weight != null) buffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.crossEntropy(input, target, buffer("weight"), ignoreIndex, reduction, labelSmoothing);
  }
}
