package org.jgrad.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import org.jgrad.benchmarks.Data;
import org.jgrad.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reductions over 1M float32 values ({@code [1000, 1000]}): sum of all, sum over each dim, and max
 * over a dim (values and indices, as PyTorch's {@code x.max(dim)}) for the contiguous and the
 * strided direction.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ReductionBench -jvmArgsAppend -Djgrad.threads=1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReductionBench {
  private Tensor a;

  @Setup(Level.Trial)
  public void setup() {
    Env.describe();
    a = Data.normal(1, 1000, 1000);
  }

  @Benchmark
  public Tensor sumAll() {
    return a.sum();
  }

  @Benchmark
  public Tensor sumDim1() {
    return a.sum(1, false);
  }

  @Benchmark
  public Tensor sumDim0() {
    return a.sum(0, false);
  }

  @Benchmark
  public Tensor.ValuesIndices maxDim1() {
    return a.max(1, false);
  }

  @Benchmark
  public Tensor.ValuesIndices maxDim0() {
    return a.max(0, false);
  }
}
