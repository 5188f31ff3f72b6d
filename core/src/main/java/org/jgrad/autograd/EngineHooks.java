package org.jgrad.autograd;

import org.jgrad.tensor.Tensor;

/**
 * The engine's access to a {@link Tensor}'s graph fields (its gradFn and its accumulated grad),
 * which are not public API. {@code Tensor} installs the one implementation when it initialises, so
 * the engine can live in this package without making those setters public. Not for user code.
 *
 * <pre>{@code
 * EngineHooks.installed().attach(result, node);   // inside Function.apply
 * }</pre>
 */
public abstract class EngineHooks {
  private static volatile EngineHooks installed;

  /** Subclassed once, by {@code Tensor}. */
  protected EngineHooks() {}

  /** Called once by {@code Tensor}'s static initialiser. */
  public static void install(EngineHooks hooks) {
    if (installed != null) throw new IllegalStateException("EngineHooks: already installed");
    installed = hooks;
  }

  static EngineHooks installed() {
    // Any Tensor passed to the engine has initialised Tensor, so the hooks are present here.
    return installed;
  }

  /** Records {@code node} as {@code t}'s gradFn and marks {@code t} as requiring grad. */
  protected abstract void attach(Tensor t, Function node);

  /** Sets {@code t}'s accumulated gradient without the shape check of {@code Tensor.setGrad}. */
  protected abstract void setGrad(Tensor t, Tensor g);
}
