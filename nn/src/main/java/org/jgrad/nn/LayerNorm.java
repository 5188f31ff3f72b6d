package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Normalises over the trailing {@code normalizedShape} dims of each sample, then applies a
 * learnable elementwise scale (ones) and shift (zeros).
 *
 * <pre>{@code
 * LayerNorm ln = new LayerNorm(512);
 * Tensor y = ln.call(Tensor.randn(10, 32, 512));
 * }</pre>
 */
public class LayerNorm extends Module {
  private final int[] normalizedShape;
  private final double eps;
  private final boolean affine;

  public LayerNorm(int... normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

  public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
    if (normalizedShape.length == 0)
      throw new IllegalArgumentException("LayerNorm: normalizedShape must not be empty");
    for (int d : normalizedShape) Defaults.positive("LayerNorm", "normalizedShape entries", d);
    if (!(eps > 0))
      throw new IllegalArgumentException("LayerNorm: eps must be positive, got " + eps);
    this.normalizedShape = normalizedShape.clone();
    this.eps = eps;
    this.affine = elementwiseAffine;
    if (affine) {
      param("weight", Tensor.ones(normalizedShape));
      param("bias", Tensor.zeros(normalizedShape));
    }
  }

  public Parameter weight() {
    return parameter("weight");
  }

  public Parameter bias() {
    return parameter("bias");
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.layerNorm(input, normalizedShape, weight(), bias(), eps);
  }

  @Override
  protected String extraRepr() {
    return Defaults.tuple(normalizedShape)
        + ", eps="
        + Defaults.num(eps)
        + ", elementwise_affine="
        + affine;
  }
}
