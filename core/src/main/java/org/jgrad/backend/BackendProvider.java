package org.jgrad.backend;

/**
 * A backend that lives in another module (for example {@code jgrad-gpu}) and announces itself
 * through {@link java.util.ServiceLoader}: the module lists its implementation in {@code
 * META-INF/services/org.jgrad.backend.BackendProvider}. Core never depends on such modules; {@link
 * Backends} finds whichever are on the class path at run time.
 *
 * <p>Implementations must be cheap to construct and must never throw from these methods: a provider
 * whose hardware or native libraries are missing reports {@code isAvailable() == false} and says
 * why.
 *
 * <pre>{@code
 * for (BackendProvider p : Backends.providers()) {
 *   System.out.println(p.name() + ": "
 *       + (p.isAvailable() ? "available" : "unavailable (" + p.unavailableReason() + ")"));
 * }
 * }</pre>
 */
public interface BackendProvider {
  /** Short lower-case name used with {@link Backends#find(String)}, e.g. {@code "cuda"}. */
  String name();

  /** Whether the backend can run on this machine now (driver, device and libraries present). */
  boolean isAvailable();

  /** Why {@link #isAvailable()} is false; {@code null} when it is available. */
  String unavailableReason();

  /**
   * The backend computing on device {@code index} of this provider. Tensors moved with {@code
   * tensor.to(new Device(name(), index))} use it.
   *
   * @throws UnsupportedOperationException when the provider cannot compute yet (the default)
   */
  default Backend backend(int index) {
    throw new UnsupportedOperationException(
        "the '" + name() + "' provider offers no compute backend yet");
  }

  /**
   * Details for {@link Backends#describe()}: which kernels this provider's backend runs and how it
   * is configured (one fact per line). Empty by default.
   */
  default String describe() {
    return "";
  }
}
