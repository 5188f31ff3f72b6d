package org.jgrad.backend.cpu;

import org.jgrad.backend.BuiltInBackendProvider;

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
}
