package org.jgrad.backend.cpu.kernels;

import static org.jgrad.backend.cpu.kernels.VectorLanes.DUP_HI;
import static org.jgrad.backend.cpu.kernels.VectorLanes.DUP_LO;
import static org.jgrad.backend.cpu.kernels.VectorLanes.EVENS;
import static org.jgrad.backend.cpu.kernels.VectorLanes.HIGH_HALF;
import static org.jgrad.backend.cpu.kernels.VectorLanes.ODDS;
import static org.jgrad.backend.cpu.kernels.VectorLanes.ODD_LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link PoolKernels.RowKernel}: one output row of a plain 2x2, stride-2 max pool,
 * {@code L} outputs per step. Hazard (as for {@code VectorSgemmKernel}): this class links against
 * {@code jdk.incubator.vector}; {@link PoolKernels} loads it by name, only when the module is
 * present, and nothing else may refer to it.
 *
 * <p>The 2L inputs of each of the two rows are split into even and odd columns (two-vector
 * shuffles), which gives the four window values a, b, c, d of L windows in four vectors; then the
 * general loop's scan runs lane-wise: the maximum starts as a, and b, c, d in turn replace it where
 * they are greater or NaN. Same values (the replacing element itself, so -0/+0 ties keep the first)
 * and same indices as the scalar loops, NaN and infinities included.
 */
final class VectorPoolKernels implements PoolKernels.RowKernel {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

  /** 0, 2, 4, ...: the plane offset of each lane's window relative to the chunk's first. */
  private static final IntVector TWICE_IOTA = IntVector.zero(I).addIndex(2);

  private VectorPoolKernels() {}

  static PoolKernels.RowKernel create() {
    // Float and int lanes must pair up one to one for the index masks.
    return I.length() == L ? new VectorPoolKernels() : null;
  }

  @Override
  public boolean maxPool2x2Row(
      float[] x,
      int at,
      int inW,
      int outW,
      float[] y,
      int yo,
      int[] idx,
      int io,
      int argBase,
      int room) {
    int lastChunk = (outW - 1) / L * L;
    // Every chunk reads 2L values of each row; the last may reach past the row (never used).
    if (outW <= 0 || at + inW + 2 * lastChunk + 2 * L > x.length) return false;
    // The last vector must fit in the row and the room after it, so that every store is a full
    // vector; the rare row that ends a chunk without that room goes to the caller's scalar loop.
    if (outW + room - lastChunk < L) return false;
    for (int ow = 0; ow < outW; ow += L) {
      int p = at + 2 * ow;
      FloatVector t0 = FloatVector.fromArray(F, x, p), t1 = FloatVector.fromArray(F, x, p + L);
      FloatVector b0 = FloatVector.fromArray(F, x, p + inW);
      FloatVector b1 = FloatVector.fromArray(F, x, p + inW + L);
      FloatVector a = t0.rearrange(EVENS).blend(t1.rearrange(EVENS), HIGH_HALF),
          b = t0.rearrange(ODDS).blend(t1.rearrange(ODDS), HIGH_HALF);
      FloatVector c = b0.rearrange(EVENS).blend(b1.rearrange(EVENS), HIGH_HALF),
          d = b0.rearrange(ODDS).blend(b1.rearrange(ODDS), HIGH_HALF);
      FloatVector max = a;
      IntVector pos = IntVector.zero(I);
      VectorMask<Float> m = b.compare(VectorOperators.GT, max).or(b.test(VectorOperators.IS_NAN));
      max = max.blend(b, m);
      pos = pos.blend(1, m.cast(I));
      m = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN));
      max = max.blend(c, m);
      pos = pos.blend(inW, m.cast(I));
      m = d.compare(VectorOperators.GT, max).or(d.test(VectorOperators.IS_NAN));
      max = max.blend(d, m);
      pos = pos.blend(inW + 1, m.cast(I));
      IntVector arg = pos.add(TWICE_IOTA).add(argBase + 2 * ow);
      max.intoArray(y, yo + ow);
      if (idx != null) arg.intoArray(idx, io + ow);
    }
    return true;
  }

  /**
   * The forward's lane-wise scan gives, per window, which of a, b, c, d it keeps; each window's
   * gradient goes to that lane of a, b, c or d, zeros to the others, and two-vector interleaves
   * (the inverse of the even/odd split) put them back in input order. Chunks run from the last to
   * the first: the last chunk's top row may spill zeros into the start of the bottom row, which the
   * earlier chunks' bottom stores then overwrite.
   */
  @Override
  public boolean maxPool2x2BackwardRow(
      float[] x, int at, int inW, int outW, float[] g, int go, float[] dx, int d, int limit) {
    int lastChunk = (outW - 1) / L * L;
    if (outW <= 0
        || at + inW + 2 * lastChunk + 2 * L > x.length
        || go + lastChunk + L > g.length
        || d + inW + 2 * lastChunk + 2 * L > limit) {
      return false;
    }
    FloatVector zero = FloatVector.zero(F);
    for (int ow = lastChunk; ow >= 0; ow -= L) {
      int p = at + 2 * ow;
      FloatVector t0 = FloatVector.fromArray(F, x, p), t1 = FloatVector.fromArray(F, x, p + L);
      FloatVector b0 = FloatVector.fromArray(F, x, p + inW);
      FloatVector b1 = FloatVector.fromArray(F, x, p + inW + L);
      FloatVector a = t0.rearrange(EVENS).blend(t1.rearrange(EVENS), HIGH_HALF),
          b = t0.rearrange(ODDS).blend(t1.rearrange(ODDS), HIGH_HALF);
      FloatVector c = b0.rearrange(EVENS).blend(b1.rearrange(EVENS), HIGH_HALF),
          e = b0.rearrange(ODDS).blend(b1.rearrange(ODDS), HIGH_HALF);
      VectorMask<Float> toB = b.compare(VectorOperators.GT, a).or(b.test(VectorOperators.IS_NAN));
      FloatVector max = a.blend(b, toB);
      VectorMask<Float> toC = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN));
      max = max.blend(c, toC);
      VectorMask<Float> keepE =
          e.compare(VectorOperators.GT, max).or(e.test(VectorOperators.IS_NAN));
      VectorMask<Float> keepC = toC.andNot(keepE);
      VectorMask<Float> keepB = toB.andNot(toC).andNot(keepE);
      VectorMask<Float> keepA = toB.or(toC).or(keepE).not();
      // 0 + g, as the scatter into zeros adds it (a -0 gradient lands as +0); lanes past the row
      // are zero.
      FloatVector gv =
          zero.blend(FloatVector.fromArray(F, g, go + ow).add(zero), F.indexInRange(ow, outW));
      FloatVector ga = zero.blend(gv, keepA), gb = zero.blend(gv, keepB);
      FloatVector gc = zero.blend(gv, keepC), ge = zero.blend(gv, keepE);
      int q = d + 2 * ow;
      ga.rearrange(DUP_LO).blend(gb.rearrange(DUP_LO), ODD_LANES).intoArray(dx, q);
      ga.rearrange(DUP_HI).blend(gb.rearrange(DUP_HI), ODD_LANES).intoArray(dx, q + L);
      gc.rearrange(DUP_LO).blend(ge.rearrange(DUP_LO), ODD_LANES).intoArray(dx, q + inW);
      gc.rearrange(DUP_HI).blend(ge.rearrange(DUP_HI), ODD_LANES).intoArray(dx, q + inW + L);
    }
    return true;
  }
}
