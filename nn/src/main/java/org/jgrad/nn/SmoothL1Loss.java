package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * 0.5·d²/β where |d| &lt; β, |d| − 0.5·β elsewhere (default β = 1; β = 0 is L1).
 *
 * <pre>{@code
 * Tensor loss = new SmoothL1Loss(Reduction.MEAN, 0.5).forward(boxes, targetBoxes);
 * }</pre>
 */
public class SmoothL1Loss extends Loss {
  private final double beta;

  public SmoothL1Loss() {
    this(Reduction.MEAN, 1.0);
  }

  public SmoothL1Loss(Reduction reduction, double beta) {
    super(reduction);
    if (beta < 0)
      throw new IllegalArgumentException("SmoothL1Loss: beta must be non-negative, got " + beta);
    this.beta = beta;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.smoothL1Loss(input, target, reduction, beta);
  }
}
