package org.jgrad.data.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import org.jgrad.data.io.RegressionData;
import org.jgrad.data.io.TabularData;
import org.jgrad.tensor.Generator;

/**
 * Seeded synthetic data sets for the coursework: two moons, Gaussian blobs, the noisy 1-D
 * regression {@code y = -sin(0.8 pi x)}, a 2-D surface regression, and random matrices for PCA. The
 * same seed gives the same data on every platform (the core {@link Generator} is used).
 *
 * <pre>{@code
 * TabularData moons = Synthetic.twoMoons(200, 0.1, 42);
 * RegressionData sine = Synthetic.sineRegression(50, -1, 1, 0.1, 7);
 * Tensor x = TensorDataset.of(moons).inputs();     // [200, 2]
 * }</pre>
 */
public final class Synthetic {
  private Synthetic() {}

  /**
   * Two interleaving half circles, as scikit-learn's {@code make_moons}: {@code n/2} points on the
   * upper unit half circle (label 0) and the rest on a lower half circle centred at (1, 0.5) (label
   * 1), plus Gaussian noise of standard deviation {@code noise}, rows shuffled.
   */
  public static TabularData twoMoons(int n, double noise, long seed) {
    requirePositive("twoMoons", "n", n);
    requireNonNegative("twoMoons", "noise", noise);
    Generator g = new Generator(seed);
    int nOut = n / 2;
    int nIn = n - nOut;
    float[] x = new float[2 * n];
    int[] y = new int[n];
    for (int i = 0; i < nOut; i++) {
      double t = nOut == 1 ? 0 : Math.PI * i / (nOut - 1);
      x[2 * i] = (float) Math.cos(t);
      x[2 * i + 1] = (float) Math.sin(t);
    }
    for (int i = 0; i < nIn; i++) {
      double t = nIn == 1 ? 0 : Math.PI * i / (nIn - 1);
      int r = nOut + i;
      x[2 * r] = (float) (1 - Math.cos(t));
      x[2 * r + 1] = (float) (0.5 - Math.sin(t));
      y[r] = 1;
    }
    int[] perm = permutation(n, g);
    float[] xs = new float[2 * n];
    int[] ys = new int[n];
    for (int i = 0; i < n; i++) {
      xs[2 * i] = (float) (x[2 * perm[i]] + noise * g.nextGaussian());
      xs[2 * i + 1] = (float) (x[2 * perm[i] + 1] + noise * g.nextGaussian());
      ys[i] = y[perm[i]];
    }
    return new TabularData(xs, n, 2, List.of("x0", "x1"), ys, List.of("0", "1"));
  }

  /**
   * Isotropic Gaussian blobs around given centres (one class per centre), as {@code make_blobs}:
   * sample counts as equal as possible (the first centres get one more), rows shuffled.
   */
  public static TabularData blobs(int n, double[][] centers, double std, long seed) {
    requirePositive("blobs", "n", n);
    requireNonNegative("blobs", "std", std);
    if (centers.length == 0)
      throw new IllegalArgumentException("blobs: at least one centre is needed");
    int d = centers[0].length;
    for (double[] c : centers) {
      if (c.length != d)
        throw new IllegalArgumentException("blobs: all centres need " + d + " coordinates");
    }
    Generator g = new Generator(seed);
    int k = centers.length;
    int[] labelsInOrder = new int[n];
    for (int i = 0, c = 0; c < k; c++) {
      int count = n / k + (c < n % k ? 1 : 0);
      for (int j = 0; j < count; j++) labelsInOrder[i++] = c;
    }
    int[] perm = permutation(n, g);
    float[] x = new float[n * d];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int c = labelsInOrder[perm[i]];
      y[i] = c;
      for (int j = 0; j < d; j++) x[i * d + j] = (float) (centers[c][j] + std * g.nextGaussian());
    }
    List<String> names = new ArrayList<>();
    List<String> features = new ArrayList<>();
    for (int c = 0; c < k; c++) names.add(Integer.toString(c));
    for (int j = 0; j < d; j++) features.add("x" + j);
    return new TabularData(x, n, d, features, y, names);
  }

  /** Blobs around {@code numCenters} centres drawn uniformly from the box [-10, 10]^features. */
  public static TabularData blobs(int n, int numCenters, int features, double std, long seed) {
    requirePositive("blobs", "numCenters", numCenters);
    requirePositive("blobs", "features", features);
    Generator g = new Generator(seed ^ 0x9E3779B97F4A7C15L);
    double[][] centers = new double[numCenters][features];
    for (double[] c : centers) {
      for (int j = 0; j < features; j++) c[j] = -10 + 20 * g.nextDouble();
    }
    return blobs(n, centers, std, seed);
  }

  /** The noiseless target of the 1-D regression task: {@code -sin(0.8 pi x)}. */
  public static double sineTarget(double x) {
    return -Math.sin(0.8 * Math.PI * x);
  }

  /**
   * {@code n} points with x uniform in [xMin, xMax] and {@code y = -sin(0.8 pi x) + N(0, noise^2)};
   * inputs and targets are n x 1.
   */
  public static RegressionData sineRegression(
      int n, double xMin, double xMax, double noise, long seed) {
    requirePositive("sineRegression", "n", n);
    requireNonNegative("sineRegression", "noise", noise);
    if (!(xMax > xMin))
      throw new IllegalArgumentException(
          "sineRegression: need xMin < xMax, got " + xMin + ", " + xMax);
    Generator g = new Generator(seed);
    float[] x = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double xi = xMin + (xMax - xMin) * g.nextDouble();
      x[i] = (float) xi;
      y[i] = (float) (sineTarget(xi) + noise * g.nextGaussian());
    }
    return new RegressionData(x, n, 1, y, 1);
  }

  /** The noiseless curve on {@code n} evenly spaced points of [xMin, xMax] (for plots). */
  public static RegressionData sineCurve(int n, double xMin, double xMax) {
    requirePositive("sineCurve", "n", n);
    float[] x = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double xi = n == 1 ? xMin : xMin + (xMax - xMin) * i / (n - 1);
      x[i] = (float) xi;
      y[i] = (float) sineTarget(xi);
    }
    return new RegressionData(x, n, 1, y, 1);
  }

  /** The default surface: {@code f(x1, x2) = sin(pi x1) cos(pi x2 / 2)} on [-1, 1]^2. */
  public static double surfaceTarget(double x1, double x2) {
    return Math.sin(Math.PI * x1) * Math.cos(0.5 * Math.PI * x2);
  }

  /**
   * {@link #surfaceRegression(int, DoubleBinaryOperator, double, double, double, long)} with the
   * default surface on [-1, 1]^2.
   */
  public static RegressionData surfaceRegression(int n, double noise, long seed) {
    return surfaceRegression(n, Synthetic::surfaceTarget, -1, 1, noise, seed);
  }

  /**
   * {@code n} points (x1, x2) uniform in [lo, hi]^2 with {@code y = f(x1, x2) + N(0, noise^2)};
   * inputs n x 2, targets n x 1.
   */
  public static RegressionData surfaceRegression(
      int n, DoubleBinaryOperator f, double lo, double hi, double noise, long seed) {
    requirePositive("surfaceRegression", "n", n);
    requireNonNegative("surfaceRegression", "noise", noise);
    if (!(hi > lo))
      throw new IllegalArgumentException("surfaceRegression: need lo < hi, got " + lo + ", " + hi);
    Generator g = new Generator(seed);
    float[] x = new float[2 * n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double a = lo + (hi - lo) * g.nextDouble();
      double b = lo + (hi - lo) * g.nextDouble();
      x[2 * i] = (float) a;
      x[2 * i + 1] = (float) b;
      y[i] = (float) (f.applyAsDouble(a, b) + noise * g.nextGaussian());
    }
    return new RegressionData(x, n, 2, y, 1);
  }

  /** A rows x cols matrix (row-major) of values uniform in [low, high). */
  public static float[] uniformMatrix(int rows, int cols, double low, double high, long seed) {
    requirePositive("uniformMatrix", "rows", rows);
    requirePositive("uniformMatrix", "cols", cols);
    if (!(high > low))
      throw new IllegalArgumentException(
          "uniformMatrix: need low < high, got " + low + ", " + high);
    Generator g = new Generator(seed);
    float[] m = new float[Math.multiplyExact(rows, cols)];
    for (int i = 0; i < m.length; i++) m[i] = (float) (low + (high - low) * g.nextDouble());
    return m;
  }

  /** A rows x cols matrix (row-major) of independent N(mean, std^2) values. */
  public static float[] gaussianMatrix(int rows, int cols, double mean, double std, long seed) {
    requirePositive("gaussianMatrix", "rows", rows);
    requirePositive("gaussianMatrix", "cols", cols);
    requireNonNegative("gaussianMatrix", "std", std);
    Generator g = new Generator(seed);
    float[] m = new float[Math.multiplyExact(rows, cols)];
    for (int i = 0; i < m.length; i++) m[i] = (float) (mean + std * g.nextGaussian());
    return m;
  }

  /**
   * {@code rows} samples (row-major, rows x d) from the multivariate normal N(mean, covariance),
   * through the Cholesky factor of the covariance; useful for PCA, whose answer is then known (the
   * covariance's eigenvectors).
   */
  public static float[] gaussianMatrix(int rows, double[] mean, double[][] covariance, long seed) {
    requirePositive("gaussianMatrix", "rows", rows);
    int d = mean.length;
    if (covariance.length != d) {
      throw new IllegalArgumentException(
          "gaussianMatrix: covariance must be "
              + d
              + " x "
              + d
              + ", got "
              + covariance.length
              + " rows");
    }
    double[][] l = cholesky(covariance);
    Generator g = new Generator(seed);
    float[] m = new float[Math.multiplyExact(rows, d)];
    double[] z = new double[d];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < d; j++) z[j] = g.nextGaussian();
      for (int i = 0; i < d; i++) {
        double s = mean[i];
        for (int j = 0; j <= i; j++) s += l[i][j] * z[j];
        m[r * d + i] = (float) s;
      }
    }
    return m;
  }

  private static double[][] cholesky(double[][] a) {
    int d = a.length;
    double[][] l = new double[d][d];
    for (int i = 0; i < d; i++) {
      if (a[i].length != d) {
        throw new IllegalArgumentException(
            "gaussianMatrix: covariance must be square, row "
                + i
                + " has "
                + a[i].length
                + " entries");
      }
      for (int j = 0; j <= i; j++) {
        if (Math.abs(a[i][j] - a[j][i]) > 1e-12 * Math.max(1, Math.abs(a[i][j]))) {
          throw new IllegalArgumentException(
              "gaussianMatrix: covariance is not symmetric at (" + i + ", " + j + ")");
        }
        double s = a[i][j];
        for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
        if (i == j) {
          if (s < -1e-12) {
            throw new IllegalArgumentException(
                "gaussianMatrix: covariance is not positive semi-definite");
          }
          l[i][i] = Math.sqrt(Math.max(s, 0));
        } else {
          l[i][j] = l[j][j] == 0 ? 0 : s / l[j][j];
        }
      }
    }
    return l;
  }

  static int[] permutation(int n, Generator g) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = g.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static void requirePositive(String op, String what, int v) {
    if (v <= 0)
      throw new IllegalArgumentException(op + ": " + what + " must be positive, got " + v);
  }

  private static void requireNonNegative(String op, String what, double v) {
    if (!(v >= 0)) throw new IllegalArgumentException(op + ": " + what + " must be >= 0, got " + v);
  }
}
