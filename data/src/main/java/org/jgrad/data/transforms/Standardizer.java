package org.jgrad.data.transforms;

import java.util.Arrays;
import org.jgrad.data.io.TabularData;
import org.jgrad.tensor.Tensor;

/**
 * Per-feature standardisation {@code (x - mean) / std}, fitted on training data and applied to any
 * split (scikit-learn's {@code StandardScaler}: population standard deviation, and a feature with
 * zero spread is left unscaled). NaN values are ignored when fitting and stay NaN.
 *
 * <pre>{@code
 * Standardizer s = Standardizer.fit(trainTable);
 * TabularData train = s.apply(trainTable), test = s.apply(testTable);
 * Tensor x = s.apply(someInputs);           // [N, D] float tensor
 * }</pre>
 *
 * @param mean per-feature mean
 * @param std per-feature standard deviation (1 where the fitted spread was 0)
 */
public record Standardizer(double[] mean, double[] std) {
  public Standardizer {
    if (mean.length != std.length) {
      throw new IllegalArgumentException(
          "Standardizer: " + mean.length + " means but " + std.length + " deviations");
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** Fits on a row-major rows x cols array. */
  public static Standardizer fit(float[] x, int rows, int cols) {
    if ((long) rows * cols != x.length) {
      throw new IllegalArgumentException(
          "Standardizer.fit: " + rows + " x " + cols + " does not match " + x.length + " values");
    }
    double[] mean = new double[cols];
    double[] std = new double[cols];
    long[] count = new long[cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        float v = x[r * cols + c];
        if (Float.isNaN(v)) continue;
        mean[c] += v;
        count[c]++;
      }
    }
    for (int c = 0; c < cols; c++) mean[c] = count[c] == 0 ? 0 : mean[c] / count[c];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        float v = x[r * cols + c];
        if (!Float.isNaN(v)) std[c] += (v - mean[c]) * (v - mean[c]);
      }
    }
    for (int c = 0; c < cols; c++) {
      std[c] = count[c] == 0 ? 0 : Math.sqrt(std[c] / count[c]);
      if (std[c] == 0) std[c] = 1;
    }
    return new Standardizer(mean, std);
  }

  /** Fits on a table's features. */
  public static Standardizer fit(TabularData d) {
    return fit(d.features(), d.rows(), d.cols());
  }

  /** Fits on a float tensor [N, D]. */
  public static Standardizer fit(Tensor x) {
    if (x.dim() != 2)
      throw new IllegalArgumentException(
          "Standardizer.fit: expected [N, D], got " + Arrays.toString(x.shape()));
    return fit(x.toFloatArray(), x.size(0), x.size(1));
  }

  /** A standardised copy of a row-major array with {@code mean.length} columns. */
  public float[] apply(float[] x) {
    int cols = mean.length;
    if (cols == 0 || x.length % cols != 0) {
      throw new IllegalArgumentException(
          "Standardizer.apply: " + x.length + " values are not rows of " + cols + " features");
    }
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      int c = i % cols;
      out[i] = (float) ((x[i] - mean[c]) / std[c]);
    }
    return out;
  }

  /** A standardised copy of a table (labels and names kept). */
  public TabularData apply(TabularData d) {
    if (d.cols() != mean.length) {
      throw new IllegalArgumentException(
          "Standardizer.apply: fitted on " + mean.length + " features, table has " + d.cols());
    }
    return new TabularData(
        apply(d.features()), d.rows(), d.cols(), d.featureNames(), d.labels(), d.classNames());
  }

  /** A standardised copy of a float tensor [N, D]. */
  public Tensor apply(Tensor x) {
    if (x.dim() != 2 || x.size(1) != mean.length) {
      throw new IllegalArgumentException(
          "Standardizer.apply: expected [N, "
              + mean.length
              + "], got "
              + Arrays.toString(x.shape()));
    }
    return Tensor.of(apply(x.toFloatArray()), x.shape());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardizer s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Standardizer[mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + "]";
  }
}
