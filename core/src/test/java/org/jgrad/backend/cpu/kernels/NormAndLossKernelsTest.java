package org.jgrad.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batch norm and fused log-softmax + NLL against direct double loops; their backward passes against
 * central finite differences of the double forward (an oracle that does not share the analytic
 * formulas).
 */
class NormAndLossKernelsTest {

  /** Double forward of training-mode batch norm; returns y and fills mean/var. */
  static double[] bnForward(
      int n,
      int c,
      int sp,
      double[] x,
      double[] gamma,
      double[] beta,
      double eps,
      double[] mean,
      double[] var) {
    double[] y = new double[x.length];
    int m = n * sp;
    for (int ch = 0; ch < c; ch++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < sp; j++) {
          s += x[(i * c + ch) * sp + j];
        }
      }
      double mu = s / m;
      double q = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < sp; j++) {
          double d = x[(i * c + ch) * sp + j] - mu;
          q += d * d;
        }
      }
      mean[ch] = mu;
      var[ch] = q / m;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < sp; j++) {
          int k = (i * c + ch) * sp + j;
          y[k] = (x[k] - mu) / Math.sqrt(var[ch] + eps) * gamma[ch] + beta[ch];
        }
      }
    }
    return y;
  }

  static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  static double dot(double[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void batchNormForwardAndBackward() {
    Random rnd = new Random(41);
    int[][] shapes = {{4, 3, 5}, {7, 2, 1}, {2, 4, 9}, {1, 3, 6}};
    float eps = 1e-5f;
    for (int[] sh : shapes) {
      int n = sh[0], c = sh[1], sp = sh[2];
      float[] x = GemmTest.random(rnd, n * c * sp);
      for (int i = 0; i < x.length; i++) {
        x[i] = x[i] * 3 + 5; // mean far from 0: the kernel must not cancel
      }
      float[] gamma = GemmTest.random(rnd, c);
      float[] beta = GemmTest.random(rnd, c);
      float[] dy = GemmTest.random(rnd, x.length);
      double[] mean = new double[c];
      double[] var = new double[c];
      double[] ey =
          bnForward(n, c, sp, toDouble(x), toDouble(gamma), toDouble(beta), eps, mean, var);

      for (int threads : new int[] {1, 2}) {
        Parallel.withThreads(
            threads,
            () -> {
              float[] y = new float[x.length + 1];
              float[] mu = new float[c];
              float[] is = new float[c];
              float[] vu = new float[c];
              NormKernels.batchNormForwardTraining(
                  n, c, sp, x, 0, gamma, beta, eps, y, 1, mu, is, vu);
              int m = n * sp;
              for (int ch = 0; ch < c; ch++) {
                assertEquals(mean[ch], mu[ch], 1e-6 * Math.abs(mean[ch]), "mean");
                assertEquals(
                    1 / Math.sqrt(var[ch] + eps),
                    is[ch],
                    1e-6 / Math.sqrt(var[ch] + eps),
                    "invstd");
                if (m > 1) {
                  assertEquals(
                      var[ch] * m / (m - 1), vu[ch], 1e-6 * var[ch] * m / (m - 1), "unbiased var");
                }
              }
              for (int i = 0; i < x.length; i++) {
                assertEquals(
                    ey[i], y[i + 1], 1e-5 * (1 + Math.abs(ey[i])), Arrays.toString(sh) + " y " + i);
              }

              float[] dx = new float[x.length];
              float[] dg = new float[c];
              float[] db = new float[c];
              NormKernels.batchNormBackward(n, c, sp, dy, 0, x, 0, mu, is, gamma, dx, 0, dg, db);
              // Oracle: L = sum(y * dy) for the double forward, central differences.
              double h = 1e-5;
              double[] xd = toDouble(x);
              double[] gd = toDouble(gamma);
              double[] bd = toDouble(beta);
              double[] scratchM = new double[c];
              double[] scratchV = new double[c];
              for (int i = 0; i < x.length; i++) {
                double keep = xd[i];
                xd[i] = keep + h;
                double lp = dot(bnForward(n, c, sp, xd, gd, bd, eps, scratchM, scratchV), dy);
                xd[i] = keep - h;
                double lm = dot(bnForward(n, c, sp, xd, gd, bd, eps, scratchM, scratchV), dy);
                xd[i] = keep;
                double fd = (lp - lm) / (2 * h);
                assertEquals(
                    fd, dx[i], 1e-5 * (1 + Math.abs(fd)), Arrays.toString(sh) + " dx " + i);
              }
              for (int ch = 0; ch < c; ch++) {
                double keep = gd[ch];
                gd[ch] = keep + h;
                double lp = dot(bnForward(n, c, sp, xd, gd, bd, eps, scratchM, scratchV), dy);
                gd[ch] = keep - h;
                double lm = dot(bnForward(n, c, sp, xd, gd, bd, eps, scratchM, scratchV), dy);
                gd[ch] = keep;
                double fd = (lp - lm) / (2 * h);
                assertEquals(
                    fd, dg[ch], 1e-5 * (1 + Math.abs(fd)), Arrays.toString(sh) + " dgamma " + ch);
                double sumDy = 0;
                for (int i = 0; i < n; i++) {
                  for (int j = 0; j < sp; j++) {
                    sumDy += dy[(i * c + ch) * sp + j];
                  }
                }
                assertEquals(sumDy, db[ch], 1e-5 * (1 + Math.abs(sumDy)), "dbeta " + ch);
              }
            });
      }
    }
  }

  @Test
  void batchNormWithoutAffineAndInference() {
    Random rnd = new Random(42);
    int n = 3, c = 2, sp = 4;
    float[] x = GemmTest.random(rnd, n * c * sp);
    double[] mean = new double[c];
    double[] var = new double[c];
    double[] ones = {1, 1};
    double[] zeros = {0, 0};
    double[] ey = bnForward(n, c, sp, toDouble(x), ones, zeros, 1e-3, mean, var);
    float[] y = new float[x.length];
    float[] mu = new float[c];
    float[] is = new float[c];
    NormKernels.batchNormForwardTraining(n, c, sp, x, 0, null, null, 1e-3f, y, 0, mu, is, null);
    for (int i = 0; i < y.length; i++) {
      assertEquals(ey[i], y[i], 1e-5 * (1 + Math.abs(ey[i])));
    }
    // Inference with the batch's own statistics reproduces the training output.
    float[] rv = {(float) var[0], (float) var[1]};
    float[] y2 = new float[x.length];
    NormKernels.batchNormInference(n, c, sp, x, 0, mu, rv, null, null, 1e-3f, y2, 0);
    for (int i = 0; i < y.length; i++) {
      assertEquals(ey[i], y2[i], 1e-5 * (1 + Math.abs(ey[i])));
    }
    // dx alone (no dgamma/dbeta requested), gamma = 1: the gradient of a normalization sums to 0
    // per channel.
    float[] dy = GemmTest.random(rnd, x.length);
    float[] dx = new float[x.length];
    NormKernels.batchNormBackward(n, c, sp, dy, 0, x, 0, mu, is, null, dx, 0, null, null);
    for (int ch = 0; ch < c; ch++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < sp; j++) {
          s += dx[(i * c + ch) * sp + j];
        }
      }
      assertEquals(0, s, 1e-5);
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            NormKernels.batchNormForwardTraining(
                0, c, sp, x, 0, null, null, 1e-5f, y, 0, mu, is, null));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            NormKernels.batchNormForwardTraining(
                n, c, sp, x, 0, new float[1], null, 1e-5f, y, 0, mu, is, null));
  }

  /** log-softmax + NLL of one row in double. */
  static double rowLoss(double[] row, int target) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : row) {
      max = Math.max(max, v);
    }
    double s = 0;
    for (double v : row) {
      s += Math.exp(v - max);
    }
    return max + Math.log(s) - row[target];
  }

  @Test
  void logSoftmaxNllForwardAndBackward() {
    Random rnd = new Random(43);
    int rows = 9, cols = 7;
    float[] logits = GemmTest.random(rnd, rows * cols + 2);
    for (int i = 0; i < logits.length; i++) {
      logits[i] *= 20; // large logits: the max shift matters
    }
    int[] targets = new int[rows];
    for (int r = 0; r < rows; r++) {
      targets[r] = rnd.nextInt(cols);
    }
    targets[4] = -100; // ignored
    double[] targetsD = Arrays.stream(targets).asDoubleStream().toArray();
    float[] gradLoss = GemmTest.random(rnd, rows);

    for (int threads : new int[] {1, 2}) {
      Parallel.withThreads(
          threads,
          () -> {
            float[] loss = new float[rows];
            float[] lse = new float[rows];
            int count =
                LossKernels.logSoftmaxNllForward(
                    rows, cols, logits, 2, targets, 0, -100, loss, 0, lse, 0);
            assertEquals(rows - 1, count);
            float[] loss2 = new float[rows];
            float[] lse2 = new float[rows];
            LossKernels.logSoftmaxNllForward(
                rows, cols, logits, 2, targetsD, 0, -100, loss2, 0, lse2, 0);
            assertArrayEquals(loss, loss2);
            assertArrayEquals(lse, lse2);
            for (int r = 0; r < rows; r++) {
              double[] row = new double[cols];
              for (int j = 0; j < cols; j++) {
                row[j] = logits[2 + r * cols + j];
              }
              double expect = targets[r] == -100 ? 0 : rowLoss(row, targets[r]);
              assertEquals(expect, loss[r], 1e-6 * (1 + Math.abs(expect)), "loss row " + r);
            }

            float[] d = new float[rows * cols];
            LossKernels.logSoftmaxNllBackward(
                rows, cols, logits, 2, targets, 0, -100, lse, 0, gradLoss, 0, 0.5f, d, 0);
            float[] d2 = new float[rows * cols];
            LossKernels.logSoftmaxNllBackward(
                rows, cols, logits, 2, targetsD, 0, -100, lse, 0, gradLoss, 0, 0.5f, d2, 0);
            assertArrayEquals(d, d2);
            double h = 1e-6;
            for (int r = 0; r < rows; r++) {
              double[] row = new double[cols];
              for (int j = 0; j < cols; j++) {
                row[j] = logits[2 + r * cols + j];
              }
              for (int j = 0; j < cols; j++) {
                double fd = 0;
                if (targets[r] != -100) {
                  double keep = row[j];
                  row[j] = keep + h;
                  double lp = rowLoss(row, targets[r]);
                  row[j] = keep - h;
                  double lm = rowLoss(row, targets[r]);
                  row[j] = keep;
                  fd = 0.5 * gradLoss[r] * (lp - lm) / (2 * h);
                }
                // lse is kept as a float: ulp(20)/2 ~ 1e-6 relative error in the recomputed softmax
                assertEquals(fd, d[r * cols + j], 2e-6, "dlogits " + r + "," + j);
              }
            }
          });
    }
    float[] loss = new float[rows];
    float[] lse = new float[rows];
    int[] bad = targets.clone();
    bad[2] = cols;
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                LossKernels.logSoftmaxNllForward(
                    rows, cols, logits, 2, bad, 0, -100, loss, 0, lse, 0));
    assertTrue(e.getMessage().contains("target 7 at row 2"), e.getMessage());
    double[] frac = targetsD.clone();
    frac[0] = 1.5;
    assertThrows(
        IllegalArgumentException.class,
        () ->
            LossKernels.logSoftmaxNllForward(
                rows, cols, logits, 2, frac, 0, -100, loss, 0, lse, 0));
  }
}
