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
 * through {@link ServiceLoader}: core lists {@code cpu} and {@code ref} in its
 * {@code META-INF/services/org.jgrad.backend.BackendProvider}, the optional gpu module lists
 * {@code cuda} in its own. The list is looked up once, on first use; backends are cached per device.
 *
 * <pre>{@code
 * Backend cpu = Backends.backend(Device.CPU);
 * Optional<BackendProvider> cuda = Backends.find("cuda");
 * if (cuda.isPresent() && cuda.get().isAvailable()) { ... }
 * }</pre>
 */
public final class Backends {
  private Backends() {}

  // Holder idiom: the ServiceLoader scan runs on first use, once, thread-safely.
  private static final class Holder {
    static final List<BackendProvider> PROVIDERS = load();

    private static List<BackendProvider> load() {
      List<BackendProvider> found = new ArrayList<>();
      ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(found::add);
      return Collections.unmodifiableList(found);
    }
  }

  private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();

  /**
   * The backend computing on {@code device}, created by its provider on first use and cached.
   *
   * @throws IllegalArgumentException naming the device when no provider has its type, the
   *     provider is unavailable (with its reason) or it offers no compute backend yet
   */
  public static Backend backend(Device device) {
    Objects.requireNonNull(device, "device");
    Backend cached = BACKENDS.get(device);
    return cached != null ? cached : BACKENDS.computeIfAbsent(device, Backends::create);
  }

  private static Backend create(Device device) {
    BackendProvider p = find(device.type()).orElseThrow(() -> new IllegalArgumentException(
        "device " + device + ": no backend provider named '" + device.type() + "' is on the class path (known: "
            + String.join(", ", providers().stream().map(BackendProvider::name).toList()) + ")"));
    if (!p.isAvailable()) {
      throw new IllegalArgumentException("device " + device + " is not available: " + p.unavailableReason());
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
}
