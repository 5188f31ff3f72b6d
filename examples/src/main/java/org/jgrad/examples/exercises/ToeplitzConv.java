package org.jgrad.examples.exercises;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/** Exercise 14: 1-D convolution as a Toeplitz matrix, its transpose as transposed convolution. */
public final class ToeplitzConv implements Exercise {
  static final double[] X = {2, 5, 4, 1, 3, 7};
  static final double[] K = {1, 0, 1};

  @Override
  public String name() {
    return "toeplitz-conv";
  }

  @Override
  public String title() {
    return "Convolution as a Toeplitz matrix, and its transpose";
  }

  /** The matrix A with y = A·x for a valid 1-D cross-correlation with the given stride. */
  static double[][] toeplitz(double[] k, int n, int stride) {
    int m = (n - k.length) / stride + 1;
    double[][] a = new double[m][n];
    for (int i = 0; i < m; i++) for (int j = 0; j < k.length; j++) a[i][i * stride + j] = k[j];
    return a;
  }

  static double[] times(double[][] a, double[] x) {
    double[] y = new double[a.length];
    for (int i = 0; i < a.length; i++) for (int j = 0; j < x.length; j++) y[i] += a[i][j] * x[j];
    return y;
  }

  static double[] transposeTimes(double[][] a, double[] y) {
    double[] x = new double[a[0].length];
    for (int i = 0; i < a.length; i++) for (int j = 0; j < x.length; j++) x[j] += a[i][j] * y[i];
    return x;
  }

  static String vec(double[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++)
      sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%g", v[i]));
    return sb.append("]")
        .toString()
        .replaceAll("\\.0+(?=[,\\]])", "")
        .replaceAll("(\\.\\d*?)0+(?=[,\\]])", "$1");
  }

  static String matrix(double[][] a) {
    StringBuilder sb = new StringBuilder();
    for (double[] row : a) sb.append(vec(row)).append('\n');
    return sb.toString();
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    r.paragraph(
        "x = "
            + vec(X)
            + ", kernel w = "
            + vec(K)
            + ", no padding. jgrad's conv1d is a convolution over a "
            + "[1, 1, 1, 6] input with a [1, 1, 1, 3] weight (unit height), as nn.Conv1d does internally.");
    java.util.Map<String, Object> metrics = new java.util.LinkedHashMap<>();
    for (int stride : new int[] {1, 2}) {
      double[][] a = toeplitz(K, X.length, stride);
      double[] y = times(a, X);
      Tensor xt = Tensor.of(X.clone(), 1, 1, 1, X.length).requiresGrad(true);
      Tensor wt = Tensor.of(K.clone(), 1, 1, 1, K.length);
      Tensor yt =
          F.conv2d(xt, wt, null, new int[] {1, stride}, new int[] {0, 0}, new int[] {1, 1}, 1);
      double[] yConv = yt.toDoubleArray();
      double[] aty = transposeTimes(a, y);
      Tensor yIn = Tensor.of(y.clone(), 1, 1, 1, y.length);
      // Transposed convolution of y: width (m − 1)·s + k may fall short of 6 for stride 2, so pad
      // the output.
      int outW = (y.length - 1) * stride + K.length;
      int extra = X.length - outW;
      double[] convT =
          F.convTranspose2d(
                  yIn,
                  wt,
                  null,
                  new int[] {1, stride},
                  new int[] {0, 0},
                  new int[] {0, extra},
                  1,
                  new int[] {1, 1})
              .toDoubleArray();
      // The input gradient of <conv(x), y> is Aᵀy as well.
      yt.mul(yIn).sum().backward();
      double[] grad = xt.grad().toDoubleArray();
      r.heading("Stride " + stride);
      r.code("A =\n" + matrix(a));
      List<List<Object>> rows = new ArrayList<>();
      rows.add(List.of("y = A x", vec(y)));
      rows.add(List.of("y = conv1d(x, w) in jgrad", vec(yConv)));
      rows.add(List.of("Aᵀ y", vec(aty)));
      rows.add(List.of("x (for comparison)", vec(X)));
      rows.add(List.of("convTranspose1d(y, w) in jgrad", vec(convT)));
      rows.add(List.of("d<conv1d(x,w), y>/dx by autograd", vec(grad)));
      r.table(List.of("quantity", "value"), rows);
      boolean same =
          Arrays.equals(y, yConv) && Arrays.equals(aty, convT) && Arrays.equals(aty, grad);
      r.paragraph(
          "A x equals jgrad's conv1d exactly, and Aᵀ y equals both the transposed convolution and the input "
              + "gradient ("
              + (same ? "all identical" : "MISMATCH")
              + "). Aᵀ y is not x: Aᵀ is the adjoint of A, not its "
              + "inverse — it spreads each output back over the inputs it came from"
              + zeroNote(aty)
              + ".");
      if (!same) throw new IllegalStateException("Toeplitz and jgrad disagree at stride " + stride);
      metrics.put("stride_" + stride, java.util.Map.of("y", toList(y), "At_y", toList(aty)));
    }
    ctx.metrics().putAll(metrics);
  }

  /** Names the inputs that no output reads through a nonzero weight (Aᵀy is 0 there). */
  private static String zeroNote(double[] aty) {
    List<String> zeros = new ArrayList<>();
    for (int i = 0; i < aty.length; i++) if (aty[i] == 0) zeros.add("x" + (i + 1));
    return zeros.isEmpty()
        ? ""
        : "; inputs "
            + String.join(", ", zeros)
            + " are never touched by a nonzero kernel tap "
            + "at this stride, so Aᵀy is 0 there and nothing of them can be recovered";
  }

  private static List<Double> toList(double[] v) {
    return Arrays.stream(v).boxed().toList();
  }
}
