package org.jgrad.nn.init;

import java.util.Arrays;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.DType;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Weight initialisation, in place, as PyTorch's {@code torch.nn.init}. Each function fills the
 * given tensor (without recording a graph) and returns it. Randomness comes from a {@link
 * Generator}: the default one (reseed with {@link Tensor#manualSeed}) or one passed in.
 *
 * <pre>{@code
 * Linear fc = new Linear(256, 128);
 * Init.kaimingNormal(fc.weight(), 0, Init.Mode.FAN_OUT, "relu");
 * Init.zeros(fc.bias());
 * Init.orthogonal(rnn.parameter("weight_hh_l0"), 1.0, new Generator(7));
 * }</pre>
 */
public final class Init {
  private Init() {}

  /** Whether Kaiming scaling uses the fan-in (preserves forward variance) or the fan-out. */
  public enum Mode {
    FAN_IN,
    FAN_OUT
  }

  private static Generator gen() {
    return Generator.defaultGenerator();
  }

  /** Writes host values into {@code t} without recording a graph. */
  private static Tensor fill(Tensor t, double[] values) {
    Tensor src =
        t.dtype() == DType.FLOAT64
            ? Tensor.of(values, t.shape().length == 0 ? new int[] {1} : t.shape())
            : Tensor.of(toFloat(values), t.shape().length == 0 ? new int[] {1} : t.shape());
    try (var ng = GradMode.noGrad()) {
      t.copyFrom(src.reshape(t.shape()));
    }
    return t;
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return f;
  }

  private static void checkFloat(String op, Tensor t) {
    if (!t.dtype().isFloatingPoint())
      throw new IllegalArgumentException(
          op + ": expected a floating point tensor, got " + t.dtype());
  }

  /**
   * The recommended gain for a nonlinearity: linear/conv/sigmoid 1, tanh 5/3, relu √2, leaky_relu
   * √(2/(1 + slope²)) (slope = {@code param}, 0.01 when NaN), selu 3/4.
   */
  public static double calculateGain(String nonlinearity, double param) {
    return switch (nonlinearity) {
      case "linear",
          "conv1d",
          "conv2d",
          "conv3d",
          "conv_transpose1d",
          "conv_transpose2d",
          "conv_transpose3d",
          "sigmoid" ->
          1;
      case "tanh" -> 5.0 / 3;
      case "relu" -> Math.sqrt(2);
      case "leaky_relu" -> {
        double slope = Double.isNaN(param) ? 0.01 : param;
        yield Math.sqrt(2 / (1 + slope * slope));
      }
      case "selu" -> 3.0 / 4;
      default ->
          throw new IllegalArgumentException(
              "calculateGain: unsupported nonlinearity \"" + nonlinearity + "\"");
    };
  }

  public static double calculateGain(String nonlinearity) {
    return calculateGain(nonlinearity, Double.NaN);
  }

  /**
   * {fan_in, fan_out} of a weight with at least 2 dims: dim 1 and dim 0 times the receptive field
   * (the product of the remaining dims), as PyTorch computes them.
   */
  public static int[] calculateFanInAndFanOut(Tensor t) {
    if (t.dim() < 2) {
      throw new IllegalArgumentException(
          "calculateFanInAndFanOut: fan in and fan out can not be computed for a tensor"
              + " with fewer than 2 dimensions, got "
              + Arrays.toString(t.shape()));
    }
    int receptive = 1;
    for (int i = 2; i < t.dim(); i++) receptive *= t.size(i);
    return new int[] {t.size(1) * receptive, t.size(0) * receptive};
  }

  // ---------------------------------------------------------------- simple fills

  /** U(a, b). */
  public static Tensor uniform(Tensor t, double a, double b, Generator g) {
    checkFloat("uniform", t);
    if (a > b)
      throw new IllegalArgumentException("uniform: expected a <= b, got " + a + " and " + b);
    double[] v = new double[t.numel()];
    for (int i = 0; i < v.length; i++) v[i] = a + (b - a) * g.nextDouble();
    return fill(t, v);
  }

  public static Tensor uniform(Tensor t, double a, double b) {
    return uniform(t, a, b, gen());
  }

  /** N(mean, std²). */
  public static Tensor normal(Tensor t, double mean, double std, Generator g) {
    checkFloat("normal", t);
    if (std < 0) throw new IllegalArgumentException("normal: std must be non-negative, got " + std);
    double[] v = new double[t.numel()];
    for (int i = 0; i < v.length; i++) v[i] = mean + std * g.nextGaussian();
    return fill(t, v);
  }

  public static Tensor normal(Tensor t, double mean, double std) {
    return normal(t, mean, std, gen());
  }

  public static Tensor constant(Tensor t, double value) {
    checkFloat("constant", t);
    try (var ng = GradMode.noGrad()) {
      t.fill(value);
    }
    return t;
  }

  public static Tensor zeros(Tensor t) {
    return constant(t, 0);
  }

  public static Tensor ones(Tensor t) {
    return constant(t, 1);
  }

  // ---------------------------------------------------------------- variance scaling

  /** U(−a, a) with a = gain·√(6/(fan_in + fan_out)) (Glorot and Bengio, 2010). */
  public static Tensor xavierUniform(Tensor t, double gain, Generator g) {
    int[] f = calculateFanInAndFanOut(t);
    double a = gain * Math.sqrt(6.0 / (f[0] + f[1]));
    return uniform(t, -a, a, g);
  }

  public static Tensor xavierUniform(Tensor t, double gain) {
    return xavierUniform(t, gain, gen());
  }

  public static Tensor xavierUniform(Tensor t) {
    return xavierUniform(t, 1.0, gen());
  }

  /** N(0, std²) with std = gain·√(2/(fan_in + fan_out)). */
  public static Tensor xavierNormal(Tensor t, double gain, Generator g) {
    int[] f = calculateFanInAndFanOut(t);
    return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), g);
  }

  public static Tensor xavierNormal(Tensor t, double gain) {
    return xavierNormal(t, gain, gen());
  }

  public static Tensor xavierNormal(Tensor t) {
    return xavierNormal(t, 1.0, gen());
  }

  private static double kaimingStd(String op, Tensor t, double a, Mode mode, String nonlinearity) {
    int[] f = calculateFanInAndFanOut(t);
    int fan = mode == Mode.FAN_IN ? f[0] : f[1];
    if (fan == 0)
      throw new IllegalArgumentException(
          op + ": cannot initialise a tensor with zero fan, shape " + Arrays.toString(t.shape()));
    return calculateGain(nonlinearity, a) / Math.sqrt(fan);
  }

  /**
   * U(−b, b) with b = gain·√(3/fan) (He et al., 2015). PyTorch's Linear and Conv layers use {@code
   * a = √5}, {@code FAN_IN}, {@code "leaky_relu"}, which gives b = 1/√fan_in.
   */
  public static Tensor kaimingUniform(
      Tensor t, double a, Mode mode, String nonlinearity, Generator g) {
    double bound = Math.sqrt(3.0) * kaimingStd("kaimingUniform", t, a, mode, nonlinearity);
    return uniform(t, -bound, bound, g);
  }

  public static Tensor kaimingUniform(Tensor t, double a, Mode mode, String nonlinearity) {
    return kaimingUniform(t, a, mode, nonlinearity, gen());
  }

  /** PyTorch's defaults: a = 0, fan-in, leaky_relu (i.e. the ReLU gain √2). */
  public static Tensor kaimingUniform(Tensor t) {
    return kaimingUniform(t, 0, Mode.FAN_IN, "leaky_relu", gen());
  }

  /** N(0, std²) with std = gain/√fan. */
  public static Tensor kaimingNormal(
      Tensor t, double a, Mode mode, String nonlinearity, Generator g) {
    return normal(t, 0, kaimingStd("kaimingNormal", t, a, mode, nonlinearity), g);
  }

  public static Tensor kaimingNormal(Tensor t, double a, Mode mode, String nonlinearity) {
    return kaimingNormal(t, a, mode, nonlinearity, gen());
  }

  public static Tensor kaimingNormal(Tensor t) {
    return kaimingNormal(t, 0, Mode.FAN_IN, "leaky_relu", gen());
  }

  // ---------------------------------------------------------------- structured

  /**
   * A (semi-)orthogonal matrix scaled by {@code gain} (Saxe et al., 2013): the Q factor of a
   * Gaussian matrix [dim0, rest] with R's diagonal made positive, as PyTorch.
   */
  public static Tensor orthogonal(Tensor t, double gain, Generator g) {
    checkFloat("orthogonal", t);
    if (t.dim() < 2)
      throw new IllegalArgumentException(
          "orthogonal: only tensors with 2 or more dimensions are supported, got "
              + Arrays.toString(t.shape()));
    int rows = t.size(0), cols = t.numel() / Math.max(1, rows);
    if (rows == 0 || cols == 0) return t;
    boolean transpose = rows < cols;
    int m = transpose ? cols : rows, n = transpose ? rows : cols; // m >= n
    double[][] a = new double[n][m]; // column-major: a[j] is column j
    double[][] raw = new double[rows][cols];
    for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) raw[i][j] = g.nextGaussian();
    for (int j = 0; j < n; j++)
      for (int i = 0; i < m; i++) a[j][i] = transpose ? raw[j][i] : raw[i][j];
    // Modified Gram–Schmidt: Q with R's diagonal positive, which is Householder's Q after the sign
    // fix.
    for (int j = 0; j < n; j++) {
      for (int k = 0; k < j; k++) {
        double dot = 0;
        for (int i = 0; i < m; i++) dot += a[k][i] * a[j][i];
        for (int i = 0; i < m; i++) a[j][i] -= dot * a[k][i];
      }
      double norm = 0;
      for (int i = 0; i < m; i++) norm += a[j][i] * a[j][i];
      norm = Math.sqrt(norm);
      for (int i = 0; i < m; i++) a[j][i] /= norm;
    }
    double[] out = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) out[i * cols + j] = gain * (transpose ? a[i][j] : a[j][i]);
    }
    return fill(t, out);
  }

  public static Tensor orthogonal(Tensor t, double gain) {
    return orthogonal(t, gain, gen());
  }

  public static Tensor orthogonal(Tensor t) {
    return orthogonal(t, 1, gen());
  }

  /**
   * N(mean, std²) truncated to [a, b] (absolute bounds, as PyTorch; defaults −2 and 2), sampled
   * exactly by inverting the normal CDF on the interval.
   */
  public static Tensor truncNormal(
      Tensor t, double mean, double std, double a, double b, Generator g) {
    checkFloat("truncNormal", t);
    if (!(a < b))
      throw new IllegalArgumentException("truncNormal: expected a < b, got " + a + " and " + b);
    if (!(std > 0))
      throw new IllegalArgumentException("truncNormal: std must be positive, got " + std);
    double lo = normalCdf((a - mean) / std), hi = normalCdf((b - mean) / std);
    double[] v = new double[t.numel()];
    for (int i = 0; i < v.length; i++) {
      double u = lo + (hi - lo) * g.nextDouble();
      u = Math.min(Math.max(u, Math.nextUp(0.0)), Math.nextDown(1.0));
      v[i] = Math.min(Math.max(mean + std * normalQuantile(u), a), b);
    }
    return fill(t, v);
  }

  public static Tensor truncNormal(Tensor t, double mean, double std, double a, double b) {
    return truncNormal(t, mean, std, a, b, gen());
  }

  public static Tensor truncNormal(Tensor t) {
    return truncNormal(t, 0, 1, -2, 2, gen());
  }

  /** Φ(x) via erfc (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
  static double normalCdf(double x) {
    return 0.5 * erfc(-x / Math.sqrt(2));
  }

  private static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double r =
        t
            * Math.exp(
                -z * z
                    - 1.26551223
                    + t
                        * (1.00002368
                            + t
                                * (0.37409196
                                    + t
                                        * (0.09678418
                                            + t
                                                * (-0.18628806
                                                    + t
                                                        * (0.27886807
                                                            + t
                                                                * (-1.13520398
                                                                    + t
                                                                        * (1.48851587
                                                                            + t
                                                                                * (-0.82215223
                                                                                    + t
                                                                                        * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }

  /** Φ⁻¹(p): Acklam's rational approximation (relative error below 1.2e-9). */
  static double normalQuantile(double p) {
    double[] a = {
      -3.969683028665376e+01,
      2.209460984245205e+02,
      -2.759285104469687e+02,
      1.383577518672690e+02,
      -3.066479806614716e+01,
      2.506628277459239e+00
    };
    double[] b = {
      -5.447609879822406e+01,
      1.615858368580409e+02,
      -1.556989798598866e+02,
      6.680131188771972e+01,
      -1.328068155288572e+01
    };
    double[] c = {
      -7.784894002430293e-03,
      -3.223964580411365e-01,
      -2.400758277161838e+00,
      -2.549732539343734e+00,
      4.374664141464968e+00,
      2.938163982698783e+00
    };
    double[] d = {
      7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00
    };
    double x;
    if (p < 0.02425) {
      double q = Math.sqrt(-2 * Math.log(p));
      x =
          (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
              / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p > 1 - 0.02425) {
      double q = Math.sqrt(-2 * Math.log(1 - p));
      x =
          -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
              / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
      double q = p - 0.5, r = q * q;
      x =
          (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
              * q
              / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    return x;
  }
}
