package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The row-major → column-major mapping of {@link GemmPlan}, run through a Java transcription of
 * cuBLAS's documented {@code gemm} (column-major, op N/T, leading-dimension checks) and compared
 * with the row-major product written directly. Needs no GPU; what it cannot check is cuBLAS itself.
 */
class GemmPlanTest {

  /** cublasSgemm as documented: C = op(A)·op(B), all column-major; fails where cuBLAS would. */
  static void columnMajorGemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      double[] a,
      int lda,
      double[] b,
      int ldb,
      double[] c,
      int ldc) {
    assertTrue(lda >= Math.max(1, transA ? k : m), "lda " + lda + " invalid");
    assertTrue(ldb >= Math.max(1, transB ? n : k), "ldb " + ldb + " invalid");
    assertTrue(ldc >= Math.max(1, m), "ldc " + ldc + " invalid");
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double av = transA ? a[p + i * lda] : a[i + p * lda];
          double bv = transB ? b[j + p * ldb] : b[p + j * ldb];
          s += av * bv;
        }
        c[i + j * ldc] = s;
      }
    }
  }

  /** An r×c matrix in a buffer with the given strides (row-major, transposed, or padded). */
  record Mat(double[] data, int rs, int cs) {}

  static Mat layout(Random rnd, int rows, int cols, int kind) {
    int pad = rnd.nextInt(3);
    int rs, cs, size;
    if (kind == 0) { // row-major, maybe a column slice of a wider matrix
      cs = 1;
      rs = cols + pad;
      size = rows * rs + 1;
    } else { // column-major (a transposed view)
      rs = 1;
      cs = rows + pad;
      size = cols * cs + 1;
    }
    if (rows == 1 && rnd.nextBoolean()) rs = 12345; // a size-1 dim may have any stride
    if (cols == 1 && rnd.nextBoolean()) cs = 777;
    double[] d = new double[Math.max(size, 1) + 20000];
    for (int i = 0; i < d.length; i++) d[i] = rnd.nextInt(9) - 4;
    return new Mat(d, rs, cs);
  }

  @Test
  void everyRowAndColumnMajorCombinationGivesTheRowMajorProduct() {
    Random rnd = new Random(5);
    int checked = 0;
    for (int trial = 0; trial < 400; trial++) {
      int m = 1 + rnd.nextInt(5), n = 1 + rnd.nextInt(5), k = 1 + rnd.nextInt(5);
      Mat a = layout(rnd, m, k, rnd.nextInt(2));
      Mat b = layout(rnd, k, n, rnd.nextInt(2));
      GemmPlan plan = GemmPlan.of(m, n, k, a.rs, a.cs, b.rs, b.cs);
      assertNotNull(plan, m + "x" + k + " · " + k + "x" + n + " " + a + " " + b);
      double[] c = new double[m * n];
      // the call CudaBackend makes: first operand B, second A, sizes (n, m, k), ldc = n
      columnMajorGemm(
          plan.transFirst(),
          plan.transSecond(),
          n,
          m,
          k,
          b.data,
          plan.ldFirst(),
          a.data,
          plan.ldSecond(),
          c,
          n);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++)
            s += a.data[i * a.rs + p * a.cs] * b.data[p * b.rs + j * b.cs];
          assertEquals(s, c[i * n + j], 0, "C(" + i + "," + j + ") for " + plan);
        }
      }
      checked++;
    }
    assertEquals(400, checked);
  }

  @Test
  void rowMajorOperandsNeedNoTransposeAndTransposedOnesDo() {
    // A 2x3 row-major, B 3x4 row-major: cuBLAS(N, N, 4, 2, 3, B ld 4, A ld 3)
    assertEquals(new GemmPlan(false, false, 4, 3), GemmPlan.of(2, 4, 3, 3, 1, 4, 1));
    // A = x.transpose() of a 3x2 row-major x: row stride 1, column stride 2
    assertEquals(new GemmPlan(false, true, 4, 2), GemmPlan.of(2, 4, 3, 1, 2, 4, 1));
  }

  @Test
  void steppedOrBroadcastMatricesHaveNoPlan() {
    assertNull(GemmPlan.of(3, 3, 3, 6, 2, 3, 1), "every other column of A");
    assertNull(GemmPlan.of(3, 3, 3, 3, 1, 0, 1), "B broadcast along its rows");
  }
}
