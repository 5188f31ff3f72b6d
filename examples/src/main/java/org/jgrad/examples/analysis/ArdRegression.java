package org.jgrad.examples.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Automatic relevance determination: Bayesian linear regression y = X·w + b + ε with a separate
 * Gaussian prior precision α_j on each weight and noise precision β, all fitted by maximising the
 * evidence with MacKay's fixed-point updates (the scheme of scikit-learn's {@code ARDRegression},
 * including its Gamma(1e-6, 1e-6) hyperpriors). Each iteration computes the posterior
 *
 * <pre>
 *   Σ = (β·XᵀX + diag(α))⁻¹,   μ = β·Σ·Xᵀy,
 * </pre>
 *
 * then γ_j = 1 − α_j·Σ_jj (how well weight j is determined by the data), α_j = (γ_j + 2λ₁) / (μ_j²
 * + 2λ₂) and β = (n − Σγ + 2α₁) / (‖y − Xμ‖² + 2α₂). A weight whose α_j passes {@code threshold}
 * has a prior so narrow that it is pruned (set to 0 and dropped from later iterations). X and y are
 * centred first, so the intercept is not shrunk. Linear algebra is EJML's (Cholesky inverse of the
 * positive-definite posterior precision).
 *
 * <pre>{@code
 * ArdRegression ard = ArdRegression.fit(x, y);       // x[n][d], y[n]
 * double[] w = ard.coef();                            // exactly 0 for pruned features
 * double[] yHat = ard.predict(x);
 * }</pre>
 */
public final class ArdRegression {
  private static final double HYPER = 1e-6; // α₁ = α₂ = λ₁ = λ₂, as scikit-learn's defaults

  private final double[] coef, alpha, posteriorSd;
  private final double intercept, noisePrecision;
  private final int iterations;

  private ArdRegression(
      double[] coef,
      double intercept,
      double[] alpha,
      double[] posteriorSd,
      double noisePrecision,
      int iterations) {
    this.coef = coef;
    this.intercept = intercept;
    this.alpha = alpha;
    this.posteriorSd = posteriorSd;
    this.noisePrecision = noisePrecision;
    this.iterations = iterations;
  }

  /**
   * {@link #fit(double[][], double[], int, double, double)} with 300 iterations, tol 1e-3,
   * threshold 1e4.
   */
  public static ArdRegression fit(double[][] x, double[] y) {
    return fit(x, y, 300, 1e-3, 1e4);
  }

  /**
   * Fits until the weights change by less than {@code tol} in L1 norm from one iteration to the
   * next, or {@code maxIter} iterations; features whose precision exceeds {@code threshold} are
   * pruned.
   */
  public static ArdRegression fit(
      double[][] x, double[] y, int maxIter, double tol, double threshold) {
    int n = x.length;
    if (n < 2 || y.length != n) {
      throw new IllegalArgumentException(
          "ArdRegression.fit: need at least 2 rows and one target per row, got "
              + n
              + " rows and "
              + y.length
              + " targets");
    }
    int d = x[0].length;
    double[] xMean = new double[d];
    double yMean = 0;
    for (int i = 0; i < n; i++) {
      if (x[i].length != d)
        throw new IllegalArgumentException(
            "ArdRegression.fit: row " + i + " has " + x[i].length + " features, expected " + d);
      for (int j = 0; j < d; j++) xMean[j] += x[i][j] / n;
      yMean += y[i] / n;
    }
    DMatrixRMaj xc = new DMatrixRMaj(n, d);
    DMatrixRMaj yc = new DMatrixRMaj(n, 1);
    double yVar = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) xc.set(i, j, x[i][j] - xMean[j]);
      yc.set(i, 0, y[i] - yMean);
      yVar += (y[i] - yMean) * (y[i] - yMean) / n;
    }
    DMatrixRMaj xtx = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransA(xc, xc, xtx);
    DMatrixRMaj xty = new DMatrixRMaj(d, 1);
    CommonOps_DDRM.multTransA(xc, yc, xty);

    double beta = 1 / (yVar + 1e-12);
    double[] alpha = new double[d];
    java.util.Arrays.fill(alpha, 1.0);
    boolean[] keep = new boolean[d];
    java.util.Arrays.fill(keep, true);
    double[] coef = new double[d], sd = new double[d];
    int iter = 0;
    for (; iter < maxIter; iter++) {
      int[] idx = java.util.stream.IntStream.range(0, d).filter(j -> keep[j]).toArray();
      int k = idx.length;
      double[] old = coef.clone();
      java.util.Arrays.fill(coef, 0);
      java.util.Arrays.fill(sd, 0);
      if (k == 0) break;
      DMatrixRMaj a = new DMatrixRMaj(k, k);
      DMatrixRMaj b = new DMatrixRMaj(k, 1);
      for (int p = 0; p < k; p++) {
        for (int q = 0; q < k; q++) a.set(p, q, beta * xtx.get(idx[p], idx[q]));
        a.add(p, p, alpha[idx[p]]);
        b.set(p, 0, xty.get(idx[p], 0));
      }
      LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.symmPosDef(k);
      if (!chol.setA(a)) {
        throw new IllegalStateException(
            "ArdRegression.fit: the posterior precision is not positive definite at iteration "
                + iter);
      }
      DMatrixRMaj sigma = new DMatrixRMaj(k, k);
      chol.invert(sigma);
      DMatrixRMaj mu = new DMatrixRMaj(k, 1);
      CommonOps_DDRM.mult(sigma, b, mu);
      CommonOps_DDRM.scale(beta, mu);
      double gammaSum = 0;
      for (int p = 0; p < k; p++) {
        int j = idx[p];
        coef[j] = mu.get(p, 0);
        sd[j] = Math.sqrt(sigma.get(p, p));
        double gamma = 1 - alpha[j] * sigma.get(p, p);
        gammaSum += gamma;
        alpha[j] = (gamma + 2 * HYPER) / (coef[j] * coef[j] + 2 * HYPER);
      }
      double sse = 0;
      for (int i = 0; i < n; i++) {
        double r = yc.get(i, 0);
        for (int p = 0; p < k; p++) r -= xc.get(i, idx[p]) * coef[idx[p]];
        sse += r * r;
      }
      beta = (n - gammaSum + 2 * HYPER) / (sse + 2 * HYPER);
      for (int j : idx) {
        if (alpha[j] >= threshold) {
          keep[j] = false;
          coef[j] = 0;
          sd[j] = 0;
        }
      }
      double change = 0;
      for (int j = 0; j < d; j++) change += Math.abs(coef[j] - old[j]);
      if (iter > 0 && change < tol) {
        iter++;
        break;
      }
    }
    double intercept = yMean;
    for (int j = 0; j < d; j++) intercept -= xMean[j] * coef[j];
    return new ArdRegression(coef, intercept, alpha, sd, beta, iter);
  }

  /** Ordinary least squares with an intercept (EJML's QR solver); returns {w..., b}. */
  public static double[] leastSquares(double[][] x, double[] y) {
    int n = x.length, d = x[0].length;
    DMatrixRMaj a = new DMatrixRMaj(n, d + 1);
    DMatrixRMaj b = new DMatrixRMaj(n, 1);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) a.set(i, j, x[i][j]);
      a.set(i, d, 1);
      b.set(i, 0, y[i]);
    }
    LinearSolverDense<DMatrixRMaj> qr = LinearSolverFactory_DDRM.leastSquares(n, d + 1);
    if (n < d + 1 || !qr.setA(a)) {
      throw new IllegalArgumentException(
          "ArdRegression.leastSquares: "
              + n
              + " rows cannot determine "
              + (d + 1)
              + " coefficients (singular system)");
    }
    DMatrixRMaj w = new DMatrixRMaj(d + 1, 1);
    qr.solve(b, w);
    return w.getData().clone();
  }

  /** X·w + b for each row. */
  public double[] predict(double[][] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = intercept;
      for (int j = 0; j < coef.length; j++) s += x[i][j] * coef[j];
      out[i] = s;
    }
    return out;
  }

  /** Posterior mean weights; exactly 0 for pruned features. */
  public double[] coef() {
    return coef.clone();
  }

  public double intercept() {
    return intercept;
  }

  /** The fitted prior precision of each weight (large: irrelevant). */
  public double[] alpha() {
    return alpha.clone();
  }

  /** Posterior standard deviation of each weight (0 for pruned features). */
  public double[] posteriorSd() {
    return posteriorSd.clone();
  }

  /** Which features survived pruning. */
  public boolean[] kept() {
    boolean[] k = new boolean[coef.length];
    for (int j = 0; j < k.length; j++) k[j] = posteriorSd[j] > 0;
    return k;
  }

  /** The fitted noise precision β (1 / noise variance). */
  public double noisePrecision() {
    return noisePrecision;
  }

  public int iterations() {
    return iterations;
  }
}
