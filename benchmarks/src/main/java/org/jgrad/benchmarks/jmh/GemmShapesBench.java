package org.jgrad.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.jgrad.autograd.GradMode;
import org.jgrad.benchmarks.Data;
import org.jgrad.benchmarks.Workloads;
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
 * Float32 GEMM at the shapes the training workloads run ({@link Workloads#GEMM_TRAINING}, e.g. the
 * MLP's {@code 64x784 @ 784x256}): jgrad's {@code Tensor.matmul}, the same with B given transposed
 * as {@code Linear} does ({@code x·Wᵀ}, a stride view, no copy), and EJML's {@code
 * CommonOps_FDRM.mult}. Throughput mode: calls per second, and GFLOP/s in the {@code :gflops} rows.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GemmShapesBench -jvmArgsAppend -Djgrad.threads=2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmShapesBench {
  @Param({"64x784@784x256", "256x64@64x784", "64x256@256x128", "64x128@128x784", "64x288@288x7744"})
  public String shape;

  private Workloads.Gemm g;
  private Tensor a, b, bT;
  private FMatrixRMaj ea, eb, ec;

  @Setup(Level.Trial)
  public void setup() {
    Env.describe();
    g =
        Workloads.GEMM_TRAINING.stream()
            .filter(s -> s.name().equals(shape))
            .findFirst()
            .orElseThrow(
                () -> new IllegalArgumentException("GemmShapesBench: unknown shape " + shape));
    a = Data.normal(1, g.m(), g.k());
    b = Data.normal(2, g.k(), g.n());
    bT = Data.normal(3, g.n(), g.k()).t();
    ea = new FMatrixRMaj(g.m(), g.k(), true, a.toFloatArray());
    eb = new FMatrixRMaj(g.k(), g.n(), true, b.toFloatArray());
    ec = new FMatrixRMaj(g.m(), g.n());
  }

  @Benchmark
  public Tensor jgradMatmul(FlopCounter f) {
    f.add(g.flops());
    try (var ng = GradMode.noGrad()) {
      return a.matmul(b);
    }
  }

  @Benchmark
  public Tensor jgradMatmulTransposedB(FlopCounter f) {
    f.add(g.flops());
    try (var ng = GradMode.noGrad()) {
      return a.matmul(bT);
    }
  }

  @Benchmark
  public FMatrixRMaj ejmlMult(FlopCounter f) {
    f.add(g.flops());
    CommonOps_FDRM.mult(ea, eb, ec);
    return ec;
  }
}
