package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Negative log-likelihood of log-probabilities [N, C, ...] at int64 class targets, with optional
 * class weights (buffer "weight") and an ignored target value (default −100).
 *
 * <pre>{@code
 * Tensor loss = new NLLLoss().forward(F.logSoftmax(logits, 1), labels);
 * }</pre>
 */
public class NLLLoss extends Loss {
  private final int ignoreIndex;

  public NLLLoss() {
    this(null, -100, Reduction.MEAN);
  }

  public NLLLoss(Tensor weight, int ignoreIndex, Reduction reduction) {
    super(reduction);
    if (weight != null) buffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.nllLoss(input, target, buffer("weight"), ignoreIndex, reduction);
  }
}
