package org.jgrad.backend.cpu;

import org.jgrad.backend.BuiltInBackendProvider;
import org.jgrad.backend.cpu.kernels.Gemm;
import org.jgrad.backend.cpu.kernels.Parallel;

/**
 * Registers {@link CpuBackend} (device type {@code "cpu"}) with {@link org.jgrad.backend.Backends}
 * through core's {@code META-INF/services/org.jgrad.backend.BackendProvider}, the same path an
 * optional module such as gpu takes.
 *
 * <pre>{@code
 * Backend cpu = Backends.backend(Device.CPU);   // CpuBackend.INSTANCE, found through this provider
 * }</pre>
 */
public final class CpuBackendProvider extends BuiltInBackendProvider {
  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public CpuBackendProvider() {
    super("cpu", () -> CpuBackend.INSTANCE);
  }

  /**
   * The active float32 GEMM kernel (Vector API or the scalar fallback, with the fix) and the thread
   * count.
   */
  @Override
  public String describe() {
    StringBuilder sb =
        new StringBuilder("float32 GEMM kernel: ").append(Gemm.kernelDescription()).append('\n');
    if (!Gemm.simdEnabled() && Gemm.fallbackWarning() != null) {
      sb.append("  fix: run the JVM with --add-modules jdk.incubator.vector (silence with -D")
          .append(Gemm.SIMD_WARN_PROPERTY)
          .append("=false)\n");
    }
    try {
      sb.append("CPU threads: ")
          .append(Parallel.threads())
          .append(" (")
          .append(threadSource())
          .append(")\n");
    } catch (IllegalArgumentException e) {
      sb.append("CPU threads: ").append(e.getMessage()).append('\n');
    }
    return sb.toString();
  }

  private static String threadSource() {
    if (System.getProperty(Parallel.THREADS_PROPERTY) != null) {
      return "-D" + Parallel.THREADS_PROPERTY;
    }
    if (System.getenv(Parallel.THREADS_ENV) != null) {
      return Parallel.THREADS_ENV;
    }
    return "all cores; set -D" + Parallel.THREADS_PROPERTY + "=N or " + Parallel.THREADS_ENV + "=N";
  }
}
