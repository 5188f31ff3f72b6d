package org.jgrad.backend.cpu.kernels;

/**
 * One register-tiled float32 GEMM micro-kernel, driven by {@link Gemm}'s packing and blocking
 * loops.
 *
 * <p>Packed layouts (prepared by the driver, zero-padded to full tiles): A micro-panel: {@code kc}
 * groups of {@link #mr} values, {@code ap[ai + p*mr + r] = A[r][p]}; B micro-panel: {@code kc}
 * groups of {@link #nr} values, {@code bp[bi + p*nr + j] = B[p][j]}.
 *
 * <p>Every implementation accumulates each element over {@code p = 0..kc-1} in order, independent
 * of the tile's position, so the driver's results do not depend on how C is cut among threads.
 */
abstract class SgemmKernel {
  final int mr;
  final int nr;
  final String name;

  SgemmKernel(int mr, int nr, String name) {
    this.mr = mr;
    this.nr = nr;
    this.name = name;
  }

  /**
   * Computes the {@code mr x nr} product of one packed A and one packed B micro-panel and writes
   * its top-left {@code mEff x nEff} corner to C: {@code C = alpha*acc + beta*C}; with {@code beta
   * == 0} C is not read (BLAS semantics: NaN in C does not propagate).
   *
   * @param scratch at least {@code mr*nr} floats the kernel may overwrite
   */
  abstract void kernel(
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
      float[] scratch);

  /**
   * Packs one A micro-panel: {@code rows <= mr} rows by {@code kc} columns, element (r, p) at
   * {@code a[src + r*rsA + p*csA]}, into {@code dst[base + p*mr + r]}; rows {@code rows..mr-1} are
   * left for the caller to zero. Kernels may override this with a faster transpose.
   */
  void packAPanel(float[] a, int src, int rsA, int csA, int rows, int kc, float[] dst, int base) {
    if (csA == 1) {
      for (int r = 0; r < rows; r++) {
        int s = src + r * rsA;
        int d = base + r;
        for (int p = 0; p < kc; p++, d += mr) {
          dst[d] = a[s + p];
        }
      }
    } else {
      for (int p = 0; p < kc; p++) {
        int s = src + p * csA;
        int d = base + p * mr;
        for (int r = 0; r < rows; r++) {
          dst[d + r] = a[s + r * rsA];
        }
      }
    }
  }

  /**
   * Packs one B panel from a column-major source ({@code B[p][j] = b[src + j*csB + p*rsB]}), {@code
   * cols} columns by {@code k} rows, into {@code dst[base + p*nr + j]}; columns {@code cols..nr-1}
   * are left for the caller to zero. Kernels may override this with a faster transpose.
   */
  void packBTransposed(
      float[] b, int src, int rsB, int csB, int k, int cols, float[] dst, int base) {
    // Down k in short blocks so the destination rows being filled stay in L1 while all columns are
    // read.
    for (int q = 0; q < k; q += 16) {
      int qe = Math.min(k, q + 16);
      for (int j = 0; j < cols; j++) {
        int s = src + j * csB + q * rsB;
        int d = base + q * nr + j;
        for (int p = q; p < qe; p++, d += nr, s += rsB) {
          dst[d] = b[s];
        }
      }
    }
  }

  /**
   * Packs one B panel from a row-major source ({@code B[p][j] = b[src + p*rsB + j]}), {@code nr}
   * full columns by {@code k} rows, into {@code dst[base + p*nr + j]}.
   */
  void packBRows(float[] b, int src, int rsB, int k, float[] dst, int base) {
    for (int p = 0; p < k; p++) {
      System.arraycopy(b, src + p * rsB, dst, base + p * nr, nr);
    }
  }

  /**
   * Row dot products for products with a tiny side: {@code c[cOff + r*bRows + k] = sum_j a[aOff +
   * r*lda + j] * b[bOff + k*ldb + j] (+ c[...] when accumulate)}, {@code j < len}, for {@code r <
   * aRows, k < bRows}. The summation order depends only on {@code len} (and the implementation).
   */
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
    for (int r = 0; r < aRows; r++) {
      int ar = aOff + r * lda;
      for (int k = 0; k < bRows; k++) {
        int bk = bOff + k * ldb;
        float sum = 0f;
        for (int j = 0; j < len; j++) {
          sum = Math.fma(a[ar + j], b[bk + j], sum);
        }
        int ci = cOff + r * bRows + k;
        c[ci] = accumulate ? c[ci] + sum : sum;
      }
    }
  }

  /** {@code dst[d + i] = src[s + i]} for {@code i < len}; the ranges must not overlap. */
  void copy(float[] src, int s, float[] dst, int d, int len) {
    System.arraycopy(src, s, dst, d, len);
  }

  /** {@code dst[d + i] += src[s + i]} for {@code i < len}; the ranges must not overlap. */
  void addInto(float[] dst, int d, float[] src, int s, int len) {
    for (int i = 0; i < len; i++) {
      dst[d + i] += src[s + i];
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
