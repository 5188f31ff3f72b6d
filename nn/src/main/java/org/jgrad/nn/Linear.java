package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * y = x·Wᵀ + b over the last dim. Weight [out, in] and bias [out] start as PyTorch's: U(±1/√in)
 * (kaiming_uniform with a = √5).
 *
 * <pre>{@code
 * Linear fc = new Linear(784, 10);
 * Tensor logits = fc.call(Tensor.randn(32, 784));   // [32, 10]
 * }</pre>
 */
public class Linear extends Module {
  private final int inFeatures, outFeatures;

  public Linear(int inFeatures, int outFeatures) {
    this(inFeatures, outFeatures, true);
  }

  public Linear(int inFeatures, int outFeatures, boolean bias) {
    if (inFeatures < 0 || outFeatures < 0) {
      throw new IllegalArgumentException(
          "Linear: sizes must be non-negative, got " + inFeatures + " and " + outFeatures);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    Tensor w = param("weight", Tensor.zeros(outFeatures, inFeatures));
    Tensor b = bias ? param("bias", Tensor.zeros(outFeatures)) : null;
    Defaults.linearLike(w, b);
  }

  public Parameter weight() {
    return parameter("weight");
  }

  /** The bias, or null when built without one. */
  public Parameter bias() {
    return parameter("bias");
  }

  public int inFeatures() {
    return inFeatures;
  }

  public int outFeatures() {
    return outFeatures;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.linear(input, weight(), bias());
  }

  @Override
  protected String extraRepr() {
    return "in_features="
        + inFeatures
        + ", out_features="
        + outFeatures
        + ", bias="
        + (bias() != null);
  }
}
