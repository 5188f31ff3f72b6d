package org.jgrad.nn;

import org.jgrad.tensor.Tensor;

/**
 * Base of the loss modules: a module whose forward takes an input and a target and reduces the
 * per-element losses with a {@link Reduction} (MEAN by default).
 *
 * <pre>{@code
 * Loss criterion = new CrossEntropyLoss();
 * Tensor loss = criterion.forward(model.call(images), labels);
 * loss.backward();
 * }</pre>
 */
public abstract class Loss extends Module {
  protected final Reduction reduction;

  protected Loss(Reduction reduction) {
    if (reduction == null)
      throw new IllegalArgumentException(typeName() + ": reduction must not be null");
    if (reduction == Reduction.BATCHMEAN && !(this instanceof KLDivLoss)) {
      throw new IllegalArgumentException(
          typeName() + ": reduction BATCHMEAN is only valid for KLDivLoss");
    }
    this.reduction = reduction;
  }

  public Reduction reduction() {
    return reduction;
  }

  /** The loss of {@code input} against {@code target}. */
  public abstract Tensor forward(Tensor input, Tensor target);

  /** Always fails: a loss needs a target. */
  @Override
  public final Tensor forward(Tensor input) {
    throw new UnsupportedOperationException(
        typeName() + " takes an input and a target: call forward(input, target)");
  }

  @Override
  protected String extraRepr() {
    return reduction == Reduction.MEAN ? "" : "reduction=" + reduction.name().toLowerCase();
  }
}
