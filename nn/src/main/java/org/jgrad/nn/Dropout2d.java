package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Channel dropout: in training, zeroes whole channels of [N, C, H, W] with probability p and scales
 * the rest by 1/(1 − p); identity in eval mode.
 *
 * <pre>{@code
 * Dropout2d drop = new Dropout2d(0.2);
 * Tensor y = drop.call(Tensor.randn(8, 16, 10, 10));
 * }</pre>
 */
public class Dropout2d extends Module {
  private final double p;
  private final Generator generator;

  public Dropout2d(double p) {
    this(p, Generator.defaultGenerator());
  }

  public Dropout2d(double p, Generator generator) {
    if (!(p >= 0 && p <= 1))
      throw new IllegalArgumentException("Dropout2d: probability must be in [0, 1], got " + p);
    this.p = p;
    this.generator = generator;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.dropout2d(input, p, isTraining(), generator);
  }

  @Override
  protected String extraRepr() {
    return "p=" + p;
  }
}
