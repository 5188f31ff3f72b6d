package org.jgrad.backend.reference;

import org.jgrad.backend.BuiltInBackendProvider;

/**
 * Registers {@link ReferenceBackend} (device type {@code "ref"}) with {@link
 * org.jgrad.backend.Backends} through core's {@code
 * META-INF/services/org.jgrad.backend.BackendProvider}.
 *
 * <pre>{@code
 * Tensor r = Tensor.randn(3, 3).to(Device.REFERENCE);   // computed by ReferenceBackend.INSTANCE
 * }</pre>
 */
public final class ReferenceBackendProvider extends BuiltInBackendProvider {
  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public ReferenceBackendProvider() {
    super("ref", () -> ReferenceBackend.INSTANCE);
  }
}
