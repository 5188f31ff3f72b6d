package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Kullback–Leibler divergence with the input as log-probabilities and the target as probabilities
 * (or log-probabilities with {@code logTarget}). Use Reduction.BATCHMEAN for the true KL divergence
 * per sample.
 *
 * <pre>{@code
 * Loss kl = new KLDivLoss(Reduction.BATCHMEAN, false);
 * Tensor loss = kl.forward(F.logSoftmax(studentLogits, 1), F.softmax(teacherLogits, 1));
 * }</pre>
 */
public class KLDivLoss extends Loss {
  private final boolean logTarget;

  public KLDivLoss() {
    this(Reduction.MEAN, false);
  }

  public KLDivLoss(Reduction reduction, boolean logTarget) {
    super(reduction);
    this.logTarget = logTarget;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.klDiv(input, target, reduction, logTarget);
  }
}
