package org.jgrad.gpu;

import org.jgrad.backend.Backend;
import org.jgrad.backend.BackendProvider;

/**
 * Registers CUDA with {@link org.jgrad.backend.Backends} through {@code
 * META-INF/services/org.jgrad.backend.BackendProvider}. It only reports whether a CUDA device is
 * usable (see {@link Cuda}); the CUDA backend itself is not written yet, so nothing can be computed
 * on the GPU through it so far.
 *
 * <pre>{@code
 * Backends.find("cuda").ifPresent(p ->
 *     System.out.println(p.isAvailable() ? "cuda ok" : "cuda: " + p.unavailableReason()));
 * }</pre>
 */
public final class CudaBackendProvider implements BackendProvider {
  /** Public no-argument constructor for {@link java.util.ServiceLoader}; touches no native code. */
  public CudaBackendProvider() {}

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public boolean isAvailable() {
    return Cuda.isAvailable();
  }

  @Override
  public String unavailableReason() {
    return Cuda.unavailableReason();
  }

  /** The CUDA backend of device {@code index} (initialised on first use). */
  @Override
  public Backend backend(int index) {
    return CudaBackend.of(index);
  }

  /** The device, GEMM path, kernel compiler and memory of each initialised device. */
  @Override
  public String describe() {
    if (!isAvailable()) return "";
    StringBuilder sb = new StringBuilder();
    sb.append(Cuda.deviceCount())
        .append(" device(s); cuBLAS ")
        .append(
            Cuda.isCublasAvailable()
                ? "loadable"
                : "not loadable: " + Cuda.cublasUnavailableReason())
        .append('\n');
    for (CudaDevice d : CudaDevice.initialised())
      sb.append(new CudaBackend(d).describe()).append('\n');
    return sb.toString();
  }

  @Override
  public String toString() {
    return "CudaBackendProvider["
        + (isAvailable() ? Cuda.deviceCount() + " device(s)" : unavailableReason())
        + "]";
  }
}
