package org.jgrad.examples.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgrad.tensor.Generator;
import org.junit.jupiter.api.Test;

class ArdRegressionTest {
  private static double[][] rows(int n, int d, Generator g) {
    double[][] x = new double[n][d];
    for (double[] r : x) for (int j = 0; j < d; j++) r[j] = g.nextGaussian();
    return x;
  }

  @Test
  void leastSquaresSolvesAnExactLinearSystem() {
    double[][] x = {{1, 2}, {3, -1}, {0, 4}, {2, 2}};
    double[] w = {0.5, -1.5}, y = new double[4];
    for (int i = 0; i < 4; i++) y[i] = x[i][0] * w[0] + x[i][1] * w[1] + 3;
    assertArrayEquals(new double[] {0.5, -1.5, 3}, ArdRegression.leastSquares(x, y), 1e-10);
    assertThrows(
        IllegalArgumentException.class,
        () -> ArdRegression.leastSquares(new double[][] {{1, 2}, {3, 4}}, new double[] {1, 2}));
  }

  @Test
  void ardKeepsTheRelevantFeaturesAndPrunesTheRest() {
    Generator g = new Generator(5);
    int n = 200, d = 8;
    double[][] x = rows(n, d, g);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) y[i] = 2 * x[i][1] - 1.5 * x[i][4] + 0.7 + 0.05 * g.nextGaussian();
    ArdRegression ard = ArdRegression.fit(x, y, 300, 1e-8, 1e4);
    double[] w = ard.coef();
    assertEquals(2, w[1], 0.02);
    assertEquals(-1.5, w[4], 0.02);
    assertEquals(0.7, ard.intercept(), 0.02);
    boolean[] kept = ard.kept();
    for (int j = 0; j < d; j++) {
      if (j == 1 || j == 4) assertTrue(kept[j], "feature " + j);
      else {
        // Irrelevant weights are pruned to exactly 0, or kept with a large precision and tiny
        // weight.
        assertTrue(w[j] == 0 || Math.abs(w[j]) < 0.02, "feature " + j + ": " + w[j]);
        assertTrue(ard.alpha()[j] > 100, "α of feature " + j + ": " + ard.alpha()[j]);
      }
    }
    long pruned = java.util.stream.IntStream.range(0, d).filter(j -> !kept[j]).count();
    assertTrue(pruned >= 3, "most irrelevant features are pruned, got " + pruned);
    // Noise sd 0.05 → precision 400.
    assertEquals(400, ard.noisePrecision(), 120);
    double[] yHat = ard.predict(x);
    double mse = 0;
    for (int i = 0; i < n; i++) mse += (yHat[i] - y[i]) * (yHat[i] - y[i]) / n;
    assertTrue(mse < 0.004, "mse " + mse);
  }

  @Test
  void onOneFeatureArdMatchesTheClosedFormPosterior() {
    // With a single kept weight the fixed point is explicit; check μ = βΣXᵀy against its own α, β.
    Generator g = new Generator(9);
    int n = 50;
    double[][] x = rows(n, 1, g);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) y[i] = 0.8 * x[i][0] + 0.1 * g.nextGaussian();
    ArdRegression ard = ArdRegression.fit(x, y, 1000, 1e-12, 1e4);
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i][0] / n;
      my += y[i] / n;
    }
    double sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
      sxx += (x[i][0] - mx) * (x[i][0] - mx);
      sxy += (x[i][0] - mx) * (y[i] - my);
    }
    double beta = ard.noisePrecision(), alpha = ard.alpha()[0];
    // After the last update α and β moved once more; at convergence they are at their fixed point,
    // so the posterior with them reproduces the reported weight.
    double mu = beta * sxy / (beta * sxx + alpha);
    assertEquals(mu, ard.coef()[0], 1e-6);
    assertEquals(1 / Math.sqrt(beta * sxx + alpha), ard.posteriorSd()[0], 1e-6);
    assertFalse(Double.isNaN(ard.intercept()));
  }

  @Test
  void badInputIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ArdRegression.fit(new double[][] {{1, 2}, {3}}, new double[] {1, 2}));
    assertTrue(e.getMessage().contains("row 1 has 1 features, expected 2"), e.getMessage());
  }
}
