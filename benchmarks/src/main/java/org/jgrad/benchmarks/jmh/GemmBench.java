package org.jgrad.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.cpu.kernels.Gemm;
import org.jgrad.benchmarks.Data;
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
 * Square float32 GEMM {@code C = A·B}, n = 64 … 2048: jgrad's {@code Tensor.matmul} (allocates C,
 * as a user calls it), jgrad's kernel {@code Gemm.sgemm} into a reused C, and EJML's {@code
 * CommonOps_FDRM.mult} (single-threaded, the JVM reference) in the same run. Throughput mode: the
 * primary score is calls per second and the {@code :gflops} row (a JMH auxiliary counter at 2n³
 * flops per call) is GFLOP/s.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GemmBench -p n=1024 -jvmArgsAppend -Djgrad.threads=1
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
public class GemmBench {
  @Param({"64", "128", "256", "512", "1024", "2048"})
  public int n;

  private Tensor a, b;
  private float[] af, bf, cf;
  private FMatrixRMaj ea, eb, ec;

  @Setup(Level.Trial)
  public void setup() {
    Env.describe();
    a = Data.normal(1, n, n);
    b = Data.normal(2, n, n);
    af = a.toFloatArray();
    bf = b.toFloatArray();
    cf = new float[n * n];
    ea = new FMatrixRMaj(n, n, true, af);
    eb = new FMatrixRMaj(n, n, true, bf);
    ec = new FMatrixRMaj(n, n);
  }

  @Benchmark
  public Tensor jgradMatmul(FlopCounter f) {
    f.add(2.0 * n * n * n);
    try (var ng = GradMode.noGrad()) {
      return a.matmul(b);
    }
  }

  @Benchmark
  public float[] jgradSgemm(FlopCounter f) {
    f.add(2.0 * n * n * n);
    Gemm.sgemm(false, false, n, n, n, 1f, af, 0, n, bf, 0, n, 0f, cf, 0, n);
    return cf;
  }

  @Benchmark
  public FMatrixRMaj ejmlMult(FlopCounter f) {
    f.add(2.0 * n * n * n);
    CommonOps_FDRM.mult(ea, eb, ec);
    return ec;
  }
}
