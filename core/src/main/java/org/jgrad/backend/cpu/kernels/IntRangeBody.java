package org.jgrad.backend.cpu.kernels;

/**
 * A piece of work over the half-open index range {@code [start, end)}, run by {@link
 * Parallel#forRange}.
 *
 * <pre>{@code
 * Parallel.forRange(n, 1024, (start, end) -> { for (int i = start; i < end; i++) y[i] = 2 * x[i]; });
 * }</pre>
 */
@FunctionalInterface
public interface IntRangeBody {
  /** Processes indices {@code start} (inclusive) to {@code end} (exclusive). */
  void run(int start, int end);
}
