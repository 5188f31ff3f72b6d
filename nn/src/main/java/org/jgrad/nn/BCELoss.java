package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Binary cross-entropy of probabilities in [0, 1] (logs clamped at −100), with optional per-element
 * weight (a buffer named "weight").
 *
 * <pre>{@code
 * Tensor loss = new BCELoss().forward(F.sigmoid(logits), targets);
 * }</pre>
 */
public class BCELoss extends Loss {
  public BCELoss() {
    this(null, Reduction.MEAN);
  }

  public BCELoss(Tensor weight, Reduction reduction) {
    super(reduction);
    if (weight != null) buffer("weight", weight);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.binaryCrossEntropy(input, target, buffer("weight"), reduction);
  }
}
