package org.jgrad.backend.cpu.kernels;

import static org.jgrad.backend.cpu.kernels.VectorLanes.EVENS;
import static org.jgrad.backend.cpu.kernels.VectorLanes.HIGH_HALF;
import static org.jgrad.backend.cpu.kernels.VectorLanes.ODDS;

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
      if (outW + room - ow >= L) {
        max.intoArray(y, yo + ow);
        if (idx != null) arg.intoArray(idx, io + ow);
      } else {
        VectorMask<Float> keep = F.indexInRange(0, outW - ow);
        max.intoArray(y, yo + ow, keep);
        if (idx != null) arg.intoArray(idx, io + ow, keep.cast(I));
      }
    }
    return true;
  }
}
