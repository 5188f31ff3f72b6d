package org.jgrad.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jgrad.autograd.Function;
import org.jgrad.backend.Backends;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.backend.RawTensor;

/**
 * Sorting, scans, products and index assignment. These ops have no backend primitive: their
 * forwards run on host copies of the data (results go back to the input's device), while every
 * backward is written with differentiable {@link Tensor} ops, so higher-order gradients work.
 */
final class SortScanOps {
  private SortScanOps() {}

  /** A dense tensor of {@code dtype} holding {@code values}, on {@code device}. */
  static RawTensor hostRaw(double[] values, DType dtype, int[] shape, Device device) {
    RawTensor r =
        RawTensor.dense(Backends.backend(Device.CPU).fromHost(values, dtype), shape.clone());
    if (device.equals(Device.CPU)) return r;
    return Tensor.fromRaw(r).to(device).raw();
  }

  /**
   * Number of elements before / after {@code dim}: element (o, i, k) lives at {@code (o·n +
   * i)·inner + k}.
   */
  static int outer(int[] shape, int dim) {
    int n = 1;
    for (int i = 0; i < dim; i++) n *= shape[i];
    return n;
  }

  static int inner(int[] shape, int dim) {
    int n = 1;
    for (int i = dim + 1; i < shape.length; i++) n *= shape[i];
    return n;
  }

  /**
   * PyTorch's sort order: NaN is larger than every number, and -0.0 equals 0.0 (so a stable sort
   * keeps them in input order, unlike {@link Double#compare}).
   */
  static int compareTorch(double a, double b) {
    if (a < b) return -1;
    if (a > b) return 1;
    boolean na = Double.isNaN(a), nb = Double.isNaN(b);
    return na == nb ? 0 : na ? 1 : -1;
  }

  /**
   * Stable sort permutation along {@code dim} (int64, same shape as x), ascending or descending.
   */
  static Tensor sortIndices(Tensor x, int dim, boolean descending) {
    int[] shape = x.shape();
    if (shape.length == 0) return Tensor.ofLongs(new long[] {0}).reshape().to(x.device());
    double[] v = x.toDoubleArray();
    int outer = outer(shape, dim), n = shape[dim], inner = inner(shape, dim);
    double[] out = new double[v.length];
    Integer[] order = new Integer[n];
    for (int o = 0; o < outer; o++) {
      for (int k = 0; k < inner; k++) {
        final int base = o * n * inner + k;
        for (int i = 0; i < n; i++) order[i] = i;
        Comparator<Integer> cmp = (p, q) -> compareTorch(v[base + p * inner], v[base + q * inner]);
        // Arrays.sort on objects is a stable merge sort; a reversed comparator keeps ties in input
        // order.
        Arrays.sort(order, descending ? cmp.reversed() : cmp);
        for (int i = 0; i < n; i++) out[base + i * inner] = order[i];
      }
    }
    return Tensor.fromRaw(hostRaw(out, DType.INT64, shape, x.device()));
  }

  /** Multi-indices of the nonzero elements, row-major: int64 of shape [count, rank]. */
  static Tensor nonzero(Tensor x) {
    int[] shape = x.shape();
    double[] v = x.toDoubleArray();
    List<int[]> hits = new ArrayList<>();
    int[] idx = new int[shape.length];
    for (int flat = 0; flat < v.length; flat++) {
      if (v[flat] != 0) hits.add(idx.clone());
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    double[] out = new double[hits.size() * shape.length];
    for (int i = 0; i < hits.size(); i++) {
      for (int d = 0; d < shape.length; d++) out[i * shape.length + d] = hits.get(i)[d];
    }
    return Tensor.fromRaw(
        hostRaw(out, DType.INT64, new int[] {hits.size(), shape.length}, x.device()));
  }

  /** Flat positions of the nonzero elements of a mask, int64 of shape [count]. */
  static Tensor flatNonzero(Tensor mask) {
    double[] v = mask.toDoubleArray();
    int count = 0;
    for (double d : v) if (d != 0) count++;
    double[] out = new double[count];
    for (int i = 0, k = 0; i < v.length; i++) if (v[i] != 0) out[k++] = i;
    return Tensor.fromRaw(hostRaw(out, DType.INT64, new int[] {count}, mask.device()));
  }

  /**
   * An int64 index tensor with negative entries wrapped (as Python indexing does), or an error
   * naming the op when an entry is outside {@code [-size, size)}.
   */
  static Tensor wrapIndex(String op, Tensor index, int size, int dim) {
    if (index.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          op + ": tensors used as indices must be int64 or bool, got " + index.dtype());
    }
    double[] v = index.toDoubleArray();
    boolean changed = false;
    for (int i = 0; i < v.length; i++) {
      double j = v[i] < 0 ? v[i] + size : v[i];
      if (j < 0 || j >= size) {
        throw new IllegalArgumentException(
            op
                + ": index "
                + (long) v[i]
                + " is out of bounds for dimension "
                + dim
                + " with size "
                + size);
      }
      changed |= j != v[i];
      v[i] = j;
    }
    if (!changed) return index;
    return Tensor.fromRaw(hostRaw(v, DType.INT64, index.shape(), index.device()));
  }

  /** out = running sum of x along {@code dim}; dx = reverse running sum of g. */
  static final class CumSum extends Function {
    private final int dim;

    CumSum(int dim) {
      this.dim = dim;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      Tensor x = in[0];
      int[] shape = x.shape();
      double[] v = x.toDoubleArray();
      if (shape.length > 0) {
        int outer = outer(shape, dim), n = shape[dim], inner = inner(shape, dim);
        for (int o = 0; o < outer; o++) {
          for (int k = 0; k < inner; k++) {
            int base = o * n * inner + k;
            for (int i = 1; i < n; i++) v[base + i * inner] += v[base + (i - 1) * inner];
          }
        }
      }
      // Integer and bool inputs accumulate as int64, as PyTorch's cumsum does.
      DType out = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
      return hostRaw(v, out, shape, x.device());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      if (g.dim() == 0) return new Tensor[] {g};
      return new Tensor[] {g.flip(dim).cumsum(dim).flip(dim)};
    }
  }

  /**
   * out = product of x along {@code dim}. The gradient of x_i is the product of the other elements,
   * computed without dividing by zero as PyTorch does: with no zero in the slice it is out / x_i,
   * with exactly one zero it is the product of the nonzeros at the zero and 0 elsewhere, with more
   * zeros it is 0.
   */
  static final class Prod extends Function {
    private final int dim;
    private final boolean keepDim;
    private Tensor x;

    Prod(int dim, boolean keepDim) {
      this.dim = dim;
      this.keepDim = keepDim;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      Tensor t = in[0];
      int[] shape = t.shape();
      double[] v = t.toDoubleArray();
      int outer = outer(shape, dim), n = shape[dim], inner = inner(shape, dim);
      double[] out = new double[outer * inner];
      for (int o = 0; o < outer; o++) {
        for (int k = 0; k < inner; k++) {
          double p = 1;
          for (int i = 0; i < n; i++) p *= v[(o * n + i) * inner + k];
          out[o * inner + k] = p;
        }
      }
      int[] outShape = shape.clone();
      outShape[dim] = 1;
      if (!keepDim) {
        outShape = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != dim) outShape[j++] = shape[i];
      }
      if (t.dtype().isFloatingPoint()) x = save(t);
      DType dt = t.dtype().isFloatingPoint() ? t.dtype() : DType.INT64;
      return hostRaw(out, dt, outShape, t.device());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor zero = Tensor.zerosLike(x);
      Tensor isZero = x.eq(0);
      Tensor zeros = isZero.sum(dim, true);
      Tensor nonzeroX = Tensor.where(isZero, Tensor.onesLike(x), x);
      Tensor prodNonzero = nonzeroX.prod(dim, true);
      Tensor atTheZero = Tensor.where(isZero, prodNonzero.expand(x.shape()), zero);
      Tensor others =
          Tensor.where(
              zeros.eq(0), prodNonzero.div(nonzeroX), Tensor.where(zeros.eq(1), atTheZero, zero));
      Tensor gk = keepDim ? g : g.unsqueeze(dim);
      return new Tensor[] {gk.mul(others)};
    }
  }

  /**
   * out = x [n, …] with rows {@code index[j]} replaced by {@code values[j]} (the last write wins
   * for repeated indices); dx = g with the written rows zeroed, dvalues = g[index].
   */
  static final class IndexPut extends Function {
    private Tensor index;
    private Tensor written;

    @Override
    protected RawTensor forward(Tensor... in) {
      Tensor x = in[0];
      int[] shape = x.shape();
      int row = inner(shape, 0);
      double[] out = x.toDoubleArray();
      double[] vals = in[2].toDoubleArray();
      long[] idx = in[1].toLongArray();
      double[] hit = new double[shape[0]];
      for (int j = 0; j < idx.length; j++) {
        int r = (int) idx[j];
        System.arraycopy(vals, j * row, out, r * row, row);
        hit[r] = 1;
      }
      index = save(in[1]);
      int[] hitShape = new int[shape.length];
      Arrays.fill(hitShape, 1);
      hitShape[0] = shape[0];
      written = Tensor.fromRaw(hostRaw(hit, DType.BOOL, hitShape, x.device()));
      return hostRaw(out, x.dtype(), shape, x.device());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor dx = needsInputGrad(0) ? Tensor.where(written, Tensor.zerosLike(g), g) : null;
      Tensor dv = needsInputGrad(2) ? g.indexSelect(0, index) : null;
      return new Tensor[] {dx, null, dv};
    }
  }
}
