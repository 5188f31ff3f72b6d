package org.jgrad.gpu;

import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaError;

/**
 * Probe for CUDA through JCuda 12.6.0. Every method answers without throwing, whatever is missing:
 * the JCuda natives (no published build for this OS/CPU), the NVIDIA driver, a device, or the
 * cuBLAS 12 library.
 *
 * <p>The device probe uses the CUDA runtime API, whose JCuda native has cudart linked in statically
 * and so loads on any linux-x86_64 machine; it then reports, for example, {@code
 * cudaErrorInsufficientDriver} where no driver is installed. The result is computed once, on first
 * use.
 *
 * <pre>{@code
 * if (Cuda.isAvailable()) {
 *   System.out.println(Cuda.deviceCount() + " CUDA device(s)");
 * } else {
 *   System.out.println("no CUDA: " + Cuda.unavailableReason());
 * }
 * }</pre>
 */
public final class Cuda {
  private Cuda() {}

  private static final class Probe {
    static final int DEVICES;
    static final String REASON;

    static {
      int devices = 0;
      String reason;
      try {
        int[] count = new int[1];
        // Exceptions may have been enabled globally by other JCuda code: handled below.
        int rc = JCuda.cudaGetDeviceCount(count);
        if (rc != cudaError.cudaSuccess) {
          reason = "cudaGetDeviceCount failed: " + cudaError.stringFor(rc);
        } else if (count[0] <= 0) {
          reason = "no CUDA device found";
        } else {
          devices = count[0];
          reason = null;
        }
      } catch (LinkageError e) {
        // UnsatisfiedLinkError (natives or libraries missing), NoClassDefFoundError (JCuda jar
        // missing).
        reason = "JCuda natives not loadable: " + describe(e);
      } catch (RuntimeException e) {
        reason = "cudaGetDeviceCount failed: " + describe(e);
      }
      DEVICES = devices;
      REASON = reason;
    }
  }

  private static final class CublasProbe {
    static final String REASON = probe();

    private static String probe() {
      if (!isAvailable()) {
        return unavailableReason();
      }
      try {
        cublasHandle handle = new cublasHandle();
        int rc = JCublas2.cublasCreate(handle);
        if (rc != cublasStatus.CUBLAS_STATUS_SUCCESS) {
          return "cublasCreate failed: " + cublasStatus.stringFor(rc);
        }
        JCublas2.cublasDestroy(handle);
        return null;
      } catch (LinkageError e) {
        // JCublas2's native needs libcublas.so.12, which a CUDA 13 installation does not provide.
        return "cuBLAS not loadable: " + describe(e);
      } catch (RuntimeException e) {
        return "cublasCreate failed: " + describe(e);
      }
    }
  }

  /** Whether at least one CUDA device can be used through JCuda. */
  public static boolean isAvailable() {
    return Probe.DEVICES > 0;
  }

  /** Why {@link #isAvailable()} is false (one line); {@code null} when CUDA is available. */
  public static String unavailableReason() {
    return Probe.REASON;
  }

  /** Number of usable CUDA devices; 0 when CUDA is unavailable. */
  public static int deviceCount() {
    return Probe.DEVICES;
  }

  /**
   * Whether cuBLAS (JCublas2, which needs libcublas.so.12) can create a handle on the current
   * device.
   */
  public static boolean isCublasAvailable() {
    return CublasProbe.REASON == null;
  }

  /** Why {@link #isCublasAvailable()} is false (one line); {@code null} when it is available. */
  public static String cublasUnavailableReason() {
    return CublasProbe.REASON;
  }

  /**
   * The caching allocator's counters of device 0 ({@link MemoryStats}), like {@code
   * torch.cuda.memory_stats()}; all zero when the device has not been used yet.
   *
   * @throws IllegalStateException naming the probe's reason when CUDA is unavailable
   */
  public static MemoryStats memoryStats() {
    return memoryStats(0);
  }

  /** The caching allocator's counters of device {@code ordinal}. */
  public static MemoryStats memoryStats(int ordinal) {
    return CudaDevice.get(ordinal).allocator.stats();
  }

  /**
   * Gives the cached (unused) device memory of device {@code ordinal} back to the driver, like
   * {@code torch.cuda.empty_cache()}; returns the bytes freed.
   */
  public static long emptyCache(int ordinal) {
    return CudaDevice.get(ordinal).allocator.emptyCache();
  }

  /** Waits until device {@code ordinal} has finished all queued work (for honest timings). */
  public static void synchronize(int ordinal) {
    CudaDevice.get(ordinal).synchronize();
  }

  /** The message of {@code t} and its causes, joined on one line. */
  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null && sb.length() < 500; c = c.getCause()) {
      if (sb.length() > 0) {
        sb.append(" <- ");
      }
      String msg = c.getMessage();
      sb.append(c.getClass().getSimpleName());
      if (msg != null && !msg.isBlank()) {
        sb.append(": ").append(msg.strip().replaceAll("\\s*\\R\\s*", " | "));
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return sb.toString();
  }
}
