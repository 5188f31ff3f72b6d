package org.jgrad.backend.cpu;

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
import org.jgrad.backend.RecurrentCellComposites;
import org.jgrad.backend.ReduceOp;
import org.jgrad.backend.Storage;
import org.jgrad.backend.UnaryOp;
import org.jgrad.backend.cpu.kernels.Conv2dKernels;
import org.jgrad.backend.cpu.kernels.ElementwiseKernels;
import org.jgrad.backend.cpu.kernels.IntRangeBody;
import org.jgrad.backend.cpu.kernels.LossKernels;
import org.jgrad.backend.cpu.kernels.NormKernels;
import org.jgrad.backend.cpu.kernels.OptimizerKernels;
import org.jgrad.backend.cpu.kernels.Parallel;
import org.jgrad.backend.cpu.kernels.PoolKernels;
import org.jgrad.backend.reference.ReferenceBackend;
import org.jgrad.backend.reference.SpecialFunctions;

/**
 * The fast CPU backend. FLOAT32 gets dedicated loops (one switch per call, never per element);
 * FLOAT64 gets dense double loops for the element-wise ops, reductions and matmul. Everything else
 * on FLOAT64, INT64 and BOOL is delegated, explicitly, to a {@link ReferenceBackend} held in {@link
 * #reference} (fast enough for gradient checks, labels and masks). Delegation rather than
 * inheritance: a method this class forgets is a compile error, not a silent fall-back to the naive
 * loops.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(1024, 1024);   // Device.CPU, computed here
 * }</pre>
 */
public final class CpuBackend implements Backend, FusedKernels {
  public static final CpuBackend INSTANCE = new CpuBackend();

  /**
   * The specification's kernels, allocating CPU storages: what non-float32 work is delegated to.
   */
  private final ReferenceBackend reference = ReferenceBackend.on(Device.CPU);

  private CpuBackend() {}

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public Device device() {
    return Device.CPU;
  }

  @Override
  public Optional<FusedKernels> fused() {
    return Optional.of(this);
  }

  // Storage management is dtype-generic and already array-speed in the reference backend.

  @Override
  public Storage allocate(DType dtype, int length) {
    return dtype == DType.FLOAT32
        ? new FloatStorage(FloatArrayPool.take(length), device())
        : reference.allocate(dtype, length);
  }

  /** Float32 storage goes back to this thread's {@link FloatArrayPool}. */
  @Override
  public void recycle(Storage storage) {
    if (storage instanceof FloatStorage fs && fs.device().equals(device())) {
      FloatArrayPool.give(fs.data);
    }
  }

  @Override
  public Storage fromHost(double[] values, DType dtype) {
    return reference.fromHost(values, dtype);
  }

  @Override
  public Storage fromHost(float[] values) {
    return reference.fromHost(values);
  }

  @Override
  public double[] toHostDouble(RawTensor x) {
    return reference.toHostDouble(x);
  }

  // Index ops are rare (embeddings, NLL) and memory-bound: the reference loops serve every dtype.

  @Override
  public RawTensor gather(RawTensor x, int dim, RawTensor index) {
    return reference.gather(x, dim, index);
  }

  @Override
  public RawTensor scatterAdd(RawTensor base, int dim, RawTensor index, RawTensor src) {
    return reference.scatterAdd(base, dim, index, src);
  }

  static float[] f(RawTensor x) {
    return ((FloatStorage) x.storage()).data;
  }

  private static boolean isFloat(RawTensor x) {
    return x.storage() instanceof FloatStorage;
  }

  static double[] d(RawTensor x) {
    return ((DoubleStorage) x.storage()).data;
  }

  private static boolean isDouble(RawTensor x) {
    return x.storage() instanceof DoubleStorage;
  }

  private RawTensor denseDouble(DType dtype, int[] shape) {
    return RawTensor.dense(
        new DoubleStorage(dtype, new double[RawTensor.numel(shape)], device()), shape.clone());
  }

  private RawTensor denseFloat(int[] shape) {
    return RawTensor.dense(
        new FloatStorage(FloatArrayPool.take(RawTensor.numel(shape)), device()), shape.clone());
  }

  /**
   * A float32 output whose every element the caller writes: its values are undefined until then (a
   * reused array is not zeroed first). {@code RecyclingTest} runs each caller on arrays filled with
   * NaN and compares with fresh ones.
   */
  private RawTensor denseFloatOverwritten(int[] shape) {
    return RawTensor.dense(
        new FloatStorage(FloatArrayPool.take(RawTensor.numel(shape), false), device()),
        shape.clone());
  }

  @Override
  public float[] toHostFloat(RawTensor x) {
    if (!isFloat(x)) return reference.toHostFloat(x);
    if (x.isContiguous()) {
      float[] out = new float[x.numel()];
      System.arraycopy(f(x), x.offset(), out, 0, out.length);
      return out;
    }
    return f(copy(x, DType.FLOAT32));
  }

  @Override
  public RawTensor copy(RawTensor x, DType to) {
    if (isDouble(x) && to != DType.FLOAT32 && (to == x.dtype() || to == DType.FLOAT64)) {
      RawTensor out = denseDouble(to, x.shape());
      double[] src = d(x), dst = d(out);
      Strided.Plan p = Strided.plan(x.shape(), x.strides(), out.strides(), out.strides());
      int sa = p.innerA();
      Strided.forEachRun(
          p,
          x.offset(),
          0,
          0,
          (a, b, c, n) -> {
            for (int i = 0; i < n; i++) dst[b + i] = src[a + i * sa];
          });
      return out;
    }
    if (isDouble(x) && to == DType.FLOAT32) {
      RawTensor out = denseFloatOverwritten(x.shape());
      double[] src = d(x);
      float[] dst = f(out);
      Strided.Plan p = Strided.plan(x.shape(), x.strides(), out.strides(), out.strides());
      int sa = p.innerA();
      Strided.forEachRunParallel(
          p,
          x.offset(),
          0,
          0,
          (a, b, c, n) -> {
            for (int i = 0; i < n; i++) dst[b + i] = (float) src[a + i * sa];
          });
      return out;
    }
    if (isFloat(x) && to != DType.FLOAT32) {
      RawTensor out = denseDouble(to, x.shape());
      float[] src = f(x);
      double[] dst = d(out);
      boolean integral = to != DType.FLOAT64;
      Strided.Plan p = Strided.plan(x.shape(), x.strides(), out.strides(), out.strides());
      int sa = p.innerA();
      Strided.forEachRunParallel(
          p,
          x.offset(),
          0,
          0,
          (a, b, c, n) -> {
            for (int i = 0; i < n; i++)
              dst[b + i] =
                  integral ? ReferenceBackend.castValue(src[a + i * sa], to) : src[a + i * sa];
          });
      return out;
    }
    if (!isFloat(x) || to != DType.FLOAT32) return reference.copy(x, to);
    RawTensor out = denseFloatOverwritten(x.shape());
    copyFloat(out, x);
    return out;
  }

  private static void copyFloat(RawTensor dst, RawTensor src) {
    float[] s = f(src), d = f(dst);
    Strided.Plan p = Strided.plan(dst.shape(), src.strides(), dst.strides(), dst.strides());
    int sa = p.innerA(), sd = p.innerB();
    Strided.forEachRunParallel(
        p,
        src.offset(),
        dst.offset(),
        dst.offset(),
        (a, b, c, n) -> {
          if (sa == 1 && sd == 1) {
            System.arraycopy(s, a, d, b, n);
          } else if (sa == 0) {
            if (sd == 1) java.util.Arrays.fill(d, b, b + n, s[a]);
            else for (int i = 0; i < n; i++) d[b + i * sd] = s[a];
          } else {
            for (int i = 0; i < n; i++) d[b + i * sd] = s[a + i * sa];
          }
        });
  }

  @Override
  public void copyInto(RawTensor dst, RawTensor src) {
    if (isFloat(dst) && isFloat(src) && dst.storage() != src.storage()) {
      copyFloat(dst, src);
    } else {
      reference.copyInto(dst, src);
    }
  }

  @Override
  public void fill(RawTensor dst, double value) {
    if (!isFloat(dst)) {
      reference.fill(dst, value);
      return;
    }
    float v = (float) value;
    float[] d = f(dst);
    Strided.Plan p = Strided.plan(dst.shape(), dst.strides(), dst.strides(), dst.strides());
    int sd = p.innerA();
    Strided.forEachRun(
        p,
        dst.offset(),
        0,
        0,
        (a, b, c, n) -> {
          for (int i = 0; i < n; i++) d[a + i * sd] = v;
        });
  }

  @Override
  public RawTensor unary(UnaryOp op, RawTensor x) {
    if (isDouble(x) && x.dtype() == DType.FLOAT64) {
      RawTensor in = x.isContiguous() ? x : copy(x, x.dtype());
      RawTensor out = denseDouble(x.dtype(), x.shape());
      double[] src = d(in), dst = d(out);
      int off = in.offset();
      for (int i = 0; i < dst.length; i++) dst[i] = ReferenceBackend.apply(op, src[off + i]);
      return out;
    }
    if (!isFloat(x)) return reference.unary(op, x);
    RawTensor in = x.isContiguous() ? x : copy(x, DType.FLOAT32);
    RawTensor out = denseFloatOverwritten(x.shape());
    float[] src = f(in), dst = f(out);
    int off = in.offset(), n = out.numel();
    if (n >= 2 * Strided.GRAIN) {
      org.jgrad.backend.cpu.kernels.Parallel.forRange(
          n, Strided.GRAIN, (s, e) -> CpuKernels.unary(op, src, off + s, dst, s, e - s));
    } else {
      CpuKernels.unary(op, src, off, dst, 0, n);
    }
    return out;
  }

  @Override
  public RawTensor binary(BinaryOp op, RawTensor a, RawTensor b) {
    if (isDouble(a) && isDouble(b)) {
      DType outType = op.isComparison() ? DType.BOOL : a.dtype();
      RawTensor out = denseDouble(outType, a.shape());
      double[] x = d(a), y = d(b), z = d(out);
      boolean integral = outType != DType.FLOAT64;
      Strided.Plan p = Strided.plan(a.shape(), a.strides(), b.strides(), out.strides());
      int sa = p.innerA(), sb = p.innerB();
      int[] pos = {0};
      Strided.forEachRun(
          p,
          a.offset(),
          b.offset(),
          0,
          (oa, ob, oc, n) -> {
            int o = pos[0];
            for (int i = 0; i < n; i++) {
              double r = ReferenceBackend.apply(op, x[oa + i * sa], y[ob + i * sb]);
              z[o + i] = integral ? ReferenceBackend.castValue(r, outType) : r;
            }
            pos[0] = o + n;
          });
      return out;
    }
    if (!isFloat(a) || !isFloat(b)) return reference.binary(op, a, b);
    if (op.isComparison()) {
      RawTensor out = denseDouble(DType.BOOL, a.shape());
      float[] x = f(a), y = f(b);
      double[] z = d(out);
      Strided.Plan p = Strided.plan(a.shape(), a.strides(), b.strides(), out.strides());
      int sa = p.innerA(), sb = p.innerB();
      Strided.forEachRunParallel(
          p,
          a.offset(),
          b.offset(),
          0,
          (oa, ob, oc, n) -> CpuKernels.compare(op, x, oa, sa, y, ob, sb, z, oc, n));
      return out;
    }
    RawTensor out = denseFloatOverwritten(a.shape());
    float[] x = f(a), y = f(b), z = f(out);
    Strided.Plan p = Strided.plan(a.shape(), a.strides(), b.strides(), out.strides());
    int sa = p.innerA(), sb = p.innerB();
    Strided.forEachRunParallel(
        p,
        a.offset(),
        b.offset(),
        0,
        (oa, ob, oc, n) -> CpuKernels.binary(op, x, oa, sa, y, ob, sb, z, oc, n));
    return out;
  }

  @Override
  public RawTensor where(RawTensor cond, RawTensor a, RawTensor b) {
    if (isDouble(a) && isDouble(b) && isDouble(cond)) {
      RawTensor out = denseDouble(a.dtype(), a.shape());
      double[] x = d(a), y = d(b), c = d(cond), z = d(out);
      Strided.Plan p = Strided.plan(a.shape(), a.strides(), b.strides(), cond.strides());
      int sa = p.innerA(), sb = p.innerB(), sc = p.innerC();
      int[] pos = {0};
      Strided.forEachRun(
          p,
          a.offset(),
          b.offset(),
          cond.offset(),
          (oa, ob, oc, n) -> {
            int o = pos[0];
            for (int i = 0; i < n; i++)
              z[o + i] = c[oc + i * sc] != 0 ? x[oa + i * sa] : y[ob + i * sb];
            pos[0] = o + n;
          });
      return out;
    }
    if (!isFloat(a) || !isFloat(b) || !isDouble(cond)) return reference.where(cond, a, b);
    RawTensor out = denseFloatOverwritten(a.shape());
    float[] x = f(a), y = f(b), z = f(out);
    double[] cs = d(cond);
    Strided.Plan p = Strided.plan(a.shape(), a.strides(), b.strides(), cond.strides());
    int sa = p.innerA(), sb = p.innerB(), sc = p.innerC();
    int[] pos = {0};
    Strided.forEachRun(
        p,
        a.offset(),
        b.offset(),
        cond.offset(),
        (oa, ob, oc, n) -> {
          int o = pos[0];
          for (int i = 0; i < n; i++)
            z[o + i] = cs[oc + i * sc] != 0 ? x[oa + i * sa] : y[ob + i * sb];
          pos[0] = o + n;
        });
    return out;
  }

  @Override
  public RawTensor reduce(ReduceOp op, RawTensor x, int[] axes) {
    boolean fl = isFloat(x);
    if (!fl && !isDouble(x)) return reference.reduce(op, x, axes);
    int r = x.rank();
    int[] outShape = ReferenceBackend.reducedShape(x.shape(), axes);
    RawTensor out = fl ? denseFloat(outShape) : denseDouble(x.dtype(), outShape);
    if (fl && op == ReduceOp.SUM && x.isContiguous() && isLeadingPrefix(axes)) {
      sumLeadingAxes(x, f(out));
      return out;
    }
    // Reorder the view so kept axes come first and reduced axes last; then each output element
    // reduces one (possibly strided) block.
    boolean[] reduced = new boolean[r];
    for (int a : axes) reduced[a] = true;
    int[] perm = new int[r];
    int k = 0;
    for (int dd = 0; dd < r; dd++) if (!reduced[dd]) perm[k++] = dd;
    int kept = k;
    for (int dd = 0; dd < r; dd++) if (reduced[dd]) perm[k++] = dd;
    int[] keptShape = new int[kept], keptStrides = new int[kept];
    int[] redShape = new int[r - kept], redStrides = new int[r - kept];
    for (int i = 0; i < r; i++) {
      if (i < kept) {
        keptShape[i] = x.shape()[perm[i]];
        keptStrides[i] = x.strides()[perm[i]];
      } else {
        redShape[i - kept] = x.shape()[perm[i]];
        redStrides[i - kept] = x.strides()[perm[i]];
      }
    }
    int inner = RawTensor.numel(redShape);
    if (op != ReduceOp.SUM && inner == 0) {
      throw new IllegalArgumentException(
          op.name().toLowerCase() + ": cannot reduce an empty dimension");
    }
    Strided.Plan redPlan = Strided.plan(redShape, redStrides, redStrides, redStrides);
    int rs = redPlan.innerA();
    int outer = RawTensor.numel(keptShape);
    RawTensor keptView = new RawTensor(x.storage(), keptShape, keptStrides, x.offset());
    double init =
        switch (op) {
          case SUM -> 0;
          case MAX -> Double.NEGATIVE_INFINITY;
          case MIN -> Double.POSITIVE_INFINITY;
        };
    float[] srcF = fl ? f(x) : null, outF = fl ? f(out) : null;
    if (fl && op == ReduceOp.SUM && outer > 1 && inner > 0) {
      sumManyOutputs(srcF, keptView, redPlan, outer, inner, outF);
      return out;
    }
    double[] srcD = fl ? null : d(x), outD = fl ? null : d(out);
    double[] acc = new double[1];
    for (int o = 0; o < outer; o++) {
      int base = keptView.offsetOfLinear(o);
      acc[0] = init;
      if (fl) {
        Strided.forEachRun(
            redPlan,
            base,
            0,
            0,
            (oa, ob, oc, n) -> acc[0] = CpuKernels.reduceRun(op, srcF, oa, rs, n, acc[0]));
        outF[o] = (float) acc[0];
      } else {
        Strided.forEachRun(
            redPlan,
            base,
            0,
            0,
            (oa, ob, oc, n) -> acc[0] = CpuKernels.reduceRun(op, srcD, oa, rs, n, acc[0]));
        outD[o] = acc[0];
      }
    }
    return out;
  }

  /**
   * Float sum with several outputs (a conv bias gradient: [N, C, H, W] summed over N, H, W): the
   * general loop's additions (each innermost run summed in double from 0 — a contiguous run in
   * {@link org.jgrad.backend.cpu.kernels.ElementwiseKernels#sumRun}'s 16-lane order, a strided one
   * in order with several outputs at once so that their addition chains overlap — the run sums
   * folded into the output's total in run order); outputs split over threads in fixed ranges. Same
   * bits as the general loop, for every thread count.
   */
  private static void sumManyOutputs(
      float[] x, RawTensor keptView, Strided.Plan redPlan, int outer, int inner, float[] out) {
    int len = redPlan.shape()[redPlan.shape().length - 1], rs = redPlan.innerA();
    int[] runOff = new int[inner / len];
    int[] k = {0};
    Strided.forEachRun(redPlan, 0, 0, 0, (oa, ob, oc, n) -> runOff[k[0]++] = oa);
    int[] base = new int[outer];
    for (int o = 0; o < outer; o++) base[o] = keptView.offsetOfLinear(o);
    if ((long) outer * inner >= 2L * Strided.GRAIN) {
      Parallel.forRange(
          outer,
          Math.max(1, Strided.GRAIN / inner),
          (s, e) -> CpuKernels.sumRuns(x, base, s, e, runOff, len, rs, out));
    } else {
      CpuKernels.sumRuns(x, base, 0, outer, runOff, len, rs, out);
    }
  }

  private static boolean isLeadingPrefix(int[] axes) {
    boolean[] seen = new boolean[axes.length];
    for (int a : axes) {
      if (a >= axes.length || seen[a]) return false;
      seen[a] = true;
    }
    return true;
  }

  /**
   * Sum over the leading axes of a dense tensor (a bias gradient: [batch, features] → [features]):
   * whole rows are added into a double accumulator, row after row, a unit-stride loop instead of
   * one strided walk per output. Each output still adds its terms in index order, from 0, in
   * double: the same bits as the general loop.
   */
  private static void sumLeadingAxes(RawTensor x, float[] out) {
    int cols = out.length;
    if (cols == 0) return;
    int rows = x.numel() / cols, off = x.offset();
    float[] src = f(x);
    double[] acc = new double[cols];
    ElementwiseKernels.sumRows(src, off, rows, cols, acc);
    for (int j = 0; j < cols; j++) out[j] = (float) acc[j];
  }

  @Override
  public RawTensor matmul(RawTensor a, RawTensor b) {
    if (isDouble(a) && isDouble(b) && a.dtype() == DType.FLOAT64) return matmulDouble(a, b);
    if (!isFloat(a) || !isFloat(b)) return reference.matmul(a, b);
    int r = a.rank();
    int m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
    int[] outShape = a.shape().clone();
    outShape[r - 1] = n;
    RawTensor out = denseFloatOverwritten(outShape);
    if (m == 0 || n == 0) return out;
    int batches = out.numel() / (m * n);
    int[] batchShape = java.util.Arrays.copyOf(outShape, r - 2);
    int ars = a.strides()[r - 2],
        acs = a.strides()[r - 1],
        brs = b.strides()[r - 2],
        bcs = b.strides()[r - 1];
    int[] sa = batchStride(batchShape, a.strides()), sb = batchStride(batchShape, b.strides());
    if (sa != null && sb != null) {
      // One uniform batch stride per operand: the batched kernel spreads small products over
      // threads.
      org.jgrad.backend.cpu.kernels.Gemm.sgemmBatched(
          batches,
          m,
          n,
          k,
          1f,
          f(a),
          a.offset(),
          sa[0],
          ars,
          acs,
          f(b),
          b.offset(),
          sb[0],
          brs,
          bcs,
          0f,
          f(out),
          0,
          m * n,
          n,
          1);
      return out;
    }
    RawTensor aBatch =
        new RawTensor(
            a.storage(), batchShape, java.util.Arrays.copyOf(a.strides(), r - 2), a.offset());
    RawTensor bBatch =
        new RawTensor(
            b.storage(), batchShape, java.util.Arrays.copyOf(b.strides(), r - 2), b.offset());
    for (int bi = 0; bi < batches; bi++) {
      CpuMatmul.gemm(
          m,
          n,
          k,
          f(a),
          aBatch.offsetOfLinear(bi),
          ars,
          acs,
          f(b),
          bBatch.offsetOfLinear(bi),
          brs,
          bcs,
          f(out),
          bi * m * n,
          n);
    }
    return out;
  }

  /**
   * The single stride that steps through all batch entries in row-major order, or null when the
   * batch dims do not collapse to one (e.g. a broadcast inner batch dim under a real outer one).
   */
  private static int[] batchStride(int[] batchShape, int[] strides) {
    int stride = 0;
    boolean found = false;
    int expected = -1;
    for (int i = batchShape.length - 1; i >= 0; i--) {
      if (batchShape[i] == 1) continue;
      if (!found) {
        stride = strides[i];
        expected = stride * batchShape[i];
        found = true;
      } else {
        if (strides[i] != expected) return null;
        expected = strides[i] * batchShape[i];
      }
    }
    return new int[] {stride};
  }

  private RawTensor matmulDouble(RawTensor a, RawTensor b) {
    int r = a.rank();
    int m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
    int[] outShape = a.shape().clone();
    outShape[r - 1] = n;
    RawTensor out = denseDouble(DType.FLOAT64, outShape);
    if (m == 0 || n == 0) return out;
    int batches = out.numel() / (m * n);
    int[] batchShape = java.util.Arrays.copyOf(outShape, r - 2);
    RawTensor aBatch =
        new RawTensor(
            a.storage(), batchShape, java.util.Arrays.copyOf(a.strides(), r - 2), a.offset());
    RawTensor bBatch =
        new RawTensor(
            b.storage(), batchShape, java.util.Arrays.copyOf(b.strides(), r - 2), b.offset());
    double[] x = d(a), y = d(b), z = d(out);
    int ars = a.strides()[r - 2],
        acs = a.strides()[r - 1],
        brs = b.strides()[r - 2],
        bcs = b.strides()[r - 1];
    for (int bi = 0; bi < batches; bi++) {
      int ao = aBatch.offsetOfLinear(bi), bo = bBatch.offsetOfLinear(bi), co = bi * m * n;
      for (int i = 0; i < m; i++) {
        for (int p = 0; p < k; p++) {
          double av = x[ao + i * ars + p * acs];
          int brow = bo + p * brs, crow = co + i * n;
          for (int j = 0; j < n; j++) z[crow + j] += av * y[brow + j * bcs];
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------ neural-network primitives
  // (float32)

  private RawTensor dense(RawTensor x) {
    return x.isContiguous() ? x : copy(x, x.dtype());
  }

  @Override
  public RawTensor conv2d(RawTensor x, RawTensor w, ConvGeometry g) {
    if (!isFloat(x) || !isFloat(w)) return reference.conv2d(x, w, g);
    assert Arrays.equals(x.shape(), g.inputShape()) && Arrays.equals(w.shape(), g.weightShape())
        : g;
    RawTensor xd = dense(x), wd = dense(w);
    RawTensor out = denseFloatOverwritten(g.outputShape());
    Conv2dKernels.forward(g, f(xd), xd.offset(), f(wd), wd.offset(), null, 0, f(out), 0);
    return out;
  }

  @Override
  public RawTensor conv2dBackwardInput(RawTensor gy, RawTensor w, ConvGeometry g) {
    if (!isFloat(gy) || !isFloat(w)) return reference.conv2dBackwardInput(gy, w, g);
    assert Arrays.equals(gy.shape(), g.outputShape()) && Arrays.equals(w.shape(), g.weightShape())
        : g;
    RawTensor gd = dense(gy), wd = dense(w);
    RawTensor out = denseFloatOverwritten(g.inputShape());
    Conv2dKernels.inputGrad(g, f(gd), gd.offset(), f(wd), wd.offset(), f(out), 0);
    return out;
  }

  @Override
  public RawTensor conv2dBackwardWeight(RawTensor gy, RawTensor x, ConvGeometry g) {
    if (!isFloat(gy) || !isFloat(x)) return reference.conv2dBackwardWeight(gy, x, g);
    assert Arrays.equals(gy.shape(), g.outputShape()) && Arrays.equals(x.shape(), g.inputShape())
        : g;
    RawTensor gd = dense(gy), xd = dense(x);
    RawTensor out = denseFloatOverwritten(g.weightShape());
    Conv2dKernels.weightGrad(g, f(xd), xd.offset(), f(gd), gd.offset(), f(out), 0);
    return out;
  }

  @Override
  public RawTensor[] maxPool2d(RawTensor x, ConvGeometry g) {
    if (!isFloat(x)) return reference.maxPool2d(x, g);
    assert Arrays.equals(x.shape(), g.inputShape()) : g;
    RawTensor xd = dense(x);
    int[] outShape = g.outputShape();
    RawTensor values = denseFloatOverwritten(outShape);
    int[] idx = new int[values.numel()];
    PoolKernels.maxPool2d(g, f(xd), xd.offset(), f(values), 0, idx, 0);
    RawTensor indices = denseDouble(DType.INT64, outShape);
    double[] id = d(indices);
    // INT64 lives in double storage; the conversion is a pass over the output, split like one.
    Parallel.forRange(
        idx.length,
        Strided.GRAIN,
        (s0, s1) -> {
          for (int i = s0; i < s1; i++) id[i] = idx[i];
        });
    return new RawTensor[] {values, indices};
  }

  @Override
  public RawTensor maxPool2dValues(RawTensor x, ConvGeometry g) {
    if (!isFloat(x)) return reference.maxPool2dValues(x, g);
    assert Arrays.equals(x.shape(), g.inputShape()) : g;
    RawTensor xd = dense(x);
    RawTensor values = denseFloatOverwritten(g.outputShape());
    PoolKernels.maxPool2d(g, f(xd), xd.offset(), f(values), 0, null, 0);
    return values;
  }

  @Override
  public RawTensor maxPool2dBackwardFromInput(RawTensor gy, RawTensor x, ConvGeometry g) {
    if (!isFloat(gy) || !isFloat(x)) return reference.maxPool2dBackwardFromInput(gy, x, g);
    assert Arrays.equals(gy.shape(), g.outputShape()) && Arrays.equals(x.shape(), g.inputShape())
        : g;
    RawTensor gd = dense(gy), xd = dense(x);
    RawTensor out = denseFloatOverwritten(g.inputShape());
    PoolKernels.maxPool2dBackwardFromInput(g, f(xd), xd.offset(), f(gd), gd.offset(), f(out), 0);
    return out;
  }

  @Override
  public RawTensor[] lstmCell(RawTensor gates, RawTensor c) {
    if (!isFloat(gates) || !isFloat(c)) return RecurrentCellComposites.lstmCell(this, gates, c);
    RawTensor g = dense(gates), cc = dense(c);
    int batch = c.shape()[0], h = c.shape()[1];
    RawTensor out = denseFloatOverwritten(new int[] {2, batch, h});
    RawTensor acts = denseFloatOverwritten(new int[] {batch, 5 * h});
    RecurrentKernels.lstm(batch, h, f(g), g.offset(), f(cc), cc.offset(), f(out), f(acts));
    return new RawTensor[] {out, acts};
  }

  @Override
  public RawTensor[] lstmCellBackward(RawTensor gy, RawTensor acts, RawTensor c) {
    if (!isFloat(gy) || !isFloat(acts) || !isFloat(c)) {
      return RecurrentCellComposites.lstmCellBackward(this, gy, acts, c);
    }
    RawTensor g = dense(gy), a = dense(acts), cc = dense(c);
    int batch = c.shape()[0], h = c.shape()[1];
    RawTensor dGates = denseFloatOverwritten(new int[] {batch, 4 * h});
    RawTensor dC = denseFloatOverwritten(new int[] {batch, h});
    RecurrentKernels.lstmBackward(
        batch, h, f(g), g.offset(), f(a), a.offset(), f(cc), cc.offset(), f(dGates), f(dC));
    return new RawTensor[] {dGates, dC};
  }

  @Override
  public RawTensor[] gruCell(RawTensor xGates, RawTensor hGates, RawTensor h) {
    if (!isFloat(xGates) || !isFloat(hGates) || !isFloat(h)) {
      return RecurrentCellComposites.gruCell(this, xGates, hGates, h);
    }
    RawTensor x = dense(xGates), g = dense(hGates), s = dense(h);
    int batch = h.shape()[0], w = h.shape()[1];
    RawTensor next = denseFloatOverwritten(new int[] {batch, w});
    RawTensor acts = denseFloatOverwritten(new int[] {batch, 3 * w});
    RecurrentKernels.gru(
        batch, w, f(x), x.offset(), f(g), g.offset(), f(s), s.offset(), f(next), f(acts));
    return new RawTensor[] {next, acts};
  }

  @Override
  public RawTensor[] gruCellBackward(RawTensor gy, RawTensor acts, RawTensor hGates, RawTensor h) {
    if (!isFloat(gy) || !isFloat(acts) || !isFloat(hGates) || !isFloat(h)) {
      return RecurrentCellComposites.gruCellBackward(this, gy, acts, hGates, h);
    }
    RawTensor y = dense(gy), a = dense(acts), g = dense(hGates), s = dense(h);
    int batch = h.shape()[0], w = h.shape()[1];
    RawTensor dx = denseFloatOverwritten(new int[] {batch, 3 * w});
    RawTensor dh = denseFloatOverwritten(new int[] {batch, 3 * w});
    RawTensor dPrev = denseFloatOverwritten(new int[] {batch, w});
    RecurrentKernels.gruBackward(
        batch,
        w,
        f(y),
        y.offset(),
        f(a),
        a.offset(),
        f(g),
        g.offset(),
        f(s),
        s.offset(),
        f(dx),
        f(dh),
        f(dPrev));
    return new RawTensor[] {dx, dh, dPrev};
  }

  /**
   * Dense float32 operands of one shape: one pass over memory, in blocks that stay in L1 (the sign
   * of a block into a small buffer, then the product), with the very kernels of the composite, so
   * the same bits and no code of its own for the JIT to compile first; split over threads like the
   * unary ops. Anything else: the composite itself.
   */
  @Override
  public RawTensor reluBackward(RawTensor gy, RawTensor y) {
    if (!isFloat(gy)
        || !isFloat(y)
        || !gy.isContiguous()
        || !y.isContiguous()
        || !Arrays.equals(gy.shape(), y.shape())) {
      return binary(BinaryOp.MUL, gy, unary(UnaryOp.SIGN, y));
    }
    RawTensor out = denseFloatOverwritten(y.shape());
    float[] g = f(gy), v = f(y), c = f(out);
    int go = gy.offset(), vo = y.offset(), n = out.numel();
    IntRangeBody body =
        (s, e) -> {
          float[] sign = new float[Math.min(RELU_BLOCK, e - s)];
          for (int b = s; b < e; b += RELU_BLOCK) {
            int len = Math.min(RELU_BLOCK, e - b);
            CpuKernels.unary(UnaryOp.SIGN, v, vo + b, sign, 0, len);
            CpuKernels.binary(BinaryOp.MUL, g, go + b, 1, sign, 0, 1, c, b, len);
          }
        };
    if (n >= 2 * Strided.GRAIN) {
      Parallel.forRange(n, Strided.GRAIN, body);
    } else {
      body.run(0, n);
    }
    return out;
  }

  /** Elements per block of {@link #reluBackward}: 8 KiB of signs. */
  private static final int RELU_BLOCK = 2048;

  @Override
  public RawTensor maxPool2dBackward(RawTensor gy, RawTensor indices, ConvGeometry geom) {
    if (!isFloat(gy) || !isDouble(indices)) return reference.maxPool2dBackward(gy, indices, geom);
    assert Arrays.equals(gy.shape(), geom.outputShape())
            && Arrays.equals(indices.shape(), geom.outputShape())
        : geom;
    int[] xShape = geom.inputShape();
    RawTensor gd = dense(gy), id = dense(indices);
    RawTensor out = denseFloatOverwritten(xShape);
    float[] g = f(gd), dx = f(out);
    double[] ix = d(id);
    int planes = xShape[0] * xShape[1],
        inPlane = xShape[2] * xShape[3],
        outPlane = gy.shape()[2] * gy.shape()[3];
    int go = gd.offset(), io = id.offset();
    // Each plane is independent, so planes can be split over threads without changing any sum.
    Parallel.forRange(
        planes,
        Math.max(1, 4096 / Math.max(1, outPlane)),
        (p0, p1) -> {
          // Each thread zeroes the planes it fills (a reused output is not zeroed up front).
          Arrays.fill(dx, p0 * inPlane, p1 * inPlane, 0f);
          for (int pl = p0; pl < p1; pl++) {
            for (int k = 0; k < outPlane; k++) {
              int src = pl * outPlane + k;
              dx[pl * inPlane + (int) ix[io + src]] += g[go + src];
            }
          }
        });
    return out;
  }

  @Override
  public RawTensor avgPool2d(RawTensor x, ConvGeometry g) {
    if (!isFloat(x)) return reference.avgPool2d(x, g);
    assert Arrays.equals(x.shape(), g.inputShape()) : g;
    RawTensor xd = dense(x);
    RawTensor out = denseFloat(g.outputShape());
    PoolKernels.avgPool2d(g, true, 0, f(xd), xd.offset(), f(out), 0);
    return out;
  }

  @Override
  public RawTensor avgPool2dBackward(RawTensor gy, ConvGeometry g) {
    if (!isFloat(gy)) return reference.avgPool2dBackward(gy, g);
    assert Arrays.equals(gy.shape(), g.outputShape()) : g;
    RawTensor gd = dense(gy);
    RawTensor out = denseFloat(g.inputShape());
    PoolKernels.avgPool2dBackward(g, true, 0, f(gd), gd.offset(), f(out), 0);
    return out;
  }

  @Override
  public RawTensor[] logSoftmaxNll(RawTensor logits, RawTensor target, long ignoreIndex) {
    if (!isFloat(logits) || !isDouble(target))
      return reference.logSoftmaxNll(logits, target, ignoreIndex);
    RawTensor ld = dense(logits), td = dense(target);
    int rows = logits.shape()[0], cols = logits.shape()[1];
    RawTensor loss = denseFloat(new int[] {rows}), lse = denseFloat(new int[] {rows});
    LossKernels.logSoftmaxNllForward(
        rows, cols, f(ld), ld.offset(), d(td), td.offset(), ignoreIndex, f(loss), 0, f(lse), 0);
    return new RawTensor[] {loss, lse};
  }

  @Override
  public RawTensor[] batchNorm(RawTensor x, RawTensor weight, RawTensor bias, double eps) {
    if (!isFloat(x) || (weight != null && !isFloat(weight)) || (bias != null && !isFloat(bias))) {
      return reference.batchNorm(x, weight, bias, eps);
    }
    RawTensor xd = dense(x);
    int n = x.shape()[0], c = x.shape()[1], sp = x.numel() / Math.max(1, n * c);
    RawTensor y = denseFloat(x.shape()),
        mean = denseFloat(new int[] {c}),
        invstd = denseFloat(new int[] {c});
    NormKernels.batchNormForwardTraining(
        n,
        c,
        sp,
        f(xd),
        xd.offset(),
        weight == null ? null : toHostFloat(weight),
        bias == null ? null : toHostFloat(bias),
        (float) eps,
        f(y),
        0,
        f(mean),
        f(invstd),
        null);
    return new RawTensor[] {y, mean, invstd};
  }

  @Override
  public RawTensor[] batchNormBackward(
      RawTensor gy, RawTensor x, RawTensor weight, RawTensor mean, RawTensor invstd) {
    if (!isFloat(gy)
        || !isFloat(x)
        || !isFloat(mean)
        || !isFloat(invstd)
        || (weight != null && !isFloat(weight))) {
      return reference.batchNormBackward(gy, x, weight, mean, invstd);
    }
    RawTensor gd = dense(gy), xd = dense(x);
    int n = x.shape()[0], c = x.shape()[1], sp = x.numel() / Math.max(1, n * c);
    RawTensor dx = denseFloat(x.shape());
    RawTensor dw = weight == null ? null : denseFloat(new int[] {c}),
        db = weight == null ? null : denseFloat(new int[] {c});
    NormKernels.batchNormBackward(
        n,
        c,
        sp,
        f(gd),
        gd.offset(),
        f(xd),
        xd.offset(),
        toHostFloat(mean),
        toHostFloat(invstd),
        weight == null ? null : toHostFloat(weight),
        f(dx),
        0,
        dw == null ? null : f(dw),
        db == null ? null : f(db));
    return new RawTensor[] {dx, dw, db};
  }

  @Override
  public void scaleInPlace(RawTensor target, RawTensor factor) {
    if (!isFloat(target) || !isFloat(factor)) {
      reference.scaleInPlace(target, factor);
      return;
    }
    float[] t = f(target), x = f(factor);
    Strided.Plan p =
        Strided.plan(target.shape(), target.strides(), factor.strides(), target.strides());
    int st = p.innerA(), sf = p.innerB();
    Strided.forEachRunParallel(
        p,
        target.offset(),
        factor.offset(),
        0,
        (ot, of, oc, n) -> {
          if (st == 1 && sf == 1) {
            for (int i = 0; i < n; i++) t[ot + i] *= x[of + i]; // unit strides: C2 vectorises this
          } else if (st == 1 && sf == 0) {
            float v = x[of];
            for (int i = 0; i < n; i++) t[ot + i] *= v;
          } else {
            for (int i = 0; i < n; i++) t[ot + i * st] *= x[of + i * sf];
          }
        });
  }

  @Override
  public void accumulate(
      RawTensor target, double alpha, RawTensor a, RawTensor b, BinaryOp combine) {
    if (!isFloat(target) || !isFloat(a) || (b != null && !isFloat(b))) {
      reference.accumulate(target, alpha, a, b, combine);
      return;
    }
    float[] t = f(target), x = f(a), y = b == null ? null : f(b);
    float al = (float) alpha;
    Strided.Plan p =
        Strided.plan(
            target.shape(), target.strides(), a.strides(), b == null ? a.strides() : b.strides());
    int st = p.innerA(), sa = p.innerB(), sb = p.innerC();
    Strided.forEachRunParallel(
        p,
        target.offset(),
        a.offset(),
        b == null ? 0 : b.offset(),
        (ot, oa, ob, n) -> {
          if (st == 1 && sa == 1 && (y == null || sb == 1)) {
            // Unit strides (the optimizer case): separate loops C2 can vectorise.
            if (y == null) {
              for (int i = 0; i < n; i++) t[ot + i] += al * x[oa + i];
            } else if (combine == BinaryOp.MUL) {
              for (int i = 0; i < n; i++) t[ot + i] += al * (x[oa + i] * y[ob + i]);
            } else {
              for (int i = 0; i < n; i++) t[ot + i] += al * (x[oa + i] / y[ob + i]);
            }
          } else if (y == null && st == 1 && sa == 0) {
            // A broadcast row (a convolution's bias over one output plane).
            float v = al * x[oa];
            for (int i = 0; i < n; i++) t[ot + i] += v;
          } else if (y == null) {
            for (int i = 0; i < n; i++) t[ot + i * st] += al * x[oa + i * sa];
          } else if (combine == BinaryOp.MUL) {
            for (int i = 0; i < n; i++) t[ot + i * st] += al * (x[oa + i * sa] * y[ob + i * sb]);
          } else {
            for (int i = 0; i < n; i++) t[ot + i * st] += al * (x[oa + i * sa] / y[ob + i * sb]);
          }
        });
  }

  /** True when every tensor is float32, contiguous, and has {@code ref}'s element count. */
  private static boolean denseFloats(RawTensor ref, RawTensor... xs) {
    for (RawTensor x : xs) {
      if (x != null && (!isFloat(x) || !x.isContiguous() || x.numel() != ref.numel())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void adamStep(
      RawTensor param, RawTensor grad, RawTensor expAvg, RawTensor expAvgSq, AdamStep h) {
    if (!denseFloats(param, param, expAvg, expAvgSq) || !isFloat(grad)) {
      reference.adamStep(param, grad, expAvg, expAvgSq, h);
      return;
    }
    // A gradient may be a view (e.g. a transposed matmul result): one dense copy, then one pass.
    grad = dense(grad);
    OptimizerKernels.adam(
        param.numel(),
        f(param),
        param.offset(),
        f(grad),
        grad.offset(),
        f(expAvg),
        expAvg.offset(),
        f(expAvgSq),
        expAvgSq.offset(),
        OptimizerKernels.Adam.of(
            h.lr(),
            h.beta1(),
            h.beta2(),
            h.eps(),
            h.weightDecay(),
            h.decoupled(),
            h.maximize(),
            h.step()));
  }

  @Override
  public void sgdStep(RawTensor param, RawTensor grad, RawTensor momentumBuffer, SgdStep h) {
    if (!denseFloats(param, param, momentumBuffer) || !isFloat(grad)) {
      reference.sgdStep(param, grad, momentumBuffer, h);
      return;
    }
    grad = dense(grad);
    boolean mom = h.momentum() != 0;
    OptimizerKernels.sgd(
        param.numel(),
        f(param),
        param.offset(),
        f(grad),
        grad.offset(),
        mom ? f(momentumBuffer) : null,
        mom ? momentumBuffer.offset() : 0,
        OptimizerKernels.Sgd.of(
            h.lr(),
            h.momentum(),
            h.dampening(),
            h.nesterov(),
            h.weightDecay(),
            h.maximize(),
            h.firstStep()));
  }

  @Override
  public RawTensor argReduce(ReduceOp op, RawTensor x, int axis) {
    if (!isFloat(x) || op == ReduceOp.SUM) return reference.argReduce(op, x, axis);
    int[] outShape = ReferenceBackend.reducedShape(x.shape(), new int[] {axis});
    RawTensor out = denseDouble(DType.INT64, outShape);
    double[] z = d(out);
    float[] v = f(x);
    int len = x.shape()[axis], stride = x.strides()[axis];
    // A view of the output positions: x's layout with the reduced axis pinned at 0.
    RawTensor bases = new RawTensor(x.storage(), outShape, x.strides(), x.offset());
    boolean max = op == ReduceOp.MAX;
    Parallel.forRange(
        z.length,
        Math.max(1, 16384 / Math.max(1, len)),
        (o0, o1) -> {
          for (int o = o0; o < o1; o++) {
            int base = bases.offsetOfLinear(o);
            int best = 0;
            float bv = v[base];
            if (bv == bv) {
              for (int k = 1; k < len; k++) {
                float c = v[base + k * stride];
                if (c != c) {
                  best = k;
                  break;
                } // NaN wins, as in PyTorch
                if (max ? c > bv : c < bv) {
                  bv = c;
                  best = k;
                }
              }
            }
            z[o] = best;
          }
        });
    return out;
  }

  /** Exposed for kernels that need the error function in float. */
  static float erf(float x) {
    return (float) SpecialFunctions.erf(x);
  }
}
