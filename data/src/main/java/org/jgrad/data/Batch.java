package org.jgrad.data;

import org.jgrad.tensor.Tensor;

/**
 * A mini-batch: inputs and targets stacked along a new first dimension.
 *
 * <pre>{@code
 * for (Batch b : loader) {
 *     Tensor loss = F.crossEntropy(model.forward(b.inputs()), b.targets());
 * }
 * }</pre>
 *
 * @param inputs [B, ...] inputs
 * @param targets [B, ...] targets
 */
public record Batch(Tensor inputs, Tensor targets) {
  /** Number of examples in the batch. */
  public int size() {
    return inputs.size(0);
  }
}
