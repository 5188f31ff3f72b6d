package org.jgrad.backend.cpu.kernels;

/**
 * Loads this package's Vector API implementations by name. They may only be touched when the {@code
 * jdk.incubator.vector} module is in the boot layer (a JVM started without {@code --add-modules
 * jdk.incubator.vector} fails to link them), so nothing refers to them directly: each has a static
 * {@code create()} that this class calls reflectively, and callers fall back to their plain-Java
 * implementation when it returns null.
 *
 * <pre>{@code
 * static final WinogradTiles VECTOR_TILES =
 *     VectorClasses.create("org.jgrad.backend.cpu.kernels.VectorWinogradTiles", WinogradTiles.class);
 * }</pre>
 */
final class VectorClasses {
  private VectorClasses() {}

  /** Whether the Vector API module is in the boot layer. */
  static boolean modulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /**
   * {@code className.create()} as a {@code type}, or null without the module, or when the class
   * cannot be loaded or linked, or returns something else (its {@code create} may return null
   * itself, e.g. for too few lanes).
   */
  static <T> T create(String className, Class<T> type) {
    if (!modulePresent()) {
      return null;
    }
    try {
      return type.cast(Class.forName(className).getDeclaredMethod("create").invoke(null));
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      return null;
    }
  }
}
