package org.jgrad.data.metrics;

import java.util.Arrays;

/**
 * The Hungarian (Kuhn-Munkres) algorithm: a minimum-cost assignment of rows to columns of a
 * rectangular cost matrix in O(n^2 m) time, with row/column potentials.
 *
 * <pre>{@code
 * int[] colOfRow = Hungarian.minimize(new double[][] {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}});   // {1, 0, 2}
 * }</pre>
 */
public final class Hungarian {
  private Hungarian() {}

  /**
   * For each row the column it is assigned to, minimising the total cost. With more rows than
   * columns, the rows left without a column get -1.
   */
  public static int[] minimize(double[][] cost) {
    int rows = cost.length;
    if (rows == 0) return new int[0];
    int cols = cost[0].length;
    for (double[] r : cost) {
      if (r.length != cols)
        throw new IllegalArgumentException("Hungarian: cost matrix rows have different lengths");
      for (double v : r) {
        if (!Double.isFinite(v))
          throw new IllegalArgumentException("Hungarian: cost matrix has a non-finite entry " + v);
      }
    }
    if (cols == 0) {
      int[] none = new int[rows];
      Arrays.fill(none, -1);
      return none;
    }
    if (rows > cols) {
      double[][] t = new double[cols][rows];
      for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j][i] = cost[i][j];
      int[] rowOfCol = minimize(t);
      int[] out = new int[rows];
      Arrays.fill(out, -1);
      for (int j = 0; j < cols; j++) out[rowOfCol[j]] = j;
      return out;
    }
    // rows <= cols; 1-based arrays with index 0 as the virtual start column
    int n = rows, m = cols;
    double[] u = new double[n + 1];
    double[] v = new double[m + 1];
    int[] p = new int[m + 1]; // p[j] = row matched to column j
    int[] way = new int[m + 1];
    for (int i = 1; i <= n; i++) {
      p[0] = i;
      int j0 = 0;
      double[] minv = new double[m + 1];
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      boolean[] used = new boolean[m + 1];
      do {
        used[j0] = true;
        int i0 = p[j0];
        double delta = Double.POSITIVE_INFINITY;
        int j1 = -1;
        for (int j = 1; j <= m; j++) {
          if (used[j]) continue;
          double cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
          if (cur < minv[j]) {
            minv[j] = cur;
            way[j] = j0;
          }
          if (minv[j] < delta) {
            delta = minv[j];
            j1 = j;
          }
        }
        for (int j = 0; j <= m; j++) {
          if (used[j]) {
            u[p[j]] += delta;
            v[j] -= delta;
          } else {
            minv[j] -= delta;
          }
        }
        j0 = j1;
      } while (p[j0] != 0);
      do {
        int j1 = way[j0];
        p[j0] = p[j1];
        j0 = j1;
      } while (j0 != 0);
    }
    int[] out = new int[n];
    Arrays.fill(out, -1);
    for (int j = 1; j <= m; j++) if (p[j] != 0) out[p[j] - 1] = j - 1;
    return out;
  }

  /** For each row the column it is assigned to, maximising the total score. */
  public static int[] maximize(double[][] score) {
    double[][] neg = new double[score.length][];
    for (int i = 0; i < score.length; i++) {
      neg[i] = new double[score[i].length];
      for (int j = 0; j < score[i].length; j++) neg[i][j] = -score[i][j];
    }
    return minimize(neg);
  }
}
