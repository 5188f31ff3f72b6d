package org.jgrad.data.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * A labelled table of numeric features: {@code features} is rows x cols, row-major, and {@code
 * labels[r]} indexes {@code classNames}.
 *
 * <pre>{@code
 * TabularData iris = ArffReader.read(path).toLabeled("class");
 * float sepalLength = iris.feature(0, 0);
 * String species = iris.classNames().get(iris.labels()[0]);
 * }</pre>
 *
 * @param features rows*cols floats, row-major (NaN for missing values); not copied
 * @param rows number of examples
 * @param cols number of features
 * @param featureNames a name for each feature column
 * @param labels class index of each row; not copied
 * @param classNames class names in index order
 */
public record TabularData(
    float[] features,
    int rows,
    int cols,
    List<String> featureNames,
    int[] labels,
    List<String> classNames) {
  public TabularData {
    if (rows < 0 || cols < 0 || (long) rows * cols != features.length) {
      throw new IllegalArgumentException(
          "TabularData: "
              + rows
              + " x "
              + cols
              + " features need "
              + (long) rows * cols
              + " values, got "
              + features.length);
    }
    if (labels.length != rows) {
      throw new IllegalArgumentException(
          "TabularData: " + rows + " rows but " + labels.length + " labels");
    }
    if (featureNames.size() != cols) {
      throw new IllegalArgumentException(
          "TabularData: " + cols + " columns but " + featureNames.size() + " feature names");
    }
    featureNames = List.copyOf(featureNames);
    classNames = List.copyOf(classNames);
    for (int i = 0; i < rows; i++) {
      if (labels[i] < 0 || labels[i] >= classNames.size()) {
        throw new IllegalArgumentException(
            "TabularData: label "
                + labels[i]
                + " of row "
                + i
                + " is outside [0, "
                + classNames.size()
                + ")");
      }
    }
  }

  /** One feature value. */
  public float feature(int row, int col) {
    return features[row * cols + col];
  }

  /** Number of classes. */
  public int numClasses() {
    return classNames.size();
  }

  /** Rows per class. */
  public int[] classCounts() {
    int[] counts = new int[classNames.size()];
    for (int l : labels) counts[l]++;
    return counts;
  }

  /** The given rows, in the given order (a copy). */
  public TabularData rows(int[] indices) {
    float[] x = new float[indices.length * cols];
    int[] y = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      int r = indices[k];
      if (r < 0 || r >= rows) {
        throw new IndexOutOfBoundsException(
            "TabularData.rows: index " + r + " outside [0, " + rows + ")");
      }
      System.arraycopy(features, r * cols, x, k * cols, cols);
      y[k] = labels[r];
    }
    return new TabularData(x, indices.length, cols, featureNames, y, classNames);
  }

  /**
   * Parses a float32 cell. Text that means infinity ({@code Infinity}, {@code -Infinity}) is kept,
   * but a finite number beyond float32's range (e.g. {@code 1e39}) would silently become infinity,
   * so it is refused: {@code where} names the file, line and column in the message.
   *
   * @throws NumberFormatException when {@code s} is not a number
   * @throws IOException when it is a number outside float32's range
   */
  static float parseFloat32(String s, String where) throws IOException {
    float f = Float.parseFloat(s);
    if (Float.isInfinite(f) && !s.strip().replaceFirst("^[+-]", "").startsWith("Infinity")) {
      throw new IOException(
          where
              + ": '"
              + s
              + "' is outside the float32 range (largest magnitude "
              + Float.MAX_VALUE
              + ")");
    }
    return f;
  }

  static List<String> sortedDistinct(String[] values) {
    boolean numeric = true;
    for (String v : values) {
      try {
        Double.parseDouble(v);
      } catch (NumberFormatException e) {
        numeric = false;
        break;
      }
    }
    Comparator<String> order =
        numeric
            ? Comparator.<String>comparingDouble(Double::parseDouble)
                .thenComparing(Comparator.naturalOrder())
            : Comparator.naturalOrder();
    TreeSet<String> set = new TreeSet<>(order);
    set.addAll(Arrays.asList(values));
    return new ArrayList<>(set);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TabularData t
        && rows == t.rows
        && cols == t.cols
        && Arrays.equals(features, t.features)
        && Arrays.equals(labels, t.labels)
        && featureNames.equals(t.featureNames)
        && classNames.equals(t.classNames);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(features) * 31 + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "TabularData[" + rows + " x " + cols + ", classes " + classNames + "]";
  }
}
