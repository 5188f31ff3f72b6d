package org.jgrad.tensor;

import org.jgrad.autograd.Function;
import org.jgrad.backend.DType;
import org.jgrad.backend.RawTensor;

/** Index-driven primitives: gather and scatter-add, each the other's backward. */
final class IndexOps {
  private IndexOps() {}

  static void checkIndex(String op, Tensor x, int dim, Tensor index) {
    if (index.dtype() != DType.INT64) {
      throw new IllegalArgumentException(op + ": index must be int64, got " + index.dtype());
    }
    if (index.dim() != x.dim()) {
      throw new IllegalArgumentException(
          op
              + ": index "
              + Shapes.str(index.shape())
              + " must have the same rank as input "
              + Shapes.str(x.shape()));
    }
    for (int d = 0; d < x.dim(); d++) {
      if (d != dim && index.shape()[d] > x.shape()[d]) {
        throw new IllegalArgumentException(
            op
                + ": index "
                + Shapes.str(index.shape())
                + " is larger than input "
                + Shapes.str(x.shape())
                + " in dimension "
                + d);
      }
    }
  }

  /** out[..i..] = x[..index[..i..]..] along dim; dx = zeros.scatterAdd(dim, index, g). */
  static final class Gather extends Function {
    private final int dim;
    private Tensor index;
    private int[] shape;

    Gather(int dim) {
      this.dim = dim;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      checkIndex("gather", in[0], dim, in[1]);
      shape = in[0].shape();
      index = save(in[1]);
      return backendOf(in[0]).gather(in[0].raw(), dim, in[1].raw());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {
        Tensor.zeros(g.dtype(), shape).to(g.device()).scatterAdd(dim, index, g), null
      };
    }
  }

  /** out = base, with src added at index along dim; dbase = g, dsrc = g.gather(dim, index). */
  static final class ScatterAdd extends Function {
    private final int dim;
    private Tensor index;
    private int[] srcShape;

    ScatterAdd(int dim) {
      this.dim = dim;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      checkIndex("scatterAdd", in[0], dim, in[1]);
      for (int d = 0; d < in[1].dim(); d++) {
        if (in[1].shape()[d] > in[2].shape()[d]) {
          throw new IllegalArgumentException(
              "scatterAdd: index "
                  + Shapes.str(in[1].shape())
                  + " is larger than src "
                  + Shapes.str(in[2].shape()));
        }
      }
      if (in[0].dtype() != in[2].dtype()) {
        throw new IllegalArgumentException(
            "scatterAdd: dtype mismatch, self " + in[0].dtype() + " and src " + in[2].dtype());
      }
      index = save(in[1]);
      srcShape = in[2].shape();
      return backendOf(in[0]).scatterAdd(in[0].raw(), dim, in[1].raw(), in[2].raw());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor dsrc = null;
      if (needsInputGrad(2)) {
        // Only src's leading index-shaped corner was scattered; the rest of src gets zero.
        dsrc = g.gather(dim, index);
        int[] is = index.shape();
        if (!java.util.Arrays.equals(is, srcShape)) {
          int[] pad = new int[2 * is.length];
          for (int d = 0; d < is.length; d++)
            pad[2 * (is.length - 1 - d) + 1] = srcShape[d] - is[d];
          dsrc = dsrc.pad(pad, 0);
        }
      }
      return new Tensor[] {g, null, dsrc};
    }
  }
}
