package org.jgrad.gpu;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasStatus;
import org.jgrad.backend.Device;

/**
 * One CUDA device as the backend uses it: its primary context, the caching allocator, the loaded
 * kernel modules, a cuBLAS handle (when libcublas.so.12 loads), a pinned host staging buffer and
 * the error slot kernels report bad indices in.
 *
 * <p>Streams: all work goes to the device's default (legacy, NULL) stream, so kernels, cuBLAS calls
 * and copies run in the order they were issued and a synchronous copy back to the host sees every
 * earlier result. That is the simple, synchronous-correct default; per-thread streams are not
 * implemented.
 */
final class CudaDevice {
  private static final Map<Integer, CudaDevice> DEVICES = new HashMap<>();

  final int ordinal;
  final Device device;
  final String name;
  final int computeCapability;
  private final CUcontext context;
  final CachingAllocator<CUdeviceptr> allocator;
  private final Map<String, CUmodule> modules = new HashMap<>();
  private final Map<String, CUfunction> functions = new HashMap<>();
  private final cublasHandle cublas;
  final String cublasUnavailable;
  private final CUdeviceptr errorSlot;
  private Pointer pinned;
  private long pinnedBytes;
  private String pinnedFailure;

  /** The device of this ordinal, initialised on first use. */
  static synchronized CudaDevice get(int ordinal) {
    if (!Cuda.isAvailable()) {
      throw new IllegalStateException("CUDA is not available: " + Cuda.unavailableReason());
    }
    if (ordinal >= Cuda.deviceCount()) {
      throw new IllegalArgumentException(
          "cuda:" + ordinal + " does not exist: " + Cuda.deviceCount() + " CUDA device(s) found");
    }
    return DEVICES.computeIfAbsent(ordinal, CudaDevice::new);
  }

  /** Devices initialised so far (for {@link Cuda#memoryStats}). */
  static synchronized List<CudaDevice> initialised() {
    return new ArrayList<>(DEVICES.values());
  }

  private CudaDevice(int ordinal) {
    this.ordinal = ordinal;
    this.device = new Device("cuda", ordinal);
    check(cuInit(0), "cuInit");
    CUdevice dev = new CUdevice();
    check(cuDeviceGet(dev, ordinal), "cuDeviceGet");
    context = new CUcontext();
    check(cuDevicePrimaryCtxRetain(context, dev), "cuDevicePrimaryCtxRetain");
    check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    byte[] nameBytes = new byte[256];
    check(cuDeviceGetName(nameBytes, nameBytes.length, dev), "cuDeviceGetName");
    int len = 0;
    while (len < nameBytes.length && nameBytes[len] != 0) len++;
    name = new String(nameBytes, 0, len, StandardCharsets.UTF_8);
    int[] major = new int[1], minor = new int[1];
    check(
        cuDeviceGetAttribute(
            major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
        "cuDeviceGetAttribute");
    check(
        cuDeviceGetAttribute(
            minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
        "cuDeviceGetAttribute");
    computeCapability = major[0] * 10 + minor[0];
    allocator = new CachingAllocator<>(new DriverMemory(), device.toString());
    errorSlot = new CUdeviceptr();
    check(cuMemAlloc(errorSlot, 16), "cuMemAlloc");
    check(cuMemsetD8(errorSlot, (byte) 0, 16), "cuMemsetD8");
    cublasHandle h = null;
    String reason = null;
    try {
      h = new cublasHandle();
      int rc = JCublas2.cublasCreate(h);
      if (rc != cublasStatus.CUBLAS_STATUS_SUCCESS) {
        reason = "cublasCreate failed: " + cublasStatus.stringFor(rc);
        h = null;
      }
    } catch (LinkageError | RuntimeException e) {
      reason = "cuBLAS not loadable: " + Cuda.describe(e);
      h = null;
    }
    if (Boolean.getBoolean("jgrad.cuda.noCublas")) {
      reason = "-Djgrad.cuda.noCublas=true";
      h = null;
    }
    cublas = h;
    cublasUnavailable = reason;
  }

  /** Makes this device's context current on the calling thread (cheap; done per backend call). */
  void makeCurrent() {
    check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }

  /** The cuBLAS handle, or null when cuBLAS is unavailable (the GEMM kernel of gemm.cu runs). */
  cublasHandle cublas() {
    return cublas;
  }

  /** The function of a kernel, compiling and loading its source file on first use. */
  synchronized CUfunction function(Kernel k) {
    CUfunction f = functions.get(k.entry());
    if (f != null) return f;
    CUmodule module = modules.get(k.file());
    if (module == null) {
      module = new CUmodule();
      String ptx = KernelCompiler.ptx(k.file(), computeCapability);
      check(cuModuleLoadData(module, ptx), "cuModuleLoadData(" + k.file() + ")");
      modules.put(k.file(), module);
    }
    f = new CUfunction();
    check(cuModuleGetFunction(f, module, k.entry()), "cuModuleGetFunction(" + k.entry() + ")");
    functions.put(k.entry(), f);
    return f;
  }

  /** Threads per block of the 1-D kernels (a multiple of 32, as the block reductions require). */
  static final int BLOCK = 256;

  /** Launches a grid-stride kernel over {@code n} elements (nothing when n is 0). */
  void launch1d(Kernel k, long n, Object... args) {
    if (n <= 0) return;
    long blocks = Math.min((n + BLOCK - 1) / BLOCK, 1L << 20);
    launchGrid(k, (int) blocks, 1, 1, BLOCK, 1, args);
  }

  /**
   * Launches with an explicit grid and block. Arguments: Integer, Long, Double, int[] structs,
   * pointers.
   */
  void launchGrid(Kernel k, int gx, int gy, int gz, int bx, int by, Object... args) {
    makeCurrent();
    CUfunction f = function(k);
    NativePointerObject[] params = new NativePointerObject[args.length];
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      params[i] =
          switch (a) {
            case Integer v -> Pointer.to(new int[] {v});
            case Long v -> Pointer.to(new long[] {v});
            case Double v -> Pointer.to(new double[] {v});
            case int[] struct -> Pointer.to(struct);
            case CUdeviceptr p -> Pointer.to(p);
            default ->
                throw new IllegalArgumentException(
                    k.entry() + ": unsupported kernel argument " + a.getClass());
          };
    }
    check(
        cuLaunchKernel(f, gx, gy, gz, bx, by, 1, 0, null, Pointer.to(params), null),
        "cuLaunchKernel(" + k.entry() + ")");
  }

  /** The error slot kernels report a bad index in: {int flag, pad, double value}. */
  CUdeviceptr errorSlot() {
    return errorSlot;
  }

  CUdeviceptr errorValue() {
    return errorSlot.withByteOffset(8);
  }

  /**
   * Throws {@code IllegalArgumentException("op: index v is out of bounds for dimension of size n")}
   * if a kernel since the last check reported a bad index (and clears the slot). Synchronises.
   */
  void checkIndexError(String op, int size) {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    byte[] bytes = new byte[16];
    check(cuMemcpyDtoH(Pointer.to(bytes), errorSlot, 16), "cuMemcpyDtoH");
    b.put(bytes).flip();
    if (b.getInt(0) != 0) {
      double v = b.getDouble(8);
      check(cuMemsetD8(errorSlot, (byte) 0, 16), "cuMemsetD8");
      throw new IllegalArgumentException(
          op + ": index " + (long) v + " is out of bounds for dimension of size " + size);
    }
  }

  /**
   * The pinned host buffer, grown to at least {@code bytes} (kept for the next transfer), or null
   * when pinned memory cannot be had or the transfer is too large for one buffer; then the transfer
   * goes through pageable memory. Callers hold this device's lock.
   */
  private ByteBuffer pinned(long bytes) {
    if (bytes > MAX_PINNED || pinnedFailure != null) return null;
    if (pinnedBytes < bytes) {
      long size = Math.min(MAX_PINNED, Math.max(Math.max(bytes, 2 * pinnedBytes), 1 << 20));
      if (pinned != null) cuMemFreeHost(pinned);
      pinned = null;
      pinnedBytes = 0;
      Pointer p = new Pointer();
      int rc = cuMemHostAlloc(p, size, 0);
      if (rc != CUresult.CUDA_SUCCESS) {
        pinnedFailure = CUresult.stringFor(rc);
        return null;
      }
      pinned = p;
      pinnedBytes = size;
    }
    return pinned.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
  }

  /** The largest transfer staged through the pinned buffer (larger ones go pageable). */
  static final long MAX_PINNED = 256L << 20;

  /** Host to device, staged through pinned memory (a copy from pinned memory is synchronous). */
  synchronized void upload(CUdeviceptr dst, float[] values) {
    long bytes = 4L * values.length;
    if (bytes == 0) return;
    makeCurrent();
    ByteBuffer b = pinned(bytes);
    if (b != null) {
      b.asFloatBuffer().put(values);
      check(cuMemcpyHtoD(dst, pinned, bytes), "cuMemcpyHtoD");
    } else {
      check(cuMemcpyHtoD(dst, Pointer.to(values), bytes), "cuMemcpyHtoD");
    }
  }

  synchronized void upload(CUdeviceptr dst, double[] values) {
    long bytes = 8L * values.length;
    if (bytes == 0) return;
    makeCurrent();
    ByteBuffer b = pinned(bytes);
    if (b != null) {
      b.asDoubleBuffer().put(values);
      check(cuMemcpyHtoD(dst, pinned, bytes), "cuMemcpyHtoD");
    } else {
      check(cuMemcpyHtoD(dst, Pointer.to(values), bytes), "cuMemcpyHtoD");
    }
  }

  /** Device to host (waits for the work queued before, as the default stream orders it). */
  synchronized float[] downloadFloats(CUdeviceptr src, int n) {
    float[] out = new float[n];
    long bytes = 4L * n;
    if (bytes == 0) return out;
    makeCurrent();
    ByteBuffer b = pinned(bytes);
    if (b != null) {
      check(cuMemcpyDtoH(pinned, src, bytes), "cuMemcpyDtoH");
      b.asFloatBuffer().get(out);
    } else {
      check(cuMemcpyDtoH(Pointer.to(out), src, bytes), "cuMemcpyDtoH");
    }
    return out;
  }

  synchronized double[] downloadDoubles(CUdeviceptr src, int n) {
    double[] out = new double[n];
    long bytes = 8L * n;
    if (bytes == 0) return out;
    makeCurrent();
    ByteBuffer b = pinned(bytes);
    if (b != null) {
      check(cuMemcpyDtoH(pinned, src, bytes), "cuMemcpyDtoH");
      b.asDoubleBuffer().get(out);
    } else {
      check(cuMemcpyDtoH(Pointer.to(out), src, bytes), "cuMemcpyDtoH");
    }
    return out;
  }

  /** Zero-fills {@code bytes} of device memory (stream-ordered). */
  void zero(CUdeviceptr dst, long bytes) {
    if (bytes > 0) check(cuMemsetD8(dst, (byte) 0, bytes), "cuMemsetD8");
  }

  /** Describes the pinned staging buffer (for describe()). */
  synchronized String pinnedState() {
    return pinnedFailure != null
        ? "pinned host memory unavailable (" + pinnedFailure + "), transfers are pageable"
        : "pinned staging buffer " + MemoryStats.bytes(pinnedBytes);
  }

  /** Waits for all work on the device (used by tests and benchmarks to time honestly). */
  void synchronize() {
    makeCurrent();
    check(cuCtxSynchronize(), "cuCtxSynchronize");
  }

  /** {free, total} device memory. */
  long[] memoryInfo() {
    long[] free = new long[1], total = new long[1];
    check(cuMemGetInfo(free, total), "cuMemGetInfo");
    return new long[] {free[0], total[0]};
  }

  /** Throws naming the call and the driver's error when rc is not CUDA_SUCCESS. */
  void check(int rc, String call) {
    if (rc != CUresult.CUDA_SUCCESS) {
      throw new IllegalStateException(
          "cuda:" + ordinal + ": " + call + " failed: " + CUresult.stringFor(rc));
    }
  }

  /** cuMemAlloc / cuMemFree for the caching allocator. */
  private final class DriverMemory implements DeviceMemory<CUdeviceptr> {
    @Override
    public CUdeviceptr allocate(long bytes) {
      makeCurrent();
      CUdeviceptr p = new CUdeviceptr();
      int rc;
      try {
        rc = cuMemAlloc(p, bytes);
      } catch (CudaException e) { // exceptions were enabled globally by other JCuda code
        if (e.getMessage() != null && e.getMessage().contains("OUT_OF_MEMORY")) return null;
        throw e;
      }
      if (rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY) return null;
      check(rc, "cuMemAlloc(" + bytes + ")");
      return p;
    }

    @Override
    public void free(CUdeviceptr handle) {
      makeCurrent();
      check(cuMemFree(handle), "cuMemFree");
    }

    @Override
    public long[] info() {
      return memoryInfo();
    }
  }
}
