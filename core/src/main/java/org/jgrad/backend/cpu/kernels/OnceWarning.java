package org.jgrad.backend.cpu.kernels;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A message printed at most once, by whichever thread gets there first; a {@code null} message is
 * never printed.
 */
final class OnceWarning {
  private final String message;
  private final AtomicBoolean printed = new AtomicBoolean();

  OnceWarning(String message) {
    this.message = message;
  }

  /**
   * Prints the message to {@code out} if it has not been printed yet; returns true when this call
   * printed it.
   */
  boolean emit(PrintStream out) {
    if (message == null || printed.get() || !printed.compareAndSet(false, true)) {
      return false;
    }
    out.println(message);
    out.flush();
    return true;
  }

  boolean printed() {
    return printed.get();
  }
}
