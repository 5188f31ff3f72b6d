package org.jgrad.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import org.jgrad.autograd.GradMode;
import org.jgrad.benchmarks.Data;
import org.jgrad.benchmarks.Workloads;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code conv2d} (with bias, stride 1) forward, and forward + backward (gradients of input, weight
 * and bias from a fixed upstream gradient), at the four shapes of {@link Workloads#CONV}.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ConvBench -p shape=64x32x13x13-64k3 -jvmArgsAppend -Djgrad.threads=2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvBench {
  /**
   * Input NxCxHxW, output channels and kernel size (and padding p1); JMH parameter names must not
   * contain spaces.
   */
  @Param({"64x1x28x28-32k3", "64x32x13x13-64k3", "64x3x32x32-64k3p1", "64x64x32x32-64k3p1"})
  public String shape;

  private Tensor x, w, b, gy;
  private int[] one = {1}, pad;

  @Setup(Level.Trial)
  public void setup() {
    Env.describe();
    Workloads.Conv c = byParam(shape);
    x = Data.normal(1, c.n(), c.c(), c.h(), c.w()).requiresGrad(true);
    double bound = 1 / Math.sqrt(c.c() * c.k() * c.k());
    w = Data.uniform(2, c.o(), c.c(), c.k(), c.k()).mul(2 * bound).sub(bound).requiresGrad(true);
    b = Data.uniform(3, c.o()).mul(2 * bound).sub(bound).requiresGrad(true);
    gy = Data.normal(4, c.n(), c.o(), c.outH(), c.outW());
    pad = new int[] {c.pad()};
  }

  /** The workload a {@code shape} parameter names. */
  public static Workloads.Conv byParam(String p) {
    for (Workloads.Conv c : Workloads.CONV) {
      String id =
          c.n()
              + "x"
              + c.c()
              + "x"
              + c.h()
              + "x"
              + c.w()
              + "-"
              + c.o()
              + "k"
              + c.k()
              + (c.pad() > 0 ? "p" + c.pad() : "");
      if (id.equals(p)) return c;
    }
    throw new IllegalArgumentException("ConvBench: unknown shape " + p);
  }

  @Benchmark
  public Tensor forward() {
    try (var ng = GradMode.noGrad()) {
      return F.conv2d(x, w, b, one, pad, one, 1);
    }
  }

  @Benchmark
  public Tensor forwardBackward() {
    x.zeroGrad();
    w.zeroGrad();
    b.zeroGrad();
    F.conv2d(x, w, b, one, pad, one, 1).backward(gy);
    return w.grad();
  }
}
