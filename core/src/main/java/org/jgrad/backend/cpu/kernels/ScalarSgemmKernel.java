package org.jgrad.backend.cpu.kernels;

/**
 * Plain-Java micro-kernel used when the Vector API module is absent (or {@code
 * -Djgrad.simd=false}): an 4x4 tile in local variables, which C2 keeps in registers.
 */
final class ScalarSgemmKernel extends SgemmKernel {
  static final int MR = 4;
  static final int NR = 4;

  ScalarSgemmKernel() {
    super(MR, NR, "scalar-" + MR + "x" + NR);
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
      float[] acc) {
    // Accumulators in locals, not an array: with an array C2 cannot rule out that it aliases bp,
    // and
    // neither vectorises the loop nor keeps the tile in registers (measured 2-5 GFLOP/s that way).
    float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
    float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
    float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
    float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
    for (int p = 0; p < kc; p++) {
      int bb = bi + p * NR;
      int aa = ai + p * MR;
      float b0 = bp[bb + 0];
      float b1 = bp[bb + 1];
      float b2 = bp[bb + 2];
      float b3 = bp[bb + 3];
      float a0 = ap[aa + 0];
      c00 += a0 * b0;
      c01 += a0 * b1;
      c02 += a0 * b2;
      c03 += a0 * b3;
      float a1 = ap[aa + 1];
      c10 += a1 * b0;
      c11 += a1 * b1;
      c12 += a1 * b2;
      c13 += a1 * b3;
      float a2 = ap[aa + 2];
      c20 += a2 * b0;
      c21 += a2 * b1;
      c22 += a2 * b2;
      c23 += a2 * b3;
      float a3 = ap[aa + 3];
      c30 += a3 * b0;
      c31 += a3 * b1;
      c32 += a3 * b2;
      c33 += a3 * b3;
    }
    acc[0] = c00;
    acc[1] = c01;
    acc[2] = c02;
    acc[3] = c03;
    acc[4] = c10;
    acc[5] = c11;
    acc[6] = c12;
    acc[7] = c13;
    acc[8] = c20;
    acc[9] = c21;
    acc[10] = c22;
    acc[11] = c23;
    acc[12] = c30;
    acc[13] = c31;
    acc[14] = c32;
    acc[15] = c33;
    for (int r = 0; r < mEff; r++) {
      int row = ci + r * rsC;
      int base = r * NR;
      if (beta == 0f) {
        for (int j = 0; j < nEff; j++) {
          c[row + j * csC] = alpha * acc[base + j];
        }
      } else if (beta == 1f) {
        for (int j = 0; j < nEff; j++) {
          int idx = row + j * csC;
          c[idx] = alpha * acc[base + j] + c[idx];
        }
      } else {
        for (int j = 0; j < nEff; j++) {
          int idx = row + j * csC;
          c[idx] = alpha * acc[base + j] + beta * c[idx];
        }
      }
    }
  }
}
