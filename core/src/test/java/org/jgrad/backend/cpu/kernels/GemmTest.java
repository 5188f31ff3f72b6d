package org.jgrad.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks every GEMM path against a naive triple loop in double. The tolerance is the standard
 * rigorous bound for a float dot product of length k, (k + 3) u (|alpha| sum |a||b| + |beta c|)
 * with u = 2^-24, so a wrong index or a lost block shows up as an error of the size of the values
 * themselves.
 */
class GemmTest {
  private static final double U = Math.scalb(1.0, -24);

  /**
   * The kernels this JVM can run: scalar always, every vector variant when the module is present.
   */
  static List<SgemmKernel> kernels() {
    List<SgemmKernel> ks = new ArrayList<>();
    ks.add(Gemm.scalarKernel());
    ks.addAll(Arrays.asList(Gemm.vectorKernelVariants()));
    assertEquals(Gemm.vectorKernel() != null, !ks.get(ks.size() - 1).name.startsWith("scalar"));
    return ks;
  }

  static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return x;
  }

  /** A strided matrix operand: element (i, j) at off + i*rs + j*cs in data. */
  record Op(float[] data, int off, int rs, int cs) {
    float get(int i, int j) {
      return data[off + i * rs + j * cs];
    }
  }

  /** Expected result and per-element error bound for C = alpha A B + beta C0. */
  static void checkAgainstNaive(
      String what,
      int m,
      int n,
      int k,
      float alpha,
      Op a,
      Op b,
      float beta,
      float[] c0,
      Op cAfter) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        double abs = 0;
        for (int p = 0; p < k; p++) {
          double prod = (double) a.get(i, p) * b.get(p, j);
          sum += prod;
          abs += Math.abs(prod);
        }
        int idx = cAfter.off + i * cAfter.rs + j * cAfter.cs;
        double old = beta == 0f ? 0 : c0[idx];
        double expected = alpha * sum + beta * old;
        double bound = (k + 3) * U * (Math.abs(alpha) * abs + Math.abs(beta * old)) + 1e-30;
        double got = cAfter.data[idx];
        if (!(Math.abs(got - expected) <= bound)) {
          fail(
              what
                  + ": C["
                  + i
                  + "]["
                  + j
                  + "] = "
                  + got
                  + ", expected "
                  + expected
                  + " +- "
                  + bound
                  + " (m="
                  + m
                  + ", n="
                  + n
                  + ", k="
                  + k
                  + ")");
        }
      }
    }
  }

  /**
   * Runs one strided product with the given kernel and checks it; C's untouched slots must stay
   * untouched.
   */
  static void runCase(
      SgemmKernel kern,
      Random rnd,
      int m,
      int n,
      int k,
      float alpha,
      float beta,
      boolean aColMajor,
      boolean bColMajor,
      int cLayout) {
    int aOff = 3;
    int bOff = 5;
    int cOff = 7;
    float[] a = random(rnd, aOff + m * k + 4);
    float[] b = random(rnd, bOff + k * n + 4);
    Op opA = aColMajor ? new Op(a, aOff, 1, m) : new Op(a, aOff, k, 1);
    Op opB = bColMajor ? new Op(b, bOff, 1, k) : new Op(b, bOff, n, 1);
    // cLayout 0: row-major, 1: column-major, 2: every other column of a wider row-major array
    Op opC =
        switch (cLayout) {
          case 0 -> new Op(null, cOff, n, 1);
          case 1 -> new Op(null, cOff, 1, m);
          default -> new Op(null, cOff, 2 * n + 1, 2);
        };
    int cLen = cOff + (cLayout == 2 ? m * (2 * n + 1) : m * n) + 4;
    float[] c = random(rnd, cLen);
    float[] c0 = c.clone();
    Gemm.sgemmWith(
        kern, m, n, k, alpha, a, opA.off, opA.rs, opA.cs, b, opB.off, opB.rs, opB.cs, beta, c,
        opC.off, opC.rs, opC.cs);
    String what =
        kern
            + " m="
            + m
            + " n="
            + n
            + " k="
            + k
            + " alpha="
            + alpha
            + " beta="
            + beta
            + " aT="
            + aColMajor
            + " bT="
            + bColMajor
            + " cLayout="
            + cLayout;
    Op after = new Op(c, opC.off, opC.rs, opC.cs);
    checkAgainstNaive(what, m, n, k, alpha, opA, opB, beta, c0, after);
    boolean[] touched = new boolean[cLen];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        touched[opC.off + i * opC.rs + j * opC.cs] = true;
      }
    }
    for (int i = 0; i < cLen; i++) {
      if (!touched[i] && Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(c0[i])) {
        fail(what + ": wrote outside C at index " + i);
      }
    }
  }

  @Test
  void oddSizesAllLayoutsBothKernels() {
    int[][] sizes = {
      {1, 1, 1},
      {1, 7, 1},
      {7, 1, 7},
      {7, 7, 7},
      {2, 3, 4},
      {6, 32, 5},
      {33, 33, 33},
      {65, 7, 65},
      {7, 65, 33},
      {1, 257, 33},
      {257, 1, 17},
      {33, 65, 257},
      {65, 33, 300},
    };
    Random rnd = new Random(42);
    for (SgemmKernel kern : kernels()) {
      for (int[] s : sizes) {
        for (int layout = 0; layout < 8; layout++) {
          runCase(
              kern,
              rnd,
              s[0],
              s[1],
              s[2],
              1f,
              0f,
              (layout & 1) != 0,
              (layout & 2) != 0,
              layout >> 1 & 1);
        }
        runCase(kern, rnd, s[0], s[1], s[2], 1f, 0f, false, false, 2);
      }
    }
  }

  @Test
  void largerThanOneBlockInEveryDimension() {
    // m > MC, k > KC (several k blocks, the last one short), n not a multiple of any tile width.
    Random rnd = new Random(7);
    for (SgemmKernel kern : kernels()) {
      runCase(kern, rnd, 257, 129, 513, 1f, 0f, false, false, 0);
      runCase(kern, rnd, 130, 70, 257, 0.75f, 0.5f, true, true, 0);
    }
  }

  @Test
  void severalNcBlocks() {
    // ncMax = 2^22 / k rounded to the tile width: with k = 1100 that is < 4200 columns, so two NC
    // blocks.
    Random rnd = new Random(8);
    for (SgemmKernel kern : kernels()) {
      runCase(kern, rnd, 7, 4200, 1100, 1f, 1f, false, false, 0);
    }
  }

  @Test
  void alphaBetaVariants() {
    Random rnd = new Random(3);
    float[][] ab = {
      {1f, 0f}, {1f, 1f}, {0.5f, 2f}, {-1.5f, 1f}, {2f, -0.25f}, {0f, 0.5f}, {0f, 0f}, {0f, 1f}
    };
    for (SgemmKernel kern : kernels()) {
      for (float[] x : ab) {
        runCase(kern, rnd, 37, 45, 29, x[0], x[1], false, false, 0);
        runCase(kern, rnd, 37, 45, 300, x[0], x[1], true, false, 1);
        runCase(kern, rnd, 5, 3, 0, x[0], x[1], false, true, 0);
      }
    }
  }

  @Test
  void betaZeroIgnoresNaNInC() {
    for (SgemmKernel kern : kernels()) {
      int m = 13, n = 35, k = 9;
      float[] a = new float[m * k];
      float[] b = new float[k * n];
      Arrays.fill(a, 1f);
      Arrays.fill(b, 2f);
      float[] c = new float[m * n];
      Arrays.fill(c, Float.NaN);
      Gemm.sgemmWith(kern, m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, 1);
      for (float v : c) {
        assertEquals(18f, v, 0f, kern.toString());
      }
      Arrays.fill(c, Float.NaN);
      Gemm.sgemmWith(kern, m, n, 0, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, 1);
      for (float v : c) {
        assertEquals(0f, v, 0f, kern.toString());
      }
    }
  }

  @Test
  void negativeStridesAndSlicedViews() {
    Random rnd = new Random(11);
    for (SgemmKernel kern : kernels()) {
      int m = 19, n = 41, k = 23;
      // A flipped in both dims inside a bigger buffer; B is every third row and second column of a
      // wide one.
      float[] a = random(rnd, m * k + 10);
      Op opA = new Op(a, 10 + (m - 1) * k + (k - 1), -k, -1);
      int bw = 2 * n + 3;
      float[] b = random(rnd, 3 * k * bw);
      Op opB = new Op(b, 1, 3 * bw, 2);
      float[] c = random(rnd, m * n);
      float[] c0 = c.clone();
      Gemm.sgemmWith(
          kern, m, n, k, 1.25f, a, opA.off, opA.rs, opA.cs, b, opB.off, opB.rs, opB.cs, 0.5f, c, 0,
          n, 1);
      checkAgainstNaive(
          kern + " negative/sliced", m, n, k, 1.25f, opA, opB, 0.5f, c0, new Op(c, 0, n, 1));
    }
  }

  @Test
  void blasEntryAllTransposesWithPaddedLeadingDims() {
    Random rnd = new Random(5);
    int m = 31, n = 47, k = 35;
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        int lda = (ta ? m : k) + 3;
        int ldb = (tb ? k : n) + 5;
        int ldc = n + 2;
        float[] a = random(rnd, 2 + (ta ? k : m) * lda);
        float[] b = random(rnd, 1 + (tb ? n : k) * ldb);
        float[] c = random(rnd, 4 + m * ldc);
        float[] c0 = c.clone();
        Gemm.sgemm(ta, tb, m, n, k, 0.5f, a, 2, lda, b, 1, ldb, -1f, c, 4, ldc);
        Op opA = ta ? new Op(a, 2, 1, lda) : new Op(a, 2, lda, 1);
        Op opB = tb ? new Op(b, 1, 1, ldb) : new Op(b, 1, ldb, 1);
        checkAgainstNaive(
            "sgemm ta=" + ta + " tb=" + tb, m, n, k, 0.5f, opA, opB, -1f, c0, new Op(c, 4, ldc, 1));
      }
    }
  }

  /**
   * Products large enough to be split among threads: on the streaming path (all of A fits the cap)
   * over B panels, or over rows with a single B panel; on the packed-B path over B panels, or over
   * rows with too few panels.
   */
  private static final int[][] PARALLEL_SIZES = {
    {257, 129, 65},
    {5, 1400, 200},
    {96, 96, 300},
    {200, 20, 300},
    {520, 100, 260},
    {700, 40, 200},
    {300, 9, 700} // narrow: computed as C^T
  };

  /** Row-major and column-major C (computed in opposite orientations) hold identical values. */
  @Test
  void bothOrientationsOfCAgreeBitForBit() {
    Random rnd = new Random(23);
    for (SgemmKernel kern : kernels()) {
      for (int[] s : new int[][] {{33, 40, 70}, {32, 9, 676}, {64, 10, 300}, {7, 7, 3}}) {
        int m = s[0], n = s[1], k = s[2];
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c0 = random(rnd, m * n);
        float[] rowMajor = c0.clone();
        float[] colMajor = new float[m * n];
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            colMajor[j * m + i] = c0[i * n + j];
          }
        }
        Gemm.sgemmWith(kern, m, n, k, 1.5f, a, 0, k, 1, b, 0, n, 1, 0.25f, rowMajor, 0, n, 1);
        Gemm.sgemmWith(kern, m, n, k, 1.5f, a, 0, k, 1, b, 0, n, 1, 0.25f, colMajor, 0, 1, m);
        checkAgainstNaive(
            kern + " orientation",
            m,
            n,
            k,
            1.5f,
            new Op(a, 0, k, 1),
            new Op(b, 0, n, 1),
            0.25f,
            c0,
            new Op(rowMajor, 0, n, 1));
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            assertEquals(
                Float.floatToRawIntBits(rowMajor[i * n + j]),
                Float.floatToRawIntBits(colMajor[j * m + i]),
                kern + " " + Arrays.toString(s) + " C[" + i + "][" + j + "]");
          }
        }
      }
    }
    SgemmKernel v = Gemm.defaultKernel();
    if (v.nr == 32 && v.mr == 8) {
      assertTrue(Gemm.transposeC(v, 32, 9, 9, 1), "conv1 weight gradient 32x9");
      assertTrue(Gemm.transposeC(v, 64, 10, 10, 1), "10-class output layer 64x10");
      assertFalse(Gemm.transposeC(v, 64, 256, 256, 1), "MLP layer 64x256");
      assertTrue(Gemm.transposeC(v, 64, 256, 1, 64), "column-major C");
    }
  }

  /** Every kernel's A packing equals its definition, for both layouts, full and short panels. */
  @Test
  void packAPanelMatchesDefinition() {
    Random rnd = new Random(21);
    for (SgemmKernel kern : kernels()) {
      int mr = kern.mr;
      for (int kc : new int[] {1, 15, 16, 17, 40, 256}) {
        for (int rows : new int[] {mr, mr - 1, 1}) {
          for (boolean colMajor : new boolean[] {false, true}) {
            int ld = (colMajor ? rows : kc) + 3;
            float[] a = random(rnd, 5 + ld * (colMajor ? kc : rows));
            int rs = colMajor ? 1 : ld, cs = colMajor ? ld : 1;
            float[] dst = new float[7 + mr * kc];
            Arrays.fill(dst, Float.NaN);
            kern.packAPanel(a, 5, rs, cs, rows, kc, dst, 7);
            for (int p = 0; p < kc; p++) {
              for (int r = 0; r < rows; r++) {
                assertEquals(
                    a[5 + r * rs + p * cs],
                    dst[7 + p * mr + r],
                    kern + " kc=" + kc + " rows=" + rows + " colMajor=" + colMajor);
              }
            }
          }
        }
      }
    }
  }

  /** Every kernel's packing of a column-major B panel equals its definition. */
  @Test
  void packBTransposedMatchesDefinition() {
    Random rnd = new Random(22);
    for (SgemmKernel kern : kernels()) {
      int nr = kern.nr;
      for (int k : new int[] {1, 15, 16, 17, 33, 256}) {
        for (int cols : new int[] {nr, nr - 1, 1}) {
          for (int ld : new int[] {k, k + 5, 1024}) {
            float[] b = random(rnd, 3 + ld * cols);
            float[] dst = new float[4 + nr * k];
            kern.packBTransposed(b, 3, 1, ld, k, cols, dst, 4);
            for (int p = 0; p < k; p++) {
              for (int j = 0; j < cols; j++) {
                assertEquals(
                    b[3 + j * ld + p],
                    dst[4 + p * nr + j],
                    kern + " k=" + k + " cols=" + cols + " ld=" + ld);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void parallelCasesCoverBothPaths() {
    long cap = Gemm.streamACap;
    int mr = Gemm.defaultKernel().mr;
    boolean stream = false, packed = false;
    for (int[] s : PARALLEL_SIZES) {
      boolean st = (long) Gemm.ceilDiv(s[0], mr) * mr * s[2] <= cap;
      stream |= st;
      packed |= !st;
    }
    assertTrue(stream && packed, "PARALLEL_SIZES must reach both GEMM paths");
  }

  /**
   * Both paths against the naive product; bit for bit with each other while k fits one block of the
   * streaming path (beyond, the packed path sums k in longer blocks: see Gemm's KC_PACKED).
   */
  @Test
  void streamingAndPackedPathsAgreeBitForBitWithinOneKBlock() {
    Random rnd = new Random(19);
    long cap = Gemm.streamACap;
    for (SgemmKernel kern : kernels()) {
      for (int[] s :
          new int[][] {{64, 96, 256}, {37, 70, 200}, {9, 33, 5}, {64, 96, 300}, {37, 70, 700}}) {
        int m = s[0], n = s[1], k = s[2];
        float[] a = random(rnd, m * k);
        float[] bt = random(rnd, k * n);
        float[] cInit = random(rnd, m * n);
        float[][] out = new float[2][];
        for (int path = 0; path < 2; path++) {
          float[] c = cInit.clone();
          Gemm.streamACap = path == 0 ? Long.MAX_VALUE : 0;
          try {
            // B transposed (as in a Linear layer's forward), beta != 0.
            Gemm.sgemmWith(kern, m, n, k, 0.9f, a, 0, k, 1, bt, 0, 1, k, 0.5f, c, 0, n, 1);
          } finally {
            Gemm.streamACap = cap;
          }
          out[path] = c;
        }
        for (int path = 0; path < 2; path++) {
          checkAgainstNaive(
              kern + (path == 0 ? " stream" : " packed"),
              m,
              n,
              k,
              0.9f,
              new Op(a, 0, k, 1),
              new Op(bt, 0, 1, k),
              0.5f,
              cInit,
              new Op(out[path], 0, n, 1));
        }
        if (k <= Gemm.KC) {
          assertArrayEquals(out[0], out[1], kern + " " + Arrays.toString(s) + " paths differ");
        }
      }
    }
  }

  @Test
  void bitIdenticalAcrossRunsAndThreadCounts() {
    Random rnd = new Random(9);
    for (SgemmKernel kern : kernels()) {
      for (int[] s : PARALLEL_SIZES) {
        int m = s[0], n = s[1], k = s[2];
        assertTrue(
            (long) m * n * k >= Gemm.PARALLEL_MIN_WORK, "case must be big enough to go parallel");
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] cInit = random(rnd, m * n);
        float[] ref = null;
        for (int threads : new int[] {1, 2, 1, 2, 3}) {
          for (int rep = 0; rep < 2; rep++) {
            float[] c = cInit.clone();
            Parallel.withThreads(
                threads,
                () ->
                    Gemm.sgemmWith(kern, m, n, k, 0.7f, a, 0, k, 1, b, 0, n, 1, 0.3f, c, 0, n, 1));
            if (ref == null) {
              ref = c;
              checkAgainstNaive(
                  kern + " parallel",
                  m,
                  n,
                  k,
                  0.7f,
                  new Op(a, 0, k, 1),
                  new Op(b, 0, n, 1),
                  0.3f,
                  cInit,
                  new Op(c, 0, n, 1));
            } else {
              assertArrayEquals(
                  ref, c, kern + " " + Arrays.toString(s) + " threads=" + threads + " differs");
            }
          }
        }
      }
    }
  }

  @Test
  void defaultEntryMatchesSelectedKernelBitForBit() {
    Random rnd = new Random(10);
    int m = 45, n = 77, k = 61;
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, k * n);
    float[] c1 = new float[m * n];
    float[] c2 = new float[m * n];
    Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c1, 0, n);
    SgemmKernel selected = Gemm.simdEnabled() ? Gemm.vectorKernel() : Gemm.scalarKernel();
    assertEquals(selected.name, Gemm.kernelName());
    Gemm.sgemmWith(selected, m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c2, 0, n, 1);
    assertArrayEquals(c2, c1);
  }

  @Test
  void vectorAndScalarKernelsAgree() {
    assumeTrue(Gemm.vectorKernel() != null, "Vector API module not present in this JVM");
    Random rnd = new Random(12);
    int m = 67, n = 99, k = 301;
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, k * n);
    float[] cv = new float[m * n];
    float[] cs = new float[m * n];
    Gemm.sgemmWith(Gemm.vectorKernel(), m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, cv, 0, n, 1);
    Gemm.sgemmWith(Gemm.scalarKernel(), m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, cs, 0, n, 1);
    for (int i = 0; i < cv.length; i++) {
      // Both are within (k+3)u * sum|ab| <= (k+3)u * k of the exact value (|a|,|b| <= 1).
      assertEquals(cs[i], cv[i], 2 * (k + 3) * U * k, "element " + i);
    }
  }

  @Test
  void batchedWithBroadcastOperand() {
    Random rnd = new Random(13);
    int batch = 5, m = 9, n = 34, k = 17;
    float[] a = random(rnd, m * k); // broadcast: batch stride 0
    float[] b = random(rnd, batch * k * n);
    float[] c = random(rnd, batch * m * n);
    float[] c0 = c.clone();
    for (int threads : new int[] {1, 2}) {
      float[] cc = c0.clone();
      Parallel.withThreads(
          threads,
          () ->
              Gemm.sgemmBatched(
                  batch, m, n, k, 1f, a, 0, 0, k, 1, b, 0, k * n, n, 1, 0.5f, cc, 0, m * n, n, 1));
      for (int i = 0; i < batch; i++) {
        checkAgainstNaive(
            "batched " + i,
            m,
            n,
            k,
            1f,
            new Op(a, 0, k, 1),
            new Op(b, i * k * n, n, 1),
            0.5f,
            c0,
            new Op(cc, i * m * n, n, 1));
      }
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Gemm.sgemmBatched(2, m, n, k, 1f, a, 0, 0, k, 1, b, 0, k * n, n, 1, 0f, c, 0, 0, n, 1));
  }

  @Test
  void dgemmMatchesNaive() {
    Random rnd = new Random(14);
    int[][] sizes = {{1, 1, 1}, {7, 5, 3}, {33, 65, 17}, {66, 300, 129}, {5, 1, 600}};
    for (int[] s : sizes) {
      int m = s[0], n = s[1], k = s[2];
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          double[] a = new double[m * k + 1];
          double[] b = new double[k * n + 2];
          double[] c = new double[m * n + 3];
          for (int i = 0; i < a.length; i++) a[i] = rnd.nextDouble() - 0.5;
          for (int i = 0; i < b.length; i++) b[i] = rnd.nextDouble() - 0.5;
          for (int i = 0; i < c.length; i++) c[i] = rnd.nextDouble() - 0.5;
          double[] c0 = c.clone();
          double[] got =
              Parallel.withThreads(
                  2,
                  () -> {
                    double[] cc = c0.clone();
                    Gemm.dgemm(
                        ta, tb, m, n, k, 1.5, a, 1, ta ? m : k, b, 2, tb ? k : n, -0.5, cc, 3, n);
                    return cc;
                  });
          for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
              double sum = 0, abs = 0;
              for (int p = 0; p < k; p++) {
                double av = ta ? a[1 + p * m + i] : a[1 + i * k + p];
                double bv = tb ? b[2 + j * k + p] : b[2 + p * n + j];
                sum += av * bv;
                abs += Math.abs(av * bv);
              }
              double exp = 1.5 * sum - 0.5 * c0[3 + i * n + j];
              double bound =
                  (k + 3) * Math.ulp(1.0) * (1.5 * abs + 0.5 * Math.abs(c0[3 + i * n + j]));
              assertEquals(
                  exp,
                  got[3 + i * n + j],
                  bound,
                  "dgemm " + Arrays.toString(s) + " ta=" + ta + " tb=" + tb);
            }
          }
          double[] got1 =
              Parallel.withThreads(
                  1,
                  () -> {
                    double[] cc = c0.clone();
                    Gemm.dgemm(
                        ta, tb, m, n, k, 1.5, a, 1, ta ? m : k, b, 2, tb ? k : n, -0.5, cc, 3, n);
                    return cc;
                  });
          assertArrayEquals(got1, got, "dgemm thread count changed the result");
        }
      }
    }
  }

  @Test
  void badArgumentsAreIllegalArgumentExceptions() {
    float[] a = new float[6];
    float[] b = new float[6];
    float[] c = new float[4];
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 1, 2));
    assertTrue(e.getMessage().contains("C [2, 2]"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
    assertTrue(e.getMessage().startsWith("Gemm.sgemm: lda=2"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Gemm.sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> Gemm.sgemm(false, false, 2, 2, 4, 1f, a, 0, 4, b, 0, 2, 0f, c, 0, 2));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Gemm.sgemmStrided(2, 2, 3, 1f, a, 0, 3, 1, b, 0, 2, 1, 0f, c, 0, 0, 1));
    assertTrue(e.getMessage().contains("overlapping"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Gemm.dgemm(
                true,
                false,
                2,
                2,
                3,
                1,
                new double[6],
                0,
                1,
                new double[6],
                0,
                2,
                0,
                new double[4],
                0,
                2));
    // Empty products touch nothing and need no storage.
    Gemm.sgemm(
        false, false, 0, 5, 3, 1f, new float[0], 0, 3, new float[15], 0, 5, 0f, new float[0], 0, 5);
  }

  @Test
  void simdSelectionMatchesTheBootLayer() {
    boolean moduleThere = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    assertEquals(moduleThere, Gemm.simdAvailable());
    boolean forcedOff = "false".equalsIgnoreCase(System.getProperty(Gemm.SIMD_PROPERTY));
    assertEquals(moduleThere && !forcedOff, Gemm.simdEnabled());
    String expect = System.getProperty("jgrad.test.expectSimd");
    if (expect != null) {
      assertEquals(
          Boolean.parseBoolean(expect), Gemm.simdEnabled(), "kernel in use: " + Gemm.kernelName());
    }
    if (!Gemm.simdEnabled()) {
      assertFalse(Gemm.kernelName().startsWith("vector"));
    }
  }
}
