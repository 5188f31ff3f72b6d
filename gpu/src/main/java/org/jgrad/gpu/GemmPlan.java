package org.jgrad.gpu;

/**
 * How a row-major matrix product maps onto cuBLAS, which is column-major. jgrad stores C = A·B
 * row-major (m×n, row stride n); read column-major, that memory is C^T (n×m, leading dimension n),
 * and C^T = B^T·A^T. So cuBLAS is called with the operands swapped: first B, then A, sizes (n, m,
 * k), and each operand's transpose flag chosen from its strides: a row-major operand (column stride
 * 1) is, read column-major, already the transpose we need (no flag); a column-major one (row stride
 * 1, e.g. {@code x.transpose()}) takes {@code CUBLAS_OP_T}. No copy is made for either. Anything
 * else (a stepped slice in both directions, a broadcast matrix) has no plan, and the caller copies
 * it dense first.
 *
 * <p>Kept apart from the driver calls so that the mapping, the error-prone part, is tested on the
 * CPU against a column-major GEMM written out in Java ({@code GemmPlanTest}).
 *
 * @param transFirst whether cuBLAS transposes its first operand (jgrad's B)
 * @param transSecond whether cuBLAS transposes its second operand (jgrad's A)
 * @param ldFirst leading dimension of B as cuBLAS reads it
 * @param ldSecond leading dimension of A as cuBLAS reads it
 */
record GemmPlan(boolean transFirst, boolean transSecond, int ldFirst, int ldSecond) {

  /**
   * The plan for C (m×n, dense row-major) = A (m×k) · B (k×n), where element (i, j) of A is at
   * {@code i·aRs + j·aCs} (likewise B), or null when an operand's layout is not expressible.
   */
  static GemmPlan of(int m, int n, int k, int aRs, int aCs, int bRs, int bCs) {
    // B^T (n×k) column-major: element (j, p) = B(p, j) at p·bRs + j·bCs.
    int[] first = operand(n, k, bCs, bRs);
    // A^T (k×m) column-major: element (p, i) = A(i, p) at p·aCs + i·aRs.
    int[] second = operand(k, m, aCs, aRs);
    if (first == null || second == null) return null;
    return new GemmPlan(first[0] == 1, second[0] == 1, first[1], second[1]);
  }

  /**
   * How cuBLAS reads a rows×cols matrix whose element (r, c) is at {@code r·rowStride +
   * c·colStride}: {transpose flag, leading dimension}, or null. Column-major without a flag needs
   * row stride 1 and column stride ≥ rows; with a flag cuBLAS reads the cols×rows matrix stored
   * column-major, which needs column stride 1 and row stride ≥ cols. A size-1 dim's stride does not
   * matter (any is allowed for it).
   */
  private static int[] operand(int rows, int cols, int rowStride, int colStride) {
    if ((rowStride == 1 || rows == 1) && (cols == 1 || colStride >= Math.max(1, rows))) {
      return new int[] {0, cols == 1 ? Math.max(1, rows) : colStride};
    }
    if ((colStride == 1 || cols == 1) && (rows == 1 || rowStride >= Math.max(1, cols))) {
      return new int[] {1, rows == 1 ? Math.max(1, cols) : rowStride};
    }
    return null;
  }
}
