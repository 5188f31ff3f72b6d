package org.jgrad.examples.analysis;

/**
 * Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations, written out here (no
 * library) so that a PCA built on it can be checked against EJML's SVD. Each rotation zeroes one
 * off-diagonal pair; sweeps repeat until the off-diagonal mass is below 1e-13 of the total. Slow
 * for large matrices (O(d³) per sweep) and meant for d up to a few hundred.
 *
 * <pre>{@code
 * SymmetricEigen e = SymmetricEigen.of(cov);     // cov[d][d], symmetric
 * double[] lambda = e.values();                  // descending
 * double[] v0 = e.vector(0);                     // unit eigenvector of the largest eigenvalue
 * }</pre>
 */
public final class SymmetricEigen {
  private final double[] values;
  private final double[][] vectors; // vectors[k] = k-th eigenvector

  private SymmetricEigen(double[] values, double[][] vectors) {
    this.values = values;
    this.vectors = vectors;
  }

  /** Decomposes {@code m} (not changed), eigenvalues sorted in descending order. */
  public static SymmetricEigen of(double[][] m) {
    int d = m.length;
    double[][] a = new double[d][];
    for (int i = 0; i < d; i++) {
      if (m[i].length != d)
        throw new IllegalArgumentException(
            "SymmetricEigen.of: expected a square matrix, row "
                + i
                + " has "
                + m[i].length
                + " entries for "
                + d
                + " rows");
      a[i] = m[i].clone();
    }
    double total = 0;
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        if (Math.abs(m[i][j] - m[j][i]) > 1e-9 * (Math.abs(m[i][j]) + Math.abs(m[j][i]) + 1e-300))
          throw new IllegalArgumentException(
              "SymmetricEigen.of: matrix is not symmetric at (" + i + ", " + j + ")");
        total += m[i][j] * m[i][j];
      }
    }
    double[][] v = new double[d][d];
    for (int i = 0; i < d; i++) v[i][i] = 1;
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      for (int p = 0; p < d; p++) for (int q = p + 1; q < d; q++) off += 2 * a[p][q] * a[p][q];
      if (off <= 1e-26 * total || off == 0) break;
      for (int p = 0; p < d; p++) {
        for (int q = p + 1; q < d; q++) {
          if (a[p][q] == 0) continue;
          // The rotation angle that zeroes a[p][q]: tan(2θ) = 2a_pq / (a_qq − a_pp), taking the
          // smaller root for t = tan θ (numerically stable form).
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) t = 1;
          double c = 1 / Math.sqrt(t * t + 1), s = t * c;
          for (int k = 0; k < d; k++) {
            double akp = a[k][p], akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < d; k++) {
            double apk = a[p][k], aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < d; k++) {
            double vkp = v[k][p], vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    Integer[] order = new Integer[d];
    for (int i = 0; i < d; i++) order[i] = i;
    java.util.Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
    double[] values = new double[d];
    double[][] vectors = new double[d][d];
    for (int k = 0; k < d; k++) {
      values[k] = a[order[k]][order[k]];
      for (int i = 0; i < d; i++) vectors[k][i] = v[i][order[k]];
    }
    return new SymmetricEigen(values, vectors);
  }

  /** Eigenvalues, largest first. */
  public double[] values() {
    return values.clone();
  }

  /** The unit eigenvector of the k-th largest eigenvalue. */
  public double[] vector(int k) {
    return vectors[k].clone();
  }
}
