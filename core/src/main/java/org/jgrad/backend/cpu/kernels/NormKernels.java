package org.jgrad.backend.cpu.kernels;

/**
 * float32 batch normalization over {@code x [batch, channels, spatial]} (spatial = H*W for
 * BatchNorm2d, 1 for BatchNorm1d on {@code [N, C]}), per channel, PyTorch semantics. Statistics are
 * summed in double; channels are spread over {@link Parallel} and results do not depend on the
 * thread count.
 *
 * <p>Training forward: {@code mean = E[x]}, {@code var = E[(x - mean)^2]} (biased, used to
 * normalize), {@code invstd = 1 / sqrt(var + eps)}, {@code y = (x - mean) * invstd * gamma + beta}.
 * The running statistics are the caller's: PyTorch updates them with the unbiased variance {@code
 * var * M / (M - 1)}, {@code M = batch * spatial}, which {@link #batchNormForwardTraining} also
 * returns.
 *
 * <pre>{@code
 * NormKernels.batchNormForwardTraining(n, c, h * w, x, 0, gamma, beta, 1e-5f, y, 0, mean, invstd, varUnbiased);
 * NormKernels.batchNormBackward(n, c, h * w, dy, 0, x, 0, mean, invstd, gamma, dx, 0, dgamma, dbeta);
 * }</pre>
 */
public final class NormKernels {
  private NormKernels() {}

  /**
   * Training-mode forward. Writes {@code y}, and per channel {@code mean}, {@code invstd} and (if
   * not null) {@code varUnbiased} (NaN when {@code batch*spatial == 1}).
   *
   * @param gamma per-channel scale, or null for 1
   * @param beta per-channel shift, or null for 0
   */
  public static void batchNormForwardTraining(
      int batch,
      int channels,
      int spatial,
      float[] x,
      int xOff,
      float[] gamma,
      float[] beta,
      float eps,
      float[] y,
      int yOff,
      float[] mean,
      float[] invstd,
      float[] varUnbiased) {
    String op = "batch_norm";
    checkSizes(op, batch, channels, spatial);
    long m = (long) batch * spatial;
    if (m == 0) {
      throw new IllegalArgumentException(
          op
              + ": needs at least one value per channel, got input ["
              + batch
              + ", "
              + channels
              + ", "
              + spatial
              + "]");
    }
    long total = m * channels;
    Conv2dKernels.check(op, "input", x, xOff, total);
    Conv2dKernels.check(op, "output", y, yOff, total);
    Conv2dKernels.check(op, "mean", mean, 0, channels);
    Conv2dKernels.check(op, "invstd", invstd, 0, channels);
    checkOptional(op, "gamma", gamma, channels);
    checkOptional(op, "beta", beta, channels);
    checkOptional(op, "varUnbiased", varUnbiased, channels);
    if (!(eps >= 0)) {
      throw new IllegalArgumentException(op + ": eps must be >= 0, got " + eps);
    }
    Parallel.forRange(
        channels,
        grain(m),
        (c0, c1) -> {
          for (int c = c0; c < c1; c++) {
            double sum = 0;
            for (int n = 0; n < batch; n++) {
              int base = xOff + (n * channels + c) * spatial;
              for (int i = 0; i < spatial; i++) {
                sum += x[base + i];
              }
            }
            double mu = sum / m;
            double sq = 0;
            for (int n = 0; n < batch; n++) {
              int base = xOff + (n * channels + c) * spatial;
              for (int i = 0; i < spatial; i++) {
                double d = x[base + i] - mu;
                sq += d * d;
              }
            }
            double var = sq / m;
            double is = 1.0 / Math.sqrt(var + eps);
            mean[c] = (float) mu;
            invstd[c] = (float) is;
            if (varUnbiased != null) {
              varUnbiased[c] = m > 1 ? (float) (sq / (m - 1)) : Float.NaN;
            }
            // (x - mean) * scale + beta rather than x * scale + shift: no cancellation when |mean|
            // >> std.
            float sc = (float) (is * (gamma == null ? 1.0 : gamma[c]));
            float sh = beta == null ? 0f : beta[c];
            float muf = (float) mu;
            for (int n = 0; n < batch; n++) {
              int xb = xOff + (n * channels + c) * spatial;
              int yb = yOff + (n * channels + c) * spatial;
              for (int i = 0; i < spatial; i++) {
                y[yb + i] = (x[xb + i] - muf) * sc + sh;
              }
            }
          }
        });
  }

  /**
   * Evaluation-mode forward with given statistics: {@code y = (x - mean) / sqrt(var + eps) * gamma
   * + beta}.
   */
  public static void batchNormInference(
      int batch,
      int channels,
      int spatial,
      float[] x,
      int xOff,
      float[] runningMean,
      float[] runningVar,
      float[] gamma,
      float[] beta,
      float eps,
      float[] y,
      int yOff) {
    String op = "batch_norm (eval)";
    checkSizes(op, batch, channels, spatial);
    long total = (long) batch * channels * spatial;
    Conv2dKernels.check(op, "input", x, xOff, total);
    Conv2dKernels.check(op, "output", y, yOff, total);
    Conv2dKernels.check(op, "running mean", runningMean, 0, channels);
    Conv2dKernels.check(op, "running var", runningVar, 0, channels);
    checkOptional(op, "gamma", gamma, channels);
    checkOptional(op, "beta", beta, channels);
    Parallel.forRange(
        channels,
        grain((long) batch * spatial),
        (c0, c1) -> {
          for (int c = c0; c < c1; c++) {
            double is = 1.0 / Math.sqrt((double) runningVar[c] + eps);
            float sc = (float) (is * (gamma == null ? 1.0 : gamma[c]));
            float sh = beta == null ? 0f : beta[c];
            float muf = runningMean[c];
            for (int n = 0; n < batch; n++) {
              int xb = xOff + (n * channels + c) * spatial;
              int yb = yOff + (n * channels + c) * spatial;
              for (int i = 0; i < spatial; i++) {
                y[yb + i] = (x[xb + i] - muf) * sc + sh;
              }
            }
          }
        });
  }

  /**
   * Training-mode backward, all gradients from one read of {@code dy} and {@code x} per channel for
   * the sums and one more to write dx: with {@code xhat = (x - mean) * invstd} and {@code M =
   * batch*spatial}, {@code dbeta = sum dy}, {@code dgamma = sum dy*xhat}, {@code dx = gamma *
   * invstd * (dy - dbeta/M - xhat * dgamma/M)}. Any of dx, dgamma, dbeta may be null.
   *
   * @param mean the forward's per-channel mean
   * @param invstd the forward's per-channel invstd
   * @param gamma per-channel scale, or null for 1
   */
  public static void batchNormBackward(
      int batch,
      int channels,
      int spatial,
      float[] dy,
      int dyOff,
      float[] x,
      int xOff,
      float[] mean,
      float[] invstd,
      float[] gamma,
      float[] dx,
      int dxOff,
      float[] dgamma,
      float[] dbeta) {
    String op = "batch_norm backward";
    checkSizes(op, batch, channels, spatial);
    long m = (long) batch * spatial;
    long total = m * channels;
    Conv2dKernels.check(op, "grad output", dy, dyOff, total);
    Conv2dKernels.check(op, "input", x, xOff, total);
    Conv2dKernels.check(op, "mean", mean, 0, channels);
    Conv2dKernels.check(op, "invstd", invstd, 0, channels);
    checkOptional(op, "gamma", gamma, channels);
    if (dx != null) {
      Conv2dKernels.check(op, "grad input", dx, dxOff, total);
    }
    checkOptional(op, "grad gamma", dgamma, channels);
    checkOptional(op, "grad beta", dbeta, channels);
    Parallel.forRange(
        channels,
        grain(m),
        (c0, c1) -> {
          for (int c = c0; c < c1; c++) {
            double mu = mean[c];
            double is = invstd[c];
            double sumDy = 0;
            double sumDyXmu = 0;
            for (int n = 0; n < batch; n++) {
              int xb = xOff + (n * channels + c) * spatial;
              int gb = dyOff + (n * channels + c) * spatial;
              for (int i = 0; i < spatial; i++) {
                double g = dy[gb + i];
                sumDy += g;
                sumDyXmu += g * (x[xb + i] - mu);
              }
            }
            if (dbeta != null) {
              dbeta[c] = (float) sumDy;
            }
            if (dgamma != null) {
              dgamma[c] = (float) (sumDyXmu * is);
            }
            if (dx != null && m > 0) {
              double gm = gamma == null ? 1.0 : gamma[c];
              // dx = k*dy + a*(x - mean) + b with per-channel constants, one pass.
              double k = gm * is;
              double a = -k * is * is * sumDyXmu / m;
              double b = -k * sumDy / m;
              float kf = (float) k;
              float af = (float) a;
              float bf = (float) b;
              float muf = (float) mu;
              for (int n = 0; n < batch; n++) {
                int xb = xOff + (n * channels + c) * spatial;
                int gb = dyOff + (n * channels + c) * spatial;
                int db = dxOff + (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                  dx[db + i] = kf * dy[gb + i] + af * (x[xb + i] - muf) + bf;
                }
              }
            }
          }
        });
  }

  private static int grain(long perChannel) {
    return (int) Math.max(1, 32768 / Math.max(1, perChannel));
  }

  private static void checkSizes(String op, int batch, int channels, int spatial) {
    if (batch < 0 || channels < 0 || spatial < 0) {
      throw new IllegalArgumentException(
          op + ": sizes must be >= 0, got [" + batch + ", " + channels + ", " + spatial + "]");
    }
    if ((long) batch * channels * spatial > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(op + ": too large for int-indexed arrays");
    }
  }

  private static void checkOptional(String op, String what, float[] a, int size) {
    if (a != null && a.length < size) {
      throw new IllegalArgumentException(
          op + ": " + what + " needs " + size + " elements, its array has " + a.length);
    }
  }
}
