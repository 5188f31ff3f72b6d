package org.jgrad.backend.cpu;

/**
 * Float32 matrix product for one batch entry, on strided operands: {@code C[i][j] = sum_p A[i][p] *
 * B[p][j]}, with A and B addressed by (row stride, column stride).
 */
final class CpuMatmul {
  private CpuMatmul() {}

  static void gemm(
      int m,
      int n,
      int k,
      float[] a,
      int ao,
      int ars,
      int acs,
      float[] b,
      int bo,
      int brs,
      int bcs,
      float[] c,
      int co,
      int ldc) {
    org.jgrad.backend.cpu.kernels.Gemm.sgemmStrided(
        m, n, k, 1f, a, ao, ars, acs, b, bo, brs, bcs, 0f, c, co, ldc, 1);
  }

  /** i-p-j order so the inner loop streams a row of B and a row of C. */
  static void gemmNaive(
      int m,
      int n,
      int k,
      float[] a,
      int ao,
      int ars,
      int acs,
      float[] b,
      int bo,
      int brs,
      int bcs,
      float[] c,
      int co,
      int ldc) {
    for (int i = 0; i < m; i++) {
      int crow = co + i * ldc;
      for (int p = 0; p < k; p++) {
        float av = a[ao + i * ars + p * acs];
        int brow = bo + p * brs;
        if (bcs == 1) {
          for (int j = 0; j < n; j++) c[crow + j] += av * b[brow + j];
        } else {
          for (int j = 0; j < n; j++) c[crow + j] += av * b[brow + j * bcs];
        }
      }
    }
  }
}
