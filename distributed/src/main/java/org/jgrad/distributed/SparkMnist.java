package org.jgrad.distributed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.jgrad.data.datasets.Mnist;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.ImageData;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.functional.F;
import org.jgrad.optim.SGD;
import org.jgrad.tensor.Tensor;

/**
 * The {@code spark-mnist} example: an MLP (784-128-10) trained on MNIST by {@link SparkTrainer},
 * then evaluated on the test set on the driver.
 *
 * <pre>
 * ./mvnw -B -ntp -q -pl distributed -am compile exec:exec -Dargs="--replicas 2 --epochs 1"
 * spark-submit --master spark://host:7077 --class org.jgrad.distributed.SparkMnist \
 *     distributed/target/jgrad-distributed-0.1.0-SNAPSHOT-app.jar --replicas 4 --data /shared/jgrad-data
 * </pre>
 *
 * <p>Without {@code --master} and outside spark-submit it starts an embedded {@code
 * local[replicas]} Spark. Options: {@code --replicas W} (2), {@code --batch B} global batch (128),
 * {@code --epochs E} (1) or {@code --steps S}, {@code --lr} (0.1, momentum 0.9), {@code
 * --all-reduce ring|allgather} (ring), {@code --average-every k} (0: gradient all-reduce), {@code
 * --checkpoint DIR} (none; resumed when it exists), {@code --checkpoint-every S} (100), {@code
 * --data DIR} (jgrad's data directory; must hold mnist/ on every executor), {@code --source
 * files|rdd} (files: each executor reads its shard; rdd: the driver reads and Spark shuffles),
 * {@code --quick} (60 steps), {@code --seed}.
 */
public final class SparkMnist {
  private SparkMnist() {}

  /** The example's model; the factory runs on the driver and in every task. */
  static Module mlp() {
    return new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
  }

  public static void main(String[] args) throws IOException {
    String master = null;
    int replicas = 2;
    int batch = 128;
    int epochs = 1;
    int steps = -1;
    double lr = 0.1;
    String allReduce = "ring";
    int averageEvery = 0;
    Path checkpoint = null;
    int checkpointEvery = 100;
    Path data = DataDir.root();
    String source = "files";
    long seed = 0;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> {
          System.out.println(usage());
          return;
        }
        case "--quick" -> steps = 60;
        case "--master" -> master = args[++i];
        case "--replicas" -> replicas = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--lr" -> lr = Double.parseDouble(args[++i]);
        case "--all-reduce" -> allReduce = args[++i];
        case "--average-every" -> averageEvery = Integer.parseInt(args[++i]);
        case "--checkpoint" -> checkpoint = Path.of(args[++i]);
        case "--checkpoint-every" -> checkpointEvery = Integer.parseInt(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        case "--source" -> source = args[++i];
        case "--seed" -> seed = Long.parseLong(args[++i]);
        default ->
            throw new IllegalArgumentException("spark-mnist: unknown option " + a + "\n" + usage());
      }
    }
    SparkTrainer.AllReduce mode =
        switch (allReduce) {
          case "ring" -> SparkTrainer.AllReduce.RING;
          case "allgather" -> SparkTrainer.AllReduce.ALL_GATHER;
          default ->
              throw new IllegalArgumentException(
                  "spark-mnist: --all-reduce must be ring or allgather, got " + allReduce);
        };

    SparkConf conf = new SparkConf().setAppName("jgrad-spark-mnist");
    if (master != null) conf.setMaster(master);
    if (!conf.contains("spark.master")) conf.setMaster("local[" + replicas + "]");
    conf.setIfMissing("spark.ui.enabled", "false");
    if (conf.get("spark.master").startsWith("local")) {
      // Embedded Spark: keep the driver, the executors and the ring on the loopback interface.
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      JavaRDD<Sample> shards =
          switch (source) {
            case "files" -> Shards.fromMnistFiles(sc, data, true, replicas);
            case "rdd" ->
                Shards.fromRdd(
                    sc.parallelize(rows(Mnist.load(true, data, false)), replicas), replicas);
            default ->
                throw new IllegalArgumentException(
                    "spark-mnist: --source must be files or rdd, got " + source);
          };
      int localBatch = batch / Math.max(1, replicas);
      if (steps < 0) {
        int perEpoch = SparkTrainer.stepsPerEpoch(SparkTrainer.shardSizes(shards), localBatch);
        steps = epochs * perEpoch;
      }
      SparkTrainer.Config cfg =
          SparkTrainer.Config.of(replicas, batch, steps)
              .withSeed(seed)
              .withAllReduce(mode)
              .withAverageEvery(averageEvery)
              .withCheckpointEvery(Math.min(checkpointEvery, Math.max(1, steps)))
              .withCheckpointDir(checkpoint);
      double rate = lr;
      System.out.printf(
          Locale.ROOT,
          "spark-mnist: Spark %s (%s), Java %s, %s%n",
          sc.version(),
          sc.master(),
          System.getProperty("java.version"),
          cfg);
      SparkTrainer.Result r =
          new SparkTrainer(
                  SparkMnist::mlp,
                  p -> new SGD(p, SGD.options(rate).momentum(0.9)),
                  (m, x, y) -> F.crossEntropy(m.call(x), y),
                  cfg)
              .fit(sc, shards);
      List<Double> losses = r.losses();
      int every = Math.max(1, losses.size() / 10);
      for (int s = every - 1; s < losses.size(); s += every) {
        System.out.printf(Locale.ROOT, "step %5d  loss %.4f%n", s + 1, losses.get(s));
      }
      double acc = accuracy(r.model(), Mnist.load(false, data, false));
      System.out.printf(
          Locale.ROOT,
          "spark-mnist: %d steps (from step %d) in %.1f s, %.0f samples/s, per step %.2f ms"
              + " compute, %.2f ms all-reduce (%d floats), %d stage(s), %d retried;"
              + " test accuracy %.2f%%%n",
          losses.size() - r.startStep(),
          r.startStep(),
          r.wallSeconds(),
          r.samplesPerSecond(batch),
          r.computeSeconds() * 1e3,
          r.allReduceSeconds() * 1e3,
          r.parameters(),
          r.stages(),
          r.retries(),
          acc * 100);
    }
  }

  /** MNIST as rows for an RDD (pixels scaled to [0, 1]). */
  static List<Sample> rows(ImageData d) {
    List<Sample> out = new ArrayList<>(d.size());
    int size = d.imageSize();
    for (int i = 0; i < d.size(); i++) {
      float[] x = new float[size];
      d.toUnitFloats(new int[] {i}, x, 0);
      out.add(new Sample(i, x, d.labels()[i]));
    }
    return out;
  }

  /** Top-1 accuracy of {@code model} on {@code d}, in batches of 1000 on the driver. */
  static double accuracy(Module model, ImageData d) {
    model.eval();
    int size = d.imageSize();
    int correct = 0;
    for (int start = 0; start < d.size(); start += 1000) {
      int n = Math.min(1000, d.size() - start);
      int[] idx = new int[n];
      for (int i = 0; i < n; i++) idx[i] = start + i;
      float[] x = new float[n * size];
      d.toUnitFloats(idx, x, 0);
      long[] pred = model.call(Tensor.of(x, n, size)).argmax(1).toLongArray();
      for (int i = 0; i < n; i++) if (pred[i] == d.labels()[start + i]) correct++;
    }
    model.train();
    return correct / (double) d.size();
  }

  static String usage() {
    return """
        spark-mnist: data-parallel MNIST MLP on Spark
          --master URL          Spark master (default: spark-submit's, else local[replicas])
          --replicas W          barrier tasks = model replicas (2)
          --batch B             global batch, a multiple of W (128)
          --epochs E | --steps S | --quick (60 steps)
          --lr LR               SGD learning rate, momentum 0.9 (0.1)
          --all-reduce ring|allgather
          --average-every k     average parameters every k local steps instead (0: off)
          --checkpoint DIR      driver-side checkpoint, resumed when present
          --checkpoint-every S  steps per barrier stage (100)
          --data DIR            jgrad data directory holding mnist/ (on every executor)
          --source files|rdd    executors read files (default) or the driver's rows are shuffled
          --seed N""";
  }
}
