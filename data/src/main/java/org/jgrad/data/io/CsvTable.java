package org.jgrad.data.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsed CSV: an optional header and rows of string fields, all of one width. Converts to numeric
 * data with a label column ({@link #toLabeled}) or target columns ({@link #toRegression}); a field
 * that is not a number gives an {@link IOException} naming the file, line and column.
 *
 * <pre>{@code
 * CsvTable t = CsvReader.read(path, CsvReader.Options.DEFAULT);
 * TabularData d = t.toLabeled(4, List.of("Iris-setosa", "Iris-versicolor", "Iris-virginica"));
 * }</pre>
 *
 * @param source where the text came from (for messages)
 * @param header the column names, empty if the file had no header
 * @param rows the records (not copied)
 * @param lines the 1-based line where each record starts
 */
public record CsvTable(String source, List<String> header, List<String[]> rows, int[] lines) {
  public CsvTable {
    header = List.copyOf(header);
  }

  /** Number of records (header excluded). */
  public int size() {
    return rows.size();
  }

  /** Number of columns. */
  public int columnCount() {
    return !header.isEmpty() ? header.size() : rows.isEmpty() ? 0 : rows.get(0).length;
  }

  /** The index of a named column; IllegalArgumentException listing the header if absent. */
  public int columnIndex(String name) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "CSV " + source + ": no column '" + name + "' in header " + header);
    }
    return i;
  }

  /** The raw strings of one column. */
  public String[] column(int index) {
    int c = resolve(index);
    String[] out = new String[rows.size()];
    for (int r = 0; r < out.length; r++) out[r] = rows.get(r)[c];
    return out;
  }

  /** One column parsed as numbers ("?", "NA" and empty give NaN). */
  public float[] numericColumn(int index) throws IOException {
    int c = resolve(index);
    float[] out = new float[rows.size()];
    for (int r = 0; r < out.length; r++) out[r] = number(r, c);
    return out;
  }

  /** One named column parsed as numbers. */
  public float[] numericColumn(String name) throws IOException {
    return numericColumn(columnIndex(name));
  }

  /**
   * Numeric features from every column except {@code labelColumn}, and class indices from that
   * column.
   *
   * @param labelColumn index of the class column; negative counts from the end (-1 = last)
   * @param classNames the class names in index order, or null to use the distinct values sorted
   *     (numerically if all are numbers, else alphabetically), as scikit-learn's LabelEncoder does
   */
  public TabularData toLabeled(int labelColumn, List<String> classNames) throws IOException {
    int lc = resolve(labelColumn);
    int cols = columnCount() - 1;
    String[] labelStrings = column(lc);
    List<String> names =
        classNames != null ? List.copyOf(classNames) : TabularData.sortedDistinct(labelStrings);
    int[] labels = new int[rows.size()];
    for (int r = 0; r < labels.length; r++) {
      int k = names.indexOf(labelStrings[r]);
      if (k < 0) {
        throw new IOException(
            "CSV "
                + source
                + " line "
                + lines[r]
                + ": class '"
                + labelStrings[r]
                + "' is not one of "
                + names);
      }
      labels[r] = k;
    }
    float[] x = new float[rows.size() * cols];
    List<String> featureNames = new ArrayList<>();
    for (int c = 0, k = 0; c < cols + 1; c++) {
      if (c == lc) continue;
      featureNames.add(header.isEmpty() ? "x" + c : header.get(c));
      for (int r = 0; r < rows.size(); r++) x[r * cols + k] = number(r, c);
      k++;
    }
    return new TabularData(x, rows.size(), cols, featureNames, labels, names);
  }

  /** Numeric inputs from {@code inputColumns} and targets from {@code targetColumns}. */
  public RegressionData toRegression(int[] inputColumns, int[] targetColumns) throws IOException {
    int n = rows.size();
    float[] x = new float[n * inputColumns.length];
    float[] y = new float[n * targetColumns.length];
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < inputColumns.length; k++)
        x[r * inputColumns.length + k] = number(r, resolve(inputColumns[k]));
      for (int k = 0; k < targetColumns.length; k++)
        y[r * targetColumns.length + k] = number(r, resolve(targetColumns[k]));
    }
    return new RegressionData(x, n, inputColumns.length, y, targetColumns.length);
  }

  private int resolve(int index) {
    int w = columnCount();
    int c = index < 0 ? w + index : index;
    if (c < 0 || c >= w) {
      throw new IllegalArgumentException(
          "CSV " + source + ": column " + index + " out of range for " + w + " columns");
    }
    return c;
  }

  private float number(int r, int c) throws IOException {
    String s = rows.get(r)[c];
    if (s.isEmpty() || s.equals("?") || s.equalsIgnoreCase("NA") || s.equalsIgnoreCase("nan"))
      return Float.NaN;
    String col =
        header.isEmpty() ? "column " + (c + 1) : "column " + (c + 1) + " ('" + header.get(c) + "')";
    String where = "CSV " + source + " line " + lines[r] + ", " + col;
    try {
      return TabularData.parseFloat32(s, where);
    } catch (NumberFormatException e) {
      throw new IOException(where + ": '" + s + "' is not a number");
    }
  }
}
