package org.jgrad.examples.analysis;

import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * k-means with k-means++ seeding and several restarts (the run with the lowest inertia wins), Lloyd
 * iterations computed with jgrad tensor ops.
 *
 * <pre>{@code
 * KMeans.Result r = KMeans.fit(points, 10, 5, 100, new Generator(0));
 * int[] cluster = r.labels();
 * }</pre>
 */
public final class KMeans {
  private KMeans() {}

  /** Labels per point, centres [k, d] and the inertia (sum of squared distances). */
  public record Result(int[] labels, Tensor centers, double inertia, int iterations) {}

  public static Result fit(Tensor x, int k, int restarts, int maxIter, Generator g) {
    if (x.dim() != 2)
      throw new IllegalArgumentException("KMeans.fit: expected [n, d] data, got rank " + x.dim());
    if (k < 1 || k > x.size(0))
      throw new IllegalArgumentException("KMeans.fit: k must be in [1, n], got " + k);
    try (var ng = GradMode.noGrad()) {
      Result best = null;
      for (int r = 0; r < Math.max(1, restarts); r++) {
        Result res = lloyd(x, seedPlusPlus(x, k, g), maxIter);
        if (best == null || res.inertia() < best.inertia()) best = res;
      }
      return best;
    }
  }

  /** Squared distances [n, k] between rows of x and rows of c, via |x|² + |c|² − 2x·cᵀ. */
  static Tensor sqDistances(Tensor x, Tensor c) {
    Tensor xx = x.square().sum(1, true);
    Tensor cc = c.square().sum(1, true).t();
    return xx.add(cc).sub(x.matmul(c.t()).mul(2)).clampMin(0);
  }

  static Tensor seedPlusPlus(Tensor x, int k, Generator g) {
    int n = x.size(0);
    int[] chosen = new int[k];
    chosen[0] = g.nextInt(n);
    double[] d2 = sqDistances(x, x.narrow(0, chosen[0], 1)).toDoubleArray();
    for (int c = 1; c < k; c++) {
      double total = 0;
      for (double v : d2) total += v;
      double u = g.nextDouble() * total, acc = 0;
      int pick = n - 1;
      for (int i = 0; i < n; i++) {
        acc += d2[i];
        if (acc >= u && d2[i] > 0) {
          pick = i;
          break;
        }
      }
      chosen[c] = pick;
      double[] nd = sqDistances(x, x.narrow(0, pick, 1)).toDoubleArray();
      for (int i = 0; i < n; i++) d2[i] = Math.min(d2[i], nd[i]);
    }
    long[] idx = new long[k];
    for (int i = 0; i < k; i++) idx[i] = chosen[i];
    return x.indexSelect(0, Tensor.ofLongs(idx)).clone();
  }

  static Result lloyd(Tensor x, Tensor centers, int maxIter) {
    int n = x.size(0), k = centers.size(0), d = x.size(1);
    long[] labels = null;
    int it = 0;
    for (; it < maxIter; it++) {
      long[] next = sqDistances(x, centers).argmin(1, false).toLongArray();
      if (labels != null && java.util.Arrays.equals(labels, next)) break;
      labels = next;
      // New centres: one-hot(labels)ᵀ · x / counts; empty clusters keep their centre.
      Tensor onehot = Tensor.ofLongs(labels).oneHot(k).to(x.dtype());
      Tensor sums = onehot.t().matmul(x);
      Tensor counts = onehot.sum(0, false).unsqueeze(1);
      Tensor mean = sums.div(counts.clampMin(1));
      centers = Tensor.where(counts.gt(0), mean, centers);
    }
    Tensor dist = sqDistances(x, centers);
    long[] finalLabels = dist.argmin(1, false).toLongArray();
    double inertia = dist.min(1, false).values().sum().item();
    int[] out = new int[n];
    for (int i = 0; i < n; i++) out[i] = (int) finalLabels[i];
    return new Result(out, centers, inertia, it);
  }
}
