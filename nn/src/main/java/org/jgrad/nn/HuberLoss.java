package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * 0.5·d² where |d| &lt; δ, δ·(|d| − 0.5·δ) elsewhere (default δ = 1).
 *
 * <pre>{@code
 * Tensor loss = new HuberLoss(Reduction.MEAN, 2.0).forward(prediction, target);
 * }</pre>
 */
public class HuberLoss extends Loss {
  private final double delta;

  public HuberLoss() {
    this(Reduction.MEAN, 1.0);
  }

  public HuberLoss(Reduction reduction, double delta) {
    super(reduction);
    if (!(delta > 0))
      throw new IllegalArgumentException("HuberLoss: delta must be positive, got " + delta);
    this.delta = delta;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.huberLoss(input, target, reduction, delta);
  }
}
