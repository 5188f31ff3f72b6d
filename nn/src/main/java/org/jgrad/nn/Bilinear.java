package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.nn.init.Init;
import org.jgrad.tensor.Tensor;

/**
 * y = x1ᵀ·W·x2 + b, with weight [out, in1, in2] and bias [out], both U(±1/√in1) as in PyTorch. Its
 * forward takes two inputs, so use {@link #forward(Tensor, Tensor)}.
 *
 * <pre>{@code
 * Bilinear bl = new Bilinear(5, 4, 3);
 * Tensor y = bl.forward(Tensor.randn(8, 5), Tensor.randn(8, 4));   // [8, 3]
 * }</pre>
 */
public class Bilinear extends Module {
  private final int in1, in2, out;

  public Bilinear(int in1Features, int in2Features, int outFeatures) {
    this(in1Features, in2Features, outFeatures, true);
  }

  public Bilinear(int in1Features, int in2Features, int outFeatures, boolean bias) {
    in1 = Defaults.positive("Bilinear", "in1Features", in1Features);
    in2 = Defaults.positive("Bilinear", "in2Features", in2Features);
    out = Defaults.positive("Bilinear", "outFeatures", outFeatures);
    double bound = 1 / Math.sqrt(in1);
    Init.uniform(param("weight", Tensor.zeros(out, in1, in2)), -bound, bound);
    if (bias) Init.uniform(param("bias", Tensor.zeros(out)), -bound, bound);
  }

  public Parameter weight() {
    return parameter("weight");
  }

  public Parameter bias() {
    return parameter("bias");
  }

  public Tensor forward(Tensor x1, Tensor x2) {
    return runHooks(F.bilinear(x1, x2, weight(), bias()));
  }

  /** Always fails: a bilinear layer needs two inputs. */
  @Override
  public Tensor forward(Tensor input) {
    throw new UnsupportedOperationException("Bilinear takes two inputs: call forward(x1, x2)");
  }

  @Override
  protected String extraRepr() {
    return "in1_features="
        + in1
        + ", in2_features="
        + in2
        + ", out_features="
        + out
        + ", bias="
        + (bias() != null);
  }
}
