package org.jgrad.distributed;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import org.jgrad.nn.Module;
import org.jgrad.nn.Parameter;
import org.jgrad.optim.Checkpoint;
import org.jgrad.optim.Optimizer;
import org.jgrad.tensor.Tensor;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel training on Apache Spark in barrier execution mode: one task per shard
 * holds a replica of the model, computes the gradients of its part of each global batch, the
 * replicas all-reduce them every step and all apply the same optimizer step. For a given global
 * batch and seed the result equals training in one process on the whole batch, up to the order of
 * the float additions.
 *
 * <pre>{@code
 * JavaRDD<Sample> shards = Shards.fromRdd(rows, 2);
 * SparkTrainer.Config cfg = SparkTrainer.Config.of(2, 128, 500).withCheckpointDir(Path.of("ckpt"));
 * SparkTrainer.Result r = new SparkTrainer(
 *         () -> new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10)),
 *         params -> new SGD(params, SGD.options(0.1).momentum(0.9)),
 *         (model, x, y) -> F.crossEntropy(model.call(x), y),
 *         cfg)
 *     .fit(sc, shards);
 * Module trained = r.model();
 * }</pre>
 *
 * <p><b>How a run is laid out.</b> The steps are cut into segments of {@link
 * Config#checkpointEvery} steps; each segment is one barrier stage. The driver broadcasts the state
 * (model and optimizer) at the segment's start, each task restores it, trains the segment's steps
 * and rank 0 sends the final state back, which the driver writes as an atomic {@link Checkpoint}
 * (when a directory is set) and broadcasts for the next segment. When a task fails, Spark retries
 * the whole barrier stage; the new tasks start again from the broadcast state, which is the last
 * checkpoint, and because the batches depend only on (seed, step) the retried run ends with the
 * same parameters. A new driver given the same checkpoint directory continues from the step saved
 * there.
 *
 * <p><b>Batches.</b> Shard {@code r} (see {@link Shards}) is visited in the order {@link
 * Shards#permutation}{@code (seed, epoch, r, shardSize)}; step {@code s} of epoch {@code e} takes
 * its next {@code globalBatch / worldSize} samples. An epoch has {@code min shardSize /
 * (globalBatch / worldSize)} steps. The global batch of a step is the concatenation of the
 * replicas' parts in rank order.
 *
 * <p><b>Parameter averaging.</b> With {@link Config#withAverageEvery} {@code k}, replicas take
 * {@code k} local optimizer steps on their own {@code globalBatch / worldSize} samples and then
 * average their parameters (optimizer state stays local, and at a segment boundary every replica
 * continues from rank 0's). One all-reduce per {@code k} steps instead of one per step; with plain
 * SGD and {@code k = 1} it is the same as gradient all-reduce.
 *
 * <p>Layers that mix samples (batch normalisation) see only the local part of the batch, as in
 * PyTorch's DistributedDataParallel without SyncBatchNorm; dropout draws different masks on each
 * replica. The loss must be a mean over the batch.
 */
public final class SparkTrainer {
  /** Builds a fresh, untrained replica; runs on the driver and in every task. */
  @FunctionalInterface
  public interface ModelFactory extends Serializable {
    Module create();
  }

  /** Builds the optimizer over a replica's parameters. */
  @FunctionalInterface
  public interface OptimizerFactory extends Serializable {
    Optimizer create(List<Parameter> parameters);
  }

  /** The mean loss of a batch: inputs of the configured shape, int64 labels. */
  @FunctionalInterface
  public interface LossFunction extends Serializable {
    Tensor apply(Module model, Tensor inputs, Tensor labels);
  }

  /** How replicas combine their work. */
  public enum AllReduce {
    /** Ring all-reduce over TCP between the tasks ({@link RingCommunicator}). */
    RING,
    /**
     * Spark's {@code BarrierTaskContext.allGather} through the driver ({@link
     * AllGatherCommunicator}).
     */
    ALL_GATHER
  }

  /**
   * What a run does.
   *
   * @param worldSize number of replicas; the shards RDD must have this many partitions, and the
   *     cluster at least this many task slots (barrier tasks start together)
   * @param globalBatch samples per step over all replicas; a multiple of {@code worldSize}
   * @param steps optimizer steps in the whole run
   * @param seed seeds the initial model (on the driver) and the batch order
   * @param inputShape the shape of one sample's features, e.g. {@code [784]} or {@code [1, 28, 28]}
   * @param allReduce how gradients or parameters are summed
   * @param averageEvery 0: all-reduce gradients every step; k &gt; 0: average parameters every k
   *     local steps
   * @param checkpointEvery steps per barrier stage (and between checkpoints)
   * @param checkpointDir where the driver keeps the checkpoint (null: none); an existing checkpoint
   *     there is resumed
   * @param failOnceAtStep for fault-tolerance tests: the last replica throws at this step in the
   *     first attempt of its stage (-1: never)
   */
  public record Config(
      int worldSize,
      int globalBatch,
      int steps,
      long seed,
      int[] inputShape,
      AllReduce allReduce,
      int averageEvery,
      int checkpointEvery,
      Path checkpointDir,
      int failOnceAtStep)
      implements Serializable {
    public Config {
      if (worldSize < 1) {
        throw new IllegalArgumentException(
            "SparkTrainer: worldSize must be >= 1, got " + worldSize);
      }
      if (globalBatch < worldSize || globalBatch % worldSize != 0) {
        throw new IllegalArgumentException(
            "SparkTrainer: globalBatch "
                + globalBatch
                + " must be a positive multiple of worldSize "
                + worldSize);
      }
      if (steps < 0) throw new IllegalArgumentException("SparkTrainer: steps must be >= 0");
      if (averageEvery < 0) {
        throw new IllegalArgumentException("SparkTrainer: averageEvery must be >= 0");
      }
      if (checkpointEvery < 1) {
        throw new IllegalArgumentException("SparkTrainer: checkpointEvery must be >= 1");
      }
      Objects.requireNonNull(allReduce, "allReduce");
      inputShape = inputShape.clone();
    }

    /** Gradient all-reduce over a ring, every step, one stage for the whole run, no checkpoint. */
    public static Config of(int worldSize, int globalBatch, int steps) {
      return new Config(
          worldSize,
          globalBatch,
          steps,
          0,
          new int[] {784},
          AllReduce.RING,
          0,
          Math.max(1, steps),
          null,
          -1);
    }

    public Config withSeed(long v) {
      return new Config(
          worldSize,
          globalBatch,
          steps,
          v,
          inputShape,
          allReduce,
          averageEvery,
          checkpointEvery,
          checkpointDir,
          failOnceAtStep);
    }

    public Config withInputShape(int... v) {
      return new Config(
          worldSize,
          globalBatch,
          steps,
          seed,
          v,
          allReduce,
          averageEvery,
          checkpointEvery,
          checkpointDir,
          failOnceAtStep);
    }

    public Config withAllReduce(AllReduce v) {
      return new Config(
          worldSize,
          globalBatch,
          steps,
          seed,
          inputShape,
          v,
          averageEvery,
          checkpointEvery,
          checkpointDir,
          failOnceAtStep);
    }

    public Config withAverageEvery(int v) {
      return new Config(
          worldSize,
          globalBatch,
          steps,
          seed,
          inputShape,
          allReduce,
          v,
          checkpointEvery,
          checkpointDir,
          failOnceAtStep);
    }

    public Config withCheckpointEvery(int v) {
      return new Config(
          worldSize,
          globalBatch,
          steps,
          seed,
          inputShape,
          allReduce,
          averageEvery,
          v,
          checkpointDir,
          failOnceAtStep);
    }

    public Config withCheckpointDir(Path v) {
      return new Config(
          worldSize,
          globalBatch,
          steps,
          seed,
          inputShape,
          allReduce,
          averageEvery,
          checkpointEvery,
          v,
          failOnceAtStep);
    }

    public Config withFailOnceAtStep(int v) {
      return new Config(
          worldSize,
          globalBatch,
          steps,
          seed,
          inputShape,
          allReduce,
          averageEvery,
          checkpointEvery,
          checkpointDir,
          v);
    }

    @Override
    public int[] inputShape() {
      return inputShape.clone();
    }

    /** Samples each replica takes per step. */
    public int localBatch() {
      return globalBatch / worldSize;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Config c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
      return toString().hashCode();
    }

    @Override
    public String toString() {
      return "Config[worldSize="
          + worldSize
          + ", globalBatch="
          + globalBatch
          + ", steps="
          + steps
          + ", seed="
          + seed
          + ", inputShape="
          + Arrays.toString(inputShape)
          + ", allReduce="
          + allReduce
          + ", averageEvery="
          + averageEvery
          + ", checkpointEvery="
          + checkpointEvery
          + ", checkpointDir="
          + checkpointDir
          + ", failOnceAtStep="
          + failOnceAtStep
          + "]";
    }
  }

  /**
   * What a run gives back.
   *
   * @param model the trained model (a driver-side replica)
   * @param losses the mean loss over the global batch of each step (with parameter averaging: the
   *     mean of the replicas' local losses)
   * @param startStep the step the run resumed from (0 for a fresh run)
   * @param stages barrier stages that completed
   * @param retries how many times Spark reran a failed barrier stage
   * @param wallSeconds driver wall time of the training stages
   * @param computeSeconds per step, forward + backward + optimizer, mean over replicas
   * @param allReduceSeconds per step, time spent in all-reduce, mean over replicas
   * @param parameters number of model parameters (floats all-reduced per step)
   */
  public record Result(
      Module model,
      List<Double> losses,
      int startStep,
      int stages,
      int retries,
      double wallSeconds,
      double computeSeconds,
      double allReduceSeconds,
      long parameters) {
    /** Samples per second over the trained steps. */
    public double samplesPerSecond(int globalBatch) {
      int trained = losses.size() - startStep;
      return wallSeconds > 0 ? trained * (double) globalBatch / wallSeconds : 0;
    }
  }

  private final ModelFactory modelFactory;
  private final OptimizerFactory optimizerFactory;
  private final LossFunction loss;
  private final Config config;

  public SparkTrainer(
      ModelFactory modelFactory,
      OptimizerFactory optimizerFactory,
      LossFunction loss,
      Config config) {
    this.modelFactory = Objects.requireNonNull(modelFactory, "modelFactory");
    this.optimizerFactory = Objects.requireNonNull(optimizerFactory, "optimizerFactory");
    this.loss = Objects.requireNonNull(loss, "loss");
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The number of samples in each shard (one small Spark job). */
  public static int[] shardSizes(JavaRDD<Sample> shards) {
    List<Integer> sizes =
        shards
            .mapPartitions(
                it -> {
                  int n = 0;
                  for (; it.hasNext(); it.next()) n++;
                  return List.of(n).iterator();
                })
            .collect();
    return sizes.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Steps in one epoch: every replica visits its whole shard, the smallest one decides. */
  public static int stepsPerEpoch(int[] shardSizes, int localBatch) {
    int min = Arrays.stream(shardSizes).min().orElse(0);
    return min / localBatch;
  }

  /**
   * Trains on {@code shards} (one partition per replica, laid out by {@link Shards}) and returns
   * the trained model with the loss of every step.
   */
  public Result fit(JavaSparkContext sc, JavaRDD<Sample> shards) {
    int world = config.worldSize();
    if (shards.getNumPartitions() != world) {
      throw new IllegalArgumentException(
          "SparkTrainer.fit: the shards RDD has "
              + shards.getNumPartitions()
              + " partitions, expected worldSize = "
              + world
              + " (lay the data out with Shards)");
    }
    if (shards.getStorageLevel().equals(StorageLevel.NONE())) {
      shards = shards.persist(StorageLevel.MEMORY_ONLY());
    }
    int[] sizes = shardSizes(shards);
    int perEpoch = stepsPerEpoch(sizes, config.localBatch());
    if (perEpoch == 0) {
      throw new IllegalArgumentException(
          "SparkTrainer.fit: the smallest shard has "
              + Arrays.stream(sizes).min().orElse(0)
              + " samples, fewer than the local batch "
              + config.localBatch()
              + " (shard sizes "
              + Arrays.toString(sizes)
              + ")");
    }

    Tensor.manualSeed(config.seed());
    Module model = modelFactory.create();
    Optimizer optimizer = optimizerFactory.create(model.parameters());
    List<Double> losses = new ArrayList<>();
    int start = 0;
    Path dir = config.checkpointDir();
    if (dir != null && (Files.isDirectory(dir) || Files.isDirectory(oldOf(dir)))) {
      try {
        Map<String, Object> extra = Checkpoint.load(dir, model, optimizer);
        start = ((Number) extra.get("step")).intValue();
        for (double v : (double[]) extra.get("losses")) losses.add(v);
      } catch (IOException e) {
        throw new UncheckedIOException("SparkTrainer.fit: could not resume from " + dir, e);
      }
    }
    ReplicaState state = ReplicaState.capture(model, optimizer);
    long parameters = model.numParameters();
    int startStep = start;
    int stages = 0;
    int retries = 0;
    double compute = 0;
    double reduce = 0;
    long t0 = System.nanoTime();
    ClassTag<SegmentResult> tag = ClassTag$.MODULE$.apply(SegmentResult.class);
    while (start < config.steps()) {
      int end = Math.min(start + config.checkpointEvery(), config.steps());
      Broadcast<ReplicaState> initial = sc.broadcast(state);
      // The tasks never see the driver's checkpoint directory (and a Path does not serialize).
      Segment segment =
          new Segment(
              modelFactory,
              optimizerFactory,
              loss,
              config.withCheckpointDir(null),
              initial,
              start,
              end,
              perEpoch);
      RDD<SegmentResult> out = shards.rdd().barrier().mapPartitions(segment, false, tag);
      // Spark never retries a barrier ResultStage (its DAGScheduler aborts the job: output may
      // have been committed), but it reruns a failed barrier ShuffleMapStage as a whole. The
      // results therefore pass through a one-partition shuffle, which makes the training stage a
      // map stage.
      List<SegmentResult> results = new JavaRDD<>(out, tag).repartition(1).collect();
      SegmentResult first = results.stream().filter(r -> r.rank() == 0).findFirst().orElseThrow();
      state = first.state();
      for (double v : first.losses()) losses.add(v);
      retries += first.attempt();
      // Every replica applied the same updates, so their parameters must agree to the bit.
      for (SegmentResult r : results) {
        if (r.parameterHash() != first.parameterHash()) {
          throw new IllegalStateException(
              "SparkTrainer.fit: replica "
                  + r.rank()
                  + " ended steps ["
                  + start
                  + ", "
                  + end
                  + ") with other parameters than replica 0 (replicas diverged)");
        }
      }
      for (SegmentResult r : results) {
        compute += r.computeNanos() / 1e9 / world;
        reduce += r.allReduceNanos() / 1e9 / world;
      }
      initial.destroy();
      stages++;
      start = end;
      if (dir != null) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("step", end);
        extra.put("seed", config.seed());
        extra.put("losses", losses.stream().mapToDouble(Double::doubleValue).toArray());
        try {
          state.save(dir, model, optimizer, extra);
        } catch (IOException e) {
          throw new UncheckedIOException("SparkTrainer.fit: could not write checkpoint " + dir, e);
        }
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    state.restore(model, optimizer);
    int trained = config.steps() - startStep;
    return new Result(
        model,
        List.copyOf(losses),
        startStep,
        stages,
        retries,
        wall,
        trained > 0 ? compute / trained : 0,
        trained > 0 ? reduce / trained : 0,
        parameters);
  }

  private static Path oldOf(Path dir) {
    return dir.resolveSibling(dir.getFileName() + ".old");
  }
}
