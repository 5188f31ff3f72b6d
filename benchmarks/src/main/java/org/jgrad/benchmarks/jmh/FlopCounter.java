package org.jgrad.benchmarks.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH auxiliary counter that turns a benchmark's flop count into a {@code :gflops} row: GFLOP per
 * second in {@code Mode.Throughput} with {@code OutputTimeUnit(SECONDS)} (JMH sums it over the
 * iteration and divides by its time; in AverageTime mode JMH would print its inverse instead).
 *
 * <pre>{@code
 * @Benchmark public Tensor mm(FlopCounter f) { f.add(2.0 * m * n * k); return a.matmul(b); }
 * }</pre>
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class FlopCounter {
  /** GFLOP done in the current iteration; JMH reports it per second. */
  public double gflops;

  @Setup(Level.Iteration)
  public void reset() {
    gflops = 0;
  }

  /** Records {@code flops} floating-point operations. */
  public void add(double flops) {
    gflops += flops * 1e-9;
  }
}
