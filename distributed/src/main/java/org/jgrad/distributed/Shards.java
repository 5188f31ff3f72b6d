package org.jgrad.distributed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.jgrad.data.datasets.Mnist;
import org.jgrad.data.io.ImageData;
import scala.Tuple2;

/**
 * Lays a data set out as one RDD partition per replica: partition {@code r} of {@code worldSize}
 * holds the samples whose {@link Sample#index()} is {@code r} modulo {@code worldSize}, in index
 * order. Both ways in give the same layout for the same data, so training reads the same batches
 * whether the rows came from an RDD or from files each executor read itself.
 *
 * <pre>{@code
 * JavaRDD<Sample> shards = Shards.fromRdd(rows, 2);                       // one shuffle
 * JavaRDD<Sample> same = Shards.fromMnistFiles(sc, Path.of("/data/mnist"), true, 2); // no shuffle
 * }</pre>
 *
 * <p>The order inside a shard does not depend on how Spark fetched the rows, so a recomputed
 * partition (a retried barrier stage, a lost cached block) is identical to the first.
 */
public final class Shards {
  private Shards() {}

  /**
   * Redistributes {@code rows} into {@code worldSize} shards (one shuffle) and caches them in
   * memory.
   */
  public static JavaRDD<Sample> fromRdd(JavaRDD<Sample> rows, int worldSize) {
    checkWorld(worldSize);
    return rows.mapToPair(s -> new Tuple2<>(Math.floorMod(s.index(), worldSize), s))
        .partitionBy(new HashPartitioner(worldSize))
        .values()
        .mapPartitions(
            it -> {
              List<Sample> list = new ArrayList<>();
              it.forEachRemaining(list::add);
              list.sort(Comparator.comparingLong(Sample::index));
              return list.iterator();
            },
            true)
        .persist(StorageLevel.MEMORY_ONLY());
  }

  /**
   * Shards read by the executors themselves from the MNIST IDX files in {@code dataDir/mnist/}
   * (laid out like jgrad's data directory), which every executor must see (a shared file system, or
   * the same path on each node); nothing is shuffled and nothing is downloaded. Pixels are scaled
   * to [0, 1] and flattened to 784 values.
   */
  public static JavaRDD<Sample> fromMnistFiles(
      JavaSparkContext sc, Path dataDir, boolean train, int worldSize) {
    checkWorld(worldSize);
    String root = dataDir.toAbsolutePath().toString();
    List<Integer> ranks = IntStream.range(0, worldSize).boxed().toList();
    return sc.parallelize(ranks, worldSize)
        .mapPartitions(
            it -> {
              int rank = it.next();
              ImageData d = readMnist(Path.of(root), train);
              int size = d.imageSize();
              List<Sample> out = new ArrayList<>();
              for (int i = rank; i < d.size(); i += worldSize) {
                float[] x = new float[size];
                d.toUnitFloats(new int[] {i}, x, 0);
                out.add(new Sample(i, x, d.labels()[i]));
              }
              return out.iterator();
            },
            true);
  }

  private static ImageData readMnist(Path root, boolean train) throws IOException {
    return Mnist.load(train, root, false);
  }

  /**
   * The order in which replica {@code rank} visits its {@code shardSize} samples in {@code epoch}:
   * a permutation that depends only on these four numbers.
   */
  public static int[] permutation(long seed, int epoch, int rank, int shardSize) {
    SplittableRandom rng =
        new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + rank);
    int[] p = new int[shardSize];
    for (int i = 0; i < shardSize; i++) p[i] = i;
    for (int i = shardSize - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  static void checkWorld(int worldSize) {
    if (worldSize < 1) {
      throw new IllegalArgumentException("Shards: worldSize must be >= 1, got " + worldSize);
    }
  }
}
