package org.jgrad.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.jgrad.backend.DType;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.io.RegressionData;
import org.jgrad.data.io.TabularData;
import org.junit.jupiter.api.Test;

class SyntheticTest {
  @Test
  void noiselessMoonsLieOnTheirHalfCircles() {
    TabularData m = Synthetic.twoMoons(101, 0, 1);
    assertArrayEquals(new int[] {50, 51}, m.classCounts());
    for (int i = 0; i < m.rows(); i++) {
      double x = m.feature(i, 0), y = m.feature(i, 1);
      if (m.labels()[i] == 0) {
        assertEquals(1, x * x + y * y, 1e-6);
        assertFalse(y < -1e-6, "outer moon is the upper half");
      } else {
        assertEquals(1, (x - 1) * (x - 1) + (y - 0.5) * (y - 0.5), 1e-6);
        assertFalse(y > 0.5 + 1e-6, "inner moon is the lower half");
      }
    }
  }

  @Test
  void moonsAreSeededAndNoisy() {
    TabularData a = Synthetic.twoMoons(200, 0.1, 5);
    assertEquals(a, Synthetic.twoMoons(200, 0.1, 5));
    assertFalse(Arrays.equals(a.features(), Synthetic.twoMoons(200, 0.1, 6).features()));
    // the same seed without noise draws the same order, so the difference is the noise alone
    TabularData clean = Synthetic.twoMoons(200, 0, 5);
    assertArrayEquals(clean.labels(), a.labels());
    double sq = 0;
    for (int i = 0; i < a.features().length; i++) {
      double d = a.features()[i] - clean.features()[i];
      sq += d * d;
    }
    // sd of 400 N(0, 0.1^2) draws: standard error 0.1/sqrt(800) = 0.0035; 5 se
    assertEquals(0.1, Math.sqrt(sq / 400), 0.018);
    TensorDataset ds = TensorDataset.of(a);
    assertArrayEquals(new int[] {200, 2}, ds.inputs().shape());
    assertEquals(DType.INT64, ds.targets().dtype());
  }

  @Test
  void blobsClusterAroundTheirCentres() {
    double[][] centers = {{0, 0}, {10, -5}, {-4, 8}};
    TabularData b = Synthetic.blobs(3000, centers, 0.5, 2);
    assertArrayEquals(new int[] {1000, 1000, 1000}, b.classCounts());
    double[][] mean = new double[3][2];
    for (int i = 0; i < b.rows(); i++) {
      mean[b.labels()[i]][0] += b.feature(i, 0) / 1000;
      mean[b.labels()[i]][1] += b.feature(i, 1) / 1000;
    }
    // standard error of each mean 0.5/sqrt(1000) = 0.016; 5 se
    for (int c = 0; c < 3; c++) {
      assertEquals(centers[c][0], mean[c][0], 0.08);
      assertEquals(centers[c][1], mean[c][1], 0.08);
    }
    TabularData r = Synthetic.blobs(10, 4, 3, 1.0, 7);
    assertArrayEquals(new int[] {3, 3, 2, 2}, r.classCounts());
    assertEquals(3, r.cols());
    assertThrows(
        IllegalArgumentException.class,
        () -> Synthetic.blobs(10, new double[][] {{0}, {1, 2}}, 1, 0));
  }

  @Test
  void sineRegressionFollowsTheFormula() {
    RegressionData d = Synthetic.sineRegression(200, -2, 3, 0, 4);
    for (int i = 0; i < d.rows(); i++) {
      double x = d.input(i, 0);
      assertEquals(true, x >= -2 && x <= 3);
      assertEquals(-Math.sin(0.8 * Math.PI * x), d.target(i, 0), 1e-6);
    }
    RegressionData noisy = Synthetic.sineRegression(20_000, -1, 1, 0.3, 4);
    double sq = 0;
    for (int i = 0; i < noisy.rows(); i++) {
      double r = noisy.target(i, 0) + Math.sin(0.8 * Math.PI * noisy.input(i, 0));
      sq += r * r;
    }
    // residual sd should be 0.3: se of the sd ~ 0.3/sqrt(40000) = 0.0015; 5 se
    assertEquals(0.3, Math.sqrt(sq / noisy.rows()), 0.0075);
    RegressionData curve = Synthetic.sineCurve(5, -1, 1);
    assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1}, curve.inputs());
    assertEquals((float) -Math.sin(0.4 * Math.PI), curve.target(3, 0), 1e-7);
    assertArrayEquals(new int[] {200, 1}, TensorDataset.of(d).targets().shape());
  }

  @Test
  void surfaceRegressionUsesTheGivenFunction() {
    RegressionData s = Synthetic.surfaceRegression(100, (a, b) -> a * b + 1, 0, 2, 0, 3);
    assertEquals(2, s.inputCols());
    for (int i = 0; i < s.rows(); i++) {
      assertEquals(s.input(i, 0) * s.input(i, 1) + 1, s.target(i, 0), 1e-5);
    }
    RegressionData def = Synthetic.surfaceRegression(10, 0, 3);
    for (int i = 0; i < def.rows(); i++) {
      assertEquals(
          Synthetic.surfaceTarget(def.input(i, 0), def.input(i, 1)), def.target(i, 0), 1e-6);
    }
  }

  @Test
  void randomMatricesHaveTheRequestedDistribution() {
    float[] u = Synthetic.uniformMatrix(100, 100, -2, 4, 1);
    double mean = 0;
    for (float f : u) {
      assertEquals(true, f >= -2 && f < 4);
      mean += f / u.length;
    }
    assertEquals(1, mean, 5 * 6 / Math.sqrt(12) / 100);
    assertArrayEquals(u, Synthetic.uniformMatrix(100, 100, -2, 4, 1));
    float[] g = Synthetic.gaussianMatrix(200, 50, 3, 2, 1);
    double m = 0, sq = 0;
    for (float f : g) m += f / g.length;
    for (float f : g) sq += (f - m) * (f - m) / (g.length - 1);
    assertEquals(3, m, 5 * 2 / 100.0);
    assertEquals(2, Math.sqrt(sq), 5 * 2 / Math.sqrt(2 * 10000.0));
  }

  @Test
  void correlatedGaussianHasTheGivenCovariance() {
    double[][] cov = {{4, 1.2}, {1.2, 1}};
    int n = 40_000;
    float[] x = Synthetic.gaussianMatrix(n, new double[] {1, -1}, cov, 3);
    double[] mean = new double[2];
    for (int i = 0; i < n; i++) {
      mean[0] += x[2 * i] / (double) n;
      mean[1] += x[2 * i + 1] / (double) n;
    }
    double c00 = 0, c01 = 0, c11 = 0;
    for (int i = 0; i < n; i++) {
      double a = x[2 * i] - mean[0], b = x[2 * i + 1] - mean[1];
      c00 += a * a / (n - 1);
      c01 += a * b / (n - 1);
      c11 += b * b / (n - 1);
    }
    // se of a sample variance ~ sigma^2 sqrt(2/n): 0.028 for 4, 0.007 for 1; of the covariance ~
    // 0.012
    assertEquals(1, mean[0], 0.05);
    assertEquals(-1, mean[1], 0.025);
    assertEquals(4, c00, 0.15);
    assertEquals(1.2, c01, 0.07);
    assertEquals(1, c11, 0.04);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Synthetic.gaussianMatrix(10, new double[] {0, 0}, new double[][] {{1, 2}, {2, 1}}, 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Synthetic.gaussianMatrix(
                10, new double[] {0, 0}, new double[][] {{1, 0.5}, {0.4, 1}}, 0));
  }
}
