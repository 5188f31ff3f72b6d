package org.jgrad.backend.cpu.kernels;

import static org.jgrad.backend.cpu.kernels.VectorLanes.DUP_HI;
import static org.jgrad.backend.cpu.kernels.VectorLanes.DUP_LO;
import static org.jgrad.backend.cpu.kernels.VectorLanes.EVENS;
import static org.jgrad.backend.cpu.kernels.VectorLanes.HIGH_HALF;
import static org.jgrad.backend.cpu.kernels.VectorLanes.ODDS;
import static org.jgrad.backend.cpu.kernels.VectorLanes.ODD_LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of {@link WinogradTiles}: one lane per tile, L tiles at a time; the columns
 * {@code 2f} and {@code 2f+1} of L consecutive tiles are split out of two loaded vectors with a
 * two-vector shuffle (even / odd lanes), and interleaved back the same way for the outputs. The
 * last block of a run is a full vector too ({@link #overrun()}).
 *
 * <p>Hazard: like {@code VectorSgemmKernel}, only loaded by name when {@code jdk.incubator.vector}
 * is in the boot layer; nothing may refer to this class directly.
 */
final class VectorWinogradTiles extends WinogradTiles {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Called reflectively by {@link Winograd3x3}. */
  static WinogradTiles create() {
    return L >= 4 ? new VectorWinogradTiles() : null;
  }

  @Override
  String name() {
    return "vector-" + L;
  }

  @Override
  int overrun() {
    return L - 1;
  }

  @Override
  void input(float[] pe, int e, float[] po, int p, int wp, int count, float[] v, int o, int s) {
    for (int f = 0; f < count; f += L) {
      int a = e + 2 * f;
      int b = p + 2 * f;
      // Patch row 0: columns 0, 1 from pe[a ..], columns 2, 3 from pe[a + 2 ..].
      FloatVector x = FloatVector.fromArray(S, pe, a), y = FloatVector.fromArray(S, pe, a + L);
      FloatVector d00 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          d01 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      x = FloatVector.fromArray(S, pe, a + 2);
      y = FloatVector.fromArray(S, pe, a + 2 + L);
      FloatVector d02 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          d03 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      x = FloatVector.fromArray(S, po, b);
      y = FloatVector.fromArray(S, po, b + L);
      FloatVector d10 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          d11 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      x = FloatVector.fromArray(S, po, b + 2);
      y = FloatVector.fromArray(S, po, b + 2 + L);
      FloatVector d12 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          d13 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      x = FloatVector.fromArray(S, pe, a + wp);
      y = FloatVector.fromArray(S, pe, a + wp + L);
      FloatVector d20 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          d21 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      x = FloatVector.fromArray(S, pe, a + wp + 2);
      y = FloatVector.fromArray(S, pe, a + wp + 2 + L);
      FloatVector d22 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          d23 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      x = FloatVector.fromArray(S, po, b + wp);
      y = FloatVector.fromArray(S, po, b + wp + L);
      FloatVector d30 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          d31 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      x = FloatVector.fromArray(S, po, b + wp + 2);
      y = FloatVector.fromArray(S, po, b + wp + 2 + L);
      FloatVector d32 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          d33 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      FloatVector e00 = d00.sub(d20), e01 = d01.sub(d21), e02 = d02.sub(d22), e03 = d03.sub(d23);
      FloatVector e10 = d10.add(d20), e11 = d11.add(d21), e12 = d12.add(d22), e13 = d13.add(d23);
      FloatVector e20 = d20.sub(d10), e21 = d21.sub(d11), e22 = d22.sub(d12), e23 = d23.sub(d13);
      FloatVector e30 = d10.sub(d30), e31 = d11.sub(d31), e32 = d12.sub(d32), e33 = d13.sub(d33);
      int q = o + f;
      e00.sub(e02).intoArray(v, q);
      e01.add(e02).intoArray(v, q + s);
      e02.sub(e01).intoArray(v, q + 2 * s);
      e01.sub(e03).intoArray(v, q + 3 * s);
      e10.sub(e12).intoArray(v, q + 4 * s);
      e11.add(e12).intoArray(v, q + 5 * s);
      e12.sub(e11).intoArray(v, q + 6 * s);
      e11.sub(e13).intoArray(v, q + 7 * s);
      e20.sub(e22).intoArray(v, q + 8 * s);
      e21.add(e22).intoArray(v, q + 9 * s);
      e22.sub(e21).intoArray(v, q + 10 * s);
      e21.sub(e23).intoArray(v, q + 11 * s);
      e30.sub(e32).intoArray(v, q + 12 * s);
      e31.add(e32).intoArray(v, q + 13 * s);
      e32.sub(e31).intoArray(v, q + 14 * s);
      e31.sub(e33).intoArray(v, q + 15 * s);
    }
  }

  @Override
  void grad(float[] ge, int e, float[] go, int p, int count, float[] z, int o, int s) {
    for (int f = 0; f < count; f += L) {
      int a = e + 2 * f;
      int b = p + 2 * f;
      FloatVector x = FloatVector.fromArray(S, ge, a), y = FloatVector.fromArray(S, ge, a + L);
      FloatVector a00 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          a01 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      x = FloatVector.fromArray(S, go, b);
      y = FloatVector.fromArray(S, go, b + L);
      FloatVector a10 = x.rearrange(EVENS).blend(y.rearrange(EVENS), HIGH_HALF),
          a11 = x.rearrange(ODDS).blend(y.rearrange(ODDS), HIGH_HALF);
      FloatVector r10 = a00.add(a10), r11 = a01.add(a11);
      FloatVector r20 = a00.sub(a10), r21 = a01.sub(a11);
      int q = o + f;
      a00.intoArray(z, q);
      a00.add(a01).intoArray(z, q + s);
      a00.sub(a01).intoArray(z, q + 2 * s);
      a01.neg().intoArray(z, q + 3 * s);
      r10.intoArray(z, q + 4 * s);
      r10.add(r11).intoArray(z, q + 5 * s);
      r10.sub(r11).intoArray(z, q + 6 * s);
      r11.neg().intoArray(z, q + 7 * s);
      r20.intoArray(z, q + 8 * s);
      r20.add(r21).intoArray(z, q + 9 * s);
      r20.sub(r21).intoArray(z, q + 10 * s);
      r21.neg().intoArray(z, q + 11 * s);
      a10.neg().intoArray(z, q + 12 * s);
      a10.neg().sub(a11).intoArray(z, q + 13 * s);
      a11.sub(a10).intoArray(z, q + 14 * s);
      a11.intoArray(z, q + 15 * s);
    }
  }

  @Override
  void output(
      float[] m, int o, int s, int count, float bias, float[] ye, int e, float[] yo, int p) {
    FloatVector bv = FloatVector.broadcast(S, bias);
    for (int f = 0; f < count; f += L) {
      int q = o + f;
      FloatVector m00 = FloatVector.fromArray(S, m, q);
      FloatVector m01 = FloatVector.fromArray(S, m, q + s);
      FloatVector m02 = FloatVector.fromArray(S, m, q + 2 * s);
      FloatVector m03 = FloatVector.fromArray(S, m, q + 3 * s);
      FloatVector m10 = FloatVector.fromArray(S, m, q + 4 * s);
      FloatVector m11 = FloatVector.fromArray(S, m, q + 5 * s);
      FloatVector m12 = FloatVector.fromArray(S, m, q + 6 * s);
      FloatVector m13 = FloatVector.fromArray(S, m, q + 7 * s);
      FloatVector m20 = FloatVector.fromArray(S, m, q + 8 * s);
      FloatVector m21 = FloatVector.fromArray(S, m, q + 9 * s);
      FloatVector m22 = FloatVector.fromArray(S, m, q + 10 * s);
      FloatVector m23 = FloatVector.fromArray(S, m, q + 11 * s);
      FloatVector m30 = FloatVector.fromArray(S, m, q + 12 * s);
      FloatVector m31 = FloatVector.fromArray(S, m, q + 13 * s);
      FloatVector m32 = FloatVector.fromArray(S, m, q + 14 * s);
      FloatVector m33 = FloatVector.fromArray(S, m, q + 15 * s);
      FloatVector r00 = m00.add(m10).add(m20), r01 = m01.add(m11).add(m21);
      FloatVector r02 = m02.add(m12).add(m22), r03 = m03.add(m13).add(m23);
      FloatVector r10 = m10.sub(m20).sub(m30), r11 = m11.sub(m21).sub(m31);
      FloatVector r12 = m12.sub(m22).sub(m32), r13 = m13.sub(m23).sub(m33);
      FloatVector y00 = r00.add(r01).add(r02).add(bv);
      FloatVector y01 = r01.sub(r02).sub(r03).add(bv);
      FloatVector y10 = r10.add(r11).add(r12).add(bv);
      FloatVector y11 = r11.sub(r12).sub(r13).add(bv);
      int a = e + 2 * f;
      int b = p + 2 * f;
      y00.rearrange(DUP_LO).blend(y01.rearrange(DUP_LO), ODD_LANES).intoArray(ye, a);
      y00.rearrange(DUP_HI).blend(y01.rearrange(DUP_HI), ODD_LANES).intoArray(ye, a + L);
      y10.rearrange(DUP_LO).blend(y11.rearrange(DUP_LO), ODD_LANES).intoArray(yo, b);
      y10.rearrange(DUP_HI).blend(y11.rearrange(DUP_HI), ODD_LANES).intoArray(yo, b + L);
    }
  }

  @Override
  void scatter(float[] m, int o, int s, int count, float[] r, int e0, int e1, int e2, int e3) {
    for (int f = 0; f < count; f += L) {
      int q = o + f;
      FloatVector m00 = FloatVector.fromArray(S, m, q);
      FloatVector m01 = FloatVector.fromArray(S, m, q + s);
      FloatVector m02 = FloatVector.fromArray(S, m, q + 2 * s);
      FloatVector m03 = FloatVector.fromArray(S, m, q + 3 * s);
      FloatVector m10 = FloatVector.fromArray(S, m, q + 4 * s);
      FloatVector m11 = FloatVector.fromArray(S, m, q + 5 * s);
      FloatVector m12 = FloatVector.fromArray(S, m, q + 6 * s);
      FloatVector m13 = FloatVector.fromArray(S, m, q + 7 * s);
      FloatVector m20 = FloatVector.fromArray(S, m, q + 8 * s);
      FloatVector m21 = FloatVector.fromArray(S, m, q + 9 * s);
      FloatVector m22 = FloatVector.fromArray(S, m, q + 10 * s);
      FloatVector m23 = FloatVector.fromArray(S, m, q + 11 * s);
      FloatVector m30 = FloatVector.fromArray(S, m, q + 12 * s);
      FloatVector m31 = FloatVector.fromArray(S, m, q + 13 * s);
      FloatVector m32 = FloatVector.fromArray(S, m, q + 14 * s);
      FloatVector m33 = FloatVector.fromArray(S, m, q + 15 * s);
      FloatVector r10 = m10.sub(m20).add(m30), r11 = m11.sub(m21).add(m31);
      FloatVector r12 = m12.sub(m22).add(m32), r13 = m13.sub(m23).add(m33);
      FloatVector r20 = m10.add(m20).sub(m00), r21 = m11.add(m21).sub(m01);
      FloatVector r22 = m12.add(m22).sub(m02), r23 = m13.add(m23).sub(m03);
      int a = 2 * f;
      addPairs(r, e0 + a, m00, m01.sub(m02).add(m03), m02.add(m01).sub(m00), m03.neg());
      addPairs(r, e1 + a, r10, r11.sub(r12).add(r13), r12.add(r11).sub(r10), r13.neg());
      addPairs(r, e2 + a, r20, r21.sub(r22).add(r23), r22.add(r21).sub(r20), r23.neg());
      addPairs(r, e3 + a, m30.neg(), m31.neg().add(m32).sub(m33), m32.neg().sub(m31).add(m30), m33);
    }
  }

  /**
   * Adds one patch row of L tiles: columns 0 and 1 interleaved at {@code r[a ..]}, then columns 2
   * and 3 at {@code r[a + 2 ..]} (overlapping the next tile's columns 0 and 1).
   */
  private static void addPairs(
      float[] r, int a, FloatVector c0, FloatVector c1, FloatVector c2, FloatVector c3) {
    FloatVector.fromArray(S, r, a)
        .add(c0.rearrange(DUP_LO).blend(c1.rearrange(DUP_LO), ODD_LANES))
        .intoArray(r, a);
    FloatVector.fromArray(S, r, a + L)
        .add(c0.rearrange(DUP_HI).blend(c1.rearrange(DUP_HI), ODD_LANES))
        .intoArray(r, a + L);
    FloatVector.fromArray(S, r, a + 2)
        .add(c2.rearrange(DUP_LO).blend(c3.rearrange(DUP_LO), ODD_LANES))
        .intoArray(r, a + 2);
    FloatVector.fromArray(S, r, a + 2 + L)
        .add(c2.rearrange(DUP_HI).blend(c3.rearrange(DUP_HI), ODD_LANES))
        .intoArray(r, a + 2 + L);
  }
}
