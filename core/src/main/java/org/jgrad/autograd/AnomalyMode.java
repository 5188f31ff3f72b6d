package org.jgrad.autograd;

/**
 * Debug mode for backward: after each node's backward, its gradients are checked for NaN and Inf,
 * and the first offender is reported by the name of the op that produced it.
 *
 * <pre>{@code
 * try (var a = AnomalyMode.enable()) {
 *   loss.backward();   // throws "LogBackward produced NaN in its gradient for input 0 ..."
 * }
 * }</pre>
 */
public final class AnomalyMode {
  private static final ThreadLocal<boolean[]> ENABLED =
      ThreadLocal.withInitial(() -> new boolean[] {false});

  private AnomalyMode() {}

  public static boolean isEnabled() {
    return ENABLED.get()[0];
  }

  /** Enables anomaly detection on this thread until the scope closes. */
  public static GradMode.Scope enable() {
    boolean[] flag = ENABLED.get();
    boolean previous = flag[0];
    flag[0] = true;
    return () -> flag[0] = previous;
  }
}
