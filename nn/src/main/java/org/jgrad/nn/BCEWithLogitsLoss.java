package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Sigmoid plus binary cross-entropy in one numerically stable formula, with optional per-element
 * weight and per-class {@code posWeight} (buffers "weight" and "pos_weight").
 *
 * <pre>{@code
 * Tensor posWeight = Tensor.of(new float[] {3f});          // positives are rarer
 * Loss loss = new BCEWithLogitsLoss(null, posWeight, Reduction.MEAN);
 * Tensor l = loss.forward(logits, targets);
 * }</pre>
 */
public class BCEWithLogitsLoss extends Loss {
  public BCEWithLogitsLoss() {
    this(null, null, Reduction.MEAN);
  }

  public BCEWithLogitsLoss(Tensor weight, Tensor posWeight, Reduction reduction) {
    super(reduction);
    if (weight != null) buffer("weight", weight);
    if (posWeight != null) buffer("pos_weight", posWeight);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.binaryCrossEntropyWithLogits(
        input, target, buffer("weight"), buffer("pos_weight"), reduction);
  }
}
