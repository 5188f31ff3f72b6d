package org.jgrad.tensor;

import org.jgrad.autograd.Function;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.ReduceOp;

/**
 * Reduction primitives. Both keep reduced dims as size 1; {@link Tensor} squeezes them if asked.
 */
final class ReduceOps {
  private ReduceOps() {}

  /**
   * Drops the size-1 reduced dims of a dense keep-dim result (a view), so that {@code sum()} is one
   * SumBackward node, as in PyTorch, rather than a sum followed by a reshape.
   */
  static RawTensor dropAxes(RawTensor r, int[] axes, boolean keepDim) {
    if (keepDim || axes.length == 0) return r;
    int[] s = r.shape();
    int[] out = new int[s.length - axes.length];
    for (int i = 0, k = 0, a = 0; i < s.length; i++) {
      if (a < axes.length && axes[a] == i) a++;
      else out[k++] = s[i];
    }
    return r.withLayout(out, RawTensor.contiguousStrides(out), r.offset());
  }

  /** out = Σ x over {@code axes}; dx = g expanded back to x's shape. */
  static final class Sum extends Function {
    private final int[] axes;
    private final boolean keepDim;
    private int[] shape;

    Sum(int[] axes, boolean keepDim) {
      this.axes = axes;
      this.keepDim = keepDim;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      shape = in[0].shape();
      return dropAxes(backendOf(in[0]).reduce(ReduceOp.SUM, in[0].raw(), axes), axes, keepDim);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {(keepDim ? g : g.reshape(keptShape(shape, axes))).expand(shape)};
    }
  }

  static int[] keptShape(int[] shape, int[] axes) {
    int[] k = shape.clone();
    for (int a : axes) k[a] = 1;
    return k;
  }

  /**
   * out = max (or min) over {@code axes}. The gradient is shared equally by all elements equal to
   * the extreme value, as PyTorch's amax/amin do.
   */
  static final class Extreme extends Function {
    private final ReduceOp op;
    private final int[] axes;
    private final boolean keepDim;
    private Tensor x, y;

    Extreme(ReduceOp op, int[] axes, boolean keepDim) {
      this.op = op;
      this.axes = axes;
      this.keepDim = keepDim;
    }

    @Override
    public String name() {
      return op == ReduceOp.MAX ? "AmaxBackward" : "AminBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      if (in[0].numel() == 0) {
        throw new IllegalArgumentException(
            name().replace("Backward", "").toLowerCase()
                + ": cannot reduce an empty tensor of shape "
                + Shapes.str(in[0].shape()));
      }
      for (int a : axes) {
        if (in[0].shape()[a] == 0) {
          throw new IllegalArgumentException(
              "max/min: cannot reduce over empty dimension "
                  + a
                  + " of shape "
                  + Shapes.str(in[0].shape()));
        }
      }
      RawTensor out = backendOf(in[0]).reduce(op, in[0].raw(), axes);
      x = save(in[0]);
      y = save(Tensor.fromRaw(out));
      return dropAxes(out, axes, keepDim);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor mask = x.eq(y).to(g.dtype());
      Tensor count = mask.sum(axes, true);
      Tensor gk = keepDim ? g : g.reshape(y.shape());
      return new Tensor[] {gk.mul(mask).div(count)};
    }
  }
}
