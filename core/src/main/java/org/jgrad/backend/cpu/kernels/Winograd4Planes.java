package org.jgrad.backend.cpu.kernels;

/**
 * The tile transforms of {@link Winograd4x4} (F(4x4, 3x3)) over {@code n} lanes at once: a tile
 * value {@code (i, j)} of lane {@code l} is at {@code a[off + i*rowStride + j*colStride + l]}, so
 * one call transforms the same tile of {@code n} images with the same arithmetic per lane. This
 * class is the plain-Java definition; {@code VectorWinograd4Planes} overrides its one-dimensional
 * steps with Vector API code (loaded by name when the module is present) and gives identical
 * results (same operations, no fused multiply-add on either side). {@code n} is a multiple of
 * {@link #lanes()}.
 *
 * <p>With the interpolation points 0, ±1, ±2 (Lavin and Gray), for one dimension:
 *
 * <pre>
 *   B^T d  (6 -> 6)   4d0 - 5d2 + d4,  -4(d1 + d2) + d3 + d4,  4(d1 - d2) + d4 - d3,
 *                     d4 - d2 + 2(d3 - d1),  d4 - d2 - 2(d3 - d1),  4d1 - 5d3 + d5
 *   A^T m  (6 -> 4)   m0 + (m1 + m2) + (m3 + m4),  (m1 - m2) + 2(m3 - m4),
 *                     (m1 + m2) + 4(m3 + m4),  (m1 - m2) + 8(m3 - m4) + m5
 *   A g    (4 -> 6)   the transpose of A^T      B m  (6 -> 6)  the transpose of B^T
 * </pre>
 *
 * Each 2-D transform is two passes of the 1-D one: along the rows of the tile into 36 scratch
 * planes ({@code tmp[k*ts + l]}), then along its columns. The transformed positions {@code xi =
 * 6*row + column} are planes {@code xs} apart.
 */
class Winograd4Planes {
  static final Winograd4Planes SCALAR = new Winograd4Planes();

  /** Scratch planes a caller provides. */
  static final int TMP_PLANES = 36;

  /** Name for reports and tests. */
  String name() {
    return "scalar";
  }

  /** Lanes per step: callers use a multiple of this as {@code n}. */
  int lanes() {
    return 1;
  }

  /**
   * {@code V = B^T d B}: the 6x6 patch at {@code s[so + i*rs + j*cs]}; V to {@code v[vo + xi*vs]}.
   */
  final void input(
      float[] s, int so, int rs, int cs, int n, float[] tmp, int ts, float[] v, int vo, int vs) {
    for (int i = 0; i < 6; i++) {
      bt(s, so + i * rs, cs, tmp, 6 * i * ts, ts, n);
    }
    for (int j = 0; j < 6; j++) {
      bt(tmp, j * ts, 6 * ts, v, vo + j * vs, 6 * vs, n);
    }
  }

  /**
   * {@code Z = A g A^T}: the 4x4 tile at {@code s[so + i*rs + j*cs]}; Z to {@code z[zo + xi*zs]}.
   */
  final void grad(
      float[] s, int so, int rs, int cs, int n, float[] tmp, int ts, float[] z, int zo, int zs) {
    for (int i = 0; i < 4; i++) {
      a(s, so + i * rs, cs, tmp, 6 * i * ts, ts, n);
    }
    for (int j = 0; j < 6; j++) {
      a(tmp, j * ts, 6 * ts, z, zo + j * zs, 6 * zs, n);
    }
  }

  /**
   * {@code y = A^T m A + bias}: m at {@code m[mo + xi*ms]}; the 4x4 outputs to {@code y[yo + i*rs +
   * j*cs]}.
   */
  final void output(
      float[] m,
      int mo,
      int ms,
      int n,
      float bias,
      float[] tmp,
      int ts,
      float[] y,
      int yo,
      int rs,
      int cs) {
    for (int i = 0; i < 6; i++) {
      at(m, mo + 6 * i * ms, ms, tmp, 4 * i * ts, ts, n, 0f);
    }
    for (int j = 0; j < 4; j++) {
      at(tmp, j * ts, 4 * ts, y, yo + j * cs, rs, n, bias);
    }
  }

  /**
   * {@code p = B m B^T}: m at {@code m[mo + xi*ms]}; the 6x6 patch is added to {@code d[po + i*rs +
   * j*cs]}.
   */
  final void scatterAdd(
      float[] m, int mo, int ms, int n, float[] tmp, int ts, float[] d, int po, int rs, int cs) {
    for (int i = 0; i < 6; i++) {
      b(m, mo + 6 * i * ms, ms, tmp, 6 * i * ts, ts, n, false);
    }
    for (int j = 0; j < 6; j++) {
      b(tmp, j * ts, 6 * ts, d, po + j * cs, rs, n, true);
    }
  }

  /**
   * Plane values to lanes: {@code dst[base + pos[k] + lane] = src[so + lane*laneStride + k]} for
   * {@code k < count} and lanes {@code l0 <= lane < l1} (images' planes into a block buffer).
   */
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
    for (int k = 0; k < count; k++) {
      int d = base + pos[k];
      for (int lane = l0; lane < l1; lane++) {
        dst[d + lane] = src[so + lane * laneStride + k];
      }
    }
  }

  /**
   * The inverse of {@link #toLanes}: {@code dst[dOff + lane*laneStride + k] = src[base + pos[k] +
   * lane]}.
   */
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
    for (int k = 0; k < count; k++) {
      int s = base + pos[k];
      for (int lane = l0; lane < l1; lane++) {
        dst[dOff + lane * laneStride + k] = src[s + lane];
      }
    }
  }

  // One-dimensional transforms over n lanes: inputs at src + k*ss, outputs at dst + k*dstS.

  void bt(float[] s, int so, int ss, float[] d, int dofs, int dss, int n) {
    for (int t = 0; t < n; t++) {
      float d0 = s[so + t];
      float d1 = s[so + ss + t];
      float d2 = s[so + 2 * ss + t];
      float d3 = s[so + 3 * ss + t];
      float d4 = s[so + 4 * ss + t];
      float d5 = s[so + 5 * ss + t];
      float p = d4 - d2;
      float q = d3 - d1;
      d[dofs + t] = 4f * d0 - 5f * d2 + d4;
      d[dofs + dss + t] = (d3 + d4) - 4f * (d1 + d2);
      d[dofs + 2 * dss + t] = 4f * (d1 - d2) + (d4 - d3);
      d[dofs + 3 * dss + t] = p + 2f * q;
      d[dofs + 4 * dss + t] = p - 2f * q;
      d[dofs + 5 * dss + t] = 4f * d1 - 5f * d3 + d5;
    }
  }

  void at(float[] s, int so, int ss, float[] d, int dofs, int dss, int n, float bias) {
    for (int t = 0; t < n; t++) {
      float m0 = s[so + t];
      float m1 = s[so + ss + t];
      float m2 = s[so + 2 * ss + t];
      float m3 = s[so + 3 * ss + t];
      float m4 = s[so + 4 * ss + t];
      float m5 = s[so + 5 * ss + t];
      float sp = m1 + m2;
      float sm = m1 - m2;
      float tp = m3 + m4;
      float tm = m3 - m4;
      d[dofs + t] = m0 + sp + tp + bias;
      d[dofs + dss + t] = sm + 2f * tm + bias;
      d[dofs + 2 * dss + t] = sp + 4f * tp + bias;
      d[dofs + 3 * dss + t] = sm + 8f * tm + m5 + bias;
    }
  }

  void a(float[] s, int so, int ss, float[] d, int dofs, int dss, int n) {
    for (int t = 0; t < n; t++) {
      float g0 = s[so + t];
      float g1 = s[so + ss + t];
      float g2 = s[so + 2 * ss + t];
      float g3 = s[so + 3 * ss + t];
      float ep = g0 + g2;
      float op = g1 + g3;
      float e4 = g0 + 4f * g2;
      float o8 = 2f * g1 + 8f * g3;
      d[dofs + t] = g0;
      d[dofs + dss + t] = ep + op;
      d[dofs + 2 * dss + t] = ep - op;
      d[dofs + 3 * dss + t] = e4 + o8;
      d[dofs + 4 * dss + t] = e4 - o8;
      d[dofs + 5 * dss + t] = g3;
    }
  }

  void b(float[] s, int so, int ss, float[] d, int dofs, int dss, int n, boolean add) {
    for (int t = 0; t < n; t++) {
      float m0 = s[so + t];
      float m1 = s[so + ss + t];
      float m2 = s[so + 2 * ss + t];
      float m3 = s[so + 3 * ss + t];
      float m4 = s[so + 4 * ss + t];
      float m5 = s[so + 5 * ss + t];
      float dm = m2 - m1;
      float dn = m3 - m4;
      float p0 = 4f * m0;
      float p1 = 4f * (dm + m5) - 2f * dn;
      float p2 = -5f * m0 - 4f * (m1 + m2) - (m3 + m4);
      float p3 = 2f * dn - dm - 5f * m5;
      float p4 = m0 + (m1 + m2) + (m3 + m4);
      if (add) {
        d[dofs + t] += p0;
        d[dofs + dss + t] += p1;
        d[dofs + 2 * dss + t] += p2;
        d[dofs + 3 * dss + t] += p3;
        d[dofs + 4 * dss + t] += p4;
        d[dofs + 5 * dss + t] += m5;
      } else {
        d[dofs + t] = p0;
        d[dofs + dss + t] = p1;
        d[dofs + 2 * dss + t] = p2;
        d[dofs + 3 * dss + t] = p3;
        d[dofs + 4 * dss + t] = p4;
        d[dofs + 5 * dss + t] = m5;
      }
    }
  }
}
