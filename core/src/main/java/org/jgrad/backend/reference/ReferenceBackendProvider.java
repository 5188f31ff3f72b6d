package org.jgrad.backend.reference;

import org.jgrad.backend.Backend;
import org.jgrad.backend.BackendProvider;

/**
 * Registers {@link ReferenceBackend} (device type {@code "ref"}) with
 * {@link org.jgrad.backend.Backends} through core's
 * {@code META-INF/services/org.jgrad.backend.BackendProvider}.
 *
 * <pre>{@code
 * Tensor r = Tensor.randn(3, 3).to(Device.REFERENCE);   // computed by ReferenceBackend.INSTANCE
 * }</pre>
 */
public final class ReferenceBackendProvider implements BackendProvider {
  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public ReferenceBackendProvider() {}

  @Override
  public String name() {
    return "ref";
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
    return ReferenceBackend.INSTANCE;
  }
}
