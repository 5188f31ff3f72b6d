package org.jgrad.examples.analysis;

import java.util.Arrays;
import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * t-SNE (van der Maaten and Hinton, 2008) into two dimensions. Exact gradients with jgrad tensor
 * ops up to {@link #EXACT_LIMIT} points; beyond that Barnes–Hut (van der Maaten, 2014): sparse
 * input similarities over the 3·perplexity nearest neighbours and a quadtree for the repulsive
 * forces (θ = 0.5).
 *
 * <pre>{@code
 * Tensor xy = TSne.embed(codes, 30, 1000, new Generator(0));   // [n, 2]
 * }</pre>
 */
public final class TSne {
  /** Largest n for the exact O(n²) method. */
  public static final int EXACT_LIMIT = 1000;

  private TSne() {}

  public static Tensor embed(Tensor x, double perplexity, int iterations, Generator g) {
    if (x.dim() != 2)
      throw new IllegalArgumentException("TSne.embed: expected [n, d] data, got rank " + x.dim());
    int n = x.size(0);
    if (n < 4) throw new IllegalArgumentException("TSne.embed: need at least 4 points, got " + n);
    double perp = Math.min(perplexity, (n - 1) / 3.0);
    try (var ng = GradMode.noGrad()) {
      return n <= EXACT_LIMIT ? exact(x, perp, iterations, g) : barnesHut(x, perp, iterations, g);
    }
  }

  /** Row-wise binary search of the Gaussian precision giving the target perplexity. */
  static void conditionalRow(double[] d2, int self, double perplexity, double[] outP) {
    double target = Math.log(perplexity);
    double beta = 1, lo = 0, hi = Double.POSITIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    for (int j = 0; j < d2.length; j++) if (j != self) min = Math.min(min, d2[j]);
    for (int iter = 0; iter < 64; iter++) {
      double sum = 0, weighted = 0;
      for (int j = 0; j < d2.length; j++) {
        if (j == self) {
          outP[j] = 0;
          continue;
        }
        double p = Math.exp(-(d2[j] - min) * beta); // shift by the minimum to avoid underflow
        outP[j] = p;
        sum += p;
        weighted += (d2[j] - min) * p;
      }
      double entropy = Math.log(sum) + beta * weighted / sum;
      for (int j = 0; j < d2.length; j++) outP[j] /= sum;
      double diff = entropy - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
  }

  private static Tensor exact(Tensor x, double perplexity, int iterations, Generator g) {
    int n = x.size(0);
    Tensor xd = x.to(org.jgrad.backend.DType.FLOAT32);
    double[] d2 = KMeans.sqDistances(xd, xd).toDoubleArray();
    double[] p = new double[n * n];
    double[] row = new double[n], prow = new double[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(d2, i * n, row, 0, n);
      conditionalRow(row, i, perplexity, prow);
      System.arraycopy(prow, 0, p, i * n, n);
    }
    double[] sym = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++)
        sym[i * n + j] = Math.max((p[i * n + j] + p[j * n + i]) / (2.0 * n), 1e-12);
    }
    Tensor pMat = Tensor.of(sym, n, n).to(org.jgrad.backend.DType.FLOAT32);
    Tensor eye = Tensor.eye(n);
    Tensor offDiag = eye.neg().add(1);
    Tensor y = Tensor.randn(g, n, 2).mul(1e-4);
    Tensor update = Tensor.zerosLike(y), gains = Tensor.onesLike(y);
    double lr = Math.max(n / 12.0, 50);
    for (int it = 0; it < iterations; it++) {
      double exaggeration = it < 250 ? 12 : 1;
      double momentum = it < 250 ? 0.5 : 0.8;
      Tensor num = KMeans.sqDistances(y, y).add(1).reciprocal().mul(offDiag);
      Tensor q = num.div(num.sum()).clampMin(1e-12);
      Tensor pq = pMat.mul(exaggeration).sub(q).mul(num);
      Tensor grad = pq.sum(1, true).mul(y).sub(pq.matmul(y)).mul(4);
      // delta-bar-delta gains, as in the reference implementation
      Tensor sameSign = grad.gt(0).eq(update.gt(0));
      gains = Tensor.where(sameSign, gains.mul(0.8), gains.add(0.2)).clampMin(0.01);
      update = update.mul(momentum).sub(gains.mul(grad).mul(lr));
      y = y.add(update);
      y = y.sub(y.mean(0, true));
    }
    return y.to(org.jgrad.backend.DType.FLOAT32);
  }

  // ------------------------------------------------------------------ Barnes–Hut

  private static Tensor barnesHut(Tensor x, double perplexity, int iterations, Generator g) {
    int n = x.size(0);
    int k = Math.min(n - 1, (int) (3 * perplexity));
    int[][] nbr = new int[n][k];
    double[][] nd2 = new double[n][k];
    nearestNeighbours(x, k, nbr, nd2);
    // Conditional P over the neighbours, then symmetrise into a sparse map.
    java.util.Map<Long, Double> pmap = new java.util.HashMap<>();
    double[] row = new double[k + 1], prow = new double[k + 1];
    for (int i = 0; i < n; i++) {
      row[0] = 0;
      System.arraycopy(nd2[i], 0, row, 1, k);
      conditionalRow(row, 0, perplexity, prow);
      for (int a = 0; a < k; a++) {
        int j = nbr[i][a];
        double v = prow[a + 1] / (2.0 * n);
        pmap.merge((long) i * n + j, v, Double::sum);
        pmap.merge((long) j * n + i, v, Double::sum);
      }
    }
    int m = pmap.size();
    int[] pi = new int[m], pj = new int[m];
    double[] pv = new double[m];
    int e = 0;
    for (var entry : pmap.entrySet()) {
      pi[e] = (int) (entry.getKey() / n);
      pj[e] = (int) (entry.getKey() % n);
      pv[e] = entry.getValue();
      e++;
    }
    double[] y = new double[2 * n],
        upd = new double[2 * n],
        gains = new double[2 * n],
        grad = new double[2 * n];
    Arrays.fill(gains, 1);
    for (int i = 0; i < 2 * n; i++) y[i] = g.nextGaussian() * 1e-4;
    double lr = Math.max(n / 12.0, 50);
    for (int it = 0; it < iterations; it++) {
      double exaggeration = it < 250 ? 12 : 1;
      double momentum = it < 250 ? 0.5 : 0.8;
      Arrays.fill(grad, 0);
      // attractive forces over the sparse P
      for (int t = 0; t < m; t++) {
        int i = pi[t], j = pj[t];
        double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
        double w = exaggeration * pv[t] / (1 + dx * dx + dy * dy);
        grad[2 * i] += w * dx;
        grad[2 * i + 1] += w * dy;
      }
      // repulsive forces from the quadtree
      QuadTree tree = QuadTree.build(y, n);
      double[] rep = new double[2 * n];
      double z = 0;
      double[] acc = new double[3];
      for (int i = 0; i < n; i++) {
        acc[0] = acc[1] = acc[2] = 0;
        tree.repulsion(y[2 * i], y[2 * i + 1], 0.5, acc);
        rep[2 * i] = acc[0];
        rep[2 * i + 1] = acc[1];
        z += acc[2];
      }
      for (int i = 0; i < 2 * n; i++) {
        double gi = 4 * (grad[i] - rep[i] / z);
        boolean same = (gi > 0) == (upd[i] > 0);
        gains[i] = Math.max(0.01, same ? gains[i] * 0.8 : gains[i] + 0.2);
        upd[i] = momentum * upd[i] - lr * gains[i] * gi;
        y[i] += upd[i];
      }
      double mx = 0, my = 0;
      for (int i = 0; i < n; i++) {
        mx += y[2 * i] / n;
        my += y[2 * i + 1] / n;
      }
      for (int i = 0; i < n; i++) {
        y[2 * i] -= mx;
        y[2 * i + 1] -= my;
      }
    }
    float[] out = new float[2 * n];
    for (int i = 0; i < 2 * n; i++) out[i] = (float) y[i];
    return Tensor.of(out, n, 2);
  }

  /** Brute-force k nearest neighbours in blocks of rows, distances by matmul. */
  static void nearestNeighbours(Tensor x, int k, int[][] nbr, double[][] nd2) {
    int n = x.size(0);
    int block = 512;
    for (int start = 0; start < n; start += block) {
      int len = Math.min(block, n - start);
      double[] d = KMeans.sqDistances(x.narrow(0, start, len), x).toDoubleArray();
      for (int r = 0; r < len; r++) {
        int i = start + r;
        // partial selection of the k smallest by a bounded max-heap kept as arrays
        int[] idx = new int[k];
        double[] dist = new double[k];
        Arrays.fill(dist, Double.POSITIVE_INFINITY);
        for (int j = 0; j < n; j++) {
          if (j == i) continue;
          double v = d[r * n + j];
          if (v >= dist[k - 1]) continue;
          int pos = k - 1;
          while (pos > 0 && dist[pos - 1] > v) {
            dist[pos] = dist[pos - 1];
            idx[pos] = idx[pos - 1];
            pos--;
          }
          dist[pos] = v;
          idx[pos] = j;
        }
        nbr[i] = idx;
        nd2[i] = dist;
      }
    }
  }

  /** A point-region quadtree with centres of mass, for the Barnes–Hut approximation. */
  static final class QuadTree {
    final double cx, cy, half;
    double massX, massY;
    int count;
    int point = -1;
    QuadTree[] kids;
    final double[] ys;

    private QuadTree(double cx, double cy, double half, double[] ys) {
      this.cx = cx;
      this.cy = cy;
      this.half = half;
      this.ys = ys;
    }

    static QuadTree build(double[] y, int n) {
      double minX = Double.POSITIVE_INFINITY,
          minY = minX,
          maxX = Double.NEGATIVE_INFINITY,
          maxY = maxX;
      for (int i = 0; i < n; i++) {
        minX = Math.min(minX, y[2 * i]);
        maxX = Math.max(maxX, y[2 * i]);
        minY = Math.min(minY, y[2 * i + 1]);
        maxY = Math.max(maxY, y[2 * i + 1]);
      }
      double half = Math.max(maxX - minX, maxY - minY) / 2 + 1e-5;
      QuadTree root = new QuadTree((minX + maxX) / 2, (minY + maxY) / 2, half, y);
      for (int i = 0; i < n; i++) root.insert(i, 0);
      return root;
    }

    void insert(int i, int depth) {
      double px = ys[2 * i], py = ys[2 * i + 1];
      massX = (massX * count + px) / (count + 1);
      massY = (massY * count + py) / (count + 1);
      count++;
      if (count == 1) {
        point = i;
        return;
      }
      if (depth > 50) return; // coincident points: keep them lumped in this cell
      if (kids == null) {
        kids = new QuadTree[4];
        double h = half / 2;
        kids[0] = new QuadTree(cx - h, cy - h, h, ys);
        kids[1] = new QuadTree(cx + h, cy - h, h, ys);
        kids[2] = new QuadTree(cx - h, cy + h, h, ys);
        kids[3] = new QuadTree(cx + h, cy + h, h, ys);
        if (point >= 0) {
          kids[quadrant(ys[2 * point], ys[2 * point + 1])].insert(point, depth + 1);
          point = -1;
        }
      }
      kids[quadrant(px, py)].insert(i, depth + 1);
    }

    private int quadrant(double x, double y) {
      return (x >= cx ? 1 : 0) + (y >= cy ? 2 : 0);
    }

    /** Adds the repulsive force numerator (x, y) and the Z contribution into acc. */
    void repulsion(double px, double py, double theta, double[] acc) {
      if (count == 0) return;
      double dx = px - massX, dy = py - massY;
      double d2 = dx * dx + dy * dy;
      if (kids == null || (2 * half) * (2 * half) < theta * theta * d2) {
        if (d2 < 1e-18 && kids == null && count == 1) return; // the point itself
        double q = 1 / (1 + d2);
        double mult = count * q;
        acc[2] += mult;
        mult *= q;
        acc[0] += mult * dx;
        acc[1] += mult * dy;
        return;
      }
      for (QuadTree kid : kids) kid.repulsion(px, py, theta, acc);
    }
  }
}
