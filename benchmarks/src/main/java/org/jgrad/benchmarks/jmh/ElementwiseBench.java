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
 * Element-wise ops on 1M float32 values ({@code [1000, 1000]}, contiguous), each allocating its
 * result as {@code Tensor} ops do: add, mul, relu, exp; and the same add with a broadcast row
 * ({@code [1, 1000]}). The inputs do not require grad, so no graph is recorded.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ElementwiseBench -jvmArgsAppend -Djgrad.threads=1
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
public class ElementwiseBench {
  private Tensor a, b, row;

  @Setup(Level.Trial)
  public void setup() {
    Env.describe();
    a = Data.normal(1, 1000, 1000);
    b = Data.normal(2, 1000, 1000);
    row = Data.normal(3, 1, 1000);
  }

  @Benchmark
  public Tensor add() {
    return a.add(b);
  }

  @Benchmark
  public Tensor addBroadcastRow() {
    return a.add(row);
  }

  @Benchmark
  public Tensor mul() {
    return a.mul(b);
  }

  @Benchmark
  public Tensor relu() {
    return a.relu();
  }

  @Benchmark
  public Tensor exp() {
    return a.exp();
  }
}
