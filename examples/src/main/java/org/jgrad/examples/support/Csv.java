package org.jgrad.examples.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * Writes curves as CSV: a header row, then one row per index across columns (a shorter column
 * leaves its later cells empty); {@link #read} reads such a file back, for re-rendering figures.
 */
public final class Csv {
  private Csv() {}

  public static void write(Path file, List<String> headers, List<double[]> columns)
      throws IOException {
    StringBuilder sb = new StringBuilder(String.join(",", headers)).append('\n');
    int n = columns.stream().mapToInt(c -> c.length).max().orElse(0);
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < columns.size(); c++) {
        double[] col = columns.get(c);
        if (i < col.length) sb.append(String.format(Locale.ROOT, "%.8g", col[i]));
        sb.append(c < columns.size() - 1 ? "," : "\n");
      }
    }
    Files.writeString(file, sb.toString());
  }

  /**
   * Reads a file written by {@link #write}: header name → column. A column ends at its first empty
   * cell, as {@code write} leaves the tail of a shorter column empty.
   */
  public static LinkedHashMap<String, double[]> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    if (lines.isEmpty()) throw new IOException(file + ": empty CSV file, expected a header row");
    String[] headers = lines.get(0).split(",", -1);
    List<List<Double>> cols = new ArrayList<>();
    for (int c = 0; c < headers.length; c++) cols.add(new ArrayList<>());
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      String[] cells = lines.get(i).split(",", -1);
      if (cells.length != headers.length) {
        throw new IOException(
            file
                + ":"
                + (i + 1)
                + ": "
                + cells.length
                + " cells, but the header has "
                + headers.length);
      }
      for (int c = 0; c < cells.length; c++) {
        if (cells[c].isEmpty()) continue;
        try {
          cols.get(c).add(Double.parseDouble(cells[c]));
        } catch (NumberFormatException e) {
          throw new IOException(
              file
                  + ":"
                  + (i + 1)
                  + ": column "
                  + (c + 1)
                  + " ("
                  + headers[c]
                  + ") is not a number: '"
                  + cells[c]
                  + "'",
              e);
        }
      }
    }
    LinkedHashMap<String, double[]> out = new LinkedHashMap<>();
    for (int c = 0; c < headers.length; c++) {
      out.put(headers[c], cols.get(c).stream().mapToDouble(Double::doubleValue).toArray());
    }
    return out;
  }
}
