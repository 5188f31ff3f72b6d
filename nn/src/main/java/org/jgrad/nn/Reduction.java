package org.jgrad.nn;

/**
 * How a loss combines its per-element values (PyTorch's {@code reduction=} argument). {@code
 * BATCHMEAN} (sum divided by the batch size) is accepted only by KL divergence.
 *
 * <pre>{@code
 * Tensor perSample = F.crossEntropy(logits, labels, Reduction.NONE);
 * Loss loss = new MSELoss(Reduction.SUM);
 * }</pre>
 */
public enum Reduction {
  NONE,
  MEAN,
  SUM,
  BATCHMEAN
}
