package org.jgrad.examples.analysis;

import java.util.function.IntConsumer;
import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * A Kohonen self-organizing map on jgrad tensors: {@code rows × cols} units on a rectangular grid,
 * each with a weight vector in data space, trained online. At step t a random sample x picks its
 * best-matching unit b (nearest weight vector), and every unit u moves towards x by {@code lr(t) ·
 * h(‖grid(u) − grid(b)‖, σ(t)) · (x − w_u)}; σ and the learning rate decay exponentially from their
 * start to their end values over the run.
 *
 * <pre>{@code
 * SelfOrganizingMap som = SelfOrganizingMap.initFromSamples(4, 4, x, new Generator(0));
 * som.train(x, 5000, SelfOrganizingMap.Schedule.of(2.0, 0.3, 0.5, 0.01),
 *     SelfOrganizingMap.Neighbourhood.GAUSSIAN, new Generator(1), null);
 * int[] units = som.bestMatchingUnits(x);
 * }</pre>
 */
public final class SelfOrganizingMap {
  /** How strongly a unit at grid distance d from the winner moves, for radius σ. */
  public enum Neighbourhood {
    /** exp(−d² / (2σ²)). */
    GAUSSIAN,
    /** max(0, 1 − d / σ): only units closer than σ move. */
    TRIANGLE
  }

  /** Exponential decay of σ and the learning rate from their start to their end values. */
  public record Schedule(double sigmaStart, double sigmaEnd, double lrStart, double lrEnd) {
    public Schedule {
      if (!(sigmaStart > 0 && sigmaEnd > 0 && lrStart > 0 && lrEnd > 0)) {
        throw new IllegalArgumentException(
            "SelfOrganizingMap.Schedule: σ and learning rates must be > 0, got σ "
                + sigmaStart
                + " → "
                + sigmaEnd
                + ", lr "
                + lrStart
                + " → "
                + lrEnd);
      }
    }

    public static Schedule of(double sigmaStart, double sigmaEnd, double lrStart, double lrEnd) {
      return new Schedule(sigmaStart, sigmaEnd, lrStart, lrEnd);
    }

    /** σ at step t of n. */
    public double sigma(int t, int n) {
      return sigmaStart * Math.pow(sigmaEnd / sigmaStart, n <= 1 ? 0 : (double) t / (n - 1));
    }

    /** The learning rate at step t of n. */
    public double lr(int t, int n) {
      return lrStart * Math.pow(lrEnd / lrStart, n <= 1 ? 0 : (double) t / (n - 1));
    }
  }

  private final int rows, cols, dim;
  private Tensor weights; // [units, dim] float32
  private final Tensor gridDistance; // [units, units] Euclidean distance on the grid

  private SelfOrganizingMap(int rows, int cols, Tensor weights) {
    this.rows = rows;
    this.cols = cols;
    this.dim = weights.size(1);
    this.weights = weights;
    int u = rows * cols;
    float[] d = new float[u * u];
    for (int a = 0; a < u; a++)
      for (int b = 0; b < u; b++)
        d[a * u + b] = (float) Math.hypot(a / cols - b / cols, a % cols - b % cols);
    this.gridDistance = Tensor.of(d, u, u);
  }

  /** A map whose units start at randomly chosen distinct samples of {@code x} ([n, d]). */
  public static SelfOrganizingMap initFromSamples(int rows, int cols, Tensor x, Generator g) {
    check(rows, cols, x, "initFromSamples");
    int n = x.size(0), u = rows * cols;
    if (u > n) {
      throw new IllegalArgumentException(
          "SelfOrganizingMap.initFromSamples: "
              + u
              + " units need at least as many samples, got "
              + n);
    }
    Tensor perm = Tensor.randperm(n, g).narrow(0, 0, u);
    return new SelfOrganizingMap(rows, cols, x.detach().index(perm).to(x.dtype()).contiguous());
  }

  /** A map with the given initial weights ([rows·cols, d]). */
  public static SelfOrganizingMap of(int rows, int cols, Tensor weights) {
    if (weights.dim() != 2 || weights.size(0) != rows * cols) {
      throw new IllegalArgumentException(
          "SelfOrganizingMap.of: weights must be ["
              + rows * cols
              + ", d] for a "
              + rows
              + "×"
              + cols
              + " map, got "
              + java.util.Arrays.toString(weights.shape()));
    }
    return new SelfOrganizingMap(rows, cols, weights.detach().clone());
  }

  private static void check(int rows, int cols, Tensor x, String op) {
    if (rows < 1 || cols < 1)
      throw new IllegalArgumentException(
          "SelfOrganizingMap." + op + ": grid must be at least 1×1, got " + rows + "×" + cols);
    if (x.dim() != 2)
      throw new IllegalArgumentException(
          "SelfOrganizingMap."
              + op
              + ": expected [n, d] data, got shape "
              + java.util.Arrays.toString(x.shape()));
  }

  /**
   * {@code steps} online updates with samples of {@code x} drawn uniformly with {@code g}; {@code
   * afterStep}, if not null, is called with the number of steps done so far (for snapshots).
   */
  public void train(
      Tensor x,
      int steps,
      Schedule schedule,
      Neighbourhood neighbourhood,
      Generator g,
      IntConsumer afterStep) {
    checkData(x, "train");
    int n = x.size(0);
    try (var ng = GradMode.noGrad()) {
      for (int t = 0; t < steps; t++) {
        Tensor xi = x.narrow(0, g.nextInt(n), 1); // [1, d]
        Tensor diff = xi.sub(weights); // [units, d]
        int bmu = (int) diff.square().sum(1, false).argmin().item();
        Tensor d = gridDistance.select(0, bmu); // [units]
        double sigma = schedule.sigma(t, steps);
        Tensor h =
            switch (neighbourhood) {
              case GAUSSIAN -> d.square().mul(-1 / (2 * sigma * sigma)).exp();
              case TRIANGLE -> d.mul(-1 / sigma).add(1).clamp(0, 1);
            };
        weights = weights.add(diff.mul(h.mul(schedule.lr(t, steps)).unsqueeze(1)));
        if (afterStep != null) afterStep.accept(t + 1);
      }
    }
  }

  private void checkData(Tensor x, String op) {
    check(rows, cols, x, op);
    if (x.size(1) != dim) {
      throw new IllegalArgumentException(
          "SelfOrganizingMap." + op + ": the map has " + dim + "-D weights, data has " + x.size(1));
    }
  }

  /** Squared distances from each sample to each unit: [n, units]. */
  private Tensor squaredDistances(Tensor x) {
    Tensor xx = x.square().sum(1, true); // [n, 1]
    Tensor ww = weights.square().sum(1, false).unsqueeze(0); // [1, units]
    return xx.add(ww).sub(x.matmul(weights.t()).mul(2)).clamp(0, Double.MAX_VALUE);
  }

  /** The best-matching unit (row-major index) of each sample. */
  public int[] bestMatchingUnits(Tensor x) {
    checkData(x, "bestMatchingUnits");
    try (var ng = GradMode.noGrad()) {
      return toInts(squaredDistances(x).argmin(1, false));
    }
  }

  /** Mean distance from each sample to its best-matching unit's weight vector. */
  public double quantizationError(Tensor x) {
    checkData(x, "quantizationError");
    try (var ng = GradMode.noGrad()) {
      return squaredDistances(x).amin(new int[] {1}, false).sqrt().mean().item();
    }
  }

  /**
   * Fraction of samples whose best and second-best units are not grid neighbours (8-connected): how
   * often the map's topology breaks.
   */
  public double topographicError(Tensor x) {
    checkData(x, "topographicError");
    if (rows * cols < 2) return 0;
    try (var ng = GradMode.noGrad()) {
      Tensor order = squaredDistances(x).argsort(1, false);
      int[] first = toInts(order.select(1, 0)), second = toInts(order.select(1, 1));
      int bad = 0;
      for (int i = 0; i < first.length; i++) {
        int dr = Math.abs(first[i] / cols - second[i] / cols);
        int dc = Math.abs(first[i] % cols - second[i] % cols);
        if (Math.max(dr, dc) > 1) bad++;
      }
      return (double) bad / first.length;
    }
  }

  /**
   * The U-matrix: for each unit, the mean distance in data space to the weight vectors of its 4
   * grid neighbours; high values mark borders between clusters.
   */
  public double[][] uMatrix() {
    double[][] w = weights();
    double[][] u = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double s = 0;
        int k = 0;
        int[][] nb = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
        for (int[] p : nb) {
          if (p[0] < 0 || p[0] >= rows || p[1] < 0 || p[1] >= cols) continue;
          double d2 = 0;
          for (int j = 0; j < dim; j++) {
            double e = w[r * cols + c][j] - w[p[0] * cols + p[1]][j];
            d2 += e * e;
          }
          s += Math.sqrt(d2);
          k++;
        }
        u[r][c] = k == 0 ? 0 : s / k;
      }
    }
    return u;
  }

  /** The weight vectors, one row per unit (row-major over the grid). */
  public double[][] weights() {
    double[] v = weights.toDoubleArray();
    double[][] out = new double[rows * cols][dim];
    for (int i = 0; i < out.length; i++) System.arraycopy(v, i * dim, out[i], 0, dim);
    return out;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  private static int[] toInts(Tensor t) {
    double[] v = t.toDoubleArray();
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
    return out;
  }
}
