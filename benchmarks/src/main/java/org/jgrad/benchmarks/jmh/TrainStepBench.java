package org.jgrad.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import org.jgrad.benchmarks.Data;
import org.jgrad.benchmarks.Models;
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
 * One full training step (zero grads, forward, loss, backward, Adam update) of each model of {@link
 * Models} on a random MNIST-shaped batch of 64. Samples per second = 64 000 / (ms per step).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TrainStepBench -p model=mlp -jvmArgsAppend -Djgrad.threads=2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TrainStepBench {
  @Param({"mlp", "cnn", "autoencoder"})
  public String model;

  private Models.Trainer trainer;
  private Tensor x, y;

  @Setup(Level.Trial)
  public void setup() {
    Env.describe();
    trainer = Models.create(model, 42);
    x = Data.uniform(1, Workloads.BATCH, Data.MNIST_PIXELS);
    y = Data.labels(2, Workloads.BATCH, 10);
  }

  @Benchmark
  public Tensor step() {
    return trainer.step(x, y);
  }
}
