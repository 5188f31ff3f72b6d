package org.jgrad.backend.cpu.kernels;

import static org.jgrad.backend.cpu.kernels.VectorLanes.DUP_HI;
import static org.jgrad.backend.cpu.kernels.VectorLanes.DUP_LO;
import static org.jgrad.backend.cpu.kernels.VectorLanes.ODD_LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API micro-kernels: an {@code mr x (2 vectors)} tile held in accumulator registers, one FMA
 * per broadcast A value and B vector. With 512-bit vectors (AVX-512, 32 registers) the tile is 8x32
 * (16 accumulators); with narrower vectors, where x86 has only 16 registers, it is 6 x (2 vectors).
 *
 * <p>Hazard: this is the only class that links against {@code jdk.incubator.vector}. {@link Gemm}
 * loads it by name, and only when that module is in the boot layer; nothing else may refer to it
 * directly, or the scalar fallback breaks for users without {@code --add-modules
 * jdk.incubator.vector}.
 *
 * <p>Hazard: the accumulators must never be passed to another method. C2 does not always inline
 * such a method and then boxes the vectors inside the hot loop (seen: 14 GB/s of garbage, 7x
 * slower). So each tile method is one straight piece of code, full tiles update C from registers,
 * and edge tiles go through a scratch array.
 */
final class VectorSgemmKernel extends SgemmKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final int NR2 = 2 * L;

  /** The first mr lanes, for copying one column of a column-major A micro-panel. */
  private final VectorMask<Float> rowMask;

  private VectorSgemmKernel(int mr) {
    super(mr, NR2, "vector-" + mr + "x" + NR2);
    rowMask = S.indexInRange(0, Math.min(mr, L));
  }

  @Override
  void packAPanel(float[] a, int src, int rsA, int csA, int rows, int kc, float[] dst, int base) {
    if (rows != mr) {
      super.packAPanel(a, src, rsA, csA, rows, kc, dst, base);
      return;
    }
    if (rsA == 1 && mr <= L) {
      // Column-major A (e.g. the transposed operand of a weight gradient): each column's mr values
      // are contiguous, one masked copy per column.
      VectorMask<Float> m = rowMask;
      for (int p = 0, s = src, d = base; p < kc; p++, s += csA, d += mr) {
        FloatVector.fromArray(S, a, s, m).intoArray(dst, d, m);
      }
      return;
    }
    if (csA == 1 && mr == 8 && L == 16) {
      // Row-major A (e.g. a batch of activations): 8 x 16 blocks transposed in registers. The
      // scalar loop took 5-7 us per 64 x 256 A, about a tenth of that product's multiply; this
      // takes about 2 us (a staged gather, as in packBTransposed, had measured no faster than
      // scalar).
      int q = 0;
      for (; q + L <= kc; q += L) {
        transpose8x16(a, src + q, rsA, dst, base + q * mr);
      }
      if (q < kc) {
        super.packAPanel(a, src + q, rsA, csA, rows, kc - q, dst, base + q * mr);
      }
      return;
    }
    super.packAPanel(a, src, rsA, csA, rows, kc, dst, base);
  }

  /**
   * Transposes 8 rows of 16 values ({@code a[s + r*rs + p]}) into 16 groups of 8 at {@code dst[d +
   * p*8 + r]}. Seen as a 7-bit index (3 row bits, 4 column bits), each zip round of rows r and r+4
   * into rows 2r and 2r+1 rotates the index left by one bit, so three rounds move the row bits
   * below the column bits: the packed layout, eight contiguous vectors. Each zip is written in
   * {@link VectorLanes}' two-permutes-and-a-blend form, not as {@code x.rearrange(shuffle, y)} (see
   * there why).
   */
  private static void transpose8x16(float[] a, int s, int rs, float[] dst, int d) {
    FloatVector x0 = FloatVector.fromArray(S, a, s);
    FloatVector x1 = FloatVector.fromArray(S, a, s + rs);
    FloatVector x2 = FloatVector.fromArray(S, a, s + 2 * rs);
    FloatVector x3 = FloatVector.fromArray(S, a, s + 3 * rs);
    FloatVector x4 = FloatVector.fromArray(S, a, s + 4 * rs);
    FloatVector x5 = FloatVector.fromArray(S, a, s + 5 * rs);
    FloatVector x6 = FloatVector.fromArray(S, a, s + 6 * rs);
    FloatVector x7 = FloatVector.fromArray(S, a, s + 7 * rs);
    for (int round = 0; round < 3; round++) {
      FloatVector y0 = x0.rearrange(DUP_LO).blend(x4.rearrange(DUP_LO), ODD_LANES);
      FloatVector y1 = x0.rearrange(DUP_HI).blend(x4.rearrange(DUP_HI), ODD_LANES);
      FloatVector y2 = x1.rearrange(DUP_LO).blend(x5.rearrange(DUP_LO), ODD_LANES);
      FloatVector y3 = x1.rearrange(DUP_HI).blend(x5.rearrange(DUP_HI), ODD_LANES);
      FloatVector y4 = x2.rearrange(DUP_LO).blend(x6.rearrange(DUP_LO), ODD_LANES);
      FloatVector y5 = x2.rearrange(DUP_HI).blend(x6.rearrange(DUP_HI), ODD_LANES);
      FloatVector y6 = x3.rearrange(DUP_LO).blend(x7.rearrange(DUP_LO), ODD_LANES);
      FloatVector y7 = x3.rearrange(DUP_HI).blend(x7.rearrange(DUP_HI), ODD_LANES);
      x0 = y0;
      x1 = y1;
      x2 = y2;
      x3 = y3;
      x4 = y4;
      x5 = y5;
      x6 = y6;
      x7 = y7;
    }
    x0.intoArray(dst, d);
    x1.intoArray(dst, d + L);
    x2.intoArray(dst, d + 2 * L);
    x3.intoArray(dst, d + 3 * L);
    x4.intoArray(dst, d + 4 * L);
    x5.intoArray(dst, d + 5 * L);
    x6.intoArray(dst, d + 6 * L);
    x7.intoArray(dst, d + 7 * L);
  }

  /** The variant for this machine's preferred vector size (called reflectively by {@link Gemm}). */
  static SgemmKernel create() {
    return new VectorSgemmKernel(S.vectorBitSize() >= 512 ? 8 : 6);
  }

  /**
   * The preferred species in words, e.g. {@code Species[float, 16, S_512_BIT]} (called reflectively
   * by {@link Gemm}).
   */
  static String species() {
    return S.toString();
  }

  /** Every variant, for tests. */
  static SgemmKernel[] variants() {
    return new SgemmKernel[] {new VectorSgemmKernel(6), new VectorSgemmKernel(8)};
  }

  @Override
  void packBTransposed(
      float[] b, int src, int rsB, int csB, int k, int cols, float[] dst, int base) {
    if (cols != NR2 || rsB != 1) {
      super.packBTransposed(b, src, rsB, csB, k, cols, dst, base);
      return;
    }
    // Stage L values of each of the nr source rows in a contiguous block, then gather panel rows
    // from it.
    // Gathering straight from the source touches nr rows at once; when its stride is a multiple of
    // 4 KiB
    // (e.g. im2col rows of 32x32 images) they all fall in one L1 set and every load misses (seen:
    // the
    // packing took 1.75x the multiply).
    int q = 0;
    if (L == 16) {
      for (; q + L <= k; q += L) {
        transpose16(b, src + q, csB, dst, base + q * NR2, NR2);
        transpose16(b, src + L * csB + q, csB, dst, base + q * NR2 + L, NR2);
      }
    }
    float[] stage = STAGE.get();
    int[] map = GATHER_MAP;
    for (; q + L <= k; q += L) {
      for (int j = 0; j < NR2; j++) {
        FloatVector.fromArray(S, b, src + j * csB + q).intoArray(stage, j * L);
      }
      for (int p = 0; p < L; p++) {
        int d = base + (q + p) * NR2;
        FloatVector.fromArray(S, stage, p, map, 0).intoArray(dst, d);
        FloatVector.fromArray(S, stage, p + L * L, map, 0).intoArray(dst, d + L);
      }
    }
    if (q < k) {
      super.packBTransposed(b, src + q, rsB, csB, k - q, cols, dst, base + q * NR2);
    }
  }

  /**
   * Transposes a 16 x 16 block in registers: row j (from {@code b[s + j*csB]}, 16 contiguous
   * values) becomes column j of the 16 rows {@code dst[d + p*ds]} (also used by {@code
   * VectorWinograd4Planes}; only for 16 lanes). Four rounds pair row r with row r+8 and interleave
   * them (zip low halves into row 2r, high halves into row 2r+1); after log2(16) rounds every value
   * sits at its transposed place. The staged gather it replaces measured 0.65 ns per value, no
   * better than scalar code; gathers are slow on this class of CPU.
   */
  static void transpose16(float[] b, int s, int csB, float[] dst, int d, int ds) {
    // 16 x 16 block: rows j (columns of B) to rows p, in four rounds of zips (row r with r+8).
    FloatVector x0 = FloatVector.fromArray(S, b, s);
    FloatVector x1 = FloatVector.fromArray(S, b, s + 1 * csB);
    FloatVector x2 = FloatVector.fromArray(S, b, s + 2 * csB);
    FloatVector x3 = FloatVector.fromArray(S, b, s + 3 * csB);
    FloatVector x4 = FloatVector.fromArray(S, b, s + 4 * csB);
    FloatVector x5 = FloatVector.fromArray(S, b, s + 5 * csB);
    FloatVector x6 = FloatVector.fromArray(S, b, s + 6 * csB);
    FloatVector x7 = FloatVector.fromArray(S, b, s + 7 * csB);
    FloatVector x8 = FloatVector.fromArray(S, b, s + 8 * csB);
    FloatVector x9 = FloatVector.fromArray(S, b, s + 9 * csB);
    FloatVector x10 = FloatVector.fromArray(S, b, s + 10 * csB);
    FloatVector x11 = FloatVector.fromArray(S, b, s + 11 * csB);
    FloatVector x12 = FloatVector.fromArray(S, b, s + 12 * csB);
    FloatVector x13 = FloatVector.fromArray(S, b, s + 13 * csB);
    FloatVector x14 = FloatVector.fromArray(S, b, s + 14 * csB);
    FloatVector x15 = FloatVector.fromArray(S, b, s + 15 * csB);
    FloatVector y0 = x0.rearrange(DUP_LO).blend(x8.rearrange(DUP_LO), ODD_LANES);
    FloatVector y1 = x0.rearrange(DUP_HI).blend(x8.rearrange(DUP_HI), ODD_LANES);
    FloatVector y2 = x1.rearrange(DUP_LO).blend(x9.rearrange(DUP_LO), ODD_LANES);
    FloatVector y3 = x1.rearrange(DUP_HI).blend(x9.rearrange(DUP_HI), ODD_LANES);
    FloatVector y4 = x2.rearrange(DUP_LO).blend(x10.rearrange(DUP_LO), ODD_LANES);
    FloatVector y5 = x2.rearrange(DUP_HI).blend(x10.rearrange(DUP_HI), ODD_LANES);
    FloatVector y6 = x3.rearrange(DUP_LO).blend(x11.rearrange(DUP_LO), ODD_LANES);
    FloatVector y7 = x3.rearrange(DUP_HI).blend(x11.rearrange(DUP_HI), ODD_LANES);
    FloatVector y8 = x4.rearrange(DUP_LO).blend(x12.rearrange(DUP_LO), ODD_LANES);
    FloatVector y9 = x4.rearrange(DUP_HI).blend(x12.rearrange(DUP_HI), ODD_LANES);
    FloatVector y10 = x5.rearrange(DUP_LO).blend(x13.rearrange(DUP_LO), ODD_LANES);
    FloatVector y11 = x5.rearrange(DUP_HI).blend(x13.rearrange(DUP_HI), ODD_LANES);
    FloatVector y12 = x6.rearrange(DUP_LO).blend(x14.rearrange(DUP_LO), ODD_LANES);
    FloatVector y13 = x6.rearrange(DUP_HI).blend(x14.rearrange(DUP_HI), ODD_LANES);
    FloatVector y14 = x7.rearrange(DUP_LO).blend(x15.rearrange(DUP_LO), ODD_LANES);
    FloatVector y15 = x7.rearrange(DUP_HI).blend(x15.rearrange(DUP_HI), ODD_LANES);
    x0 = y0.rearrange(DUP_LO).blend(y8.rearrange(DUP_LO), ODD_LANES);
    x1 = y0.rearrange(DUP_HI).blend(y8.rearrange(DUP_HI), ODD_LANES);
    x2 = y1.rearrange(DUP_LO).blend(y9.rearrange(DUP_LO), ODD_LANES);
    x3 = y1.rearrange(DUP_HI).blend(y9.rearrange(DUP_HI), ODD_LANES);
    x4 = y2.rearrange(DUP_LO).blend(y10.rearrange(DUP_LO), ODD_LANES);
    x5 = y2.rearrange(DUP_HI).blend(y10.rearrange(DUP_HI), ODD_LANES);
    x6 = y3.rearrange(DUP_LO).blend(y11.rearrange(DUP_LO), ODD_LANES);
    x7 = y3.rearrange(DUP_HI).blend(y11.rearrange(DUP_HI), ODD_LANES);
    x8 = y4.rearrange(DUP_LO).blend(y12.rearrange(DUP_LO), ODD_LANES);
    x9 = y4.rearrange(DUP_HI).blend(y12.rearrange(DUP_HI), ODD_LANES);
    x10 = y5.rearrange(DUP_LO).blend(y13.rearrange(DUP_LO), ODD_LANES);
    x11 = y5.rearrange(DUP_HI).blend(y13.rearrange(DUP_HI), ODD_LANES);
    x12 = y6.rearrange(DUP_LO).blend(y14.rearrange(DUP_LO), ODD_LANES);
    x13 = y6.rearrange(DUP_HI).blend(y14.rearrange(DUP_HI), ODD_LANES);
    x14 = y7.rearrange(DUP_LO).blend(y15.rearrange(DUP_LO), ODD_LANES);
    x15 = y7.rearrange(DUP_HI).blend(y15.rearrange(DUP_HI), ODD_LANES);
    y0 = x0.rearrange(DUP_LO).blend(x8.rearrange(DUP_LO), ODD_LANES);
    y1 = x0.rearrange(DUP_HI).blend(x8.rearrange(DUP_HI), ODD_LANES);
    y2 = x1.rearrange(DUP_LO).blend(x9.rearrange(DUP_LO), ODD_LANES);
    y3 = x1.rearrange(DUP_HI).blend(x9.rearrange(DUP_HI), ODD_LANES);
    y4 = x2.rearrange(DUP_LO).blend(x10.rearrange(DUP_LO), ODD_LANES);
    y5 = x2.rearrange(DUP_HI).blend(x10.rearrange(DUP_HI), ODD_LANES);
    y6 = x3.rearrange(DUP_LO).blend(x11.rearrange(DUP_LO), ODD_LANES);
    y7 = x3.rearrange(DUP_HI).blend(x11.rearrange(DUP_HI), ODD_LANES);
    y8 = x4.rearrange(DUP_LO).blend(x12.rearrange(DUP_LO), ODD_LANES);
    y9 = x4.rearrange(DUP_HI).blend(x12.rearrange(DUP_HI), ODD_LANES);
    y10 = x5.rearrange(DUP_LO).blend(x13.rearrange(DUP_LO), ODD_LANES);
    y11 = x5.rearrange(DUP_HI).blend(x13.rearrange(DUP_HI), ODD_LANES);
    y12 = x6.rearrange(DUP_LO).blend(x14.rearrange(DUP_LO), ODD_LANES);
    y13 = x6.rearrange(DUP_HI).blend(x14.rearrange(DUP_HI), ODD_LANES);
    y14 = x7.rearrange(DUP_LO).blend(x15.rearrange(DUP_LO), ODD_LANES);
    y15 = x7.rearrange(DUP_HI).blend(x15.rearrange(DUP_HI), ODD_LANES);
    x0 = y0.rearrange(DUP_LO).blend(y8.rearrange(DUP_LO), ODD_LANES);
    x1 = y0.rearrange(DUP_HI).blend(y8.rearrange(DUP_HI), ODD_LANES);
    x2 = y1.rearrange(DUP_LO).blend(y9.rearrange(DUP_LO), ODD_LANES);
    x3 = y1.rearrange(DUP_HI).blend(y9.rearrange(DUP_HI), ODD_LANES);
    x4 = y2.rearrange(DUP_LO).blend(y10.rearrange(DUP_LO), ODD_LANES);
    x5 = y2.rearrange(DUP_HI).blend(y10.rearrange(DUP_HI), ODD_LANES);
    x6 = y3.rearrange(DUP_LO).blend(y11.rearrange(DUP_LO), ODD_LANES);
    x7 = y3.rearrange(DUP_HI).blend(y11.rearrange(DUP_HI), ODD_LANES);
    x8 = y4.rearrange(DUP_LO).blend(y12.rearrange(DUP_LO), ODD_LANES);
    x9 = y4.rearrange(DUP_HI).blend(y12.rearrange(DUP_HI), ODD_LANES);
    x10 = y5.rearrange(DUP_LO).blend(y13.rearrange(DUP_LO), ODD_LANES);
    x11 = y5.rearrange(DUP_HI).blend(y13.rearrange(DUP_HI), ODD_LANES);
    x12 = y6.rearrange(DUP_LO).blend(y14.rearrange(DUP_LO), ODD_LANES);
    x13 = y6.rearrange(DUP_HI).blend(y14.rearrange(DUP_HI), ODD_LANES);
    x14 = y7.rearrange(DUP_LO).blend(y15.rearrange(DUP_LO), ODD_LANES);
    x15 = y7.rearrange(DUP_HI).blend(y15.rearrange(DUP_HI), ODD_LANES);
    x0.intoArray(dst, d + 0 * ds);
    x1.intoArray(dst, d + 1 * ds);
    x2.intoArray(dst, d + 2 * ds);
    x3.intoArray(dst, d + 3 * ds);
    x4.intoArray(dst, d + 4 * ds);
    x5.intoArray(dst, d + 5 * ds);
    x6.intoArray(dst, d + 6 * ds);
    x7.intoArray(dst, d + 7 * ds);
    x8.intoArray(dst, d + 8 * ds);
    x9.intoArray(dst, d + 9 * ds);
    x10.intoArray(dst, d + 10 * ds);
    x11.intoArray(dst, d + 11 * ds);
    x12.intoArray(dst, d + 12 * ds);
    x13.intoArray(dst, d + 13 * ds);
    x14.intoArray(dst, d + 14 * ds);
    x15.intoArray(dst, d + 15 * ds);
  }

  @Override
  void packBRows(float[] b, int src, int rsB, int k, float[] dst, int base) {
    for (int p = 0; p < k; p++) {
      int s = src + p * rsB;
      int d = base + p * NR2;
      FloatVector.fromArray(S, b, s).intoArray(dst, d);
      FloatVector.fromArray(S, b, s + L).intoArray(dst, d + L);
    }
  }

  @Override
  void rowDots(
      float[] a,
      int aOff,
      int aRows,
      int lda,
      float[] b,
      int bOff,
      int bRows,
      int ldb,
      int len,
      boolean accumulate,
      float[] c,
      int cOff) {
    // Two rows of a against up to four rows of b at a time: eight independent sums (four left
    // each loop iteration waiting on the previous FMA's latency: 0.67 against 0.45 ms for the
    // CNN's first-layer weight gradient). Each sum is the one-row loop's: same bits.
    int bound = S.loopBound(len);
    for (int r = 0; r < aRows; r += 2) {
      int ar = aOff + r * lda, ar1 = aOff + Math.min(r + 1, aRows - 1) * lda;
      boolean pair = r + 1 < aRows;
      for (int k0 = 0; k0 < bRows; k0 += 4) {
        int kn = Math.min(4, bRows - k0);
        int b0 = bOff + k0 * ldb;
        int b1 = bOff + Math.min(k0 + 1, bRows - 1) * ldb;
        int b2 = bOff + Math.min(k0 + 2, bRows - 1) * ldb;
        int b3 = bOff + Math.min(k0 + 3, bRows - 1) * ldb;
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        FloatVector u0 = FloatVector.zero(S), u1 = FloatVector.zero(S);
        FloatVector u2 = FloatVector.zero(S), u3 = FloatVector.zero(S);
        int j = 0;
        for (; j < bound; j += L) {
          FloatVector av = FloatVector.fromArray(S, a, ar + j);
          FloatVector aw = FloatVector.fromArray(S, a, ar1 + j);
          FloatVector v0 = FloatVector.fromArray(S, b, b0 + j);
          FloatVector v1 = FloatVector.fromArray(S, b, b1 + j);
          FloatVector v2 = FloatVector.fromArray(S, b, b2 + j);
          FloatVector v3 = FloatVector.fromArray(S, b, b3 + j);
          s0 = av.fma(v0, s0);
          s1 = av.fma(v1, s1);
          s2 = av.fma(v2, s2);
          s3 = av.fma(v3, s3);
          u0 = aw.fma(v0, u0);
          u1 = aw.fma(v1, u1);
          u2 = aw.fma(v2, u2);
          u3 = aw.fma(v3, u3);
        }
        float t0 = s0.reduceLanes(VectorOperators.ADD);
        float t1 = s1.reduceLanes(VectorOperators.ADD);
        float t2 = s2.reduceLanes(VectorOperators.ADD);
        float t3 = s3.reduceLanes(VectorOperators.ADD);
        float w0 = u0.reduceLanes(VectorOperators.ADD);
        float w1 = u1.reduceLanes(VectorOperators.ADD);
        float w2 = u2.reduceLanes(VectorOperators.ADD);
        float w3 = u3.reduceLanes(VectorOperators.ADD);
        for (; j < len; j++) {
          float x = a[ar + j], y = a[ar1 + j];
          float c0 = b[b0 + j], c1 = b[b1 + j], c2 = b[b2 + j], c3 = b[b3 + j];
          t0 = Math.fma(x, c0, t0);
          t1 = Math.fma(x, c1, t1);
          t2 = Math.fma(x, c2, t2);
          t3 = Math.fma(x, c3, t3);
          w0 = Math.fma(y, c0, w0);
          w1 = Math.fma(y, c1, w1);
          w2 = Math.fma(y, c2, w2);
          w3 = Math.fma(y, c3, w3);
        }
        storeDots(c, cOff + r * bRows + k0, kn, accumulate, t0, t1, t2, t3);
        if (pair) storeDots(c, cOff + (r + 1) * bRows + k0, kn, accumulate, w0, w1, w2, w3);
      }
    }
  }

  /** The first {@code kn} of four dot products into {@code c[ci..]}, added or overwriting. */
  private static void storeDots(
      float[] c, int ci, int kn, boolean accumulate, float t0, float t1, float t2, float t3) {
    c[ci] = accumulate ? c[ci] + t0 : t0;
    if (kn > 1) c[ci + 1] = accumulate ? c[ci + 1] + t1 : t1;
    if (kn > 2) c[ci + 2] = accumulate ? c[ci + 2] + t2 : t2;
    if (kn > 3) c[ci + 3] = accumulate ? c[ci + 3] + t3 : t3;
  }

  @Override
  void addInto(float[] dst, int d, float[] src, int s, int len) {
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(S, dst, d + i)
          .add(FloatVector.fromArray(S, src, s + i))
          .intoArray(dst, d + i);
    }
    if (i < len) {
      // Masked tail: im2col rows of small images are shorter than one vector.
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector.fromArray(S, dst, d + i, m)
          .add(FloatVector.fromArray(S, src, s + i, m))
          .intoArray(dst, d + i, m);
    }
  }

  @Override
  void copy(float[] src, int s, float[] dst, int d, int len) {
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(S, src, s + i).intoArray(dst, d + i);
    }
    if (i < len) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector.fromArray(S, src, s + i, m).intoArray(dst, d + i, m);
    }
  }

  private static final ThreadLocal<float[]> STAGE =
      ThreadLocal.withInitial(() -> new float[NR2 * L]);

  /** Lane i reads stage row i: {0, L, 2L, ...}. */
  private static final int[] GATHER_MAP = new int[L];

  static {
    for (int i = 0; i < L; i++) {
      GATHER_MAP[i] = i * L;
    }
  }

  @Override
  void kernel(
      int kc,
      float[] ap,
      int ai,
      float[] bp,
      int bi,
      float alpha,
      float beta,
      float[] c,
      int ci,
      int rsC,
      int csC,
      int mEff,
      int nEff,
      float[] scratch) {
    boolean full = csC == 1 && mEff == mr && nEff == NR2;
    boolean stored =
        mr == 8
            ? kernel8x2(kc, ap, ai, bp, bi, alpha, beta, c, ci, rsC, full, scratch)
            : kernel6x2(kc, ap, ai, bp, bi, alpha, beta, c, ci, rsC, full, scratch);
    if (stored) {
      return;
    }
    // Edge tiles and strided C, lane by lane with the same formulas as the vector stores (fma is
    // exactly
    // rounded either way), so a value does not depend on whether its tile was full.
    for (int r = 0; r < mEff; r++) {
      for (int j = 0; j < nEff; j++) {
        int idx = ci + r * rsC + j * csC;
        float acc = scratch[r * NR2 + j];
        if (beta == 0f) {
          c[idx] = acc * alpha;
        } else if (beta == 1f) {
          c[idx] = Math.fma(acc, alpha, c[idx]);
        } else {
          c[idx] = Math.fma(acc, alpha, c[idx] * beta);
        }
      }
    }
  }

  /** The 6-row tile; returns false when it left the tile in scratch for the caller's edge store. */
  private static boolean kernel6x2(
      int kc,
      float[] ap,
      int ai,
      float[] bp,
      int bi,
      float alpha,
      float beta,
      float[] c,
      int ci,
      int rsC,
      boolean full,
      float[] scratch) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    int a = ai;
    int b = bi;
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, bp, b);
      FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
      FloatVector av = FloatVector.broadcast(S, ap[a]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, ap[a + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, ap[a + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, ap[a + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(S, ap[a + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(S, ap[a + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      a += 6;
      b += 2 * L;
    }
    if (full) {
      FloatVector al = FloatVector.broadcast(S, alpha);
      if (beta == 0f) {
        c00.mul(al).intoArray(c, ci);
        c01.mul(al).intoArray(c, ci + L);
        c10.mul(al).intoArray(c, ci + rsC);
        c11.mul(al).intoArray(c, ci + rsC + L);
        c20.mul(al).intoArray(c, ci + 2 * rsC);
        c21.mul(al).intoArray(c, ci + 2 * rsC + L);
        c30.mul(al).intoArray(c, ci + 3 * rsC);
        c31.mul(al).intoArray(c, ci + 3 * rsC + L);
        c40.mul(al).intoArray(c, ci + 4 * rsC);
        c41.mul(al).intoArray(c, ci + 4 * rsC + L);
        c50.mul(al).intoArray(c, ci + 5 * rsC);
        c51.mul(al).intoArray(c, ci + 5 * rsC + L);
      } else {
        // All loads before any store: C rows are often 4 KiB apart, and a load right behind a
        // store to an address with the same low bits can stall on a false dependency.
        FloatVector d00 = FloatVector.fromArray(S, c, ci),
            d01 = FloatVector.fromArray(S, c, ci + L);
        FloatVector d10 = FloatVector.fromArray(S, c, ci + rsC),
            d11 = FloatVector.fromArray(S, c, ci + rsC + L);
        FloatVector d20 = FloatVector.fromArray(S, c, ci + 2 * rsC),
            d21 = FloatVector.fromArray(S, c, ci + 2 * rsC + L);
        FloatVector d30 = FloatVector.fromArray(S, c, ci + 3 * rsC),
            d31 = FloatVector.fromArray(S, c, ci + 3 * rsC + L);
        FloatVector d40 = FloatVector.fromArray(S, c, ci + 4 * rsC),
            d41 = FloatVector.fromArray(S, c, ci + 4 * rsC + L);
        FloatVector d50 = FloatVector.fromArray(S, c, ci + 5 * rsC),
            d51 = FloatVector.fromArray(S, c, ci + 5 * rsC + L);
        if (beta != 1f) {
          d00 = d00.mul(beta);
          d01 = d01.mul(beta);
          d10 = d10.mul(beta);
          d11 = d11.mul(beta);
          d20 = d20.mul(beta);
          d21 = d21.mul(beta);
          d30 = d30.mul(beta);
          d31 = d31.mul(beta);
          d40 = d40.mul(beta);
          d41 = d41.mul(beta);
          d50 = d50.mul(beta);
          d51 = d51.mul(beta);
        }
        c00.fma(al, d00).intoArray(c, ci);
        c01.fma(al, d01).intoArray(c, ci + L);
        c10.fma(al, d10).intoArray(c, ci + rsC);
        c11.fma(al, d11).intoArray(c, ci + rsC + L);
        c20.fma(al, d20).intoArray(c, ci + 2 * rsC);
        c21.fma(al, d21).intoArray(c, ci + 2 * rsC + L);
        c30.fma(al, d30).intoArray(c, ci + 3 * rsC);
        c31.fma(al, d31).intoArray(c, ci + 3 * rsC + L);
        c40.fma(al, d40).intoArray(c, ci + 4 * rsC);
        c41.fma(al, d41).intoArray(c, ci + 4 * rsC + L);
        c50.fma(al, d50).intoArray(c, ci + 5 * rsC);
        c51.fma(al, d51).intoArray(c, ci + 5 * rsC + L);
      }
      return true;
    }
    c00.intoArray(scratch, 0);
    c01.intoArray(scratch, L);
    c10.intoArray(scratch, 1 * NR2);
    c11.intoArray(scratch, 1 * NR2 + L);
    c20.intoArray(scratch, 2 * NR2);
    c21.intoArray(scratch, 2 * NR2 + L);
    c30.intoArray(scratch, 3 * NR2);
    c31.intoArray(scratch, 3 * NR2 + L);
    c40.intoArray(scratch, 4 * NR2);
    c41.intoArray(scratch, 4 * NR2 + L);
    c50.intoArray(scratch, 5 * NR2);
    c51.intoArray(scratch, 5 * NR2 + L);
    return false;
  }

  /** The 8-row tile; returns false when it left the tile in scratch for the caller's edge store. */
  private static boolean kernel8x2(
      int kc,
      float[] ap,
      int ai,
      float[] bp,
      int bi,
      float alpha,
      float beta,
      float[] c,
      int ci,
      int rsC,
      boolean full,
      float[] scratch) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    int a = ai;
    int b = bi;
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, bp, b);
      FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
      FloatVector av = FloatVector.broadcast(S, ap[a]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, ap[a + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, ap[a + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, ap[a + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(S, ap[a + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(S, ap[a + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(S, ap[a + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(S, ap[a + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
      a += 8;
      b += 2 * L;
    }
    if (full) {
      FloatVector al = FloatVector.broadcast(S, alpha);
      if (beta == 0f) {
        c00.mul(al).intoArray(c, ci);
        c01.mul(al).intoArray(c, ci + L);
        c10.mul(al).intoArray(c, ci + rsC);
        c11.mul(al).intoArray(c, ci + rsC + L);
        c20.mul(al).intoArray(c, ci + 2 * rsC);
        c21.mul(al).intoArray(c, ci + 2 * rsC + L);
        c30.mul(al).intoArray(c, ci + 3 * rsC);
        c31.mul(al).intoArray(c, ci + 3 * rsC + L);
        c40.mul(al).intoArray(c, ci + 4 * rsC);
        c41.mul(al).intoArray(c, ci + 4 * rsC + L);
        c50.mul(al).intoArray(c, ci + 5 * rsC);
        c51.mul(al).intoArray(c, ci + 5 * rsC + L);
        c60.mul(al).intoArray(c, ci + 6 * rsC);
        c61.mul(al).intoArray(c, ci + 6 * rsC + L);
        c70.mul(al).intoArray(c, ci + 7 * rsC);
        c71.mul(al).intoArray(c, ci + 7 * rsC + L);
      } else {
        // All loads before any store: C rows are often 4 KiB apart, and a load right behind a
        // store to an address with the same low bits can stall on a false dependency.
        FloatVector d00 = FloatVector.fromArray(S, c, ci),
            d01 = FloatVector.fromArray(S, c, ci + L);
        FloatVector d10 = FloatVector.fromArray(S, c, ci + rsC),
            d11 = FloatVector.fromArray(S, c, ci + rsC + L);
        FloatVector d20 = FloatVector.fromArray(S, c, ci + 2 * rsC),
            d21 = FloatVector.fromArray(S, c, ci + 2 * rsC + L);
        FloatVector d30 = FloatVector.fromArray(S, c, ci + 3 * rsC),
            d31 = FloatVector.fromArray(S, c, ci + 3 * rsC + L);
        FloatVector d40 = FloatVector.fromArray(S, c, ci + 4 * rsC),
            d41 = FloatVector.fromArray(S, c, ci + 4 * rsC + L);
        FloatVector d50 = FloatVector.fromArray(S, c, ci + 5 * rsC),
            d51 = FloatVector.fromArray(S, c, ci + 5 * rsC + L);
        FloatVector d60 = FloatVector.fromArray(S, c, ci + 6 * rsC),
            d61 = FloatVector.fromArray(S, c, ci + 6 * rsC + L);
        FloatVector d70 = FloatVector.fromArray(S, c, ci + 7 * rsC),
            d71 = FloatVector.fromArray(S, c, ci + 7 * rsC + L);
        if (beta != 1f) {
          d00 = d00.mul(beta);
          d01 = d01.mul(beta);
          d10 = d10.mul(beta);
          d11 = d11.mul(beta);
          d20 = d20.mul(beta);
          d21 = d21.mul(beta);
          d30 = d30.mul(beta);
          d31 = d31.mul(beta);
          d40 = d40.mul(beta);
          d41 = d41.mul(beta);
          d50 = d50.mul(beta);
          d51 = d51.mul(beta);
          d60 = d60.mul(beta);
          d61 = d61.mul(beta);
          d70 = d70.mul(beta);
          d71 = d71.mul(beta);
        }
        c00.fma(al, d00).intoArray(c, ci);
        c01.fma(al, d01).intoArray(c, ci + L);
        c10.fma(al, d10).intoArray(c, ci + rsC);
        c11.fma(al, d11).intoArray(c, ci + rsC + L);
        c20.fma(al, d20).intoArray(c, ci + 2 * rsC);
        c21.fma(al, d21).intoArray(c, ci + 2 * rsC + L);
        c30.fma(al, d30).intoArray(c, ci + 3 * rsC);
        c31.fma(al, d31).intoArray(c, ci + 3 * rsC + L);
        c40.fma(al, d40).intoArray(c, ci + 4 * rsC);
        c41.fma(al, d41).intoArray(c, ci + 4 * rsC + L);
        c50.fma(al, d50).intoArray(c, ci + 5 * rsC);
        c51.fma(al, d51).intoArray(c, ci + 5 * rsC + L);
        c60.fma(al, d60).intoArray(c, ci + 6 * rsC);
        c61.fma(al, d61).intoArray(c, ci + 6 * rsC + L);
        c70.fma(al, d70).intoArray(c, ci + 7 * rsC);
        c71.fma(al, d71).intoArray(c, ci + 7 * rsC + L);
      }
      return true;
    }
    c00.intoArray(scratch, 0);
    c01.intoArray(scratch, L);
    c10.intoArray(scratch, 1 * NR2);
    c11.intoArray(scratch, 1 * NR2 + L);
    c20.intoArray(scratch, 2 * NR2);
    c21.intoArray(scratch, 2 * NR2 + L);
    c30.intoArray(scratch, 3 * NR2);
    c31.intoArray(scratch, 3 * NR2 + L);
    c40.intoArray(scratch, 4 * NR2);
    c41.intoArray(scratch, 4 * NR2 + L);
    c50.intoArray(scratch, 5 * NR2);
    c51.intoArray(scratch, 5 * NR2 + L);
    c60.intoArray(scratch, 6 * NR2);
    c61.intoArray(scratch, 6 * NR2 + L);
    c70.intoArray(scratch, 7 * NR2);
    c71.intoArray(scratch, 7 * NR2 + L);
    return false;
  }
}
