package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Gaussian error linear unit x·Φ(x); approximate "tanh" uses PyTorch's tanh formula.
 *
 * <pre>{@code
 * Tensor y = new GELU().call(x);            // exact
 * Tensor z = new GELU("tanh").call(x);      // tanh approximation
 * }</pre>
 */
public class GELU extends Module {
  private final String approximate;

  public GELU() {
    this("none");
  }

  /** {@code approximate} is "none" (exact) or "tanh". */
  public GELU(String approximate) {
    if (!approximate.equals("none") && !approximate.equals("tanh")) {
      throw new IllegalArgumentException(
          "GELU: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
    }
    this.approximate = approximate;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.gelu(input, approximate);
  }

  @Override
  protected String extraRepr() {
    return "approximate='" + approximate + "'";
  }
}
