package org.jgrad.distributed;

import java.io.Serializable;

/**
 * What one replica reports after a barrier stage: rank 0 adds the final state.
 *
 * @param rank the replica
 * @param state the model and optimizer after the segment (rank 0 only, else null)
 * @param losses the loss of each step of the segment
 * @param computeNanos time in forward, backward and optimizer steps
 * @param allReduceNanos time in all-reduce calls (waiting for slower replicas included)
 * @param attempt the stage attempt that produced it (0 unless Spark retried the stage)
 * @param parameterHash a hash of the replica's final parameter bits: equal on all replicas
 */
record SegmentResult(
    int rank,
    ReplicaState state,
    double[] losses,
    long computeNanos,
    long allReduceNanos,
    int attempt,
    int parameterHash)
    implements Serializable {}
