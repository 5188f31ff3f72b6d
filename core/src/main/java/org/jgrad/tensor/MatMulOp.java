package org.jgrad.tensor;

import org.jgrad.autograd.Function;
import org.jgrad.backend.RawTensor;

/**
 * Batched matrix product of the last two dims; batch dims are already equal (the caller expands
 * them). dA = g · Bᵀ, dB = Aᵀ · g.
 */
final class MatMulOp extends Function {
  private Tensor a, b;

  /**
   * B is stored column-major in its last two dims (e.g. {@code x.matmul(w.t())} in Linear): dB is
   * then computed as (gᵀ·A)ᵀ, in B's own layout, so the weight's gradient arrives dense instead of
   * as a transposed view that every consumer (the optimizer step) would have to copy.
   */
  private boolean bColumnMajor;

  @Override
  public String name() {
    return "MatMulBackward";
  }

  @Override
  protected RawTensor forward(Tensor... in) {
    if (in[1].requiresGrad()) a = save(in[0]);
    if (in[0].requiresGrad()) b = save(in[1]);
    int[] st = in[1].raw().strides();
    int r = st.length;
    bColumnMajor = r >= 2 && st[r - 2] == 1 && st[r - 1] != 1 && in[1].size(-2) > 1;
    return backendOf(in[0]).matmul(in[0].raw(), in[1].raw());
  }

  @Override
  protected Tensor[] backward(Tensor g) {
    return new Tensor[] {
      needsInputGrad(0) ? g.matmul(b.transpose(-1, -2)) : null,
      !needsInputGrad(1)
          ? null
          : bColumnMajor
              ? g.transpose(-1, -2).matmul(a).transpose(-1, -2)
              : a.transpose(-1, -2).matmul(g)
    };
  }
}
