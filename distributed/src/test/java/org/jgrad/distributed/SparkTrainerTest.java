package org.jgrad.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Tanh;
import org.jgrad.nn.functional.F;
import org.jgrad.optim.Checkpoint;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.SGD;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on an embedded {@code local[2]} Spark (two task slots, so two barrier
 * replicas) against the same steps run in one process. One context serves all tests: starting Spark
 * costs seconds.
 */
class SparkTrainerTest {
  private static final int FEATURES = 6;
  private static final int CLASSES = 3;
  private static final int SAMPLES = 71; // shards of 36 and 35 samples
  private static JavaSparkContext sc;
  private static List<Sample> rows;

  @BeforeAll
  static void start() {
    sc =
        new JavaSparkContext(
            new SparkConf()
                .setMaster("local[2]")
                .setAppName("SparkTrainerTest")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
    rows = syntheticRows(SAMPLES, 11);
  }

  @AfterAll
  static void stop() {
    if (sc != null) sc.close();
  }

  /** Three Gaussian blobs: learnable, so losses fall, and small, so steps are fast. */
  static List<Sample> syntheticRows(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = rng.nextInt(CLASSES);
      float[] x = new float[FEATURES];
      for (int j = 0; j < FEATURES; j++) {
        x[j] = (float) (rng.nextGaussian() + (j % CLASSES == label ? 1.5 : 0));
      }
      out.add(new Sample(i, x, label));
    }
    return out;
  }

  static Module model() {
    return new Sequential(new Linear(FEATURES, 16), new Tanh(), new Linear(16, CLASSES));
  }

  static Optimizer momentumSgd(List<? extends Tensor> params) {
    return new SGD(params, SGD.options(0.2).momentum(0.9));
  }

  static SparkTrainer trainer(SparkTrainer.Config cfg, SparkTrainer.OptimizerFactory opt) {
    return new SparkTrainer(
        SparkTrainerTest::model, opt, (m, x, y) -> F.crossEntropy(m.call(x), y), cfg);
  }

  static SparkTrainer.Config config(int world, int globalBatch, int steps) {
    return SparkTrainer.Config.of(world, globalBatch, steps)
        .withSeed(5)
        .withInputShape(FEATURES)
        .withCheckpointEvery(3);
  }

  /**
   * The oracle: the same global batches (the replicas' parts concatenated in rank order) in one
   * process, one mean loss over the whole batch per step.
   */
  static Reference singleProcess(
      SparkTrainer.Config cfg, SparkTrainer.OptimizerFactory optFactory, int steps) {
    int world = cfg.worldSize();
    List<List<Sample>> shards = new ArrayList<>();
    for (int r = 0; r < world; r++) shards.add(new ArrayList<>());
    for (Sample s : rows) shards.get((int) (s.index() % world)).add(s);
    int b = cfg.localBatch();
    int perEpoch = shards.stream().mapToInt(List::size).min().orElseThrow() / b;
    Tensor.manualSeed(cfg.seed());
    Module m = model();
    Optimizer opt = optFactory.create(m.parameters());
    List<Double> losses = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      int epoch = s / perEpoch;
      int j = s % perEpoch;
      float[] x = new float[cfg.globalBatch() * FEATURES];
      long[] y = new long[cfg.globalBatch()];
      int row = 0;
      for (int r = 0; r < world; r++) {
        int[] perm = Shards.permutation(cfg.seed(), epoch, r, shards.get(r).size());
        for (int i = 0; i < b; i++, row++) {
          Sample smp = shards.get(r).get(perm[j * b + i]);
          System.arraycopy(smp.features(), 0, x, row * FEATURES, FEATURES);
          y[row] = smp.label();
        }
      }
      opt.zeroGrad();
      Tensor loss =
          F.crossEntropy(
              m.call(Tensor.of(x, cfg.globalBatch(), FEATURES)), Tensor.ofLongs(y, y.length));
      loss.backward();
      opt.step();
      losses.add(loss.item());
    }
    return new Reference(m, losses);
  }

  record Reference(Module model, List<Double> losses) {}

  static float[] flat(Module m) {
    List<Float> all = new ArrayList<>();
    for (var p : m.parameters()) for (float v : p.toFloatArray()) all.add(v);
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) out[i] = all.get(i);
    return out;
  }

  static void assertClose(float[] expected, float[] actual, float tol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    float worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= tol, what + ": max |diff| " + worst + " > " + tol);
  }

  private static JavaRDD<Sample> twoShards;

  /** The rows laid out for two replicas, cached: one shuffle for all tests. */
  static synchronized JavaRDD<Sample> shards(int world) {
    if (world != 2) throw new IllegalArgumentException("the tests use two replicas");
    if (twoShards == null) twoShards = Shards.fromRdd(sc.parallelize(rows, 3), 2);
    return twoShards;
  }

  private static SparkTrainer.Result sixRing;

  /**
   * 6 steps in 2 stages, momentum SGD, no checkpoint: shared by three tests (each barrier stage
   * costs a second or two).
   */
  static synchronized SparkTrainer.Result sixRingSteps() {
    if (sixRing == null) {
      sixRing = trainer(config(2, 16, 6), SparkTrainerTest::momentumSgd).fit(sc, shards(2));
    }
    return sixRing;
  }

  @Test
  void ringAllReduceEqualsSingleProcessTraining() {
    // 6 steps with shards of 36 and 35 samples and local batch 8: 4 steps per epoch, so 2 epochs
    // are visited, and 2 barrier stages (checkpointEvery 3) hand the state on.
    SparkTrainer.Config cfg = config(2, 16, 6);
    SparkTrainer.Result r = sixRingSteps();
    Reference ref = singleProcess(cfg, SparkTrainerTest::momentumSgd, 6);
    assertEquals(2, r.stages());
    // float32 sums in another order: a few ulps of values of order 1, after 6 momentum steps
    assertClose(flat(ref.model()), flat(r.model()), 2e-6f, "parameters");
    for (int s = 0; s < 6; s++)
      assertEquals(ref.losses().get(s), r.losses().get(s), 1e-6, "loss " + s);
    assertTrue(r.losses().get(5) < r.losses().get(0), "the loss falls: " + r.losses());
  }

  @Test
  void allGatherAllReduceEqualsSingleProcessTraining() {
    // Spark's allGather answers after about a second: keep to two steps.
    SparkTrainer.Config cfg = config(2, 16, 2).withAllReduce(SparkTrainer.AllReduce.ALL_GATHER);
    SparkTrainer.Result r = trainer(cfg, SparkTrainerTest::momentumSgd).fit(sc, shards(2));
    Reference ref = singleProcess(cfg, SparkTrainerTest::momentumSgd, 2);
    assertClose(flat(ref.model()), flat(r.model()), 1e-6f, "parameters");
  }

  @Test
  void retriedStageResumesFromCheckpointWithTheSameResult(@TempDir Path tmp) throws IOException {
    SparkTrainer.Config cfg = config(2, 16, 6);
    float[] clean = flat(sixRingSteps().model());
    Path dir = tmp.resolve("ckpt");
    SparkTrainer.Result failed =
        trainer(cfg.withCheckpointDir(dir).withFailOnceAtStep(4), SparkTrainerTest::momentumSgd)
            .fit(sc, shards(2));
    // The stage of steps 3..5 failed at step 4 and ran again from the checkpoint of step 3.
    assertEquals(1, failed.retries(), "one stage was retried");
    assertEquals(0, sixRingSteps().retries());
    assertArrayEquals(clean, flat(failed.model()), "bit-identical to the run without failure");
    Module m = model();
    Map<String, Object> extra = Checkpoint.load(dir, m, momentumSgd(m.parameters()));
    assertEquals(6, ((Number) extra.get("step")).intValue());
    assertArrayEquals(clean, flat(m), "the last checkpoint holds the final parameters");
  }

  @Test
  void newDriverResumesFromTheCheckpointDirectory(@TempDir Path tmp) {
    Path dir = tmp.resolve("ckpt");
    SparkTrainer.Config cfg = config(2, 16, 6);
    float[] straight = flat(sixRingSteps().model());
    trainer(config(2, 16, 3).withCheckpointDir(dir), SparkTrainerTest::momentumSgd)
        .fit(sc, shards(2));
    SparkTrainer.Result resumed =
        trainer(cfg.withCheckpointDir(dir), SparkTrainerTest::momentumSgd).fit(sc, shards(2));
    assertEquals(3, resumed.startStep());
    assertEquals(6, resumed.losses().size());
    assertArrayEquals(straight, flat(resumed.model()));
  }

  @Test
  void parameterAveragingEveryStepEqualsGradientAllReduceForPlainSgd() {
    SparkTrainer.OptimizerFactory plain = p -> new SGD(p, 0.2);
    SparkTrainer.Config cfg = config(2, 16, 6).withAverageEvery(1).withCheckpointEvery(6);
    SparkTrainer.Result r = trainer(cfg, plain).fit(sc, shards(2));
    Reference ref = singleProcess(cfg, plain, 6);
    assertClose(flat(ref.model()), flat(r.model()), 2e-6f, "parameters");
    // averaging every 3 steps trains too, but is a different algorithm
    SparkTrainer.Result r3 = trainer(cfg.withAverageEvery(3), plain).fit(sc, shards(2));
    assertEquals(6, r3.losses().size());
    assertTrue(r3.losses().get(5) < r3.losses().get(0), "local SGD trains: " + r3.losses());
  }

  @Test
  void mnistFilesReadByExecutorsGiveTheSameShardsAsAnRdd(@TempDir Path tmp) throws IOException {
    int n = 10;
    byte[] pixels = new byte[n * 28 * 28];
    byte[] labels = new byte[n];
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) rng.nextInt(256);
    for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
    Path mnist = Files.createDirectories(tmp.resolve("mnist"));
    writeIdx(mnist.resolve("train-images-idx3-ubyte"), 0x803, new int[] {n, 28, 28}, pixels);
    writeIdx(mnist.resolve("train-labels-idx1-ubyte"), 0x801, new int[] {n}, labels);
    List<Sample> fromFiles = Shards.fromMnistFiles(sc, tmp, true, 2).collect();
    List<Sample> asRows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = new float[784];
      for (int j = 0; j < 784; j++) x[j] = (pixels[i * 784 + j] & 0xff) / 255f;
      asRows.add(new Sample(i, x, labels[i]));
    }
    List<Sample> fromRdd = Shards.fromRdd(sc.parallelize(asRows, 3), 2).collect();
    assertEquals(n, fromFiles.size());
    for (int i = 0; i < n; i++) {
      // partition 0 (even indices) first, then partition 1, each in index order
      long expectedIndex = i < 5 ? 2L * i : 2L * (i - 5) + 1;
      assertEquals(expectedIndex, fromFiles.get(i).index());
      assertEquals(expectedIndex, fromRdd.get(i).index());
      assertEquals(fromRdd.get(i).label(), fromFiles.get(i).label());
      assertArrayEquals(fromRdd.get(i).features(), fromFiles.get(i).features());
    }
  }

  private static void writeIdx(Path file, int magic, int[] dims, byte[] data) throws IOException {
    try (var out = new DataOutputStream(Files.newOutputStream(file))) {
      out.writeInt(magic);
      for (int d : dims) out.writeInt(d);
      out.write(data);
    }
  }
}
