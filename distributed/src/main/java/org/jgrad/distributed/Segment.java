package org.jgrad.distributed;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.cpu.kernels.Parallel;
import org.jgrad.nn.Module;
import org.jgrad.nn.Parameter;
import org.jgrad.optim.Optimizer;
import org.jgrad.tensor.Tensor;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task: restores the broadcast state into a fresh replica, trains steps
 * {@code [start, end)} on its shard, all-reducing with the other tasks, and reports back.
 */
final class Segment extends AbstractFunction1<Iterator<Sample>, Iterator<SegmentResult>>
    implements Serializable {
  private final SparkTrainer.ModelFactory modelFactory;
  private final SparkTrainer.OptimizerFactory optimizerFactory;
  private final SparkTrainer.LossFunction loss;
  private final SparkTrainer.Config config;
  private final Broadcast<ReplicaState> initial;
  private final int start;
  private final int end;
  private final int stepsPerEpoch;

  Segment(
      SparkTrainer.ModelFactory modelFactory,
      SparkTrainer.OptimizerFactory optimizerFactory,
      SparkTrainer.LossFunction loss,
      SparkTrainer.Config config,
      Broadcast<ReplicaState> initial,
      int start,
      int end,
      int stepsPerEpoch) {
    this.modelFactory = modelFactory;
    this.optimizerFactory = optimizerFactory;
    this.loss = loss;
    this.config = config;
    this.initial = initial;
    this.start = start;
    this.end = end;
    this.stepsPerEpoch = stepsPerEpoch;
  }

  @Override
  public Iterator<SegmentResult> apply(Iterator<Sample> rows) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    int world = ctx.getTaskInfos().length;
    if (world != config.worldSize()) {
      throw new IllegalStateException(
          "SparkTrainer: the barrier stage has "
              + world
              + " tasks, expected "
              + config.worldSize());
    }
    List<Sample> shard = new ArrayList<>();
    rows.foreach(shard::add);
    Batches batches = new Batches(shard, config, rank);

    Communicator comm =
        switch (config.allReduce()) {
          case RING ->
              RingCommunicator.connect(
                  rank,
                  world,
                  SparkEnv.get().blockManager().blockManagerId().host(),
                  ctx::allGather);
          case ALL_GATHER -> new AllGatherCommunicator(rank, world, ctx::allGather);
        };
    // The kernels use as many threads as Spark reserved for the task (spark.task.cpus, 1 by
    // default): the replicas are the parallelism, as with one thread per process under DDP.
    try (comm) {
      SegmentResult result =
          Parallel.withThreads(ctx.cpus(), () -> train(ctx, rank, world, batches, comm));
      return CollectionConverters.asScala(List.of(result).iterator());
    }
  }

  private SegmentResult train(
      BarrierTaskContext ctx, int rank, int world, Batches batches, Communicator comm) {
    Module model = modelFactory.create();
    Optimizer optimizer = optimizerFactory.create(model.parameters());
    initial.value().restore(model, optimizer);
    model.train();
    List<Parameter> params = model.parameters();
    int numel = 0;
    for (Parameter p : params) numel += p.numel();
    int k = config.averageEvery();
    double[] losses = new double[end - start];
    float[] buf = new float[numel + Math.max(k, 1)];
    long computeNanos = 0;
    long reduceNanos = 0;
    int sinceSync = 0;
    for (int s = start; s < end; s++) {
      if (s == config.failOnceAtStep() && ctx.stageAttemptNumber() == 0 && rank == world - 1) {
        throw new IllegalStateException(
            "SparkTrainer: failure injected at step " + s + " (failOnceAtStep)");
      }
      long t0 = System.nanoTime();
      Tensor[] batch = batches.batch(s / stepsPerEpoch, s % stepsPerEpoch);
      optimizer.zeroGrad();
      Tensor l = loss.apply(model, batch[0], batch[1]);
      l.backward();
      float lossValue = (float) l.item();
      if (k == 0) {
        flatten(params, true, buf);
        buf[numel] = lossValue;
        long t1 = System.nanoTime();
        comm.allReduceSum(buf);
        long t2 = System.nanoTime();
        float scale = 1f / world;
        for (int i = 0; i <= numel; i++) buf[i] *= scale;
        unflattenGrads(params, buf);
        optimizer.step();
        losses[s - start] = buf[numel];
        computeNanos += (t1 - t0) + (System.nanoTime() - t2);
        reduceNanos += t2 - t1;
      } else {
        optimizer.step();
        buf[numel + sinceSync] = lossValue;
        sinceSync++;
        long t1 = System.nanoTime();
        computeNanos += t1 - t0;
        if (sinceSync == k || s == end - 1) {
          flatten(params, false, buf);
          for (int j = sinceSync; j < k; j++) buf[numel + j] = 0;
          comm.allReduceSum(buf);
          float scale = 1f / world;
          for (int i = 0; i < buf.length; i++) buf[i] *= scale;
          try (var ng = GradMode.noGrad()) {
            int off = 0;
            for (Parameter p : params) {
              int n = p.numel();
              p.copyFrom(Tensor.of(Arrays.copyOfRange(buf, off, off + n), p.shape()));
              off += n;
            }
          }
          for (int j = 0; j < sinceSync; j++)
            losses[s - start - sinceSync + 1 + j] = buf[numel + j];
          sinceSync = 0;
          reduceNanos += System.nanoTime() - t1;
        }
      }
    }
    ReplicaState out = rank == 0 ? ReplicaState.capture(model, optimizer) : null;
    flatten(params, false, buf);
    int hash = Arrays.hashCode(Arrays.copyOf(buf, numel));
    return new SegmentResult(
        rank, out, losses, computeNanos, reduceNanos, ctx.stageAttemptNumber(), hash);
  }

  private static void flatten(List<Parameter> params, boolean grads, float[] buf) {
    int off = 0;
    for (Parameter p : params) {
      Tensor t = grads ? p.grad() : p;
      int n = p.numel();
      if (t == null) {
        Arrays.fill(buf, off, off + n, 0f);
      } else {
        System.arraycopy(t.toFloatArray(), 0, buf, off, n);
      }
      off += n;
    }
  }

  private static void unflattenGrads(List<Parameter> params, float[] buf) {
    int off = 0;
    for (Parameter p : params) {
      int n = p.numel();
      p.setGrad(Tensor.of(Arrays.copyOfRange(buf, off, off + n), p.shape()));
      off += n;
    }
  }
}
