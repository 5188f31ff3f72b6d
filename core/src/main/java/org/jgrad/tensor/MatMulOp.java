package org.jgrad.tensor;

import org.jgrad.autograd.Function;
import org.jgrad.backend.RawTensor;

/**
 * Batched matrix product of the last two dims; batch dims are already equal (the caller expands
 * them). dA = g · Bᵀ, dB = Aᵀ · g.
 */
final class MatMulOp extends Function {
  private Tensor a, b;

  @Override
  public String name() {
    return "MatMulBackward";
  }

  @Override
  protected RawTensor forward(Tensor... in) {
    if (in[1].requiresGrad()) a = save(in[0]);
    if (in[0].requiresGrad()) b = save(in[1]);
    return backendOf(in[0]).matmul(in[0].raw(), in[1].raw());
  }

  @Override
  protected Tensor[] backward(Tensor g) {
    return new Tensor[] {
      needsInputGrad(0) ? g.matmul(b.transpose(-1, -2)) : null,
      needsInputGrad(1) ? a.transpose(-1, -2).matmul(g) : null
    };
  }
}
