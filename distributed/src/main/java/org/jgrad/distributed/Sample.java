package org.jgrad.distributed;

import java.io.Serializable;
import java.util.Objects;

/**
 * One training example as a row of a Spark RDD: its position in the data set, its features
 * (row-major, reshaped to the trainer's input shape) and its class label.
 *
 * <pre>{@code
 * JavaRDD<Sample> rows = sc.parallelize(list).map(r -> new Sample(r.id(), r.pixels(), r.digit()));
 * }</pre>
 *
 * <p>{@code index} decides which replica holds the row ({@code index mod worldSize}, see {@link
 * Shards}) and its order there, so a re-run or a retried stage sees the same shards.
 *
 * @param index the row's position in the data set, unique and non-negative
 * @param features the input values
 * @param label the class index
 */
public record Sample(long index, float[] features, int label) implements Serializable {
  public Sample {
    if (index < 0) throw new IllegalArgumentException("Sample: index must be >= 0, got " + index);
    Objects.requireNonNull(features, "features");
  }
}
