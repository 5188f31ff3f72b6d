package org.jgrad.backend.cpu;

import org.jgrad.backend.Backend;
import org.jgrad.backend.BackendProvider;

/**
 * Registers {@link CpuBackend} (device type {@code "cpu"}) with {@link org.jgrad.backend.Backends}
 * through core's {@code META-INF/services/org.jgrad.backend.BackendProvider}, the same path an
 * optional module such as gpu takes.
 *
 * <pre>{@code
 * Backend cpu = Backends.backend(Device.CPU);   // CpuBackend.INSTANCE, found through this provider
 * }</pre>
 */
public final class CpuBackendProvider implements BackendProvider {
  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public CpuBackendProvider() {}

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public String unavailableReason() {
    return null;
  }

  @Override
  public Backend backend(int index) {
    if (index != 0) throw new UnsupportedOperationException("the '" + name() + "' provider has only device 0");
    return CpuBackend.INSTANCE;
  }
}
