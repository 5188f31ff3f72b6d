package org.jgrad.benchmarks.jmh;

import org.jgrad.backend.Backends;
import org.jgrad.backend.cpu.kernels.Gemm;
import org.jgrad.backend.cpu.kernels.Parallel;

/**
 * Prints, once per forked JVM, which GEMM kernel and how many threads jgrad uses (and all of {@link
 * Backends#describe()}), so a JMH log shows whether the Vector API module and {@code
 * -Djgrad.threads} reached the fork.
 *
 * <pre>{@code
 * @Setup public void setup() { Env.describe(); ... }
 * }</pre>
 */
final class Env {
  private static boolean printed;

  private Env() {}

  static synchronized void describe() {
    if (printed) return;
    printed = true;
    System.out.println(
        "# jgrad: GEMM kernel "
            + Gemm.kernelName()
            + ", "
            + Parallel.threads()
            + " thread(s), Java "
            + System.getProperty("java.version"));
    Backends.describe().lines().forEach(l -> System.out.println("# " + l));
  }
}
