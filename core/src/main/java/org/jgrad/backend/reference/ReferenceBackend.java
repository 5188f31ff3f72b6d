package org.jgrad.backend.reference;

import java.util.Arrays;
import java.util.Optional;
import org.jgrad.backend.Backend;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.ConvGeometry;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.backend.DoubleStorage;
import org.jgrad.backend.FloatStorage;
import org.jgrad.backend.FusedKernels;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.ReduceOp;
import org.jgrad.backend.Storage;
import org.jgrad.backend.UnaryOp;

/**
 * The executable specification of every primitive: naive loops over multi-indices, all arithmetic
 * in double, one line per op. Slow on purpose; other backends are tested against it.
 *
 * <pre>{@code
 * Tensor a = Tensor.randn(3, 4).to(Device.REFERENCE);   // computed here from now on
 * }</pre>
 */
public final class ReferenceBackend implements Backend, FusedKernels {
  public static final ReferenceBackend INSTANCE = new ReferenceBackend(Device.REFERENCE);

  private final Device device;

  private ReferenceBackend(Device device) {
    this.device = device;
  }

  /**
   * The reference kernels allocating storages tagged with {@code device}: for a backend that
   * delegates the dtypes it does not specialise (as {@code CpuBackend} does for float64, int64 and
   * bool) while its results stay on its own device.
   */
  public static ReferenceBackend on(Device device) {
    return device.equals(Device.REFERENCE) ? INSTANCE : new ReferenceBackend(device);
  }

  /**
   * Every fused kernel, defined with naive loops: the specification the fast ones are tested
   * against.
   */
  @Override
  public Optional<FusedKernels> fused() {
    return Optional.of(this);
  }

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public Storage allocate(DType dtype, int length) {
    return dtype == DType.FLOAT32
        ? new FloatStorage(new float[length], device)
        : new DoubleStorage(dtype, new double[length], device);
  }

  @Override
  public Storage fromHost(double[] values, DType dtype) {
    Storage s = allocate(dtype, values.length);
    for (int i = 0; i < values.length; i++) s.set(i, castValue(values[i], dtype));
    return s;
  }

  @Override
  public Storage fromHost(float[] values) {
    return new FloatStorage(values.clone(), device);
  }

  @Override
  public double[] toHostDouble(RawTensor x) {
    double[] out = new double[x.numel()];
    for (int i = 0; i < out.length; i++) out[i] = x.storage().get(x.offsetOfLinear(i));
    return out;
  }

  @Override
  public float[] toHostFloat(RawTensor x) {
    float[] out = new float[x.numel()];
    for (int i = 0; i < out.length; i++) out[i] = (float) x.storage().get(x.offsetOfLinear(i));
    return out;
  }

  /** Value conversion on cast: integers truncate toward zero, booleans are 0 or 1. */
  public static double castValue(double v, DType to) {
    return switch (to) {
      case FLOAT32 -> (float) v;
      case FLOAT64 -> v;
      case INT64 -> (double) (long) v;
      case BOOL -> v != 0 ? 1 : 0;
    };
  }

  private RawTensor newDense(DType dtype, int[] shape) {
    return RawTensor.dense(allocate(dtype, RawTensor.numel(shape)), shape.clone());
  }

  @Override
  public RawTensor copy(RawTensor x, DType to) {
    RawTensor out = newDense(to, x.shape());
    for (int i = 0; i < x.numel(); i++)
      out.storage().set(i, castValue(x.storage().get(x.offsetOfLinear(i)), to));
    return out;
  }

  @Override
  public void copyInto(RawTensor dst, RawTensor src) {
    // Read everything first: src may alias dst (e.g. x.copyFrom(x.flip())).
    double[] values = toHostDouble(src);
    for (int i = 0; i < values.length; i++)
      dst.storage().set(dst.offsetOfLinear(i), castValue(values[i], dst.dtype()));
  }

  @Override
  public void fill(RawTensor dst, double value) {
    for (int i = 0; i < dst.numel(); i++)
      dst.storage().set(dst.offsetOfLinear(i), castValue(value, dst.dtype()));
  }

  @Override
  public RawTensor unary(UnaryOp op, RawTensor x) {
    RawTensor out = newDense(x.dtype(), x.shape());
    for (int i = 0; i < out.numel(); i++) {
      out.storage().set(i, castValue(apply(op, x.storage().get(x.offsetOfLinear(i))), x.dtype()));
    }
    return out;
  }

  /** The definition of each unary primitive. */
  public static double apply(UnaryOp op, double x) {
    return switch (op) {
      case NEG -> -x;
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case SQRT -> Math.sqrt(x);
      case ABS -> Math.abs(x);
      case SIGN -> Math.signum(x);
      case SIN -> Math.sin(x);
      case COS -> Math.cos(x);
      case TANH -> Math.tanh(x);
      case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      case RELU -> x > 0 ? x : 0 * x; // 0 * NaN keeps NaN, as PyTorch does
      case ERF -> SpecialFunctions.erf(x);
      case RECIPROCAL -> 1 / x;
      case LOG1P -> Math.log1p(x);
      case EXPM1 -> Math.expm1(x);
    };
  }

  @Override
  public RawTensor binary(BinaryOp op, RawTensor a, RawTensor b) {
    DType outType = op.isComparison() ? DType.BOOL : a.dtype();
    RawTensor out = newDense(outType, a.shape());
    for (int i = 0; i < out.numel(); i++) {
      double r =
          apply(op, a.storage().get(a.offsetOfLinear(i)), b.storage().get(b.offsetOfLinear(i)));
      out.storage().set(i, castValue(r, outType));
    }
    return out;
  }

  /** The definition of each binary primitive; comparisons give 1 or 0. */
  public static double apply(BinaryOp op, double a, double b) {
    return switch (op) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
      case POW -> Math.pow(a, b);
      case MAX -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
      case MIN -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
      case EQ -> a == b ? 1 : 0;
      case NE -> a != b ? 1 : 0;
      case LT -> a < b ? 1 : 0;
      case LE -> a <= b ? 1 : 0;
      case GT -> a > b ? 1 : 0;
      case GE -> a >= b ? 1 : 0;
    };
  }

  @Override
  public RawTensor where(RawTensor cond, RawTensor a, RawTensor b) {
    RawTensor out = newDense(a.dtype(), a.shape());
    for (int i = 0; i < out.numel(); i++) {
      boolean c = cond.storage().get(cond.offsetOfLinear(i)) != 0;
      out.storage()
          .set(i, c ? a.storage().get(a.offsetOfLinear(i)) : b.storage().get(b.offsetOfLinear(i)));
    }
    return out;
  }

  /** The shape of a keep-dim reduction. */
  public static int[] reducedShape(int[] shape, int[] axes) {
    int[] out = shape.clone();
    for (int a : axes) out[a] = 1;
    return out;
  }

  @Override
  public RawTensor reduce(ReduceOp op, RawTensor x, int[] axes) {
    int[] outShape = reducedShape(x.shape(), axes);
    RawTensor out = newDense(x.dtype(), outShape);
    int n = out.numel();
    double[] acc = new double[n];
    double init =
        switch (op) {
          case SUM -> 0;
          case MAX -> Double.NEGATIVE_INFINITY;
          case MIN -> Double.POSITIVE_INFINITY;
        };
    java.util.Arrays.fill(acc, init);
    int[] outStrides = out.strides();
    int[] idx = new int[x.rank()];
    for (int i = 0; i < x.numel(); i++) {
      unravel(i, x.shape(), idx);
      int o = 0;
      for (int d = 0; d < idx.length; d++) if (outShape[d] != 1) o += idx[d] * outStrides[d];
      double v = x.storage().get(x.offsetOf(idx));
      acc[o] =
          switch (op) {
            case SUM -> acc[o] + v;
            case MAX -> Double.isNaN(v) || Double.isNaN(acc[o]) ? Double.NaN : Math.max(acc[o], v);
            case MIN -> Double.isNaN(v) || Double.isNaN(acc[o]) ? Double.NaN : Math.min(acc[o], v);
          };
    }
    for (int i = 0; i < n; i++) out.storage().set(i, castValue(acc[i], x.dtype()));
    return out;
  }

  private static void unravel(int linear, int[] shape, int[] idx) {
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = linear % shape[d];
      linear /= shape[d];
    }
  }

  @Override
  public RawTensor argReduce(ReduceOp op, RawTensor x, int axis) {
    int[] outShape = reducedShape(x.shape(), new int[] {axis});
    RawTensor out = newDense(DType.INT64, outShape);
    int[] idx = new int[x.rank()];
    for (int o = 0; o < out.numel(); o++) {
      unravel(o, outShape, idx);
      int best = 0;
      double bestValue = Double.NaN;
      for (int k = 0; k < x.shape()[axis]; k++) {
        idx[axis] = k;
        double v = x.storage().get(x.offsetOf(idx));
        boolean better =
            k == 0
                || (!Double.isNaN(bestValue)
                    && (Double.isNaN(v) || (op == ReduceOp.MIN ? v < bestValue : v > bestValue)));
        if (better) {
          best = k;
          bestValue = v;
        }
      }
      out.storage().set(o, best);
    }
    return out;
  }

  @Override
  public RawTensor matmul(RawTensor a, RawTensor b) {
    int r = a.rank();
    int m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
    int[] outShape = a.shape().clone();
    outShape[r - 1] = n;
    RawTensor out = newDense(a.dtype(), outShape);
    int batches = out.numel() / Math.max(1, m * n);
    if (m * n == 0) return out;
    int[] idx = new int[r];
    int[] batchShape = java.util.Arrays.copyOf(outShape, r - 2);
    for (int bi = 0; bi < batches; bi++) {
      unravel(bi, batchShape, idx);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            idx[r - 2] = i;
            idx[r - 1] = p;
            double av = a.storage().get(a.offsetOf(idx));
            idx[r - 2] = p;
            idx[r - 1] = j;
            s += av * b.storage().get(b.offsetOf(idx));
          }
          idx[r - 2] = i;
          idx[r - 1] = j;
          out.storage().set(out.offsetOf(idx), castValue(s, a.dtype()));
        }
      }
    }
    return out;
  }

  @Override
  public RawTensor gather(RawTensor x, int dim, RawTensor index) {
    RawTensor out = newDense(x.dtype(), index.shape());
    int[] idx = new int[index.rank()];
    for (int i = 0; i < out.numel(); i++) {
      unravel(i, index.shape(), idx);
      int j = checkIndex("gather", index.storage().get(index.offsetOf(idx)), x.shape()[dim]);
      idx[dim] = j;
      out.storage().set(i, x.storage().get(x.offsetOf(idx)));
    }
    return out;
  }

  @Override
  public RawTensor scatterAdd(RawTensor base, int dim, RawTensor index, RawTensor src) {
    RawTensor out = copy(base, base.dtype());
    int[] idx = new int[index.rank()];
    for (int i = 0; i < index.numel(); i++) {
      unravel(i, index.shape(), idx);
      double v = src.storage().get(src.offsetOf(idx));
      idx[dim] =
          checkIndex("scatterAdd", index.storage().get(index.offsetOf(idx)), base.shape()[dim]);
      int o = out.offsetOf(idx);
      out.storage().set(o, castValue(out.storage().get(o) + v, base.dtype()));
    }
    return out;
  }

  /** Validates one index value against a dimension size. */
  public static int checkIndex(String op, double value, int size) {
    long j = (long) value;
    if (j < 0) j += size;
    if (j < 0 || j >= size) {
      throw new IllegalArgumentException(
          op + ": index " + (long) value + " is out of bounds for dimension of size " + size);
    }
    return (int) j;
  }

  // ------------------------------------------------------------ neural-network primitives

  /** Element of a rank-4 view. */
  private static double at(RawTensor t, int a, int b, int c, int d) {
    int[] st = t.strides();
    return t.storage().get(t.offset() + a * st[0] + b * st[1] + c * st[2] + d * st[3]);
  }

  @Override
  public RawTensor conv2d(RawTensor x, RawTensor w, ConvGeometry p) {
    assert Arrays.equals(x.shape(), p.inputShape()) && Arrays.equals(w.shape(), p.weightShape())
        : p;
    int n = p.batch(), h = p.inH(), wd = p.inW();
    int o = p.outChannels(), cg = p.inChannels() / p.groups(), kh = p.kH(), kw = p.kW();
    int ho = p.outH(), wo = p.outW(), og = o / p.groups();
    RawTensor out = newDense(x.dtype(), new int[] {n, o, ho, wo});
    int idx = 0;
    for (int b = 0; b < n; b++) {
      for (int oc = 0; oc < o; oc++) {
        int g = oc / og;
        for (int i = 0; i < ho; i++) {
          for (int j = 0; j < wo; j++) {
            double s = 0;
            for (int ic = 0; ic < cg; ic++) {
              for (int u = 0; u < kh; u++) {
                int y = i * p.strideH() - p.padH() + u * p.dilationH();
                if (y < 0 || y >= h) continue;
                for (int v = 0; v < kw; v++) {
                  int z = j * p.strideW() - p.padW() + v * p.dilationW();
                  if (z < 0 || z >= wd) continue;
                  s += at(x, b, g * cg + ic, y, z) * at(w, oc, ic, u, v);
                }
              }
            }
            out.storage().set(idx++, castValue(s, x.dtype()));
          }
        }
      }
    }
    return out;
  }

  @Override
  public RawTensor conv2dBackwardInput(RawTensor gy, RawTensor w, ConvGeometry p) {
    assert Arrays.equals(gy.shape(), p.outputShape()) && Arrays.equals(w.shape(), p.weightShape())
        : p;
    int[] xShape = p.inputShape();
    int n = xShape[0], h = xShape[2], wd = xShape[3];
    int o = p.outChannels(), cg = p.inChannels() / p.groups(), kh = p.kH(), kw = p.kW();
    int ho = p.outH(), wo = p.outW(), og = o / p.groups();
    double[] acc = new double[RawTensor.numel(xShape)];
    int c = xShape[1];
    for (int b = 0; b < n; b++) {
      for (int oc = 0; oc < o; oc++) {
        int g = oc / og;
        for (int i = 0; i < ho; i++) {
          for (int j = 0; j < wo; j++) {
            double gv = at(gy, b, oc, i, j);
            for (int ic = 0; ic < cg; ic++) {
              for (int u = 0; u < kh; u++) {
                int y = i * p.strideH() - p.padH() + u * p.dilationH();
                if (y < 0 || y >= h) continue;
                for (int v = 0; v < kw; v++) {
                  int z = j * p.strideW() - p.padW() + v * p.dilationW();
                  if (z < 0 || z >= wd) continue;
                  acc[((b * c + g * cg + ic) * h + y) * wd + z] += gv * at(w, oc, ic, u, v);
                }
              }
            }
          }
        }
      }
    }
    return fromDoubles(acc, xShape, gy.dtype());
  }

  @Override
  public RawTensor conv2dBackwardWeight(RawTensor gy, RawTensor x, ConvGeometry p) {
    assert Arrays.equals(gy.shape(), p.outputShape()) && Arrays.equals(x.shape(), p.inputShape())
        : p;
    int[] wShape = p.weightShape();
    int n = p.batch(), h = p.inH(), wd = p.inW();
    int o = wShape[0], cg = wShape[1], kh = wShape[2], kw = wShape[3];
    int ho = p.outH(), wo = p.outW(), og = o / p.groups();
    double[] acc = new double[RawTensor.numel(wShape)];
    for (int b = 0; b < n; b++) {
      for (int oc = 0; oc < o; oc++) {
        int g = oc / og;
        for (int i = 0; i < ho; i++) {
          for (int j = 0; j < wo; j++) {
            double gv = at(gy, b, oc, i, j);
            for (int ic = 0; ic < cg; ic++) {
              for (int u = 0; u < kh; u++) {
                int y = i * p.strideH() - p.padH() + u * p.dilationH();
                if (y < 0 || y >= h) continue;
                for (int v = 0; v < kw; v++) {
                  int z = j * p.strideW() - p.padW() + v * p.dilationW();
                  if (z < 0 || z >= wd) continue;
                  acc[((oc * cg + ic) * kh + u) * kw + v] += gv * at(x, b, g * cg + ic, y, z);
                }
              }
            }
          }
        }
      }
    }
    return fromDoubles(acc, wShape, gy.dtype());
  }

  /** A dense tensor of {@code dtype} holding {@code values}. */
  private RawTensor fromDoubles(double[] values, int[] shape, DType dtype) {
    RawTensor out = newDense(dtype, shape);
    for (int i = 0; i < values.length; i++) out.storage().set(i, castValue(values[i], dtype));
    return out;
  }

  @Override
  public RawTensor[] maxPool2d(RawTensor x, ConvGeometry p) {
    assert Arrays.equals(x.shape(), p.inputShape()) : p;
    int n = p.batch(), c = p.channels(), h = p.inH(), wd = p.inW(), kh = p.kH(), kw = p.kW();
    int ho = p.outH(), wo = p.outW();
    int[] shape = {n, c, ho, wo};
    RawTensor values = newDense(x.dtype(), shape), indices = newDense(DType.INT64, shape);
    int idx = 0;
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < ho; i++) {
          for (int j = 0; j < wo; j++) {
            double best = Double.NEGATIVE_INFINITY;
            int arg = -1;
            for (int u = 0; u < kh; u++) {
              int y = i * p.strideH() - p.padH() + u * p.dilationH();
              if (y < 0 || y >= h) continue;
              for (int v = 0; v < kw; v++) {
                int z = j * p.strideW() - p.padW() + v * p.dilationW();
                if (z < 0 || z >= wd) continue;
                double val = at(x, b, ch, y, z);
                if (arg < 0 || val > best || Double.isNaN(val)) {
                  best = val;
                  arg = y * wd + z;
                  if (Double.isNaN(val)) break;
                }
              }
            }
            values.storage().set(idx, castValue(best, x.dtype()));
            indices.storage().set(idx++, arg);
          }
        }
      }
    }
    return new RawTensor[] {values, indices};
  }

  /** The definition: the two-op composite. */
  @Override
  public RawTensor reluBackward(RawTensor gy, RawTensor y) {
    return binary(BinaryOp.MUL, gy, unary(UnaryOp.SIGN, y));
  }

  @Override
  public RawTensor maxPool2dBackward(RawTensor gy, RawTensor indices, ConvGeometry g) {
    assert Arrays.equals(gy.shape(), g.outputShape())
            && Arrays.equals(indices.shape(), g.outputShape())
        : g;
    int[] xShape = g.inputShape();
    int n = xShape[0], c = xShape[1], plane = xShape[2] * xShape[3];
    int ho = gy.shape()[2], wo = gy.shape()[3];
    double[] acc = new double[RawTensor.numel(xShape)];
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < ho; i++) {
          for (int j = 0; j < wo; j++) {
            int k = (int) at(indices, b, ch, i, j);
            acc[(b * c + ch) * plane + k] += at(gy, b, ch, i, j);
          }
        }
      }
    }
    return fromDoubles(acc, xShape, gy.dtype());
  }

  @Override
  public RawTensor avgPool2d(RawTensor x, ConvGeometry p) {
    assert Arrays.equals(x.shape(), p.inputShape())
            && p.dilationH() == 1
            && p.dilationW() == 1
            && !p.ceilMode()
        : p;
    int n = p.batch(), c = p.channels(), h = p.inH(), wd = p.inW(), kh = p.kH(), kw = p.kW();
    int ho = p.outH(), wo = p.outW();
    RawTensor out = newDense(x.dtype(), new int[] {n, c, ho, wo});
    int idx = 0;
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < ho; i++) {
          for (int j = 0; j < wo; j++) {
            double s = 0;
            int y0 = i * p.strideH() - p.padH(), z0 = j * p.strideW() - p.padW();
            int y1 = Math.min(y0 + kh, h + p.padH()), z1 = Math.min(z0 + kw, wd + p.padW());
            int count = (y1 - y0) * (z1 - z0);
            for (int y = Math.max(y0, 0); y < Math.min(y1, h); y++) {
              for (int z = Math.max(z0, 0); z < Math.min(z1, wd); z++) s += at(x, b, ch, y, z);
            }
            out.storage().set(idx++, castValue(s / count, x.dtype()));
          }
        }
      }
    }
    return out;
  }

  @Override
  public RawTensor avgPool2dBackward(RawTensor gy, ConvGeometry p) {
    assert Arrays.equals(gy.shape(), p.outputShape())
            && p.dilationH() == 1
            && p.dilationW() == 1
            && !p.ceilMode()
        : p;
    int[] xShape = p.inputShape();
    int n = xShape[0], c = xShape[1], h = xShape[2], wd = xShape[3], kh = p.kH(), kw = p.kW();
    int ho = p.outH(), wo = p.outW();
    double[] acc = new double[RawTensor.numel(xShape)];
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < ho; i++) {
          for (int j = 0; j < wo; j++) {
            int y0 = i * p.strideH() - p.padH(), z0 = j * p.strideW() - p.padW();
            int y1 = Math.min(y0 + kh, h + p.padH()), z1 = Math.min(z0 + kw, wd + p.padW());
            double g = at(gy, b, ch, i, j) / ((y1 - y0) * (z1 - z0));
            for (int y = Math.max(y0, 0); y < Math.min(y1, h); y++) {
              for (int z = Math.max(z0, 0); z < Math.min(z1, wd); z++)
                acc[((b * c + ch) * h + y) * wd + z] += g;
            }
          }
        }
      }
    }
    return fromDoubles(acc, xShape, gy.dtype());
  }

  @Override
  public RawTensor[] logSoftmaxNll(RawTensor logits, RawTensor target, long ignoreIndex) {
    int n = logits.shape()[0], c = logits.shape()[1];
    RawTensor loss = newDense(logits.dtype(), new int[] {n}),
        lse = newDense(logits.dtype(), new int[] {n});
    for (int i = 0; i < n; i++) {
      double m = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < c; j++) m = Math.max(m, logits.storage().get(logits.offsetOf(i, j)));
      double s = 0;
      for (int j = 0; j < c; j++) s += Math.exp(logits.storage().get(logits.offsetOf(i, j)) - m);
      double l = m + Math.log(s);
      lse.storage().set(i, castValue(l, logits.dtype()));
      long t = (long) target.storage().get(target.offsetOf(i));
      if (t == ignoreIndex) continue;
      int k = checkIndex("crossEntropy", t, c);
      loss.storage()
          .set(i, castValue(l - logits.storage().get(logits.offsetOf(i, k)), logits.dtype()));
    }
    return new RawTensor[] {loss, lse};
  }

  /** Element of a tensor viewed as [N, C, S] (the trailing dims flattened; x must be dense). */
  private static double ncs(RawTensor x, int n, int c, int sp, int channels, int spatial) {
    return x.storage().get(x.offsetOfLinear((n * channels + c) * spatial + sp));
  }

  @Override
  public RawTensor[] lstmCell(RawTensor gates, RawTensor c) {
    int batch = c.shape()[0], h = c.shape()[1];
    DType t = c.dtype();
    RawTensor out = newDense(t, new int[] {2, batch, h}),
        acts = newDense(t, new int[] {batch, 5 * h});
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < h; j++) {
        double i = sigmoid(gates.storage().get(gates.offsetOf(b, j)));
        double f = sigmoid(gates.storage().get(gates.offsetOf(b, h + j)));
        double g = Math.tanh(gates.storage().get(gates.offsetOf(b, 2 * h + j)));
        double o = sigmoid(gates.storage().get(gates.offsetOf(b, 3 * h + j)));
        double next = f * c.storage().get(c.offsetOf(b, j)) + i * g;
        double tc = Math.tanh(next);
        out.storage().set(b * h + j, castValue(o * tc, t));
        out.storage().set((batch + b) * h + j, castValue(next, t));
        double[] a = {i, f, g, o, tc};
        for (int k = 0; k < 5; k++) acts.storage().set(b * 5 * h + k * h + j, castValue(a[k], t));
      }
    }
    return new RawTensor[] {out, acts};
  }

  @Override
  public RawTensor[] lstmCellBackward(RawTensor gy, RawTensor acts, RawTensor c) {
    int batch = c.shape()[0], h = c.shape()[1];
    DType t = c.dtype();
    RawTensor dGates = newDense(t, new int[] {batch, 4 * h}), dc = newDense(t, c.shape());
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < h; j++) {
        double[] a = new double[5];
        for (int k = 0; k < 5; k++) a[k] = acts.storage().get(acts.offsetOf(b, k * h + j));
        double i = a[0], f = a[1], g = a[2], o = a[3], tc = a[4];
        double gh = gy.storage().get(gy.offsetOf(0, b, j));
        double gcn = gy.storage().get(gy.offsetOf(1, b, j));
        double d = gcn + gh * o * (1 - tc * tc);
        double[] blocks = {
          d * g * i * (1 - i),
          d * c.storage().get(c.offsetOf(b, j)) * f * (1 - f),
          d * i * (1 - g * g),
          gh * tc * o * (1 - o)
        };
        for (int k = 0; k < 4; k++)
          dGates.storage().set(b * 4 * h + k * h + j, castValue(blocks[k], t));
        dc.storage().set(b * h + j, castValue(d * f, t));
      }
    }
    return new RawTensor[] {dGates, dc};
  }

  @Override
  public RawTensor[] gruCell(RawTensor xGates, RawTensor hGates, RawTensor h) {
    int batch = h.shape()[0], w = h.shape()[1];
    DType t = h.dtype();
    RawTensor next = newDense(t, h.shape()), acts = newDense(t, new int[] {batch, 3 * w});
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < w; j++) {
        double[] x = new double[3], g = new double[3];
        for (int k = 0; k < 3; k++) {
          x[k] = xGates.storage().get(xGates.offsetOf(b, k * w + j));
          g[k] = hGates.storage().get(hGates.offsetOf(b, k * w + j));
        }
        double r = sigmoid(x[0] + g[0]), z = sigmoid(x[1] + g[1]);
        double n = Math.tanh(x[2] + r * g[2]);
        next.storage()
            .set(b * w + j, castValue((h.storage().get(h.offsetOf(b, j)) - n) * z + n, t));
        double[] a = {r, z, n};
        for (int k = 0; k < 3; k++) acts.storage().set(b * 3 * w + k * w + j, castValue(a[k], t));
      }
    }
    return new RawTensor[] {next, acts};
  }

  @Override
  public RawTensor[] gruCellBackward(RawTensor gy, RawTensor acts, RawTensor hGates, RawTensor h) {
    int batch = h.shape()[0], w = h.shape()[1];
    DType t = h.dtype();
    int[] gates = {batch, 3 * w};
    RawTensor dx = newDense(t, gates), dh = newDense(t, gates), dPrev = newDense(t, h.shape());
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < w; j++) {
        double r = acts.storage().get(acts.offsetOf(b, j));
        double z = acts.storage().get(acts.offsetOf(b, w + j));
        double n = acts.storage().get(acts.offsetOf(b, 2 * w + j));
        double y = gy.storage().get(gy.offsetOf(b, j));
        double dn = y * (1 - z) * (1 - n * n);
        double dz = y * (h.storage().get(h.offsetOf(b, j)) - n) * z * (1 - z);
        double dr = dn * hGates.storage().get(hGates.offsetOf(b, 2 * w + j)) * r * (1 - r);
        double[] xs = {dr, dz, dn}, hs = {dr, dz, dn * r};
        for (int k = 0; k < 3; k++) {
          dx.storage().set(b * 3 * w + k * w + j, castValue(xs[k], t));
          dh.storage().set(b * 3 * w + k * w + j, castValue(hs[k], t));
        }
        dPrev.storage().set(b * w + j, castValue(y * z, t));
      }
    }
    return new RawTensor[] {dx, dh, dPrev};
  }

  private static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  @Override
  public RawTensor[] batchNorm(RawTensor x, RawTensor weight, RawTensor bias, double eps) {
    int n = x.shape()[0], c = x.shape()[1], sp = x.numel() / Math.max(1, n * c);
    int m = n * sp;
    RawTensor y = newDense(x.dtype(), x.shape()),
        mean = newDense(x.dtype(), new int[] {c}),
        invstd = newDense(x.dtype(), new int[] {c});
    for (int ch = 0; ch < c; ch++) {
      double s = 0;
      for (int b = 0; b < n; b++) for (int k = 0; k < sp; k++) s += ncs(x, b, ch, k, c, sp);
      double mu = s / m, v = 0;
      for (int b = 0; b < n; b++)
        for (int k = 0; k < sp; k++) v += Math.pow(ncs(x, b, ch, k, c, sp) - mu, 2);
      double is = 1 / Math.sqrt(v / m + eps);
      double w = weight == null ? 1 : weight.storage().get(weight.offsetOf(ch));
      double bb = bias == null ? 0 : bias.storage().get(bias.offsetOf(ch));
      mean.storage().set(ch, castValue(mu, x.dtype()));
      invstd.storage().set(ch, castValue(is, x.dtype()));
      for (int b = 0; b < n; b++) {
        for (int k = 0; k < sp; k++) {
          y.storage()
              .set(
                  (b * c + ch) * sp + k,
                  castValue((ncs(x, b, ch, k, c, sp) - mu) * is * w + bb, x.dtype()));
        }
      }
    }
    return new RawTensor[] {y, mean, invstd};
  }

  @Override
  public RawTensor[] batchNormBackward(
      RawTensor gy, RawTensor x, RawTensor weight, RawTensor mean, RawTensor invstd) {
    int n = x.shape()[0], c = x.shape()[1], sp = x.numel() / Math.max(1, n * c);
    int m = n * sp;
    RawTensor dx = newDense(x.dtype(), x.shape());
    RawTensor dw = weight == null ? null : newDense(x.dtype(), new int[] {c});
    RawTensor db = weight == null ? null : newDense(x.dtype(), new int[] {c});
    for (int ch = 0; ch < c; ch++) {
      double mu = mean.storage().get(mean.offsetOf(ch)),
          is = invstd.storage().get(invstd.offsetOf(ch));
      double w = weight == null ? 1 : weight.storage().get(weight.offsetOf(ch));
      double sumG = 0, sumGx = 0;
      for (int b = 0; b < n; b++) {
        for (int k = 0; k < sp; k++) {
          double g = ncs(gy, b, ch, k, c, sp);
          sumG += g;
          sumGx += g * (ncs(x, b, ch, k, c, sp) - mu) * is;
        }
      }
      if (dw != null) {
        dw.storage().set(ch, castValue(sumGx, x.dtype()));
        db.storage().set(ch, castValue(sumG, x.dtype()));
      }
      for (int b = 0; b < n; b++) {
        for (int k = 0; k < sp; k++) {
          double xhat = (ncs(x, b, ch, k, c, sp) - mu) * is;
          double g = ncs(gy, b, ch, k, c, sp);
          dx.storage()
              .set(
                  (b * c + ch) * sp + k,
                  castValue(w * is * (g - sumG / m - xhat * sumGx / m), x.dtype()));
        }
      }
    }
    return new RawTensor[] {dx, dw, db};
  }

  @Override
  public void scaleInPlace(RawTensor target, RawTensor factor) {
    double[] f = toHostDouble(factor);
    for (int i = 0; i < f.length; i++) {
      int o = target.offsetOfLinear(i);
      target.storage().set(o, castValue(target.storage().get(o) * f[i], target.dtype()));
    }
  }

  @Override
  public void accumulate(
      RawTensor target, double alpha, RawTensor a, RawTensor b, BinaryOp combine) {
    double[] av = toHostDouble(a), bv = b == null ? null : toHostDouble(b);
    for (int i = 0; i < av.length; i++) {
      double v = bv == null ? av[i] : apply(combine, av[i], bv[i]);
      int o = target.offsetOfLinear(i);
      target.storage().set(o, castValue(target.storage().get(o) + alpha * v, target.dtype()));
    }
  }

  // The definitions of the fused optimizer steps: per element in double, each stored value rounded
  // to the tensor's dtype once.

  @Override
  public void adamStep(
      RawTensor param, RawTensor grad, RawTensor expAvg, RawTensor expAvgSq, AdamStep h) {
    double bc1 = 1 - Math.pow(h.beta1(), h.step()), bc2 = 1 - Math.pow(h.beta2(), h.step());
    double[] gv = toHostDouble(grad);
    for (int i = 0; i < gv.length; i++) {
      int po = param.offsetOfLinear(i), mo = expAvg.offsetOfLinear(i);
      int vo = expAvgSq.offsetOfLinear(i);
      double p = param.storage().get(po);
      double g = h.maximize() ? -gv[i] : gv[i];
      if (h.decoupled()) p *= 1 - h.lr() * h.weightDecay();
      else g += h.weightDecay() * p;
      double m =
          castValue(h.beta1() * expAvg.storage().get(mo) + (1 - h.beta1()) * g, expAvg.dtype());
      double v =
          castValue(
              h.beta2() * expAvgSq.storage().get(vo) + (1 - h.beta2()) * (g * g), expAvgSq.dtype());
      expAvg.storage().set(mo, m);
      expAvgSq.storage().set(vo, v);
      // Associated as optim.Adam's composite associates it, so float64 results equal it bitwise.
      p += -(h.lr() / bc1) * (m / (Math.sqrt(v) / Math.sqrt(bc2) + h.eps()));
      param.storage().set(po, castValue(p, param.dtype()));
    }
  }

  @Override
  public void sgdStep(RawTensor param, RawTensor grad, RawTensor momentumBuffer, SgdStep h) {
    double[] gv = toHostDouble(grad);
    for (int i = 0; i < gv.length; i++) {
      int po = param.offsetOfLinear(i);
      double p = param.storage().get(po);
      double d = (h.maximize() ? -gv[i] : gv[i]) + h.weightDecay() * p;
      if (h.momentum() != 0) {
        int bo = momentumBuffer.offsetOfLinear(i);
        double buf =
            h.firstStep()
                ? d
                : h.momentum() * momentumBuffer.storage().get(bo) + (1 - h.dampening()) * d;
        buf = castValue(buf, momentumBuffer.dtype());
        momentumBuffer.storage().set(bo, buf);
        d = h.nesterov() ? d + h.momentum() * buf : buf;
      }
      param.storage().set(po, castValue(p - h.lr() * d, param.dtype()));
    }
  }
}
