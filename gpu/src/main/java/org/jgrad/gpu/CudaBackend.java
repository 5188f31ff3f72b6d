package org.jgrad.gpu;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Optional;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;
import org.jgrad.backend.Backend;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.ConvGeometry;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.backend.FusedKernels;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.RecurrentCellComposites;
import org.jgrad.backend.ReduceOp;
import org.jgrad.backend.Storage;
import org.jgrad.backend.UnaryOp;
import org.jgrad.backend.reference.ReferenceBackend;

/**
 * The CUDA backend: every {@link Backend} primitive and every {@link FusedKernels} kernel on one
 * NVIDIA GPU, through JCuda 12.6.0. Matrix products run on cuBLAS (row-major mapped onto its
 * column-major API by {@link GemmPlan}, strided-batched for batches, convolutions as im2col +
 * GEMM); everything else runs on the CUDA C kernels under {@code org/jgrad/gpu/kernels/}, compiled
 * at run time by NVRTC ({@link KernelCompiler}) and loaded per device. Where libcublas.so.12 cannot
 * be loaded, the tiled GEMM kernel of gemm.cu takes over (slower, same results within rounding).
 *
 * <p>Semantics follow {@link ReferenceBackend}, the specification: element-wise kernels compute in
 * double and round once on the store; sums accumulate in double; max/min propagate NaN; bad indices
 * throw the reference's message. Tensors of any layout are accepted (strides, offsets, broadcast
 * strides); outputs are dense. All work is queued on the device's default stream, so results are
 * ordered and a copy to the host sees all of them.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(64, 784).to(Device.of("cuda"));   // found through CudaBackendProvider
 * Module model = new Sequential(...).to(Device.of("cuda"));
 * Tensor loss = F.crossEntropy(model.forward(x), labels.to(x.device()));
 * }</pre>
 */
public final class CudaBackend implements Backend, FusedKernels {
  private final CudaDevice dev;

  CudaBackend(CudaDevice dev) {
    this.dev = dev;
  }

  /** The backend of CUDA device {@code ordinal}, initialising the device on first use. */
  public static CudaBackend of(int ordinal) {
    return new CudaBackend(CudaDevice.get(ordinal));
  }

  @Override
  public String name() {
    return dev.device.toString();
  }

  @Override
  public Device device() {
    return dev.device;
  }

  @Override
  public Optional<FusedKernels> fused() {
    return Optional.of(this);
  }

  /** Waits until the device has finished all queued work (for timing). */
  public void synchronize() {
    dev.synchronize();
  }

  /** What runs where: device, compute capability, GEMM path, kernel compiler, memory. */
  String describe() {
    return dev.device
        + ": "
        + dev.name
        + " (sm_"
        + dev.computeCapability
        + ")\n"
        + "GEMM: "
        + (dev.cublas() != null
            ? "cuBLAS (FP32 without TF32)"
            : "gemm.cu tiled kernel (" + dev.cublasUnavailable + ")")
        + "\nkernels compiled by: "
        + KernelCompiler.lastCompiler
        + "\n"
        + dev.pinnedState()
        + "\nmemory: "
        + dev.allocator.stats();
  }

  // ---------------------------------------------------------------- helpers

  private CudaStorage st(RawTensor t) {
    Storage s = t.storage();
    if (s instanceof CudaStorage c && c.device().equals(dev.device)) return c;
    throw new IllegalArgumentException(
        name() + ": expected a tensor on " + dev.device + ", got one on " + s.device());
  }

  /** Base address of a tensor's storage (layouts carry the offset). */
  private CUdeviceptr base(RawTensor t) {
    return st(t).at(0);
  }

  /** Address of a tensor's first element (for dense operands). */
  private CUdeviceptr first(RawTensor t) {
    return st(t).at(t.offset());
  }

  private RawTensor dense(DType t, int[] shape) {
    dev.makeCurrent();
    return RawTensor.dense(new CudaStorage(dev, t, RawTensor.numel(shape)), shape.clone());
  }

  private RawTensor zeros(DType t, int[] shape) {
    RawTensor r = dense(t, shape);
    dev.zero(base(r), (long) r.numel() * CudaStorage.elementBytes(t));
    return r;
  }

  /** x itself when its elements are dense in row-major order (any offset), else a dense copy. */
  private RawTensor contiguous(RawTensor x) {
    return x.isContiguous() ? x : copy(x, x.dtype());
  }

  /** Keeps operands reachable until the launches that use their memory are queued. */
  private static void fence(Object... operands) {
    Reference.reachabilityFence(operands);
  }

  /** Packed layouts of the operands over {@code shape}, dims merged jointly. */
  private static int[][] layouts(String op, int[] shape, RawTensor... operands) {
    int[][] strides = new int[operands.length][];
    for (int i = 0; i < operands.length; i++) strides[i] = operands[i].strides();
    Layouts.Merged m = Layouts.merge(shape, strides);
    int[][] packed = new int[operands.length][];
    for (int i = 0; i < operands.length; i++)
      packed[i] = Layouts.pack(op, m.shape(), m.strides()[i], operands[i].offset());
    return packed;
  }

  private static void sameDtype(String op, RawTensor a, RawTensor b) {
    if (a.dtype() != b.dtype()) {
      throw new IllegalArgumentException(
          op + ": operands must have one dtype, got " + a.dtype() + " and " + b.dtype());
    }
  }

  /** Conditions and indices are read as double on the device: float32 ones are converted first. */
  private RawTensor asDoubleStored(RawTensor t, DType to) {
    return t.dtype() == DType.FLOAT32 ? copy(t, to) : t;
  }

  // ---------------------------------------------------------------- memory and transfers

  @Override
  public Storage allocate(DType dtype, int length) {
    dev.makeCurrent();
    CudaStorage s = new CudaStorage(dev, dtype, length);
    dev.zero(s.at(0), (long) length * CudaStorage.elementBytes(dtype));
    return s;
  }

  /**
   * A one-element storage written by the fill kernel: scalars (every {@code x.add(1)} moves one to
   * the device) then cost a queued launch instead of a copy that waits for the device.
   */
  private Storage scalar(DType dtype, double value) {
    dev.makeCurrent();
    CudaStorage s = new CudaStorage(dev, dtype, 1);
    dev.launch1d(
        Kernel.typed("copy.cu", "fill", dtype),
        1,
        Layouts.dense(1),
        s.at(0),
        ReferenceBackend.castValue(value, dtype),
        1L);
    return s;
  }

  @Override
  public Storage fromHost(double[] values, DType dtype) {
    if (values.length == 1) return scalar(dtype, values[0]);
    dev.makeCurrent();
    CudaStorage s = new CudaStorage(dev, dtype, values.length);
    if (dtype == DType.FLOAT32) {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
      dev.upload(s.at(0), f);
    } else {
      double[] d = new double[values.length];
      for (int i = 0; i < d.length; i++) d[i] = ReferenceBackend.castValue(values[i], dtype);
      dev.upload(s.at(0), d);
    }
    return s;
  }

  @Override
  public Storage fromHost(float[] values) {
    if (values.length == 1) return scalar(DType.FLOAT32, values[0]);
    dev.makeCurrent();
    CudaStorage s = new CudaStorage(dev, DType.FLOAT32, values.length);
    dev.upload(s.at(0), values);
    return s;
  }

  @Override
  public double[] toHostDouble(RawTensor x) {
    if (x.dtype() == DType.FLOAT32) {
      float[] f = toHostFloat(x);
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) d[i] = f[i];
      return d;
    }
    RawTensor c = contiguous(x);
    double[] out = dev.downloadDoubles(first(c), c.numel());
    fence(x, c);
    return out;
  }

  @Override
  public float[] toHostFloat(RawTensor x) {
    if (x.dtype() != DType.FLOAT32) {
      double[] d = toHostDouble(x);
      float[] f = new float[d.length];
      for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
      return f;
    }
    RawTensor c = contiguous(x);
    float[] out = dev.downloadFloats(first(c), c.numel());
    fence(x, c);
    return out;
  }

  @Override
  public RawTensor copy(RawTensor x, DType to) {
    RawTensor out = dense(to, x.shape());
    int[][] l = layouts("copy", x.shape(), x, out);
    dev.launch1d(
        Kernel.copy(x.dtype(), to),
        out.numel(),
        l[0],
        base(x),
        l[1],
        base(out),
        (long) out.numel(),
        Kernel.kind(to));
    fence(x, out);
    return out;
  }

  @Override
  public void copyInto(RawTensor dst, RawTensor src) {
    dev.makeCurrent();
    // src may overlap dst (x.copyFrom(x.flip())): read it out first, as the reference does.
    RawTensor s = src.storage() == dst.storage() ? copy(src, src.dtype()) : src;
    int[][] l = layouts("copyInto", dst.shape(), s, dst);
    dev.launch1d(
        Kernel.copy(s.dtype(), dst.dtype()),
        dst.numel(),
        l[0],
        base(s),
        l[1],
        base(dst),
        (long) dst.numel(),
        Kernel.kind(dst.dtype()));
    fence(s, src, dst);
  }

  @Override
  public void fill(RawTensor dst, double value) {
    dev.makeCurrent();
    int[][] l = layouts("fill", dst.shape(), dst);
    dev.launch1d(
        Kernel.typed("copy.cu", "fill", dst.dtype()),
        dst.numel(),
        l[0],
        base(dst),
        ReferenceBackend.castValue(value, dst.dtype()),
        (long) dst.numel());
    fence(dst);
  }

  // ---------------------------------------------------------------- element-wise

  @Override
  public RawTensor unary(UnaryOp op, RawTensor x) {
    RawTensor out = dense(x.dtype(), x.shape());
    int[][] l = layouts("unary " + op, x.shape(), x);
    dev.launch1d(
        Kernel.unary(op, x.dtype()),
        out.numel(),
        l[0],
        base(x),
        base(out),
        (long) out.numel(),
        Kernel.kind(x.dtype()));
    fence(x, out);
    return out;
  }

  @Override
  public RawTensor binary(BinaryOp op, RawTensor a, RawTensor b) {
    sameDtype("binary " + op, a, b);
    DType outType = op.isComparison() ? DType.BOOL : a.dtype();
    RawTensor out = dense(outType, a.shape());
    int[][] l = layouts("binary " + op, a.shape(), a, b);
    dev.launch1d(
        Kernel.binary(op, a.dtype()),
        out.numel(),
        l[0],
        base(a),
        l[1],
        base(b),
        base(out),
        (long) out.numel(),
        Kernel.kind(outType));
    fence(a, b, out);
    return out;
  }

  @Override
  public RawTensor where(RawTensor cond, RawTensor a, RawTensor b) {
    sameDtype("where", a, b);
    RawTensor c = asDoubleStored(cond, DType.BOOL);
    RawTensor out = dense(a.dtype(), a.shape());
    int[][] l = layouts("where", a.shape(), c, a, b);
    dev.launch1d(
        Kernel.typed("binary.cu", "where", a.dtype()),
        out.numel(),
        l[0],
        base(c),
        l[1],
        base(a),
        l[2],
        base(b),
        base(out),
        (long) out.numel());
    fence(c, cond, a, b, out);
    return out;
  }

  // ---------------------------------------------------------------- reductions

  /** Outputs reduced by a whole block when at least this many elements go into each. */
  static final int BLOCK_REDUCE_MIN = 256;

  @Override
  public RawTensor reduce(ReduceOp op, RawTensor x, int[] axes) {
    int[] outShape = ReferenceBackend.reducedShape(x.shape(), axes);
    RawTensor out = dense(x.dtype(), outShape);
    int rank = x.rank();
    boolean[] reduced = new boolean[rank];
    for (int a : axes) reduced[a] = true;
    int[] keptShape = new int[rank], keptStrides = new int[rank];
    int[] redShape = new int[rank], redStrides = new int[rank];
    int nk = 0, nr = 0;
    for (int d = 0; d < rank; d++) {
      if (reduced[d]) {
        redShape[nr] = x.shape()[d];
        redStrides[nr++] = x.strides()[d];
      } else {
        keptShape[nk] = x.shape()[d];
        keptStrides[nk++] = x.strides()[d];
      }
    }
    Layouts.Merged outer =
        Layouts.merge(Arrays.copyOf(keptShape, nk), Arrays.copyOf(keptStrides, nk));
    Layouts.Merged inner =
        Layouts.merge(Arrays.copyOf(redShape, nr), Arrays.copyOf(redStrides, nr));
    int[] outerPacked = Layouts.pack("reduce", outer.shape(), outer.strides()[0], x.offset());
    int[] innerPacked = Layouts.pack("reduce", inner.shape(), inner.strides()[0], 0);
    long outputs = out.numel();
    long count = RawTensor.numel(Arrays.copyOf(redShape, nr));
    if (outputs == 0) return out;
    Object[] args = {
      Kernel.reduceCode(op),
      outerPacked,
      innerPacked,
      base(x),
      base(out),
      outputs,
      count,
      Kernel.kind(x.dtype())
    };
    if (count >= BLOCK_REDUCE_MIN) {
      int grid = (int) Math.min(outputs, 1 << 16);
      dev.launchGrid(
          Kernel.typed("reduce.cu", "reduce_block", x.dtype()),
          grid,
          1,
          1,
          CudaDevice.BLOCK,
          1,
          args);
    } else {
      dev.launch1d(Kernel.typed("reduce.cu", "reduce_thread", x.dtype()), outputs, args);
    }
    fence(x, out);
    return out;
  }

  @Override
  public RawTensor argReduce(ReduceOp op, RawTensor x, int axis) {
    int[] outShape = ReferenceBackend.reducedShape(x.shape(), new int[] {axis});
    RawTensor out = dense(DType.INT64, outShape);
    int rank = x.rank();
    int[] shape = new int[rank - 1], strides = new int[rank - 1];
    for (int d = 0, j = 0; d < rank; d++) {
      if (d == axis) continue;
      shape[j] = x.shape()[d];
      strides[j++] = x.strides()[d];
    }
    Layouts.Merged outer = Layouts.merge(shape, strides);
    int[] packed = Layouts.pack("argReduce", outer.shape(), outer.strides()[0], x.offset());
    dev.launch1d(
        Kernel.typed("reduce.cu", "arg_reduce", x.dtype()),
        out.numel(),
        Kernel.reduceCode(op),
        packed,
        x.shape()[axis],
        x.strides()[axis],
        base(x),
        base(out),
        (long) out.numel());
    fence(x, out);
    return out;
  }

  // ---------------------------------------------------------------- matrix products

  @Override
  public RawTensor matmul(RawTensor a, RawTensor b) {
    sameDtype("matmul", a, b);
    int r = a.rank();
    int m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
    int[] outShape = a.shape().clone();
    outShape[r - 1] = n;
    DType t = a.dtype();
    if (RawTensor.numel(outShape) == 0 || k == 0) return zeros(t, outShape);
    RawTensor out = dense(t, outShape);
    int[] batchShape = Arrays.copyOf(outShape, r - 2);
    int batches = RawTensor.numel(batchShape);
    RawTensor aa = a, bb = b;
    if (usesCublas(t)) {
      for (int attempt = 0; attempt < 2; attempt++) {
        GemmPlan plan =
            GemmPlan.of(
                m,
                n,
                k,
                aa.strides()[r - 2],
                aa.strides()[r - 1],
                bb.strides()[r - 2],
                bb.strides()[r - 1]);
        Layouts.Merged mb =
            Layouts.merge(
                batchShape, Arrays.copyOf(aa.strides(), r - 2), Arrays.copyOf(bb.strides(), r - 2));
        if (plan != null && mb.rank() <= 1) {
          long sa = mb.rank() == 0 ? 0 : mb.strides()[0][0];
          long sb = mb.rank() == 0 ? 0 : mb.strides()[1][0];
          cublasGemm(
              t, plan, batches, m, n, k, first(aa), sa, first(bb), sb, base(out), n, (long) m * n);
          fence(a, b, aa, bb, out);
          return out;
        }
        // A stepped or broadcast matrix, or batch dims that do not merge: copy dense and retry.
        aa = aa.isContiguous() ? aa : copy(aa, t);
        bb = bb.isContiguous() ? bb : copy(bb, t);
      }
    }
    Layouts.Merged mb =
        Layouts.merge(
            batchShape, Arrays.copyOf(aa.strides(), r - 2), Arrays.copyOf(bb.strides(), r - 2));
    gemmKernel(
        t,
        batches,
        m,
        n,
        k,
        Layouts.pack("matmul", mb.shape(), mb.strides()[0], aa.offset()),
        base(aa),
        aa.strides()[r - 2],
        aa.strides()[r - 1],
        Layouts.pack("matmul", mb.shape(), mb.strides()[1], bb.offset()),
        base(bb),
        bb.strides()[r - 2],
        bb.strides()[r - 1],
        base(out),
        n,
        (long) m * n);
    fence(a, b, aa, bb, out);
    return out;
  }

  private boolean usesCublas(DType t) {
    return dev.cublas() != null && (t == DType.FLOAT32 || t == DType.FLOAT64);
  }

  /**
   * C[b] (m×n, row stride ldc) = A[b] (m×k) · B[b] (k×n) for b < batch, each operand addressed by
   * element strides from its first element: cuBLAS when the layouts allow, else gemm.cu.
   */
  private void gemm(
      DType t,
      int batch,
      int m,
      int n,
      int k,
      CUdeviceptr a,
      int aRs,
      int aCs,
      long aBatch,
      CUdeviceptr b,
      int bRs,
      int bCs,
      long bBatch,
      CUdeviceptr c,
      int ldc,
      long cBatch) {
    if (batch == 0 || m == 0 || n == 0) return;
    if (k == 0) {
      throw new IllegalStateException("gemm with k = 0: callers zero-fill instead");
    }
    GemmPlan plan = usesCublas(t) ? GemmPlan.of(m, n, k, aRs, aCs, bRs, bCs) : null;
    if (plan != null) {
      cublasGemm(t, plan, batch, m, n, k, a, aBatch, b, bBatch, c, ldc, cBatch);
      return;
    }
    gemmKernel(
        t,
        batch,
        m,
        n,
        k,
        Layouts.pack("gemm", new int[] {batch}, new int[] {Math.toIntExact(aBatch)}, 0),
        a,
        aRs,
        aCs,
        Layouts.pack("gemm", new int[] {batch}, new int[] {Math.toIntExact(bBatch)}, 0),
        b,
        bRs,
        bCs,
        c,
        ldc,
        cBatch);
  }

  /** The swapped-operand cuBLAS call of {@link GemmPlan}: C^T = B^T·A^T in column-major terms. */
  private void cublasGemm(
      DType t,
      GemmPlan p,
      int batch,
      int m,
      int n,
      int k,
      CUdeviceptr a,
      long aBatch,
      CUdeviceptr b,
      long bBatch,
      CUdeviceptr c,
      int ldc,
      long cBatch) {
    dev.makeCurrent();
    int opFirst = p.transFirst() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    int opSecond = p.transSecond() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    int rc =
        t == DType.FLOAT32
            ? JCublas2.cublasSgemmStridedBatched(
                dev.cublas(),
                opFirst,
                opSecond,
                n,
                m,
                k,
                Pointer.to(new float[] {1f}),
                b,
                p.ldFirst(),
                bBatch,
                a,
                p.ldSecond(),
                aBatch,
                Pointer.to(new float[] {0f}),
                c,
                ldc,
                cBatch,
                batch)
            : JCublas2.cublasDgemmStridedBatched(
                dev.cublas(),
                opFirst,
                opSecond,
                n,
                m,
                k,
                Pointer.to(new double[] {1}),
                b,
                p.ldFirst(),
                bBatch,
                a,
                p.ldSecond(),
                aBatch,
                Pointer.to(new double[] {0}),
                c,
                ldc,
                cBatch,
                batch);
    if (rc != cublasStatus.CUBLAS_STATUS_SUCCESS) {
      throw new IllegalStateException(
          name()
              + ": cublas"
              + (t == DType.FLOAT32 ? "S" : "D")
              + "gemmStridedBatched("
              + batch
              + "×"
              + m
              + "×"
              + n
              + "×"
              + k
              + ", "
              + p
              + ") failed: "
              + cublasStatus.stringFor(rc));
    }
  }

  private static final int TILE = 16;
  private static final int MAX_GRID_Z = 65535;

  private void gemmKernel(
      DType t,
      int batches,
      int m,
      int n,
      int k,
      int[] aBatchLayout,
      CUdeviceptr a,
      int aRs,
      int aCs,
      int[] bBatchLayout,
      CUdeviceptr b,
      int bRs,
      int bCs,
      CUdeviceptr c,
      int ldc,
      long cBatch) {
    dev.makeCurrent();
    for (int b0 = 0; b0 < batches; b0 += MAX_GRID_Z) {
      dev.launchGrid(
          Kernel.typed("gemm.cu", "gemm", t),
          (n + TILE - 1) / TILE,
          (m + TILE - 1) / TILE,
          Math.min(MAX_GRID_Z, batches - b0),
          TILE,
          TILE,
          b0,
          m,
          n,
          k,
          aBatchLayout,
          a,
          aRs,
          aCs,
          bBatchLayout,
          b,
          bRs,
          bCs,
          c,
          ldc,
          cBatch,
          Kernel.kind(t));
    }
  }

  // ---------------------------------------------------------------- indexing

  @Override
  public RawTensor gather(RawTensor x, int dim, RawTensor index) {
    RawTensor idx = asDoubleStored(index, DType.INT64);
    RawTensor out = dense(x.dtype(), index.shape());
    int[] xStrides = x.strides().clone();
    int dimStride = xStrides[dim];
    xStrides[dim] = 0;
    RawTensor xv = x.withLayout(index.shape(), xStrides, x.offset());
    int[][] l = layouts("gather", index.shape(), xv, idx);
    int size = x.shape()[dim];
    dev.launch1d(
        Kernel.typed("index.cu", "gather", x.dtype()),
        out.numel(),
        l[0],
        base(x),
        dimStride,
        size,
        l[1],
        base(idx),
        base(out),
        (long) out.numel(),
        dev.errorSlot(),
        dev.errorValue());
    if (out.numel() > 0) dev.checkIndexError("gather", size);
    fence(x, idx, index, out);
    return out;
  }

  @Override
  public RawTensor scatterAdd(RawTensor base, int dim, RawTensor index, RawTensor src) {
    sameDtype("scatterAdd", base, src);
    RawTensor idx = asDoubleStored(index, DType.INT64);
    RawTensor out = copy(base, base.dtype());
    int[] outStrides = out.strides().clone();
    int dimStride = outStrides[dim];
    outStrides[dim] = 0;
    RawTensor ov = out.withLayout(index.shape(), outStrides, 0);
    RawTensor sv = src.withLayout(index.shape(), src.strides(), src.offset());
    int[][] l = layouts("scatterAdd", index.shape(), ov, idx, sv);
    int size = base.shape()[dim];
    int n = index.numel();
    dev.launch1d(
        Kernel.typed("index.cu", "scatter_add", base.dtype()),
        n,
        l[0],
        base(out),
        dimStride,
        size,
        l[1],
        base(idx),
        l[2],
        base(src),
        (long) n,
        dev.errorSlot(),
        dev.errorValue());
    if (n > 0) dev.checkIndexError("scatterAdd", size);
    fence(base, idx, index, src, out);
    // bool sums saturate to 1, as castValue(out + v, BOOL) does element by element
    return base.dtype() == DType.BOOL ? copy(out, DType.BOOL) : out;
  }

  // ---------------------------------------------------------------- convolution

  /** ConvGeometry as the kernels' {@code Geometry} struct (channels: of the input). */
  private static int[] geometry(ConvGeometry g) {
    return new int[] {
      g.batch(),
      g.inChannels(),
      g.inH(),
      g.inW(),
      g.kH(),
      g.kW(),
      g.strideH(),
      g.strideW(),
      g.padH(),
      g.padW(),
      g.dilationH(),
      g.dilationW(),
      g.outH(),
      g.outW()
    };
  }

  /** im2col of a dense x: [N, C·kH·kW, outH·outW]. */
  private RawTensor im2col(RawTensor xc, ConvGeometry g) {
    int ck = g.inChannels() * g.kH() * g.kW(), hw = g.outH() * g.outW();
    RawTensor cols = dense(xc.dtype(), new int[] {g.batch(), ck, hw});
    dev.launch1d(
        Kernel.typed("conv.cu", "im2col", xc.dtype()),
        cols.numel(),
        geometry(g),
        first(xc),
        base(cols),
        (long) cols.numel());
    fence(xc);
    return cols;
  }

  @Override
  public RawTensor conv2d(RawTensor x, RawTensor w, ConvGeometry g) {
    assert Arrays.equals(x.shape(), g.inputShape()) && Arrays.equals(w.shape(), g.weightShape())
        : g;
    DType t = x.dtype();
    int groups = g.groups(), og = g.outChannels() / groups;
    int cg = g.inChannels() / groups, kk = cg * g.kH() * g.kW();
    int ck = g.inChannels() * g.kH() * g.kW(), hw = g.outH() * g.outW();
    int[] outShape = g.outputShape();
    if (RawTensor.numel(outShape) == 0 || kk == 0) return zeros(t, outShape);
    RawTensor xc = contiguous(x), wc = contiguous(w);
    RawTensor cols = im2col(xc, g);
    RawTensor out = dense(t, outShape);
    for (int gi = 0; gi < groups; gi++) {
      // out[b, gi·og + o, s] = Σ_p w[gi·og + o, p] · cols[b, gi·kk + p, s]
      gemm(
          t,
          g.batch(),
          og,
          hw,
          kk,
          st(wc).at(wc.offset() + (long) gi * og * kk),
          kk,
          1,
          0,
          st(cols).at((long) gi * kk * hw),
          hw,
          1,
          (long) ck * hw,
          st(out).at((long) gi * og * hw),
          hw,
          (long) g.outChannels() * hw);
    }
    fence(x, w, xc, wc, cols, out);
    return out;
  }

  @Override
  public RawTensor conv2dBackwardInput(RawTensor gy, RawTensor w, ConvGeometry g) {
    assert Arrays.equals(gy.shape(), g.outputShape()) && Arrays.equals(w.shape(), g.weightShape())
        : g;
    DType t = gy.dtype();
    int groups = g.groups(), og = g.outChannels() / groups;
    int cg = g.inChannels() / groups, kk = cg * g.kH() * g.kW();
    int ck = g.inChannels() * g.kH() * g.kW(), hw = g.outH() * g.outW();
    int[] xShape = g.inputShape();
    if (RawTensor.numel(xShape) == 0 || og == 0 || hw == 0) return zeros(t, xShape);
    RawTensor gyc = contiguous(gy), wc = contiguous(w);
    RawTensor cols = dense(t, new int[] {g.batch(), ck, hw});
    if (kk > 0) {
      for (int gi = 0; gi < groups; gi++) {
        // cols[b, gi·kk + p, s] = Σ_o w[gi·og + o, p] · gy[b, gi·og + o, s]
        gemm(
            t,
            g.batch(),
            kk,
            hw,
            og,
            st(wc).at(wc.offset() + (long) gi * og * kk),
            1,
            kk,
            0,
            st(gyc).at(gyc.offset() + (long) gi * og * hw),
            hw,
            1,
            (long) g.outChannels() * hw,
            st(cols).at((long) gi * kk * hw),
            hw,
            (long) ck * hw);
      }
    }
    RawTensor dx = dense(t, xShape);
    dev.launch1d(
        Kernel.typed("conv.cu", "col2im", t),
        dx.numel(),
        geometry(g),
        base(cols),
        base(dx),
        (long) dx.numel());
    fence(gy, w, gyc, wc, cols, dx);
    return dx;
  }

  @Override
  public RawTensor conv2dBackwardWeight(RawTensor gy, RawTensor x, ConvGeometry g) {
    assert Arrays.equals(gy.shape(), g.outputShape()) && Arrays.equals(x.shape(), g.inputShape())
        : g;
    DType t = gy.dtype();
    int groups = g.groups(), og = g.outChannels() / groups, o = g.outChannels();
    int cg = g.inChannels() / groups, kk = cg * g.kH() * g.kW();
    int ck = g.inChannels() * g.kH() * g.kW(), hw = g.outH() * g.outW();
    int[] wShape = g.weightShape();
    int n = g.batch();
    if (RawTensor.numel(wShape) == 0 || n == 0 || hw == 0) return zeros(t, wShape);
    RawTensor gyc = contiguous(gy), xc = contiguous(x);
    RawTensor cols = im2col(xc, g);
    // Per sample, then summed over the batch in double by the reduce kernel.
    RawTensor perSample = dense(t, new int[] {n, o * kk});
    for (int gi = 0; gi < groups; gi++) {
      // dw[b][gi·og + o, p] = Σ_s gy[b, gi·og + o, s] · cols[b, gi·kk + p, s]
      gemm(
          t,
          n,
          og,
          kk,
          hw,
          st(gyc).at(gyc.offset() + (long) gi * og * hw),
          hw,
          1,
          (long) o * hw,
          st(cols).at((long) gi * kk * hw),
          1,
          hw,
          (long) ck * hw,
          st(perSample).at((long) gi * og * kk),
          kk,
          (long) o * kk);
    }
    RawTensor summed = n == 1 ? perSample : reduce(ReduceOp.SUM, perSample, new int[] {0});
    fence(gy, x, gyc, xc, cols, perSample);
    return RawTensor.dense(summed.storage(), wShape);
  }

  // ---------------------------------------------------------------- pooling

  @Override
  public RawTensor[] maxPool2d(RawTensor x, ConvGeometry g) {
    assert Arrays.equals(x.shape(), g.inputShape()) : g;
    RawTensor xc = contiguous(x);
    int[] shape = g.outputShape();
    RawTensor values = dense(x.dtype(), shape), indices = dense(DType.INT64, shape);
    dev.launch1d(
        Kernel.typed("pool.cu", "max_pool", x.dtype()),
        values.numel(),
        geometry(g),
        first(xc),
        base(values),
        base(indices),
        (long) values.numel());
    fence(x, xc, values, indices);
    return new RawTensor[] {values, indices};
  }

  /** The composite of this backend's own kernels (no fused CUDA kernel yet). */
  @Override
  public RawTensor reluBackward(RawTensor gy, RawTensor y) {
    return binary(BinaryOp.MUL, gy, unary(UnaryOp.SIGN, y));
  }

  /**
   * The recurrent cells (LSTM here, GRU below) are composites of this backend's own element-wise
   * kernels: no cell kernels on the device yet.
   */
  @Override
  public RawTensor[] lstmCell(RawTensor gates, RawTensor c) {
    return RecurrentCellComposites.lstmCell(this, gates, c);
  }

  @Override
  public RawTensor[] lstmCellBackward(RawTensor gy, RawTensor acts, RawTensor c) {
    return RecurrentCellComposites.lstmCellBackward(this, gy, acts, c);
  }

  @Override
  public RawTensor[] gruCell(RawTensor xGates, RawTensor hGates, RawTensor h) {
    return RecurrentCellComposites.gruCell(this, xGates, hGates, h);
  }

  @Override
  public RawTensor[] gruCellBackward(RawTensor gy, RawTensor acts, RawTensor hGates, RawTensor h) {
    return RecurrentCellComposites.gruCellBackward(this, gy, acts, hGates, h);
  }

  @Override
  public RawTensor maxPool2dBackward(RawTensor gy, RawTensor indices, ConvGeometry g) {
    RawTensor gyc = contiguous(gy), ic = contiguous(asDoubleStored(indices, DType.INT64));
    RawTensor dx = dense(gy.dtype(), g.inputShape());
    dev.launch1d(
        Kernel.typed("pool.cu", "max_pool_backward", gy.dtype()),
        dx.numel(),
        geometry(g),
        first(gyc),
        first(ic),
        base(dx),
        (long) dx.numel());
    fence(gy, indices, gyc, ic, dx);
    return dx;
  }

  @Override
  public RawTensor avgPool2d(RawTensor x, ConvGeometry g) {
    RawTensor xc = contiguous(x);
    RawTensor out = dense(x.dtype(), g.outputShape());
    dev.launch1d(
        Kernel.typed("pool.cu", "avg_pool", x.dtype()),
        out.numel(),
        geometry(g),
        first(xc),
        base(out),
        (long) out.numel());
    fence(x, xc, out);
    return out;
  }

  @Override
  public RawTensor avgPool2dBackward(RawTensor gy, ConvGeometry g) {
    RawTensor gyc = contiguous(gy);
    RawTensor dx = dense(gy.dtype(), g.inputShape());
    dev.launch1d(
        Kernel.typed("pool.cu", "avg_pool_backward", gy.dtype()),
        dx.numel(),
        geometry(g),
        first(gyc),
        base(dx),
        (long) dx.numel());
    fence(gy, gyc, dx);
    return dx;
  }

  // ---------------------------------------------------------------- loss and normalisation

  @Override
  public RawTensor[] logSoftmaxNll(RawTensor logits, RawTensor target, long ignoreIndex) {
    int n = logits.shape()[0], c = logits.shape()[1];
    DType t = logits.dtype();
    RawTensor tg = asDoubleStored(target, DType.INT64);
    RawTensor loss = dense(t, new int[] {n}), lse = dense(t, new int[] {n});
    if (n > 0) {
      dev.launchGrid(
          Kernel.typed("loss.cu", "log_softmax_nll", t),
          Math.min(n, 1 << 16),
          1,
          1,
          CudaDevice.BLOCK,
          1,
          base(logits),
          n,
          c,
          logits.strides()[0],
          logits.strides()[1],
          logits.offset(),
          base(tg),
          tg.strides()[0],
          tg.offset(),
          (double) ignoreIndex,
          base(loss),
          base(lse),
          dev.errorSlot(),
          dev.errorValue());
      dev.checkIndexError("crossEntropy", c);
    }
    fence(logits, target, tg, loss, lse);
    return new RawTensor[] {loss, lse};
  }

  /** A missing weight or bias: a valid address the kernel never reads (its flag is 0). */
  private CUdeviceptr orUnused(RawTensor t) {
    return t == null ? dev.errorSlot() : first(t);
  }

  private static int stride0(RawTensor t) {
    return t == null ? 0 : t.strides()[0];
  }

  @Override
  public RawTensor[] batchNorm(RawTensor x, RawTensor weight, RawTensor bias, double eps) {
    DType t = x.dtype();
    int n = x.shape()[0], c = x.shape()[1], s = x.numel() / Math.max(1, n * c);
    RawTensor xc = contiguous(x);
    RawTensor y = dense(t, x.shape()),
        mean = dense(t, new int[] {c}),
        invstd = dense(t, new int[] {c});
    RawTensor stats = dense(DType.FLOAT64, new int[] {2 * c});
    if (c > 0) {
      dev.launchGrid(
          Kernel.typed("batchnorm.cu", "bn_stats", t),
          Math.min(c, 1 << 16),
          1,
          1,
          CudaDevice.BLOCK,
          1,
          first(xc),
          n,
          c,
          s,
          eps,
          base(mean),
          base(invstd),
          base(stats));
      dev.launch1d(
          Kernel.typed("batchnorm.cu", "bn_apply", t),
          y.numel(),
          first(xc),
          c,
          s,
          base(stats),
          weight == null ? 0 : 1,
          orUnused(weight),
          stride0(weight),
          bias == null ? 0 : 1,
          orUnused(bias),
          stride0(bias),
          base(y),
          (long) y.numel());
    }
    fence(x, xc, weight, bias, y, mean, invstd, stats);
    return new RawTensor[] {y, mean, invstd};
  }

  @Override
  public RawTensor[] batchNormBackward(
      RawTensor gy, RawTensor x, RawTensor weight, RawTensor mean, RawTensor invstd) {
    DType t = x.dtype();
    int n = x.shape()[0], c = x.shape()[1], s = x.numel() / Math.max(1, n * c);
    RawTensor gyc = contiguous(gy), xc = contiguous(x);
    RawTensor dx = dense(t, x.shape());
    RawTensor dw = weight == null ? null : dense(t, new int[] {c});
    RawTensor db = weight == null ? null : dense(t, new int[] {c});
    RawTensor sums = dense(DType.FLOAT64, new int[] {2 * c});
    if (c > 0) {
      dev.launchGrid(
          Kernel.typed("batchnorm.cu", "bn_backward_reduce", t),
          Math.min(c, 1 << 16),
          1,
          1,
          CudaDevice.BLOCK,
          1,
          first(gyc),
          first(xc),
          n,
          c,
          s,
          first(mean),
          mean.strides()[0],
          first(invstd),
          invstd.strides()[0],
          weight == null ? 0 : 1,
          orUnused(dw),
          orUnused(db),
          base(sums));
      dev.launch1d(
          Kernel.typed("batchnorm.cu", "bn_backward_apply", t),
          dx.numel(),
          first(gyc),
          first(xc),
          n,
          c,
          s,
          first(mean),
          mean.strides()[0],
          first(invstd),
          invstd.strides()[0],
          weight == null ? 0 : 1,
          orUnused(weight),
          stride0(weight),
          base(sums),
          base(dx),
          (long) dx.numel());
    }
    fence(gy, x, weight, mean, invstd, gyc, xc, dx, dw, db, sums);
    return new RawTensor[] {dx, dw, db};
  }

  // ---------------------------------------------------------------- optimizer updates

  @Override
  public void scaleInPlace(RawTensor target, RawTensor factor) {
    sameDtype("scaleInPlace", target, factor);
    int[][] l = layouts("scaleInPlace", target.shape(), target, factor);
    dev.launch1d(
        Kernel.typed("optim.cu", "scale_inplace", target.dtype()),
        target.numel(),
        l[0],
        base(target),
        l[1],
        base(factor),
        (long) target.numel(),
        Kernel.kind(target.dtype()));
    fence(target, factor);
  }

  @Override
  public void accumulate(
      RawTensor target, double alpha, RawTensor a, RawTensor b, BinaryOp combine) {
    sameDtype("accumulate", target, a);
    int mode;
    if (b == null) {
      mode = 0;
    } else {
      sameDtype("accumulate", target, b);
      mode =
          switch (combine) {
            case MUL -> 1;
            case DIV -> 2;
            case ADD, SUB, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE ->
                throw new IllegalArgumentException(
                    "accumulate: combine must be MUL or DIV, got " + combine);
          };
    }
    RawTensor bb = b == null ? a : b;
    int[][] l = layouts("accumulate", target.shape(), target, a, bb);
    dev.launch1d(
        Kernel.typed("optim.cu", "accumulate", target.dtype()),
        target.numel(),
        l[0],
        base(target),
        alpha,
        l[1],
        base(a),
        l[2],
        base(bb),
        mode,
        (long) target.numel(),
        Kernel.kind(target.dtype()));
    fence(target, a, b);
  }

  @Override
  public void adamStep(
      RawTensor param, RawTensor grad, RawTensor expAvg, RawTensor expAvgSq, AdamStep h) {
    sameDtype("adamStep", param, grad);
    sameDtype("adamStep", param, expAvg);
    sameDtype("adamStep", param, expAvgSq);
    double bc1 = 1 - Math.pow(h.beta1(), h.step()), bc2 = 1 - Math.pow(h.beta2(), h.step());
    int[][] l = layouts("adamStep", param.shape(), param, grad, expAvg, expAvgSq);
    dev.launch1d(
        Kernel.typed("optim.cu", "adam_step", param.dtype()),
        param.numel(),
        l[0],
        base(param),
        l[1],
        base(grad),
        l[2],
        base(expAvg),
        l[3],
        base(expAvgSq),
        h.lr(),
        h.beta1(),
        h.beta2(),
        h.eps(),
        h.weightDecay(),
        h.decoupled() ? 1 : 0,
        h.maximize() ? 1 : 0,
        bc1,
        bc2,
        (long) param.numel(),
        Kernel.kind(param.dtype()));
    fence(param, grad, expAvg, expAvgSq);
  }

  @Override
  public void sgdStep(RawTensor param, RawTensor grad, RawTensor momentumBuffer, SgdStep h) {
    sameDtype("sgdStep", param, grad);
    boolean mom = h.momentum() != 0;
    if (mom) sameDtype("sgdStep", param, momentumBuffer);
    // Without momentum the kernel never reads the buffer: the gradient stands in for its pointer.
    RawTensor buf = mom ? momentumBuffer : grad;
    int[][] l = layouts("sgdStep", param.shape(), param, grad, buf);
    dev.launch1d(
        Kernel.typed("optim.cu", "sgd_step", param.dtype()),
        param.numel(),
        l[0],
        base(param),
        l[1],
        base(grad),
        l[2],
        base(buf),
        h.lr(),
        h.momentum(),
        h.dampening(),
        h.nesterov() ? 1 : 0,
        h.weightDecay(),
        h.maximize() ? 1 : 0,
        h.firstStep() ? 1 : 0,
        (long) param.numel(),
        Kernel.kind(param.dtype()));
    fence(param, grad, momentumBuffer);
  }
}
