package org.jgrad.backend.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane selections from two vectors a‖b of the preferred float species, written as two one-vector
 * permutes and a blend with constant masks. The direct form {@code a.rearrange(shuffle, b)}
 * computes the same lanes but C2 expands it into index wrapping and validity checks around the
 * permutes: a 16×16 register transpose written with it needed 71–82 MB of compiler arena (raising a
 * CNN epoch's peak RSS by a sixth) and ran 4× slower than this form in a side-by-side loop (200
 * against 47 ns per transpose, same machine and run). Kernels write each selection inline, e.g.
 * {@code a.rearrange(DUP_LO).blend(b.rearrange(DUP_LO), ODD_LANES)}, not through a helper method:
 * in the 64-selection transpose C2 stopped inlining such calls (NodeCountInliningCutoff) and boxed
 * the vectors. VectorLanesTest checks every selection lane by lane. Only the Vector-API kernels
 * load this class.
 */
final class VectorLanes {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** 0, 0, 1, 1, ...: each low-half lane twice; from L/2 on, each high-half lane twice. */
  static final VectorShuffle<Float> DUP_LO = shuffle(i -> i / 2);

  static final VectorShuffle<Float> DUP_HI = shuffle(i -> L / 2 + i / 2);

  /** 0, 2, 4, ..., L − 2 in both halves (and 1, 3, ... for the odd lanes). */
  static final VectorShuffle<Float> EVENS = shuffle(i -> (2 * i) % L);

  static final VectorShuffle<Float> ODDS = shuffle(i -> (2 * i + 1) % L);
  static final VectorMask<Float> ODD_LANES = mask(i -> (i & 1) == 1);
  static final VectorMask<Float> HIGH_HALF = mask(i -> i >= L / 2);

  private VectorLanes() {}

  private static VectorShuffle<Float> shuffle(java.util.function.IntUnaryOperator lane) {
    int[] idx = new int[L];
    for (int i = 0; i < L; i++) idx[i] = lane.applyAsInt(i);
    return VectorShuffle.fromArray(S, idx, 0);
  }

  private static VectorMask<Float> mask(java.util.function.IntPredicate lane) {
    boolean[] m = new boolean[L];
    for (int i = 0; i < L; i++) m[i] = lane.test(i);
    return VectorMask.fromArray(S, m, 0);
  }
}
