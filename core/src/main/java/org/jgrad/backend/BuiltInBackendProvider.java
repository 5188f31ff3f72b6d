package org.jgrad.backend;

import java.util.function.Supplier;

/**
 * The provider of a backend that core itself ships and that therefore is always available with
 * exactly one device, index 0 ({@code "cpu"} and {@code "ref"}). A subclass only names the backend;
 * it is a class of its own because {@link java.util.ServiceLoader} instantiates providers by class
 * name.
 *
 * <pre>{@code
 * public final class CpuBackendProvider extends BuiltInBackendProvider {
 *   public CpuBackendProvider() {
 *     super("cpu", () -> CpuBackend.INSTANCE);
 *   }
 * }
 * }</pre>
 */
public abstract class BuiltInBackendProvider implements BackendProvider {
  private final String name;
  // a supplier, so that constructing the provider stays cheap and loads no backend class
  private final Supplier<Backend> backend;

  protected BuiltInBackendProvider(String name, Supplier<Backend> backend) {
    this.name = name;
    this.backend = backend;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final boolean isAvailable() {
    return true;
  }

  @Override
  public final String unavailableReason() {
    return null;
  }

  @Override
  public final Backend backend(int index) {
    if (index != 0)
      throw new UnsupportedOperationException("the '" + name + "' provider has only device 0");
    return backend.get();
  }
}
