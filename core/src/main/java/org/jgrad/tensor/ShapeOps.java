package org.jgrad.tensor;

import java.util.Arrays;
import org.jgrad.autograd.Function;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.backend.RawTensor;

/**
 * Movement primitives. Reshape, permute, expand and slice only make a new layout over the same
 * storage; the others copy. Each backward is the inverse movement.
 */
final class ShapeOps {
  private ShapeOps() {}

  /** A view with a new shape (copying first when the layout does not allow a view). */
  static final class Reshape extends Function {
    private final int[] to;
    private int[] from;

    Reshape(int[] to) {
      this.to = to;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      RawTensor x = in[0].raw();
      from = x.shape();
      int[] strides = Shapes.viewStrides(x.shape(), x.strides(), to);
      if (strides == null) {
        x = backendOf(in[0]).copy(x, x.dtype());
        strides = RawTensor.contiguousStrides(to);
      }
      return x.withLayout(to.clone(), strides, x.offset());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.reshape(from)};
    }
  }

  /** Reorders dimensions; backward applies the inverse permutation. */
  static final class Permute extends Function {
    private final int[] perm;

    Permute(int[] perm) {
      this.perm = perm;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      RawTensor x = in[0].raw();
      int[] shape = new int[perm.length], strides = new int[perm.length];
      for (int i = 0; i < perm.length; i++) {
        shape[i] = x.shape()[perm[i]];
        strides[i] = x.strides()[perm[i]];
      }
      return x.withLayout(shape, strides, x.offset());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      int[] inverse = new int[perm.length];
      for (int i = 0; i < perm.length; i++) inverse[perm[i]] = i;
      return new Tensor[] {g.permute(inverse)};
    }
  }

  /** Broadcast view (stride 0); the engine sums the gradient back to the input's shape. */
  static final class Expand extends Function {
    private final int[] to;

    Expand(int[] to) {
      this.to = to;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      return Shapes.expandRaw(in[0].raw(), to);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g};
    }
  }

  /** {@code x[start:end:step]} along one dim, as a view; backward embeds g into zeros. */
  static final class Slice extends Function {
    private final int dim, start, length, step;
    private int size;

    Slice(int dim, int start, int length, int step) {
      this.dim = dim;
      this.start = start;
      this.length = length;
      this.step = step;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      RawTensor x = in[0].raw();
      size = x.shape()[dim];
      int[] shape = x.shape().clone();
      int[] strides = x.strides().clone();
      shape[dim] = length;
      strides[dim] = x.strides()[dim] * step;
      int offset = length == 0 ? x.offset() : x.offset() + start * x.strides()[dim];
      return x.withLayout(shape, strides, offset);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {Function.apply(new Embed(dim, start, step, size, 0.0), g)};
    }
  }

  /**
   * The inverse of {@link Slice}: a tensor of size {@code size} along {@code dim} filled with
   * {@code fill}, with the input placed at {@code start, start+step, …}. Constant padding is this
   * op with step 1.
   */
  static final class Embed extends Function {
    private final int dim, start, step, size;
    private final double fill;
    private int length;

    Embed(int dim, int start, int step, int size, double fill) {
      this.dim = dim;
      this.start = start;
      this.step = step;
      this.size = size;
      this.fill = fill;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      RawTensor x = in[0].raw();
      length = x.shape()[dim];
      int[] shape = x.shape().clone();
      shape[dim] = size;
      var backend = backendOf(in[0]);
      RawTensor out = RawTensor.dense(backend.allocate(x.dtype(), RawTensor.numel(shape)), shape);
      if (fill != 0) backend.fill(out, fill);
      if (length > 0 && x.numel() > 0) {
        int[] strides = out.strides().clone();
        int[] viewShape = shape.clone();
        viewShape[dim] = length;
        strides[dim] *= step;
        backend.copyInto(out.withLayout(viewShape, strides, start * out.strides()[dim]), x);
      }
      return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {Function.apply(new Slice(dim, start, length, step), g)};
    }
  }

  /** A dense copy, optionally cast to another float type; backward casts back. */
  static final class Copy extends Function {
    private final DType to;
    private DType from;

    Copy(DType to) {
      this.to = to;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      from = in[0].dtype();
      return backendOf(in[0]).copy(in[0].raw(), to);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {from == to ? g : g.to(from)};
    }
  }

  /** Moves data to another device; backward moves the gradient back. */
  static final class ToDevice extends Function {
    private final Device target;
    private Device source;

    ToDevice(Device target) {
      this.target = target;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      source = in[0].device();
      RawTensor x = in[0].raw();
      var dst = Tensor.backendFor(target);
      var storage =
          x.dtype() == DType.FLOAT32
              ? dst.fromHost(backendOf(in[0]).toHostFloat(x))
              : dst.fromHost(backendOf(in[0]).toHostDouble(x), x.dtype());
      return RawTensor.dense(storage, x.shape().clone());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.to(source)};
    }
  }

  /** Concatenation along a dim; backward narrows the gradient back into pieces. */
  static final class Cat extends Function {
    private final int dim;
    private int[] sizes;

    Cat(int dim) {
      this.dim = dim;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      int[] shape = in[0].shape().clone();
      sizes = new int[in.length];
      int total = 0;
      for (int i = 0; i < in.length; i++) {
        int[] s = in[i].shape();
        if (s.length != shape.length) {
          throw new IllegalArgumentException(
              "cat: tensors must have the same rank, got "
                  + Shapes.str(in[0].shape())
                  + " and "
                  + Shapes.str(s));
        }
        for (int d = 0; d < s.length; d++) {
          if (d != dim && s[d] != shape[d]) {
            throw new IllegalArgumentException(
                "cat: sizes must match except in dimension "
                    + dim
                    + ", got "
                    + Shapes.str(in[0].shape())
                    + " and "
                    + Shapes.str(s));
          }
        }
        if (in[i].dtype() != in[0].dtype()) {
          throw new IllegalArgumentException(
              "cat: dtype mismatch, " + in[0].dtype() + " and " + in[i].dtype());
        }
        sizes[i] = s[dim];
        total += s[dim];
      }
      shape[dim] = total;
      var backend = backendOf(in[0]);
      RawTensor out =
          RawTensor.dense(backend.allocate(in[0].dtype(), RawTensor.numel(shape)), shape);
      int at = 0;
      for (int i = 0; i < in.length; i++) {
        if (sizes[i] > 0 && in[i].numel() > 0) {
          int[] vs = shape.clone();
          vs[dim] = sizes[i];
          backend.copyInto(out.withLayout(vs, out.strides(), at * out.strides()[dim]), in[i].raw());
        }
        at += sizes[i];
      }
      return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor[] out = new Tensor[sizes.length];
      int at = 0;
      for (int i = 0; i < sizes.length; i++) {
        if (needsInputGrad(i)) out[i] = g.narrow(dim, at, sizes[i]);
        at += sizes[i];
      }
      return out;
    }
  }

  /** Reverses the order along the given dims (a copy); backward flips back. */
  static final class Flip extends Function {
    private final int[] dims;

    Flip(int[] dims) {
      this.dims = dims;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      RawTensor x = in[0].raw();
      int[] strides = x.strides().clone();
      int offset = x.offset();
      for (int d : dims) {
        if (x.shape()[d] > 0) offset += (x.shape()[d] - 1) * strides[d];
        strides[d] = -strides[d];
      }
      // A negative-stride view is only ever read here, by the copy.
      return backendOf(in[0]).copy(x.withLayout(x.shape(), strides, offset), x.dtype());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.flip(dims)};
    }
  }

  static int[] inversePermutation(int[] perm) {
    int[] inv = new int[perm.length];
    for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
    return inv;
  }

  static void checkPermutation(int[] perm, int rank) {
    boolean[] seen = new boolean[rank];
    if (perm.length != rank) {
      throw new IllegalArgumentException(
          "permute: expected " + rank + " dims, got " + Arrays.toString(perm));
    }
    for (int p : perm) {
      if (seen[p])
        throw new IllegalArgumentException("permute: repeated dim in " + Arrays.toString(perm));
      seen[p] = true;
    }
  }
}
