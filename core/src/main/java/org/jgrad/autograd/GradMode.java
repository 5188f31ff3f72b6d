package org.jgrad.autograd;

/**
 * Thread-local switch for graph recording.
 *
 * <pre>{@code
 * try (var ng = GradMode.noGrad()) {
 *   Tensor y = model.forward(x);     // no graph is built
 * }
 * }</pre>
 */
public final class GradMode {
  private static final ThreadLocal<boolean[]> ENABLED =
      ThreadLocal.withInitial(() -> new boolean[] {true});

  private GradMode() {}

  /** True when operations record a graph on this thread. */
  public static boolean isEnabled() {
    return ENABLED.get()[0];
  }

  /** Turns recording off until the returned scope is closed. */
  public static Scope noGrad() {
    return set(false);
  }

  /** Turns recording on until the returned scope is closed (e.g. inside a no-grad block). */
  public static Scope enableGrad() {
    return set(true);
  }

  /** Sets recording to {@code enabled} until the scope closes, then restores the previous state. */
  public static Scope set(boolean enabled) {
    boolean[] flag = ENABLED.get();
    boolean previous = flag[0];
    flag[0] = enabled;
    return () -> flag[0] = previous;
  }

  /** A scope that restores the previous mode on close; it never throws. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
