package org.jgrad.distributed;

import java.util.Arrays;
import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * One replica's shard in memory and the batches it takes from it: step {@code j} of {@code epoch}
 * is samples {@code [j b, (j+1) b)} of {@link Shards#permutation}{@code (seed, epoch, rank, n)}.
 */
final class Batches {
  private final float[] features;
  private final long[] labels;
  private final int featureSize;
  private final int n;
  private final SparkTrainer.Config config;
  private final int rank;
  private int permEpoch = -1;
  private int[] perm;

  Batches(List<Sample> shard, SparkTrainer.Config config, int rank) {
    this.config = config;
    this.rank = rank;
    int size = 1;
    for (int d : config.inputShape()) size *= d;
    this.featureSize = size;
    this.n = shard.size();
    this.features = new float[n * size];
    this.labels = new long[n];
    for (int i = 0; i < n; i++) {
      Sample s = shard.get(i);
      if (s.features().length != size) {
        throw new IllegalArgumentException(
            "SparkTrainer: sample "
                + s.index()
                + " has "
                + s.features().length
                + " features, the input shape "
                + Arrays.toString(config.inputShape())
                + " needs "
                + size);
      }
      System.arraycopy(s.features(), 0, features, i * size, size);
      labels[i] = s.label();
    }
  }

  /** Inputs {@code [b, inputShape...]} and int64 labels {@code [b]}. */
  Tensor[] batch(int epoch, int step) {
    if (epoch != permEpoch) {
      perm = Shards.permutation(config.seed(), epoch, rank, n);
      permEpoch = epoch;
    }
    int b = config.localBatch();
    float[] x = new float[b * featureSize];
    long[] y = new long[b];
    for (int i = 0; i < b; i++) {
      int src = perm[step * b + i];
      System.arraycopy(features, src * featureSize, x, i * featureSize, featureSize);
      y[i] = labels[src];
    }
    int[] inShape = config.inputShape();
    int[] shape = new int[inShape.length + 1];
    shape[0] = b;
    System.arraycopy(inShape, 0, shape, 1, inShape.length);
    return new Tensor[] {Tensor.of(x, shape), Tensor.ofLongs(y, b)};
  }
}
