package org.jgrad.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one backend registry: resolves a {@link Device} to the {@link Backend} that computes on it.
 * Every backend, the built-in ones included, is a {@link BackendProvider} found on the class path
 * through {@link ServiceLoader}: core lists {@code cpu} and {@code ref} in its {@code
 * META-INF/services/org.jgrad.backend.BackendProvider}, the optional gpu module lists {@code cuda}
 * in its own. The list is looked up once, on first use; backends are cached per device.
 *
 * <pre>{@code
 * Backend cpu = Backends.backend(Device.CPU);
 * Optional<BackendProvider> cuda = Backends.find("cuda");
 * if (cuda.isPresent() && cuda.get().isAvailable()) { ... }
 * System.out.println(Backends.describe());   // what this JVM will run on
 * }</pre>
 */
public final class Backends {
  private Backends() {}

  // Holder idiom: the ServiceLoader scan runs on first use, once, thread-safely.
  private static final class Holder {
    static final List<BackendProvider> PROVIDERS = load();

    private static List<BackendProvider> load() {
      List<BackendProvider> found = new ArrayList<>();
      ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())
          .forEach(found::add);
      return Collections.unmodifiableList(found);
    }
  }

  private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();

  /**
   * The backend computing on {@code device}, created by its provider on first use and cached.
   *
   * @throws IllegalArgumentException naming the device when no provider has its type, the provider
   *     is unavailable (with its reason) or it offers no compute backend yet
   */
  public static Backend backend(Device device) {
    Objects.requireNonNull(device, "device");
    Backend cached = BACKENDS.get(device);
    return cached != null ? cached : BACKENDS.computeIfAbsent(device, Backends::create);
  }

  private static Backend create(Device device) {
    BackendProvider p =
        find(device.type())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "device "
                            + device
                            + ": no backend provider named '"
                            + device.type()
                            + "' is on the class path (known: "
                            + String.join(
                                ", ", providers().stream().map(BackendProvider::name).toList())
                            + ")"));
    if (!p.isAvailable()) {
      throw new IllegalArgumentException(
          "device " + device + " is not available: " + p.unavailableReason());
    }
    try {
      return p.backend(device.index());
    } catch (UnsupportedOperationException e) {
      throw new IllegalArgumentException("device " + device + ": " + e.getMessage(), e);
    }
  }

  /** Every provider on the class path, available or not, in class-path order. */
  public static List<BackendProvider> providers() {
    return Holder.PROVIDERS;
  }

  /** The provider named {@code name} (case-insensitive), whether or not it is available. */
  public static Optional<BackendProvider> find(String name) {
    Objects.requireNonNull(name, "name");
    for (BackendProvider p : providers()) {
      if (p.name().equalsIgnoreCase(name)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * A human-readable, multi-line description of what this JVM computes with: the default device,
   * the float32 GEMM kernel (Vector API species, or the scalar fallback and why), the CPU thread
   * count and where it comes from, the JDK, and every provider on the class path with its
   * availability. Meant to be printed at the start of a run so that slow or surprising results can
   * be traced to the set-up.
   *
   * <pre>{@code
   * System.out.println(Backends.describe());
   * // jgrad backends
   * //   default device: cpu (CpuBackend)
   * //   float32 GEMM kernel: vector-8x32 (Vector API, Species[float, 16, S_512_BIT])
   * //   ...
   * }</pre>
   */
  public static String describe() {
    StringBuilder sb = new StringBuilder("jgrad backends\n");
    sb.append(
        "  default device: cpu; also ref (naive double loops, the specification used by tests)\n");
    sb.append("  JDK: ")
        .append(Runtime.version())
        .append(" (")
        .append(System.getProperty("java.vm.name", "?"))
        .append(", ")
        .append(System.getProperty("java.vendor", "?"))
        .append("), ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" processors visible\n");
    List<BackendProvider> ps = providers();
    if (ps.isEmpty()) {
      sb.append("  providers: none on the class path (add jgrad-gpu for CUDA)\n");
      return sb.toString();
    }
    sb.append("  providers:\n");
    for (BackendProvider p : ps) {
      String state;
      String details;
      try {
        state = p.isAvailable() ? "available" : "unavailable (" + p.unavailableReason() + ")";
        details = p.describe();
      } catch (RuntimeException | LinkageError e) {
        // describe() is a diagnostic: a provider that cannot even answer is reported, not thrown.
        state = "unavailable (" + e + ")";
        details = "";
      }
      sb.append("    ").append(p.name()).append(": ").append(state).append('\n');
      for (String line : details.lines().toList()) {
        sb.append("      ").append(line).append('\n');
      }
    }
    return sb.toString();
  }
}
