package org.jgrad.backend.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of {@link Winograd4Planes}' one-dimensional transforms: one lane per tile, L
 * tiles per step, the same expressions as the plain-Java definition (so the same results, as no
 * fused multiply-add is used on either side).
 *
 * <p>Hazard: like {@code VectorSgemmKernel}, only loaded by name when {@code jdk.incubator.vector}
 * is in the boot layer; nothing may refer to this class directly.
 */
final class VectorWinograd4Planes extends Winograd4Planes {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Called reflectively by {@link Winograd4x4}. */
  static Winograd4Planes create() {
    return L >= 4 ? new VectorWinograd4Planes() : null;
  }

  @Override
  String name() {
    return "vector-" + L;
  }

  @Override
  int lanes() {
    return L;
  }

  /** 16 x 16 staging block for the transposes. */
  private static final ThreadLocal<float[]> STAGE = ThreadLocal.withInitial(() -> new float[256]);

  // The lane conversions run 16 lanes x 16 plane values at a time through a register transpose
  // (VectorSgemmKernel.transpose16) and a staging block; the last 16 values of a plane overlap the
  // previous group (same values written twice). Scalar for other lane counts, short planes and the
  // lanes of a partial group.

  @Override
  void toLanes(
      float[] src,
      int so,
      int laneStride,
      int count,
      int l0,
      int l1,
      float[] dst,
      int base,
      int[] pos) {
    if (L != 16 || count < 16) {
      super.toLanes(src, so, laneStride, count, l0, l1, dst, base, pos);
      return;
    }
    float[] stage = STAGE.get();
    int lane = l0;
    for (; lane + 16 <= l1; lane += 16) {
      for (int k0 = 0; k0 < count; k0 += 16) {
        int k = Math.min(k0, count - 16);
        VectorSgemmKernel.transpose16(src, so + lane * laneStride + k, laneStride, stage, 0, 16);
        for (int q = 0; q < 16; q++) {
          FloatVector.fromArray(S, stage, 16 * q).intoArray(dst, base + pos[k + q] + lane);
        }
      }
    }
    if (lane < l1) {
      super.toLanes(src, so, laneStride, count, lane, l1, dst, base, pos);
    }
  }

  @Override
  void fromLanes(
      float[] src,
      int base,
      int[] pos,
      int count,
      int l0,
      int l1,
      float[] dst,
      int dOff,
      int laneStride) {
    if (L != 16 || count < 16) {
      super.fromLanes(src, base, pos, count, l0, l1, dst, dOff, laneStride);
      return;
    }
    float[] stage = STAGE.get();
    int lane = l0;
    for (; lane + 16 <= l1; lane += 16) {
      for (int k0 = 0; k0 < count; k0 += 16) {
        int k = Math.min(k0, count - 16);
        for (int q = 0; q < 16; q++) {
          FloatVector.fromArray(S, src, base + pos[k + q] + lane).intoArray(stage, 16 * q);
        }
        VectorSgemmKernel.transpose16(stage, 0, 16, dst, dOff + lane * laneStride + k, laneStride);
      }
    }
    if (lane < l1) {
      super.fromLanes(src, base, pos, count, lane, l1, dst, dOff, laneStride);
    }
  }

  @Override
  void bt(float[] s, int so, int ss, float[] d, int dofs, int dss, int n) {
    for (int t = 0; t < n; t += L) {
      FloatVector d0 = FloatVector.fromArray(S, s, so + t);
      FloatVector d1 = FloatVector.fromArray(S, s, so + ss + t);
      FloatVector d2 = FloatVector.fromArray(S, s, so + 2 * ss + t);
      FloatVector d3 = FloatVector.fromArray(S, s, so + 3 * ss + t);
      FloatVector d4 = FloatVector.fromArray(S, s, so + 4 * ss + t);
      FloatVector d5 = FloatVector.fromArray(S, s, so + 5 * ss + t);
      FloatVector p = d4.sub(d2);
      FloatVector q = d3.sub(d1);
      d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(d, dofs + t);
      d3.add(d4).sub(d1.add(d2).mul(4f)).intoArray(d, dofs + dss + t);
      d1.sub(d2).mul(4f).add(d4.sub(d3)).intoArray(d, dofs + 2 * dss + t);
      p.add(q.mul(2f)).intoArray(d, dofs + 3 * dss + t);
      p.sub(q.mul(2f)).intoArray(d, dofs + 4 * dss + t);
      d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(d, dofs + 5 * dss + t);
    }
  }

  @Override
  void at(float[] s, int so, int ss, float[] d, int dofs, int dss, int n, float bias) {
    for (int t = 0; t < n; t += L) {
      FloatVector m0 = FloatVector.fromArray(S, s, so + t);
      FloatVector m1 = FloatVector.fromArray(S, s, so + ss + t);
      FloatVector m2 = FloatVector.fromArray(S, s, so + 2 * ss + t);
      FloatVector m3 = FloatVector.fromArray(S, s, so + 3 * ss + t);
      FloatVector m4 = FloatVector.fromArray(S, s, so + 4 * ss + t);
      FloatVector m5 = FloatVector.fromArray(S, s, so + 5 * ss + t);
      FloatVector sp = m1.add(m2);
      FloatVector sm = m1.sub(m2);
      FloatVector tp = m3.add(m4);
      FloatVector tm = m3.sub(m4);
      m0.add(sp).add(tp).add(bias).intoArray(d, dofs + t);
      sm.add(tm.mul(2f)).add(bias).intoArray(d, dofs + dss + t);
      sp.add(tp.mul(4f)).add(bias).intoArray(d, dofs + 2 * dss + t);
      sm.add(tm.mul(8f)).add(m5).add(bias).intoArray(d, dofs + 3 * dss + t);
    }
  }

  @Override
  void a(float[] s, int so, int ss, float[] d, int dofs, int dss, int n) {
    for (int t = 0; t < n; t += L) {
      FloatVector g0 = FloatVector.fromArray(S, s, so + t);
      FloatVector g1 = FloatVector.fromArray(S, s, so + ss + t);
      FloatVector g2 = FloatVector.fromArray(S, s, so + 2 * ss + t);
      FloatVector g3 = FloatVector.fromArray(S, s, so + 3 * ss + t);
      FloatVector ep = g0.add(g2);
      FloatVector op = g1.add(g3);
      FloatVector e4 = g0.add(g2.mul(4f));
      FloatVector o8 = g1.mul(2f).add(g3.mul(8f));
      g0.intoArray(d, dofs + t);
      ep.add(op).intoArray(d, dofs + dss + t);
      ep.sub(op).intoArray(d, dofs + 2 * dss + t);
      e4.add(o8).intoArray(d, dofs + 3 * dss + t);
      e4.sub(o8).intoArray(d, dofs + 4 * dss + t);
      g3.intoArray(d, dofs + 5 * dss + t);
    }
  }

  @Override
  void b(float[] s, int so, int ss, float[] d, int dofs, int dss, int n, boolean add) {
    for (int t = 0; t < n; t += L) {
      FloatVector m0 = FloatVector.fromArray(S, s, so + t);
      FloatVector m1 = FloatVector.fromArray(S, s, so + ss + t);
      FloatVector m2 = FloatVector.fromArray(S, s, so + 2 * ss + t);
      FloatVector m3 = FloatVector.fromArray(S, s, so + 3 * ss + t);
      FloatVector m4 = FloatVector.fromArray(S, s, so + 4 * ss + t);
      FloatVector m5 = FloatVector.fromArray(S, s, so + 5 * ss + t);
      FloatVector dm = m2.sub(m1);
      FloatVector dn = m3.sub(m4);
      FloatVector p0 = m0.mul(4f);
      FloatVector p1 = dm.add(m5).mul(4f).sub(dn.mul(2f));
      FloatVector p2 = m0.mul(-5f).sub(m1.add(m2).mul(4f)).sub(m3.add(m4));
      FloatVector p3 = dn.mul(2f).sub(dm).sub(m5.mul(5f));
      FloatVector p4 = m0.add(m1.add(m2)).add(m3.add(m4));
      if (add) {
        addInto(p0, d, dofs + t);
        addInto(p1, d, dofs + dss + t);
        addInto(p2, d, dofs + 2 * dss + t);
        addInto(p3, d, dofs + 3 * dss + t);
        addInto(p4, d, dofs + 4 * dss + t);
        addInto(m5, d, dofs + 5 * dss + t);
      } else {
        p0.intoArray(d, dofs + t);
        p1.intoArray(d, dofs + dss + t);
        p2.intoArray(d, dofs + 2 * dss + t);
        p3.intoArray(d, dofs + 3 * dss + t);
        p4.intoArray(d, dofs + 4 * dss + t);
        m5.intoArray(d, dofs + 5 * dss + t);
      }
    }
  }

  private static void addInto(FloatVector v, float[] d, int at) {
    FloatVector.fromArray(S, d, at).add(v).intoArray(d, at);
  }
}
