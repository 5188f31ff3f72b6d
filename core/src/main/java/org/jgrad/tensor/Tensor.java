package org.jgrad.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jgrad.autograd.Autograd;
import org.jgrad.autograd.EngineHooks;
import org.jgrad.autograd.Function;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.Backend;
import org.jgrad.backend.Backends;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.backend.FusedKernels;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.ReduceOp;
import org.jgrad.backend.Storage;

/**
 * An n-dimensional array with reverse-mode automatic differentiation.
 *
 * <p>A tensor is a view (shape, strides, offset) over a {@link Storage} on a {@link Device}.
 * Operations follow PyTorch's names and semantics, with NumPy broadcasting. When an input {@link
 * #requiresGrad()}, each operation records a {@link Function} node; {@link #backward()} then fills
 * {@code grad()} of the leaves.
 *
 * <pre>{@code
 * Tensor w = Tensor.randn(3, 2).requiresGrad(true);
 * Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3);
 * Tensor loss = x.matmul(w).relu().sum();
 * loss.backward();
 * System.out.println(w.grad());
 * }</pre>
 */
public class Tensor {
  private final RawTensor data;
  private final Backend backend;
  private boolean requiresGrad;
  private Tensor grad;
  private Function gradFn;

  /** Values and indices of {@code max(dim)} / {@code min(dim)}. */
  public record ValuesIndices(Tensor values, Tensor indices) {}

  Tensor(RawTensor data) {
    this.data = data;
    this.backend = backendFor(data.storage().device());
  }

  /** Shares {@code other}'s data as a new leaf (used by {@code Parameter}). */
  protected Tensor(Tensor other) {
    this(other.data);
  }

  /** Wraps raw data as a constant tensor (no history). For backends and custom Functions. */
  public static Tensor fromRaw(RawTensor data) {
    return new Tensor(data);
  }

  /** The raw data: storage and layout, as backends see it. */
  public final RawTensor raw() {
    return data;
  }

  /** The backend that computes on this tensor's device. */
  public final Backend backend() {
    return backend;
  }

  static Backend backendFor(Device device) {
    return Backends.backend(device);
  }

  /** Where factories create tensors before an optional {@code to(device)}. */
  private static Backend host() {
    return Backends.backend(Device.CPU);
  }

  // ---------------------------------------------------------------- factories

  private static Tensor dense(DType dtype, int[] shape) {
    Shapes.checkShape("zeros", shape);
    Storage s = host().allocate(dtype, RawTensor.numel(shape));
    return new Tensor(RawTensor.dense(s, shape.clone()));
  }

  /** Zeros of the given shape, float32. */
  public static Tensor zeros(int... shape) {
    return dense(DType.FLOAT32, shape);
  }

  public static Tensor zeros(DType dtype, int... shape) {
    return dense(dtype, shape);
  }

  public static Tensor ones(int... shape) {
    return full(1, shape);
  }

  public static Tensor ones(DType dtype, int... shape) {
    return full(dtype, 1, shape);
  }

  public static Tensor full(double value, int... shape) {
    return full(DType.FLOAT32, value, shape);
  }

  public static Tensor full(DType dtype, double value, int... shape) {
    Tensor t = dense(dtype, shape);
    if (value != 0) t.backend.fill(t.data, value);
    return t;
  }

  /** Zeros with {@code like}'s shape, dtype and device. */
  public static Tensor zerosLike(Tensor like) {
    return zeros(like.dtype(), like.shape()).to(like.device());
  }

  public static Tensor onesLike(Tensor like) {
    return ones(like.dtype(), like.shape()).to(like.device());
  }

  /**
   * {@code [0, 1, …, end)}, float32 (a fractional or double argument, as {@code
   * torch.arange(5.0)}).
   */
  public static Tensor arange(double end) {
    return arange(0, end, 1);
  }

  /** {@code [start, start+1, …)} below {@code end}, float32. */
  public static Tensor arange(double start, double end) {
    return arange(start, end, 1);
  }

  /** {@code [start, start+step, …)} below {@code end}, float32. */
  public static Tensor arange(double start, double end, double step) {
    int n = arangeLength(start, end, step);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (start + i * step);
    return of(v, n);
  }

  /** {@code [0, 1, …, end)}, int64, as {@code torch.arange(5)} (integer arguments give int64). */
  public static Tensor arange(long end) {
    return arange(0L, end, 1L);
  }

  /** {@code [start, start+1, …)} below {@code end}, int64. */
  public static Tensor arange(long start, long end) {
    return arange(start, end, 1L);
  }

  /** {@code [start, start+step, …)} below {@code end}, int64. */
  public static Tensor arange(long start, long end, long step) {
    int n = arangeLength(start, end, step);
    long[] v = new long[n];
    for (int i = 0; i < n; i++) v[i] = start + i * step;
    return ofLongs(v, n);
  }

  /**
   * The number of arange elements, or an error for a zero step, a non-finite bound or too many
   * elements.
   */
  private static int arangeLength(double start, double end, double step) {
    if (!Double.isFinite(start) || !Double.isFinite(end) || !Double.isFinite(step)) {
      throw new IllegalArgumentException(
          "arange: unsupported range: start "
              + start
              + ", end "
              + end
              + ", step "
              + step
              + " (bounds and step must be finite)");
    }
    if (step == 0) throw new IllegalArgumentException("arange: step must be nonzero");
    double n = Math.ceil((end - start) / step);
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "arange: tensor too large: "
              + String.format(java.util.Locale.ROOT, "%.0f", n)
              + " elements for start "
              + start
              + ", end "
              + end
              + ", step "
              + step);
    }
    return (int) Math.max(0, n);
  }

  /** {@code steps} evenly spaced values from {@code start} to {@code end} inclusive, float32. */
  public static Tensor linspace(double start, double end, int steps) {
    if (steps < 0)
      throw new IllegalArgumentException("linspace: steps must be non-negative, got " + steps);
    float[] v = new float[steps];
    double h = steps > 1 ? (end - start) / (steps - 1) : 0;
    for (int i = 0; i < steps; i++)
      v[i] = (float) (i == steps - 1 && steps > 1 ? end : start + i * h);
    return of(v, steps);
  }

  /** The n×n identity, float32. */
  public static Tensor eye(int n) {
    if (n < 0) throw new IllegalArgumentException("eye: n must be non-negative, got " + n);
    float[] v = new float[n * n];
    for (int i = 0; i < n; i++) v[i * n + i] = 1;
    return of(v, n, n);
  }

  /** Uniform [0, 1) from the default generator. */
  public static Tensor rand(int... shape) {
    return rand(Generator.defaultGenerator(), shape);
  }

  public static Tensor rand(Generator g, int... shape) {
    Shapes.checkShape("rand", shape);
    float[] v = new float[RawTensor.numel(shape)];
    g.fillUniform(v);
    return of(v, shape);
  }

  /** Standard normal from the default generator. */
  public static Tensor randn(int... shape) {
    return randn(Generator.defaultGenerator(), shape);
  }

  public static Tensor randn(Generator g, int... shape) {
    Shapes.checkShape("randn", shape);
    float[] v = new float[RawTensor.numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = (float) g.nextGaussian();
    return of(v, shape);
  }

  /** Uniform integers in {@code [low, high)}, int64. */
  public static Tensor randint(long low, long high, int... shape) {
    return randint(Generator.defaultGenerator(), low, high, shape);
  }

  public static Tensor randint(Generator g, long low, long high, int... shape) {
    if (high <= low)
      throw new IllegalArgumentException(
          "randint: expected low < high, got " + low + " and " + high);
    Shapes.checkShape("randint", shape);
    long[] v = new long[RawTensor.numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = low + g.nextLong(high - low);
    return ofLongs(v, shape);
  }

  /** A random permutation of {@code 0..n-1}, int64 (Fisher–Yates). */
  public static Tensor randperm(int n, Generator g) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) v[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = g.nextInt(i + 1);
      long t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
    return ofLongs(v, n);
  }

  /** Reseeds the default generator, like {@code torch.manual_seed}. */
  public static void manualSeed(long seed) {
    Generator.defaultGenerator().manualSeed(seed);
  }

  private static void checkData(String op, int length, int[] shape) {
    Shapes.checkShape(op, shape);
    if (RawTensor.numel(shape) != length) {
      throw new IllegalArgumentException(
          op
              + ": "
              + length
              + " values do not fill shape "
              + Shapes.str(shape)
              + " ("
              + RawTensor.numel(shape)
              + " elements)");
    }
  }

  /** A float32 tensor holding a copy of {@code data}; with no shape, a 1-D tensor. */
  public static Tensor of(float[] data, int... shape) {
    if (shape.length == 0) shape = new int[] {data.length};
    checkData("of", data.length, shape);
    return new Tensor(RawTensor.dense(host().fromHost(data), shape.clone()));
  }

  /** A float64 tensor holding a copy of {@code data}; with no shape, a 1-D tensor. */
  public static Tensor of(double[] data, int... shape) {
    if (shape.length == 0) shape = new int[] {data.length};
    checkData("of", data.length, shape);
    return new Tensor(RawTensor.dense(host().fromHost(data, DType.FLOAT64), shape.clone()));
  }

  /** An int64 tensor (labels, indices); with no shape, a 1-D tensor. */
  public static Tensor ofLongs(long[] data, int... shape) {
    if (shape.length == 0) shape = new int[] {data.length};
    checkData("ofLongs", data.length, shape);
    double[] d = new double[data.length];
    for (int i = 0; i < d.length; i++) d[i] = data[i];
    return new Tensor(RawTensor.dense(host().fromHost(d, DType.INT64), shape.clone()));
  }

  /** A float32 scalar (0-d tensor). */
  public static Tensor scalar(double value) {
    return scalar(value, DType.FLOAT32);
  }

  public static Tensor scalar(double value, DType dtype) {
    return full(dtype, value);
  }

  // ---------------------------------------------------------------- info and data

  public final int[] shape() {
    return data.shape().clone();
  }

  /** Size of one dimension; negative dims count from the end. */
  public final int size(int dim) {
    return data.shape()[Shapes.dim("size", dim, dim())];
  }

  public final int dim() {
    return data.rank();
  }

  public final int numel() {
    return data.numel();
  }

  public final DType dtype() {
    return data.dtype();
  }

  public final Device device() {
    return data.storage().device();
  }

  public final int[] strides() {
    return data.strides().clone();
  }

  public final int offset() {
    return data.offset();
  }

  public final boolean isContiguous() {
    return data.isContiguous();
  }

  /** Number of in-place modifications of the underlying storage. */
  public final int version() {
    return data.storage().version();
  }

  /** The value of a one-element tensor. */
  public final double item() {
    if (numel() != 1) {
      throw new IllegalArgumentException(
          "item: only one-element tensors can be converted to a number, got shape "
              + Shapes.str(shape()));
    }
    return backend.toHostDouble(data)[0];
  }

  /** Copies the values out in row-major order, as floats. */
  public final float[] toFloatArray() {
    return backend.toHostFloat(data);
  }

  /** Copies the values out in row-major order, as doubles. */
  public final double[] toDoubleArray() {
    return backend.toHostDouble(data);
  }

  /** Copies the values out in row-major order, as longs (truncating). */
  public final long[] toLongArray() {
    double[] d = toDoubleArray();
    long[] out = new long[d.length];
    for (int i = 0; i < d.length; i++) out[i] = (long) d[i];
    return out;
  }

  /** One element by multi-index (negative indices count from the end). */
  public final double get(int... index) {
    if (index.length != dim()) {
      throw new IllegalArgumentException(
          "get: expected "
              + dim()
              + " indices for shape "
              + Shapes.str(shape())
              + ", got "
              + index.length);
    }
    int[] idx = new int[index.length];
    for (int i = 0; i < index.length; i++) {
      int s = data.shape()[i];
      int j = index[i] < 0 ? index[i] + s : index[i];
      if (j < 0 || j >= s) {
        throw new IllegalArgumentException(
            "get: index " + index[i] + " is out of bounds for dimension " + i + " with size " + s);
      }
      idx[i] = j;
    }
    if (device().equals(Device.CPU) || device().equals(Device.REFERENCE)) {
      return data.storage().get(data.offsetOf(idx));
    }
    return to(Device.CPU).get(index);
  }

  // ---------------------------------------------------------------- autograd

  public final boolean requiresGrad() {
    return requiresGrad;
  }

  /** Marks a leaf as requiring a gradient (PyTorch's {@code requires_grad_}); returns this. */
  public Tensor requiresGrad(boolean value) {
    if (gradFn != null && !value) {
      throw new IllegalArgumentException(
          "requiresGrad: cannot turn off grad on a non-leaf tensor ("
              + gradFn.name()
              + "); use detach()");
    }
    if (value && !dtype().isFloatingPoint()) {
      throw new IllegalArgumentException(
          "requiresGrad: only floating point tensors can require grad, got " + dtype());
    }
    requiresGrad = value;
    return this;
  }

  /** The accumulated gradient, or null. */
  public final Tensor grad() {
    return grad;
  }

  public final void setGrad(Tensor g) {
    if (g != null && !Arrays.equals(g.shape(), shape())) {
      throw new IllegalArgumentException(
          "setGrad: gradient shape "
              + Shapes.str(g.shape())
              + " does not match tensor "
              + Shapes.str(shape()));
    }
    grad = g;
  }

  /** Clears the gradient (sets it to null, as PyTorch's default {@code set_to_none}). */
  public final void zeroGrad() {
    grad = null;
  }

  /** The node that produced this tensor, or null for leaves and constants. */
  public final Function gradFn() {
    return gradFn;
  }

  // The engine (org.jgrad.autograd) sets the graph fields through these hooks, installed once when
  // this class initialises; they are not public API.
  static {
    EngineHooks.install(
        new EngineHooks() {
          @Override
          protected void attach(Tensor t, Function f) {
            t.gradFn = f;
            t.requiresGrad = true;
          }

          @Override
          protected void setGrad(Tensor t, Tensor g) {
            t.grad = g;
          }
        });
  }

  public final boolean isLeaf() {
    return gradFn == null;
  }

  /** Asks backward to keep this non-leaf tensor's gradient in {@link #grad()}. */
  public final Tensor retainGrad() {
    if (!requiresGrad) throw new IllegalStateException("retainGrad: tensor does not require grad");
    if (gradFn != null) gradFn.retainGrad(this);
    return this;
  }

  /** Backward from a scalar: d(this)/d(leaves) accumulates into their {@code grad()}. */
  public final void backward() {
    if (numel() != 1) {
      throw new IllegalArgumentException(
          "backward: grad can be implicitly created only for scalar outputs, got shape "
              + Shapes.str(shape())
              + "; pass a gradient");
    }
    backward(onesLike(this), false, false);
  }

  public final void backward(Tensor gradient) {
    backward(gradient, false, false);
  }

  /**
   * Backward with an explicit seed gradient; a {@code null} gradient on a one-element output means
   * ones, as in PyTorch ({@code loss.backward(null, true, false)} keeps the graph of a scalar
   * loss).
   *
   * @param retainGraph keep the graph so backward can run through it again
   * @param createGraph record the backward computation itself, for higher-order gradients
   */
  public final void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
    if (gradient == null) {
      if (numel() != 1) {
        throw new IllegalArgumentException(
            "backward: grad can be implicitly created only for scalar outputs, got shape "
                + Shapes.str(shape())
                + "; pass a gradient");
      }
      gradient = onesLike(this);
    }
    if (!Arrays.equals(gradient.shape(), shape())) {
      throw new IllegalArgumentException(
          "backward: gradient shape "
              + Shapes.str(gradient.shape())
              + " does not match output shape "
              + Shapes.str(shape()));
    }
    Autograd.backward(this, gradient, retainGraph || createGraph, createGraph);
  }

  /** The same data without history. */
  public final Tensor detach() {
    return new Tensor(data);
  }

  // ---------------------------------------------------------------- conversion

  /** A copy converted to {@code dtype} (this tensor itself when the dtype already matches). */
  public final Tensor to(DType dtype) {
    if (dtype == dtype()) return this;
    if (dtype.isFloatingPoint() && dtype().isFloatingPoint())
      return Function.apply(new ShapeOps.Copy(dtype), this);
    return new Tensor(backend.copy(data, dtype));
  }

  /** This tensor on another device (this tensor itself when already there). */
  public final Tensor to(Device device) {
    if (device.equals(device())) return this;
    return Function.apply(new ShapeOps.ToDevice(device), this);
  }

  /** A dense copy in row-major order, sharing nothing, with history. */
  public final Tensor clone() {
    return Function.apply(new ShapeOps.Copy(dtype()), this);
  }

  /** This tensor if already dense, else a dense copy. */
  public final Tensor contiguous() {
    return isContiguous() ? this : clone();
  }

  // ---------------------------------------------------------------- element-wise

  /**
   * Brings a second operand to a common dtype: bool/int promote to float; float32 and float64 do
   * not mix.
   */
  private Tensor[] promote(String op, Tensor other) {
    DType a = dtype(), b = other.dtype();
    if (a == b) return new Tensor[] {this, other};
    if (a.isFloatingPoint() && b.isFloatingPoint()) {
      throw new IllegalArgumentException(
          op
              + ": dtype mismatch, "
              + a
              + " and "
              + b
              + " (convert one with .to(DType) explicitly)");
    }
    if (a.isFloatingPoint()) return new Tensor[] {this, other.to(a)};
    if (b.isFloatingPoint()) return new Tensor[] {to(b), other};
    return new Tensor[] {to(DType.INT64), other.to(DType.INT64)};
  }

  private Tensor scalarLike(double v) {
    DType t = dtype();
    if (!t.isFloatingPoint())
      t = (v == Math.rint(v) && !Double.isInfinite(v)) ? DType.INT64 : DType.FLOAT32;
    Tensor s = full(t, v);
    return device().equals(Device.CPU) ? s : s.to(device());
  }

  private Tensor binary(Function f, String op, Tensor other) {
    Tensor[] ab = promote(op, other);
    return Function.apply(f, ab[0], ab[1]);
  }

  public final Tensor add(Tensor other) {
    return binary(new ElementwiseOps.Add(), "add", other);
  }

  public final Tensor add(double v) {
    return add(scalarLike(v));
  }

  public final Tensor sub(Tensor other) {
    return binary(new ElementwiseOps.Sub(), "sub", other);
  }

  public final Tensor sub(double v) {
    return sub(scalarLike(v));
  }

  public final Tensor mul(Tensor other) {
    return binary(new ElementwiseOps.Mul(), "mul", other);
  }

  public final Tensor mul(double v) {
    return mul(scalarLike(v));
  }

  /** True division; integer operands give float32, as PyTorch does. */
  public final Tensor div(Tensor other) {
    if (!dtype().isFloatingPoint() && !other.dtype().isFloatingPoint()) {
      return to(DType.FLOAT32).div(other.to(DType.FLOAT32));
    }
    return binary(new ElementwiseOps.Div(), "div", other);
  }

  public final Tensor div(double v) {
    if (!dtype().isFloatingPoint()) return to(DType.FLOAT32).div(v);
    return div(scalarLike(v));
  }

  public final Tensor pow(Tensor exponent) {
    return binary(new ElementwiseOps.Pow(), "pow", exponent);
  }

  public final Tensor pow(double exponent) {
    if (dtype() == DType.INT64 && exponent < 0 && exponent == Math.rint(exponent)) {
      // As PyTorch: the exact result would be a fraction that int64 cannot hold.
      throw new IllegalArgumentException(
          "pow: Integers to negative integer powers are not allowed. (int64 tensor of shape "
              + Shapes.str(shape())
              + " to the power "
              + (long) exponent
              + "; convert it with to(DType.FLOAT32) first)");
    }
    if (exponent == 2) return square();
    if (exponent == 1) return this;
    return pow(scalarLike(exponent));
  }

  /** Element-wise maximum (ties share the gradient). */
  public final Tensor maximum(Tensor other) {
    return binary(new ElementwiseOps.Maximum(), "maximum", other);
  }

  public final Tensor minimum(Tensor other) {
    return binary(new ElementwiseOps.Minimum(), "minimum", other);
  }

  public final Tensor neg() {
    return Function.apply(new ElementwiseOps.Neg(), this);
  }

  public final Tensor exp() {
    return Function.apply(new ElementwiseOps.Exp(), floatSelf("exp"));
  }

  public final Tensor log() {
    return Function.apply(new ElementwiseOps.Log(), floatSelf("log"));
  }

  public final Tensor sqrt() {
    return Function.apply(new ElementwiseOps.Sqrt(), floatSelf("sqrt"));
  }

  public final Tensor abs() {
    return Function.apply(new ElementwiseOps.Abs(), this);
  }

  public final Tensor sign() {
    return Function.apply(new ElementwiseOps.Sign(), this);
  }

  public final Tensor sin() {
    return Function.apply(new ElementwiseOps.Sin(), floatSelf("sin"));
  }

  public final Tensor cos() {
    return Function.apply(new ElementwiseOps.Cos(), floatSelf("cos"));
  }

  public final Tensor tanh() {
    return Function.apply(new ElementwiseOps.Tanh(), floatSelf("tanh"));
  }

  public final Tensor sigmoid() {
    return Function.apply(new ElementwiseOps.Sigmoid(), floatSelf("sigmoid"));
  }

  public final Tensor relu() {
    return Function.apply(new ElementwiseOps.Relu(), this);
  }

  /** The error function. */
  public final Tensor erf() {
    return Function.apply(new ElementwiseOps.Erf(), floatSelf("erf"));
  }

  public final Tensor reciprocal() {
    return Function.apply(new ElementwiseOps.Reciprocal(), floatSelf("reciprocal"));
  }

  /** log(1 + x), accurate for small x. */
  public final Tensor log1p() {
    return Function.apply(new ElementwiseOps.Log1p(), floatSelf("log1p"));
  }

  /** exp(x) − 1, accurate for small x. */
  public final Tensor expm1() {
    return Function.apply(new ElementwiseOps.Expm1(), floatSelf("expm1"));
  }

  /** x·x (composite; kept as a method because pow(2) is so common). */
  public final Tensor square() {
    return mul(this);
  }

  private Tensor floatSelf(String op) {
    return dtype().isFloatingPoint() ? this : to(DType.FLOAT32);
  }

  /** max(0, x) + slope·min(0, x). Composite. */
  public final Tensor leakyRelu(double slope) {
    return where(gt(0), this, mul(slope));
  }

  /** x for x > 0, alpha·(exp(x) − 1) otherwise. Composite. */
  public final Tensor elu(double alpha) {
    return where(gt(0), this, minimum(zerosLike(this)).expm1().mul(alpha));
  }

  /** Exact GELU, x·Φ(x) = x·(1 + erf(x/√2))/2, as PyTorch's default. Composite. */
  public final Tensor gelu() {
    return mul(mul(1 / Math.sqrt(2)).erf().add(1)).mul(0.5);
  }

  /** log(1 + exp(x)), computed as relu(x) + log(1 + exp(−|x|)) to stay finite. Composite. */
  public final Tensor softplus() {
    return relu().add(abs().neg().exp().log1p());
  }

  /** PyTorch's softplus with beta and threshold: x where beta·x > threshold. */
  public final Tensor softplus(double beta, double threshold) {
    Tensor soft = mul(beta).softplus().div(beta);
    return where(mul(beta).gt(threshold), this, soft);
  }

  /** x·sigmoid(x). Composite. */
  public final Tensor silu() {
    return mul(sigmoid());
  }

  /** Limits values to [min, max]; the gradient passes where min ≤ x ≤ max. */
  public final Tensor clamp(double min, double max) {
    if (min > max)
      throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
    return clampMin(min).clampMax(max);
  }

  public final Tensor clampMin(double min) {
    return where(lt(min), scalarLike(min).expand(shape()), this);
  }

  public final Tensor clampMax(double max) {
    return where(gt(max), scalarLike(max).expand(shape()), this);
  }

  /** Element-wise {@code cond ? a : b} with broadcasting; cond is a mask (BOOL or 0/1). */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    Tensor[] ab = a.promote("where", b);
    Tensor c = cond.dtype() == DType.BOOL ? cond : cond.ne(0);
    return Function.apply(new ElementwiseOps.Where(), c, ab[0], ab[1]);
  }

  private Tensor compare(BinaryOp op, Tensor other) {
    Tensor[] ab = promote(op.name().toLowerCase(), other);
    int[] shape = Shapes.broadcast(op.name().toLowerCase(), shape(), other.shape());
    if (!device().equals(other.device())) {
      throw new IllegalArgumentException(
          op.name().toLowerCase()
              + ": expected all tensors on the same device, got "
              + device()
              + " and "
              + other.device());
    }
    return new Tensor(
        backend.binary(
            op, Shapes.expandRaw(ab[0].data, shape), Shapes.expandRaw(ab[1].data, shape)));
  }

  /** Element-wise {@code ==}, a BOOL mask (no gradient). */
  public final Tensor eq(Tensor o) {
    return compare(BinaryOp.EQ, o);
  }

  public final Tensor eq(double v) {
    return compare(BinaryOp.EQ, scalarLike(v));
  }

  public final Tensor ne(Tensor o) {
    return compare(BinaryOp.NE, o);
  }

  public final Tensor ne(double v) {
    return compare(BinaryOp.NE, scalarLike(v));
  }

  public final Tensor lt(Tensor o) {
    return compare(BinaryOp.LT, o);
  }

  public final Tensor lt(double v) {
    return compare(BinaryOp.LT, scalarLike(v));
  }

  public final Tensor le(Tensor o) {
    return compare(BinaryOp.LE, o);
  }

  public final Tensor le(double v) {
    return compare(BinaryOp.LE, scalarLike(v));
  }

  public final Tensor gt(Tensor o) {
    return compare(BinaryOp.GT, o);
  }

  public final Tensor gt(double v) {
    return compare(BinaryOp.GT, scalarLike(v));
  }

  public final Tensor ge(Tensor o) {
    return compare(BinaryOp.GE, o);
  }

  public final Tensor ge(double v) {
    return compare(BinaryOp.GE, scalarLike(v));
  }

  /** Logical not of a mask. */
  public final Tensor logicalNot() {
    return eq(0);
  }

  // ---------------------------------------------------------------- reductions

  public final Tensor sum() {
    return sum(Shapes.allDims(dim()), false);
  }

  public final Tensor sum(int dim, boolean keepDim) {
    return sum(new int[] {dim}, keepDim);
  }

  /** Sum over {@code dims}; bool and int inputs sum as int64. */
  public final Tensor sum(int[] dims, boolean keepDim) {
    int[] axes = Shapes.dims("sum", dims, dim());
    Tensor x = dtype() == DType.BOOL ? to(DType.INT64) : this;
    return Function.apply(new ReduceOps.Sum(axes, keepDim), x);
  }

  /** Removes size-1 dims at sorted positions {@code axes} (a view). */
  private Tensor dropDims(int[] axes) {
    if (axes.length == 0) return this;
    int[] s = shape();
    int[] out = new int[s.length - axes.length];
    int k = 0, a = 0;
    for (int i = 0; i < s.length; i++) {
      if (a < axes.length && axes[a] == i) a++;
      else out[k++] = s[i];
    }
    return reshape(out);
  }

  private int count(int[] axes) {
    int n = 1;
    for (int a : axes) n *= data.shape()[a];
    return n;
  }

  public final Tensor mean() {
    return mean(Shapes.allDims(dim()), false);
  }

  public final Tensor mean(int dim, boolean keepDim) {
    return mean(new int[] {dim}, keepDim);
  }

  public final Tensor mean(int[] dims, boolean keepDim) {
    if (!dtype().isFloatingPoint()) {
      throw new IllegalArgumentException("mean: expected a floating point tensor, got " + dtype());
    }
    int[] axes = Shapes.dims("mean", dims, dim());
    return sum(axes, keepDim).div(count(axes));
  }

  /** Unbiased variance of all elements. */
  public final Tensor var() {
    return var(Shapes.allDims(dim()), true, false);
  }

  /** Variance over {@code dims}; {@code unbiased} divides by n − 1 (Bessel's correction). */
  public final Tensor var(int[] dims, boolean unbiased, boolean keepDim) {
    int[] axes = Shapes.dims("var", dims, dim());
    int n = count(axes);
    Tensor centered = sub(mean(axes, true));
    return centered.square().sum(axes, keepDim).div(unbiased ? n - 1 : n);
  }

  public final Tensor var(int dim, boolean unbiased, boolean keepDim) {
    return var(new int[] {dim}, unbiased, keepDim);
  }

  public final Tensor std() {
    return var().sqrt();
  }

  public final Tensor std(int[] dims, boolean unbiased, boolean keepDim) {
    return var(dims, unbiased, keepDim).sqrt();
  }

  public final Tensor std(int dim, boolean unbiased, boolean keepDim) {
    return var(dim, unbiased, keepDim).sqrt();
  }

  /** Maximum over {@code dims}; ties share the gradient. */
  public final Tensor amax(int[] dims, boolean keepDim) {
    int[] axes = Shapes.dims("amax", dims, dim());
    return Function.apply(new ReduceOps.Extreme(ReduceOp.MAX, axes, keepDim), this);
  }

  public final Tensor amin(int[] dims, boolean keepDim) {
    int[] axes = Shapes.dims("amin", dims, dim());
    return Function.apply(new ReduceOps.Extreme(ReduceOp.MIN, axes, keepDim), this);
  }

  /** The largest element (a 0-d tensor). */
  public final Tensor max() {
    return amax(Shapes.allDims(dim()), false);
  }

  public final Tensor min() {
    return amin(Shapes.allDims(dim()), false);
  }

  /**
   * Largest values along {@code dim} and their (first) indices; the gradient goes to those indices.
   */
  public final ValuesIndices max(int dim, boolean keepDim) {
    return extremeAlong(ReduceOp.MAX, dim, keepDim);
  }

  public final ValuesIndices min(int dim, boolean keepDim) {
    return extremeAlong(ReduceOp.MIN, dim, keepDim);
  }

  private ValuesIndices extremeAlong(ReduceOp op, int dim, boolean keepDim) {
    int d = Shapes.dim(op == ReduceOp.MAX ? "max" : "min", dim, dim());
    Tensor idx = argReduce(op, d, true);
    Tensor values = gather(d, idx);
    if (!keepDim) {
      values = values.squeeze(d);
      idx = idx.squeeze(d);
    }
    return new ValuesIndices(values, idx);
  }

  private Tensor argReduce(ReduceOp op, int d, boolean keepDim) {
    String name = op == ReduceOp.MAX ? "argmax" : "argmin";
    if (dim() > 0 && data.shape()[d] == 0) {
      throw new IllegalArgumentException(
          name + ": cannot reduce over empty dimension " + d + " of shape " + Shapes.str(shape()));
    }
    Tensor x = dim() == 0 ? reshape(1) : this;
    Tensor out = new Tensor(backend.argReduce(op, x.data, d));
    if (dim() == 0) return out.reshape();
    return keepDim ? out : out.squeeze(d);
  }

  /** Index of the first maximum along {@code dim}, int64. */
  public final Tensor argmax(int dim, boolean keepDim) {
    return argReduce(ReduceOp.MAX, Shapes.dim("argmax", dim, dim()), keepDim);
  }

  /** Index of the first maximum of the flattened tensor. */
  public final Tensor argmax() {
    return flatten().argmax(0, false);
  }

  public final Tensor argmin(int dim, boolean keepDim) {
    return argReduce(ReduceOp.MIN, Shapes.dim("argmin", dim, dim()), keepDim);
  }

  public final Tensor argmin() {
    return flatten().argmin(0, false);
  }

  /** log Σ exp(x) along {@code dim}, shifted by the (detached) maximum for stability. */
  public final Tensor logsumexp(int dim, boolean keepDim) {
    return logsumexp(new int[] {dim}, keepDim);
  }

  public final Tensor logsumexp(int[] dims, boolean keepDim) {
    int[] axes = Shapes.dims("logsumexp", dims, dim());
    Tensor m = amax(axes, true).detach();
    // An all -inf slice would give nan; shift by 0 there instead, as PyTorch does.
    m = where(m.abs().eq(Double.POSITIVE_INFINITY), zerosLike(m), m);
    Tensor out = sub(m).exp().sum(axes, true).log().add(m);
    return keepDim ? out : out.dropDims(axes);
  }

  /** Euclidean norm of all elements. */
  public final Tensor norm() {
    return norm(2, Shapes.allDims(dim()), false);
  }

  /** p-norm over {@code dims} (p = inf gives the max-abs norm). */
  public final Tensor norm(double p, int[] dims, boolean keepDim) {
    int[] axes = Shapes.dims("norm", dims, dim());
    if (p == Double.POSITIVE_INFINITY) return abs().amax(axes, keepDim);
    if (p == 1) return abs().sum(axes, keepDim);
    if (p == 2) return square().sum(axes, keepDim).sqrt();
    if (p <= 0) throw new IllegalArgumentException("norm: p must be positive, got " + p);
    return abs().pow(p).sum(axes, keepDim).pow(1 / p);
  }

  /** exp(x) / Σ exp(x) along {@code dim}, with the maximum subtracted first. */
  public final Tensor softmax(int dim) {
    int d = Shapes.dim("softmax", dim, dim());
    // Zero-size input: the max below has nothing to reduce; any shape-keeping op gives PyTorch's
    // empty
    // result (same shape and floating dtype, still in the graph).
    if (numel() == 0) return exp();
    Tensor e = sub(amax(new int[] {d}, true).detach()).exp();
    return e.div(e.sum(d, true));
  }

  /** x − logsumexp(x) along {@code dim}, computed as (x − m) − log Σ exp(x − m). */
  public final Tensor logSoftmax(int dim) {
    int d = Shapes.dim("logSoftmax", dim, dim());
    if (numel() == 0) return exp(); // empty result of the right shape, as softmax
    // Subtracting the max before adding anything back keeps log-probabilities near 0 exact:
    // x − (m + log Σ) would round to the ulp of m (7.6e-6 at m = 120 in float32).
    Tensor m = amax(new int[] {d}, true).detach();
    m = where(m.abs().eq(Double.POSITIVE_INFINITY), zerosLike(m), m);
    Tensor shifted = sub(m);
    return shifted.sub(shifted.exp().sum(d, true).log());
  }

  // ---------------------------------------------------------------- linear algebra

  /**
   * Matrix product with PyTorch's rules: 1-D·1-D is a dot product, a 1-D operand gets a dim
   * prepended (left) or appended (right) and removed again, and leading batch dims broadcast.
   */
  public final Tensor matmul(Tensor other) {
    if (dim() == 0 || other.dim() == 0) {
      throw new IllegalArgumentException(
          "matmul: both arguments need at least 1 dimension, got "
              + Shapes.str(shape())
              + " and "
              + Shapes.str(other.shape()));
    }
    Tensor[] ab = promote("matmul", other);
    Tensor a = ab[0], b = ab[1];
    boolean vecA = a.dim() == 1, vecB = b.dim() == 1;
    if (vecA) a = a.unsqueeze(0);
    if (vecB) b = b.unsqueeze(1);
    int ka = a.size(-1), kb = b.size(-2);
    if (ka != kb) {
      throw new IllegalArgumentException(
          "matmul: shapes "
              + Shapes.str(shape())
              + " and "
              + Shapes.str(other.shape())
              + " are not aligned ("
              + ka
              + " != "
              + kb
              + ")");
    }
    int[] sa = a.shape(), sb = b.shape();
    int[] batch =
        Shapes.broadcast(
            "matmul", Arrays.copyOf(sa, sa.length - 2), Arrays.copyOf(sb, sb.length - 2));
    int[] fa = Arrays.copyOf(batch, batch.length + 2), fb = Arrays.copyOf(batch, batch.length + 2);
    fa[batch.length] = sa[sa.length - 2];
    fa[batch.length + 1] = ka;
    fb[batch.length] = kb;
    fb[batch.length + 1] = sb[sb.length - 1];
    Tensor out = Function.apply(new MatMulOp(), a.expand(fa), b.expand(fb));
    if (vecA) out = out.squeeze(-2);
    if (vecB) out = out.squeeze(-1);
    return out;
  }

  /** Outer product of two vectors. */
  public final Tensor outer(Tensor other) {
    if (dim() != 1 || other.dim() != 1) {
      throw new IllegalArgumentException(
          "outer: expected two 1-D tensors, got "
              + Shapes.str(shape())
              + " and "
              + Shapes.str(other.shape()));
    }
    return unsqueeze(1).mul(other.unsqueeze(0));
  }

  /** Transpose of a matrix (rank ≤ 2). */
  public final Tensor t() {
    if (dim() > 2)
      throw new IllegalArgumentException(
          "t: expects a tensor with <= 2 dimensions, got " + Shapes.str(shape()));
    return dim() < 2 ? this : transpose(0, 1);
  }

  // ---------------------------------------------------------------- shape and views

  /** A tensor with the same data and a new shape (one entry may be -1); a view when possible. */
  public final Tensor reshape(int... shape) {
    int[] to = Shapes.inferReshape("reshape", data.shape(), shape);
    if (Arrays.equals(to, data.shape())) return this;
    return Function.apply(new ShapeOps.Reshape(to), this);
  }

  /** Like reshape, but fails instead of copying when the layout does not allow a view. */
  public final Tensor view(int... shape) {
    int[] to = Shapes.inferReshape("view", data.shape(), shape);
    if (Shapes.viewStrides(data.shape(), data.strides(), to) == null) {
      throw new IllegalArgumentException(
          "view: size "
              + Shapes.str(to)
              + " is not compatible with input of shape "
              + Shapes.str(shape())
              + " and strides "
              + Shapes.str(strides())
              + "; use reshape() instead");
    }
    return reshape(to);
  }

  public final Tensor flatten() {
    return reshape(-1);
  }

  /** Merges dims {@code start..end} (inclusive) into one. */
  public final Tensor flatten(int start, int end) {
    if (dim() == 0) return reshape(1);
    int s = Shapes.dim("flatten", start, dim()), e = Shapes.dim("flatten", end, dim());
    if (s > e)
      throw new IllegalArgumentException(
          "flatten: start dim " + start + " comes after end dim " + end);
    int[] sh = shape();
    int[] out = new int[sh.length - (e - s)];
    int k = 0;
    for (int i = 0; i < s; i++) out[k++] = sh[i];
    int m = 1;
    for (int i = s; i <= e; i++) m *= sh[i];
    out[k++] = m;
    for (int i = e + 1; i < sh.length; i++) out[k++] = sh[i];
    return reshape(out);
  }

  /** Removes every size-1 dim. */
  public final Tensor squeeze() {
    return reshape(Arrays.stream(data.shape()).filter(d -> d != 1).toArray());
  }

  /** Removes {@code dim} if it has size 1 (otherwise returns this, as PyTorch does). */
  public final Tensor squeeze(int dim) {
    if (dim() == 0) return this;
    int d = Shapes.dim("squeeze", dim, dim());
    if (data.shape()[d] != 1) return this;
    return dropDims(new int[] {d});
  }

  /** Inserts a size-1 dim at {@code dim} (in [-rank-1, rank]). */
  public final Tensor unsqueeze(int dim) {
    int d = Shapes.dim("unsqueeze", dim, dim() + 1);
    int[] s = shape();
    int[] out = new int[s.length + 1];
    for (int i = 0, k = 0; i < out.length; i++) out[i] = i == d ? 1 : s[k++];
    return reshape(out);
  }

  /** Swaps two dims (a view). */
  public final Tensor transpose(int d0, int d1) {
    int a = Shapes.dim("transpose", d0, dim()), b = Shapes.dim("transpose", d1, dim());
    if (a == b) return this;
    int[] perm = Shapes.allDims(dim());
    perm[a] = b;
    perm[b] = a;
    return permute(perm);
  }

  /** Reorders dims (a view). */
  public final Tensor permute(int... dims) {
    int[] perm = new int[dims.length];
    if (dims.length != dim()) {
      throw new IllegalArgumentException(
          "permute: expected "
              + dim()
              + " dims for shape "
              + Shapes.str(shape())
              + ", got "
              + Arrays.toString(dims));
    }
    for (int i = 0; i < dims.length; i++) perm[i] = Shapes.dim("permute", dims[i], dim());
    ShapeOps.checkPermutation(perm, dim());
    return Function.apply(new ShapeOps.Permute(perm), this);
  }

  /** Broadcasts size-1 dims to {@code shape} without copying (-1 keeps a size). */
  public final Tensor expand(int... shape) {
    int lead = shape.length - dim();
    if (lead < 0) {
      throw new IllegalArgumentException(
          "expand: target " + Shapes.str(shape) + " has fewer dims than " + Shapes.str(shape()));
    }
    int[] to = shape.clone();
    for (int i = 0; i < to.length; i++) {
      int own = i < lead ? 1 : data.shape()[i - lead];
      if (to[i] == -1 && i >= lead) to[i] = own;
      if (to[i] < 0 || (own != 1 && own != to[i])) {
        throw new IllegalArgumentException(
            "expand: cannot expand shape " + Shapes.str(shape()) + " to " + Shapes.str(shape));
      }
    }
    if (Arrays.equals(to, data.shape())) return this;
    return Function.apply(new ShapeOps.Expand(to), this);
  }

  /** Elements {@code start .. start+length-1} along {@code dim} (a view). */
  public final Tensor narrow(int dim, int start, int length) {
    int d = Shapes.dim("narrow", dim, dim());
    int size = data.shape()[d];
    if (start < 0) start += size;
    if (start < 0 || length < 0 || start + length > size) {
      throw new IllegalArgumentException(
          "narrow: start "
              + start
              + " and length "
              + length
              + " exceed dimension "
              + d
              + " of size "
              + size
              + " (shape "
              + Shapes.str(shape())
              + ")");
    }
    return Function.apply(new ShapeOps.Slice(d, start, length, 1), this);
  }

  /** The slice at {@code index} along {@code dim}, with that dim removed (a view). */
  public final Tensor select(int dim, int index) {
    int d = Shapes.dim("select", dim, dim());
    int size = data.shape()[d];
    int i = index < 0 ? index + size : index;
    if (i < 0 || i >= size) {
      throw new IllegalArgumentException(
          "select: index " + index + " is out of range for dimension " + d + " of size " + size);
    }
    return narrow(d, i, 1).squeeze(d);
  }

  /** Python's {@code x[start:end:step]} along {@code dim}, clamped like Python slices (a view). */
  public final Tensor slice(int dim, int start, int end, int step) {
    int d = Shapes.dim("slice", dim, dim());
    if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
    int size = data.shape()[d];
    int s = start < 0 ? Math.max(0, start + size) : Math.min(start, size);
    int e = end < 0 ? Math.max(0, end + size) : Math.min(end, size);
    int length = e > s ? (e - s + step - 1) / step : 0;
    return Function.apply(new ShapeOps.Slice(d, s, length, step), this);
  }

  /** Joins tensors along an existing dim. */
  public static Tensor cat(List<Tensor> tensors, int dim) {
    if (tensors.isEmpty())
      throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
    int d = Shapes.dim("cat", dim, tensors.get(0).dim());
    return Function.apply(new ShapeOps.Cat(d), tensors.toArray(new Tensor[0]));
  }

  /** Joins equally shaped tensors along a new dim. */
  public static Tensor stack(List<Tensor> tensors, int dim) {
    if (tensors.isEmpty())
      throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
    int[] s0 = tensors.get(0).shape();
    int d = Shapes.dim("stack", dim, s0.length + 1);
    List<Tensor> parts = new ArrayList<>(tensors.size());
    for (Tensor t : tensors) {
      if (!Arrays.equals(t.shape(), s0)) {
        throw new IllegalArgumentException(
            "stack: expects each tensor to be equal size, got "
                + Shapes.str(s0)
                + " and "
                + Shapes.str(t.shape()));
      }
      parts.add(t.unsqueeze(d));
    }
    return cat(parts, d);
  }

  /** Pieces of {@code size} along {@code dim} (the last may be smaller); views. */
  public final List<Tensor> split(int size, int dim) {
    if (size <= 0) throw new IllegalArgumentException("split: size must be positive, got " + size);
    int d = Shapes.dim("split", dim, dim());
    List<Tensor> out = new ArrayList<>();
    int n = data.shape()[d];
    for (int at = 0; at < n; at += size) out.add(narrow(d, at, Math.min(size, n - at)));
    if (n == 0) out.add(this);
    return out;
  }

  /** {@code chunks} pieces of (nearly) equal size along {@code dim}, as PyTorch's chunk. */
  public final List<Tensor> chunk(int chunks, int dim) {
    if (chunks <= 0)
      throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
    int n = size(dim);
    return split(Math.max(1, (n + chunks - 1) / chunks), dim);
  }

  /**
   * Constant padding, in {@code F.pad} order: (left, right) of the last dim, then of the one
   * before, and so on.
   */
  public final Tensor pad(int[] pad, double value) {
    if (pad.length % 2 != 0 || pad.length / 2 > dim()) {
      throw new IllegalArgumentException(
          "pad: padding length "
              + pad.length
              + " must be even and at most 2 * rank ("
              + dim()
              + ")");
    }
    Tensor out = this;
    for (int i = 0; i < pad.length / 2; i++) {
      int d = dim() - 1 - i;
      int before = pad[2 * i], after = pad[2 * i + 1];
      if (before < 0 || after < 0) {
        throw new IllegalArgumentException(
            "pad: negative padding is not supported, got " + Arrays.toString(pad));
      }
      if (before == 0 && after == 0) continue;
      int size = out.size(d) + before + after;
      out = Function.apply(new ShapeOps.Embed(d, before, 1, size, value), out);
    }
    return out;
  }

  /** Tiles the tensor, as PyTorch's repeat (the number of repeats may exceed the rank). */
  public final Tensor repeat(int... repeats) {
    if (repeats.length < dim()) {
      throw new IllegalArgumentException(
          "repeat: number of repeats "
              + repeats.length
              + " can not be smaller than the number of dimensions "
              + dim());
    }
    int lead = repeats.length - dim();
    int[] s = shape();
    int[] interleaved = new int[2 * repeats.length], expanded = new int[2 * repeats.length];
    int[] result = new int[repeats.length];
    for (int i = 0; i < repeats.length; i++) {
      if (repeats[i] < 0)
        throw new IllegalArgumentException("repeat: negative repeat " + repeats[i]);
      int own = i < lead ? 1 : s[i - lead];
      interleaved[2 * i] = 1;
      interleaved[2 * i + 1] = own;
      expanded[2 * i] = repeats[i];
      expanded[2 * i + 1] = own;
      result[i] = repeats[i] * own;
    }
    return reshape(interleaved).expand(expanded).contiguous().reshape(result);
  }

  /** {@code out[i][j] = x[i][index[i][j]]} for dim 1, and likewise for any dim. */
  public final Tensor gather(int dim, Tensor index) {
    int d = Shapes.dim("gather", dim, dim());
    return Function.apply(new IndexOps.Gather(d), this, index);
  }

  /** A copy of this tensor with {@code src} added at {@code index} along {@code dim}. */
  public final Tensor scatterAdd(int dim, Tensor index, Tensor src) {
    int d = Shapes.dim("scatterAdd", dim, dim());
    return Function.apply(new IndexOps.ScatterAdd(d), this, index, src);
  }

  /** The entries at {@code index} (a 1-D int64 tensor) along {@code dim}. */
  public final Tensor indexSelect(int dim, Tensor index) {
    int d = Shapes.dim("indexSelect", dim, dim());
    if (index.dim() > 1) {
      throw new IllegalArgumentException(
          "indexSelect: index must be 1-D, got " + Shapes.str(index.shape()));
    }
    Tensor idx = index.reshape(-1);
    int[] view = new int[dim()];
    Arrays.fill(view, 1);
    view[d] = idx.numel();
    int[] out = shape();
    out[d] = idx.numel();
    try {
      return gather(d, idx.reshape(view).expand(out));
    } catch (IllegalArgumentException e) { // name the op the caller used, not its implementation
      throw new IllegalArgumentException("indexSelect: " + e.getMessage(), e);
    }
  }

  /** One-hot encoding of an int64 tensor: a new last dim of {@code numClasses}, int64. */
  public final Tensor oneHot(int numClasses) {
    if (dtype() != DType.INT64)
      throw new IllegalArgumentException("oneHot: expected an int64 tensor, got " + dtype());
    long[] v = toLongArray();
    int n = numClasses;
    if (n < 0) {
      long m = -1;
      for (long x : v) m = Math.max(m, x);
      n = (int) m + 1;
    }
    double[] out = new double[v.length * n];
    for (int i = 0; i < v.length; i++) {
      if (v[i] < 0 || v[i] >= n) {
        throw new IllegalArgumentException(
            "oneHot: class value " + v[i] + " is outside [0, " + n + ")");
      }
      out[i * n + (int) v[i]] = 1;
    }
    int[] shape = Arrays.copyOf(data.shape(), dim() + 1);
    shape[dim()] = n;
    return new Tensor(RawTensor.dense(host().fromHost(out, DType.INT64), shape)).to(device());
  }

  /** Reverses the order of elements along {@code dims} (a copy). */
  public final Tensor flip(int... dims) {
    int[] axes = Shapes.dims("flip", dims, dim());
    return Function.apply(new ShapeOps.Flip(axes), this);
  }

  // ---------------------------------------------------------------- in place

  private void checkInPlace(String op) {
    if (requiresGrad && GradMode.isEnabled()) {
      throw new IllegalStateException(
          op
              + ": a tensor that requires grad is being modified in place while grad mode"
              + " is on; wrap the update in GradMode.noGrad()");
    }
  }

  private Tensor writeBack(String op, Tensor value) {
    checkInPlace(op);
    if (!Arrays.equals(value.shape(), shape())) {
      int[] b = Shapes.broadcast(op, shape(), value.shape());
      if (!Arrays.equals(b, shape())) {
        throw new IllegalArgumentException(
            op
                + ": result of shape "
                + Shapes.str(value.shape())
                + " does not fit into tensor of shape "
                + Shapes.str(shape()));
      }
    }
    Tensor v = value.dtype() == dtype() ? value : value.detach().to(dtype());
    backend.copyInto(data, Shapes.expandRaw(v.data, data.shape()));
    data.storage().bumpVersion();
    return this;
  }

  private Tensor noGrad(java.util.function.Supplier<Tensor> f) {
    try (var ng = GradMode.noGrad()) {
      return f.get();
    }
  }

  /**
   * Brings an in-place operand to this tensor's dtype, device and shape (as a stride-0 view where
   * it broadcasts), or fails naming the op.
   */
  private RawTensor operand(String op, Tensor other) {
    Tensor o = other.detach();
    if (!o.device().equals(device())) {
      throw new IllegalArgumentException(
          op + ": expected all tensors on the same device, got " + device() + " and " + o.device());
    }
    if (o.dtype() != dtype()) {
      if (o.dtype().isFloatingPoint() && dtype().isFloatingPoint()) {
        throw new IllegalArgumentException(
            op + ": dtype mismatch, " + dtype() + " and " + o.dtype());
      }
      o = o.to(dtype());
    }
    int[] b = Shapes.broadcast(op, shape(), o.shape());
    if (!Arrays.equals(b, data.shape())) {
      throw new IllegalArgumentException(
          op
              + ": operand of shape "
              + Shapes.str(o.shape())
              + " does not fit into tensor of shape "
              + Shapes.str(shape()));
    }
    return Shapes.expandRaw(o.data, data.shape());
  }

  private Tensor accumulate(String op, double alpha, Tensor a, Tensor b, BinaryOp combine) {
    checkInPlace(op);
    RawTensor ra = operand(op, a), rb = b == null ? null : operand(op, b);
    Optional<FusedKernels> fused = backend.fused();
    if (fused.isPresent()) {
      fused.get().accumulate(data, alpha, ra, rb, combine);
    } else {
      // The composite the fused kernel stands for: target + alpha * (a [combine b]), then written
      // back.
      RawTensor term = rb == null ? ra : backend.binary(combine, ra, rb);
      term = backend.binary(BinaryOp.MUL, term, scalarRaw(alpha));
      backend.copyInto(data, backend.binary(BinaryOp.ADD, data, term));
    }
    data.storage().bumpVersion();
    return this;
  }

  /** {@code v} in this tensor's dtype, broadcast (stride 0) to this tensor's shape. */
  private RawTensor scalarRaw(double v) {
    return Shapes.expandRaw(
        RawTensor.dense(backend.fromHost(new double[] {v}, dtype()), new int[0]), data.shape());
  }

  /** this += other. */
  public final Tensor addInPlace(Tensor other) {
    return accumulate("addInPlace", 1, other, null, null);
  }

  /** this += alpha · other. */
  public final Tensor addInPlace(Tensor other, double alpha) {
    return accumulate("addInPlace", alpha, other, null, null);
  }

  public final Tensor subInPlace(Tensor other) {
    return accumulate("subInPlace", -1, other, null, null);
  }

  public final Tensor mulInPlace(Tensor other) {
    checkInPlace("mulInPlace");
    RawTensor factor = operand("mulInPlace", other);
    Optional<FusedKernels> fused = backend.fused();
    if (fused.isPresent()) fused.get().scaleInPlace(data, factor);
    else backend.copyInto(data, backend.binary(BinaryOp.MUL, data, factor));
    data.storage().bumpVersion();
    return this;
  }

  public final Tensor mulInPlace(double v) {
    return mulInPlace(scalarLike(v));
  }

  public final Tensor divInPlace(Tensor other) {
    checkInPlace("divInPlace");
    return writeBack("divInPlace", noGrad(() -> detach().div(other.detach())));
  }

  /** this += value · a · b. */
  public final Tensor addcmulInPlace(Tensor a, Tensor b, double value) {
    return accumulate("addcmulInPlace", value, a, b, BinaryOp.MUL);
  }

  /** this += value · a / b. */
  public final Tensor addcdivInPlace(Tensor a, Tensor b, double value) {
    return accumulate("addcdivInPlace", value, a, b, BinaryOp.DIV);
  }

  /** Copies {@code src}'s values (broadcast to this shape) into this tensor. */
  public final Tensor copyFrom(Tensor src) {
    if (!src.device().equals(device())) src = src.detach().to(device());
    return writeBack("copyFrom", src.detach());
  }

  public final Tensor fill(double value) {
    checkInPlace("fill");
    backend.fill(data, value);
    data.storage().bumpVersion();
    return this;
  }

  public final Tensor zero() {
    return fill(0);
  }

  // ---------------------------------------------------------------- PyTorch idioms: assignment,
  // masks, sorting, scans

  /**
   * Sets one element in place ({@code x[i, j] = value}); negative indices count from the end.
   * Returns this. Like every in-place op it bumps the version counter, so a backward that saved
   * this tensor fails instead of using the new value.
   */
  public final Tensor set(double value, int... index) {
    checkAssign("set", null);
    if (index.length != dim()) {
      throw new IllegalArgumentException(
          "set: expected "
              + dim()
              + " indices for shape "
              + Shapes.str(shape())
              + ", got "
              + index.length);
    }
    try (var ng = GradMode.noGrad()) {
      Tensor v = this;
      for (int i = 0; i < index.length; i++) {
        int s = data.shape()[i];
        int j = index[i] < 0 ? index[i] + s : index[i];
        if (j < 0 || j >= s) {
          throw new IllegalArgumentException(
              "set: index "
                  + index[i]
                  + " is out of bounds for dimension "
                  + i
                  + " with size "
                  + s);
        }
        v = v.narrow(i, j, 1);
      }
      v.fill(value);
    }
    return this;
  }

  /**
   * Python's {@code x[..., start:end:step] = values} along {@code dim}, in place; {@code values}
   * broadcasts to the slice. Returns this. For a differentiable (out-of-place) form use {@link
   * #sliceScatter}.
   */
  public final Tensor setSlice(int dim, int start, int end, int step, Tensor values) {
    checkAssign("setSlice", values);
    try (var ng = GradMode.noGrad()) {
      Tensor view = slice(dim, start, end, step);
      int[] b;
      try {
        b = Shapes.broadcast("setSlice", view.shape(), values.shape());
      } catch (IllegalArgumentException e) {
        b = null;
      }
      if (!Arrays.equals(b, view.shape())) {
        throw new IllegalArgumentException(
            "setSlice: values of shape "
                + Shapes.str(values.shape())
                + " do not broadcast to the slice of shape "
                + Shapes.str(view.shape()));
      }
      view.copyFrom(
          values.to(
              dtype().isFloatingPoint() && values.dtype().isFloatingPoint()
                  ? dtype()
                  : values.dtype()));
    }
    return this;
  }

  /** {@code x[..., start:end:step] = value} along {@code dim}, in place; returns this. */
  public final Tensor setSlice(int dim, int start, int end, int step, double value) {
    checkAssign("setSlice", null);
    try (var ng = GradMode.noGrad()) {
      slice(dim, start, end, step).fill(value);
    }
    return this;
  }

  /**
   * Refuses an in-place write that autograd could not follow: this tensor requires grad, or the
   * written values do, while grad mode is on (PyTorch would record the write; here the out-of-place
   * forms record it).
   */
  private void checkAssign(String op, Tensor values) {
    if (!GradMode.isEnabled()) return;
    if (requiresGrad) {
      throw new IllegalStateException(
          op
              + ": a tensor that requires grad is being modified in place while grad mode"
              + " is on; use the out-of-place indexPut/sliceScatter/maskedFill to get a gradient, or wrap the update in"
              + " GradMode.noGrad()");
    }
    if (values != null && values.requiresGrad()) {
      throw new IllegalStateException(
          op
              + ": the values require grad, but an in-place write into a tensor records no"
              + " gradient; use the out-of-place indexPut/sliceScatter (whose result carries the history)");
    }
  }

  /**
   * A copy of this tensor with {@code src} written into {@code [start:end:step]} along {@code dim}
   * (PyTorch's {@code slice_scatter}); {@code src} must have the slice's shape. Differentiable in
   * both: the slice's positions get their gradient from {@code src}.
   */
  public final Tensor sliceScatter(Tensor src, int dim, int start, int end, int step) {
    int d = Shapes.dim("sliceScatter", dim, dim());
    if (step <= 0)
      throw new IllegalArgumentException("sliceScatter: step must be positive, got " + step);
    int size = data.shape()[d];
    int s = start < 0 ? Math.max(0, start + size) : Math.min(start, size);
    int e = end < 0 ? Math.max(0, end + size) : Math.min(end, size);
    int length = e > s ? (e - s + step - 1) / step : 0;
    int[] expected = shape();
    expected[d] = length;
    if (!Arrays.equals(expected, src.shape())) {
      throw new IllegalArgumentException(
          "sliceScatter: expected src of shape "
              + Shapes.str(expected)
              + " (the slice of "
              + Shapes.str(shape())
              + "), got "
              + Shapes.str(src.shape()));
    }
    long[] idx = new long[length];
    for (int i = 0; i < length; i++) idx[i] = s + (long) i * step;
    Tensor index = ofLongs(idx, length).to(device());
    return transpose(0, d).indexPut(index, src.transpose(0, d)).transpose(0, d);
  }

  /**
   * PyTorch's {@code x[index] = values} as a new tensor ({@code index_put}). {@code index} is an
   * int64 tensor selecting along dim 0 (negative entries count from the end; any shape) or a bool
   * mask over the leading dims; {@code values} broadcasts to the selection's shape. Differentiable
   * in this tensor (written positions get zero) and in {@code values}.
   */
  public final Tensor indexPut(Tensor index, Tensor values) {
    return indexPut(index, values, false);
  }

  /**
   * As {@link #indexPut(Tensor, Tensor)}; with {@code accumulate}, adds the values instead (repeats
   * add up).
   */
  public final Tensor indexPut(Tensor index, Tensor values, boolean accumulate) {
    String op = "indexPut";
    Selection sel = selection(op, index);
    int[] target = sel.resultShape;
    int[] b;
    try {
      b = Shapes.broadcast(op, target, values.shape());
    } catch (IllegalArgumentException e) {
      b = null;
    }
    if (!Arrays.equals(b, target)) {
      throw new IllegalArgumentException(
          op
              + ": values of shape "
              + Shapes.str(values.shape())
              + " do not broadcast to the indexed shape "
              + Shapes.str(target)
              + " of tensor "
              + Shapes.str(shape()));
    }
    Tensor v = values;
    if (v.dtype() != dtype()) {
      if (v.dtype().isFloatingPoint() && dtype().isFloatingPoint()) {
        throw new IllegalArgumentException(
            op + ": dtype mismatch, tensor " + dtype() + " and values " + v.dtype());
      }
      v = v.to(dtype());
    }
    int k = sel.rows.numel();
    int[] rows = sel.flat.shape();
    rows[0] = k;
    v = v.expand(target).reshape(rows);
    Tensor out;
    if (accumulate) {
      int[] view = new int[rows.length];
      Arrays.fill(view, 1);
      view[0] = k;
      out = sel.flat.scatterAdd(0, sel.rows.reshape(view).expand(rows), v);
    } else {
      out = Function.apply(new SortScanOps.IndexPut(), sel.flat, sel.rows, v);
    }
    return out.reshape(shape());
  }

  /** In-place {@code x[index] = values}; see {@link #indexPut(Tensor, Tensor)}. Returns this. */
  public final Tensor indexPutInPlace(Tensor index, Tensor values) {
    checkAssign("indexPutInPlace", values);
    try (var ng = GradMode.noGrad()) {
      Tensor updated = indexPut(index, values);
      copyFrom(updated);
    }
    return this;
  }

  /**
   * PyTorch's {@code x[index]}: an int64 index selects along dim 0 (the result has the index's
   * shape followed by the remaining dims), a bool mask over the leading dims selects the matching
   * entries ([count, remaining dims…]). Differentiable.
   */
  public final Tensor index(Tensor index) {
    Selection sel = selection("index", index);
    return sel.flat.indexSelect(0, sel.rows).reshape(sel.resultShape);
  }

  /** The rows of a view [n, rest…] of this tensor that an index or mask selects. */
  private record Selection(Tensor flat, Tensor rows, int[] resultShape) {}

  private Selection selection(String op, Tensor index) {
    if (dim() == 0)
      throw new IllegalArgumentException(op + ": cannot index a 0-d tensor with a tensor");
    if (!index.device().equals(device())) {
      throw new IllegalArgumentException(
          op + ": index is on " + index.device() + ", tensor on " + device());
    }
    int[] s = shape();
    if (index.dtype() == DType.BOOL) {
      int m = index.dim();
      if (m == 0 || m > s.length) {
        throw new IllegalArgumentException(
            op
                + ": a bool mask of shape "
                + Shapes.str(index.shape())
                + " cannot index a tensor of shape "
                + Shapes.str(s));
      }
      for (int d = 0; d < m; d++) {
        if (index.shape()[d] != s[d]) {
          throw new IllegalArgumentException(
              op
                  + ": the shape of the mask "
                  + Shapes.str(index.shape())
                  + " at index "
                  + d
                  + " does not match the shape of the indexed tensor "
                  + Shapes.str(s)
                  + " at index "
                  + d);
        }
      }
      int[] flatShape = new int[s.length - m + 1];
      flatShape[0] = index.numel();
      System.arraycopy(s, m, flatShape, 1, s.length - m);
      Tensor rows = SortScanOps.flatNonzero(index);
      int[] result = flatShape.clone();
      result[0] = rows.numel();
      return new Selection(reshape(flatShape), rows, result);
    }
    Tensor rows = SortScanOps.wrapIndex(op, index, s[0], 0);
    int[] result = new int[index.dim() + s.length - 1];
    System.arraycopy(index.shape(), 0, result, 0, index.dim());
    System.arraycopy(s, 1, result, index.dim(), s.length - 1);
    return new Selection(this, rows.reshape(-1), result);
  }

  private Tensor checkMask(String op, Tensor mask, boolean mustFitSelf) {
    if (mask.dtype() != DType.BOOL) {
      throw new IllegalArgumentException(
          op + ": expected a bool mask, got " + mask.dtype() + " (use x.ne(0) to make one)");
    }
    int[] b = Shapes.broadcast(op, shape(), mask.shape());
    if (mustFitSelf && !Arrays.equals(b, shape())) {
      throw new IllegalArgumentException(
          op
              + ": mask of shape "
              + Shapes.str(mask.shape())
              + " does not broadcast to the tensor's shape "
              + Shapes.str(shape()));
    }
    return mask;
  }

  /**
   * A copy with {@code value} where {@code mask} (bool, broadcast to this shape) is true.
   * Differentiable.
   */
  public final Tensor maskedFill(Tensor mask, double value) {
    checkMask("maskedFill", mask, true);
    Tensor fill = full(dtype(), value).to(device());
    return where(mask, fill, this).reshape(shape());
  }

  /** In-place {@link #maskedFill}; returns this. */
  public final Tensor maskedFillInPlace(Tensor mask, double value) {
    checkMask("maskedFillInPlace", mask, true);
    checkAssign("maskedFillInPlace", null);
    try (var ng = GradMode.noGrad()) {
      copyFrom(maskedFill(mask, value));
    }
    return this;
  }

  /**
   * The elements where {@code mask} is true, as a 1-D tensor (mask and tensor broadcast together).
   * Differentiable.
   */
  public final Tensor maskedSelect(Tensor mask) {
    checkMask("maskedSelect", mask, false);
    int[] b = Shapes.broadcast("maskedSelect", shape(), mask.shape());
    Tensor rows = SortScanOps.flatNonzero(mask.expand(b).contiguous());
    return expand(b).reshape(-1).indexSelect(0, rows);
  }

  /**
   * Multi-indices of the nonzero (true) elements, int64 of shape [count, rank], row-major order.
   */
  public final Tensor nonzero() {
    return SortScanOps.nonzero(this);
  }

  /**
   * {@code |this − other| <= atol + rtol·|other|} everywhere, broadcasting; rtol 1e-5, atol 1e-8 as
   * PyTorch.
   */
  public final boolean allclose(Tensor other) {
    return allclose(other, 1e-5, 1e-8);
  }

  /**
   * Whether all elements are close, as {@code torch.allclose}: NaN is never close, equal infinities
   * are. Values are compared as doubles, whatever the two dtypes.
   */
  public final boolean allclose(Tensor other, double rtol, double atol) {
    int[] b = Shapes.broadcast("allclose", shape(), other.shape());
    double[] x = detach().expand(b).toDoubleArray(), y = other.detach().expand(b).toDoubleArray();
    for (int i = 0; i < x.length; i++) {
      if (x[i] == y[i]) continue;
      if (!(Math.abs(x[i] - y[i]) <= atol + rtol * Math.abs(y[i]))) return false;
    }
    return true;
  }

  /**
   * True when both tensors have the same shape and equal values (NaN is unequal), as {@code
   * torch.equal}.
   */
  public final boolean equal(Tensor other) {
    if (!Arrays.equals(shape(), other.shape())) return false;
    double[] x = toDoubleArray(), y = other.toDoubleArray();
    for (int i = 0; i < x.length; i++) if (!(x[i] == y[i])) return false;
    return true;
  }

  /** Whether any element is nonzero (true): a bool 0-d tensor. */
  public final Tensor any() {
    return ne(0).sum().gt(0);
  }

  /** Whether any element along {@code dim} is nonzero, bool, without that dim. */
  public final Tensor any(int dim) {
    return any(dim, false);
  }

  /** Whether any element along {@code dim} is nonzero, bool; {@code keepDim} keeps it as size 1. */
  public final Tensor any(int dim, boolean keepDim) {
    return ne(0).sum(Shapes.dim("any", dim, dim()), keepDim).gt(0);
  }

  /** Whether every element is nonzero (true): a bool 0-d tensor (true for an empty tensor). */
  public final Tensor all() {
    return eq(0).sum().eq(0);
  }

  /** Whether every element along {@code dim} is nonzero, bool, without that dim. */
  public final Tensor all(int dim) {
    return all(dim, false);
  }

  /**
   * Whether every element along {@code dim} is nonzero, bool; {@code keepDim} keeps it as size 1.
   */
  public final Tensor all(int dim, boolean keepDim) {
    return eq(0).sum(Shapes.dim("all", dim, dim()), keepDim).eq(0);
  }

  /** Sorts along the last dim, ascending. */
  public final ValuesIndices sort() {
    return sort(-1, false);
  }

  /** Sorts along {@code dim}, ascending (stable). */
  public final ValuesIndices sort(int dim) {
    return sort(dim, false);
  }

  /**
   * Sorted values along {@code dim} and the int64 indices they came from. The sort is stable (equal
   * values keep their order, also when descending) and puts NaN last (first when descending), as
   * PyTorch's {@code sort(stable=True)}. The gradient flows through the values.
   */
  public final ValuesIndices sort(int dim, boolean descending) {
    int d = dim() == 0 ? Shapes.dim("sort", dim, 1) : Shapes.dim("sort", dim, dim());
    Tensor idx = SortScanOps.sortIndices(this, d, descending);
    return new ValuesIndices(dim() == 0 ? this : gather(d, idx), idx);
  }

  /** The indices that sort along {@code dim} (stable), int64. */
  public final Tensor argsort(int dim, boolean descending) {
    int d = dim() == 0 ? Shapes.dim("argsort", dim, 1) : Shapes.dim("argsort", dim, dim());
    return SortScanOps.sortIndices(this, d, descending);
  }

  /** The {@code k} largest elements along the last dim, largest first. */
  public final ValuesIndices topk(int k) {
    return topk(k, -1, true);
  }

  /**
   * The {@code k} largest (or smallest) elements along {@code dim}, in sorted order, with their
   * int64 indices; ties keep the lower index first. The gradient flows through the values.
   */
  public final ValuesIndices topk(int k, int dim, boolean largest) {
    int d = dim() == 0 ? Shapes.dim("topk", dim, 1) : Shapes.dim("topk", dim, dim());
    int size = dim() == 0 ? 1 : data.shape()[d];
    if (k < 0 || k > size) {
      throw new IllegalArgumentException(
          "topk: k ("
              + k
              + ") is out of range for dimension "
              + d
              + " of size "
              + size
              + " (shape "
              + Shapes.str(shape())
              + ")");
    }
    ValuesIndices all = sort(d, largest);
    if (dim() == 0) return all;
    return new ValuesIndices(all.values().narrow(d, 0, k), all.indices().narrow(d, 0, k));
  }

  /** Running sum along {@code dim}; integer and bool inputs give int64. Differentiable. */
  public final Tensor cumsum(int dim) {
    int d = dim() == 0 ? Shapes.dim("cumsum", dim, 1) : Shapes.dim("cumsum", dim, dim());
    return Function.apply(new SortScanOps.CumSum(d), this);
  }

  /**
   * Product of all elements (a 0-d tensor); integer and bool inputs give int64. Differentiable,
   * zeros included.
   */
  public final Tensor prod() {
    return flatten().prod(0, false);
  }

  /** Product along {@code dim}, without keeping it. */
  public final Tensor prod(int dim) {
    return prod(dim, false);
  }

  /** Product along {@code dim}; the gradient is the product of the other elements, as PyTorch's. */
  public final Tensor prod(int dim, boolean keepDim) {
    if (dim() == 0) {
      Shapes.dim("prod", dim, 1);
      return reshape(1).prod(0, false);
    }
    int d = Shapes.dim("prod", dim, dim());
    return Function.apply(new SortScanOps.Prod(d, keepDim), this);
  }

  /** Sum along {@code dim}, without keeping it (PyTorch's {@code x.sum(dim)}). */
  public final Tensor sum(int dim) {
    return sum(dim, false);
  }

  /** Mean along {@code dim}, without keeping it. */
  public final Tensor mean(int dim) {
    return mean(dim, false);
  }

  /** Unbiased variance along {@code dim}, without keeping it. */
  public final Tensor var(int dim) {
    return var(dim, true, false);
  }

  /** Unbiased standard deviation along {@code dim}, without keeping it. */
  public final Tensor std(int dim) {
    return std(dim, true, false);
  }

  /** Largest values along {@code dim} and their indices, without keeping the dim. */
  public final ValuesIndices max(int dim) {
    return max(dim, false);
  }

  /** Smallest values along {@code dim} and their indices, without keeping the dim. */
  public final ValuesIndices min(int dim) {
    return min(dim, false);
  }

  /** Index of the first maximum along {@code dim}, without keeping it. */
  public final Tensor argmax(int dim) {
    return argmax(dim, false);
  }

  /** Index of the first minimum along {@code dim}, without keeping it. */
  public final Tensor argmin(int dim) {
    return argmin(dim, false);
  }

  /** log Σ exp along {@code dim}, without keeping it. */
  public final Tensor logsumexp(int dim) {
    return logsumexp(dim, false);
  }

  /** Joins tensors along dim 0 ({@code torch.cat(tensors)}). */
  public static Tensor cat(Tensor... tensors) {
    return cat(0, tensors);
  }

  /** Joins tensors along {@code dim}. */
  public static Tensor cat(int dim, Tensor... tensors) {
    return cat(Arrays.asList(tensors), dim);
  }

  /** Stacks equally shaped tensors along a new dim 0. */
  public static Tensor stack(Tensor... tensors) {
    return stack(Arrays.asList(tensors), 0);
  }

  // ---------------------------------------------------------------- printing

  @Override
  public String toString() {
    return TensorPrinter.format(this);
  }
}
