package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * In training, zeroes each element with probability p and scales the others by 1/(1 − p); in eval
 * mode it is the identity. Randomness comes from the default generator (or one passed in).
 *
 * <pre>{@code
 * Dropout drop = new Dropout(0.5);
 * Tensor y = drop.call(x);     // training: about half zeroed, the rest doubled
 * drop.eval();
 * drop.call(x);                // returns x
 * }</pre>
 */
public class Dropout extends Module {
  private final double p;
  private final Generator generator;

  public Dropout(double p) {
    this(p, Generator.defaultGenerator());
  }

  public Dropout(double p, Generator generator) {
    if (!(p >= 0 && p <= 1))
      throw new IllegalArgumentException("Dropout: probability must be in [0, 1], got " + p);
    this.p = p;
    this.generator = generator;
  }

  public double p() {
    return p;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.dropout(input, p, isTraining(), generator);
  }

  @Override
  protected String extraRepr() {
    return "p=" + p;
  }
}
