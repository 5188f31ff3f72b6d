package org.jgrad.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Metrics per epoch, as Keras' {@code History}: one row per epoch with columns such as {@code
 * epoch}, {@code loss}, {@code accuracy}, {@code val_loss}, {@code val_accuracy}, {@code lr},
 * {@code seconds} and {@code train_seconds}. It writes itself as CSV and draws itself as a PNG.
 *
 * <pre>{@code
 * History h = trainer.fit();
 * h.writeCsv(Path.of("runs/mlp/history.csv"));
 * h.plot(Path.of("runs/mlp/history.png"));       // loss curves, metric curves, learning rate
 * double best = h.min("val_loss");
 * }</pre>
 */
public final class History {
  private final List<Map<String, Double>> rows = new ArrayList<>();

  /** Appends one epoch's values (copied). */
  public void add(Map<String, Double> epoch) {
    rows.add(Collections.unmodifiableMap(new LinkedHashMap<>(epoch)));
  }

  /** The epochs recorded, in order (unmodifiable). */
  public List<Map<String, Double>> epochs() {
    return Collections.unmodifiableList(rows);
  }

  public int size() {
    return rows.size();
  }

  /** The last epoch's values, or an empty map. */
  public Map<String, Double> last() {
    return rows.isEmpty() ? Map.of() : rows.get(rows.size() - 1);
  }

  /** All column names, in first-seen order. */
  public List<String> columns() {
    Set<String> keys = new LinkedHashSet<>();
    for (Map<String, Double> r : rows) keys.addAll(r.keySet());
    return new ArrayList<>(keys);
  }

  /** One column over the epochs (NaN where an epoch lacks it). */
  public double[] column(String name) {
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) out[i] = rows.get(i).getOrDefault(name, Double.NaN);
    return out;
  }

  /** The smallest value of a column (NaN if absent). */
  public double min(String name) {
    double m = Double.NaN;
    for (double v : column(name)) if (!Double.isNaN(v) && (Double.isNaN(m) || v < m)) m = v;
    return m;
  }

  /** The largest value of a column (NaN if absent). */
  public double max(String name) {
    double m = Double.NaN;
    for (double v : column(name)) if (!Double.isNaN(v) && (Double.isNaN(m) || v > m)) m = v;
    return m;
  }

  /** The CSV text: a header of the columns, then one line per epoch (empty where missing). */
  public String toCsv() {
    List<String> cols = columns();
    StringBuilder sb = new StringBuilder(String.join(",", cols)).append('\n');
    for (Map<String, Double> r : rows) {
      for (int i = 0; i < cols.size(); i++) {
        if (i > 0) sb.append(',');
        Double v = r.get(cols.get(i));
        if (v != null)
          sb.append(
              cols.get(i).equals("epoch") ? Long.toString(v.longValue()) : Double.toString(v));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Writes {@link #toCsv()} to {@code file}, creating its directory. */
  public void writeCsv(Path file) throws IOException {
    createParent(file);
    Files.writeString(file, toCsv());
  }

  /** Reads a file written by {@link #writeCsv}. */
  public static History readCsv(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    History h = new History();
    if (lines.isEmpty()) return h;
    String[] cols = lines.get(0).split(",", -1);
    for (int li = 1; li < lines.size(); li++) {
      if (lines.get(li).isEmpty()) continue;
      String[] cells = lines.get(li).split(",", -1);
      if (cells.length != cols.length) {
        throw new IOException(
            file
                + ": line "
                + (li + 1)
                + " has "
                + cells.length
                + " fields, the header has "
                + cols.length);
      }
      Map<String, Double> row = new LinkedHashMap<>();
      for (int i = 0; i < cols.length; i++) {
        if (cells[i].isEmpty()) continue;
        try {
          row.put(cols[i], Double.parseDouble(cells[i]));
        } catch (NumberFormatException e) {
          throw new IOException(
              file
                  + ": line "
                  + (li + 1)
                  + ", column "
                  + cols[i]
                  + ": not a number '"
                  + cells[i]
                  + "'");
        }
      }
      h.add(row);
    }
    return h;
  }

  /**
   * Draws the curves against the epoch into a PNG (headless): the losses, then the other metrics
   * (train and validation together), then the learning rate when it changed.
   */
  public void plot(Path png) throws IOException {
    if (rows.isEmpty()) throw new IllegalStateException("History.plot: no epochs recorded");
    if (System.getProperty("java.awt.headless") == null)
      System.setProperty("java.awt.headless", "true");
    createParent(png);
    double[] epoch = column("epoch");
    for (int i = 0; i < epoch.length; i++) if (Double.isNaN(epoch[i])) epoch[i] = i + 1;
    List<String> cols = columns();
    List<XYChart> charts = new ArrayList<>();
    // every loss (loss, val_loss and those of further evaluation sets) in one chart
    addChart(
        charts,
        chart(
            "loss",
            epoch,
            cols.stream().filter(c -> c.equals("loss") || c.endsWith("_loss")).toList()));
    Set<String> metrics = new LinkedHashSet<>();
    for (String c : cols) {
      String base = c.startsWith("val_") ? c.substring(4) : c;
      if (!base.endsWith("_loss")
          && !Set.of("epoch", "loss", "lr", "seconds", "train_seconds").contains(base)) {
        metrics.add(base);
      }
    }
    for (String m : metrics) {
      addChart(
          charts,
          chart(m, epoch, cols.stream().filter(c -> c.equals(m) || c.equals("val_" + m)).toList()));
    }
    double[] lr = column("lr");
    if (lr.length > 1 && min("lr") != max("lr"))
      addChart(charts, chart("learning rate", epoch, List.of("lr")));
    if (charts.isEmpty()) throw new IllegalStateException("History.plot: no finite values to plot");
    BitmapEncoder.saveBitmap(
        charts, 1, charts.size(), png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void addChart(List<XYChart> charts, XYChart chart) {
    if (chart != null) charts.add(chart);
  }

  /** A chart of the given columns, or null when none has a finite value. */
  private XYChart chart(String title, double[] epoch, List<String> series) {
    int added = 0;
    XYChart chart =
        new XYChartBuilder().width(480).height(360).title(title).xAxisTitle("epoch").build();
    // below the plot, so the legend never hides a curve
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
    chart.getStyler().setMarkerSize(4);
    for (String s : series) {
      double[] y = column(s);
      List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
      for (int i = 0; i < y.length; i++) {
        if (Double.isFinite(y[i])) {
          xs.add(epoch[i]);
          ys.add(y[i]);
        }
      }
      if (!xs.isEmpty()) {
        chart.addSeries(s, xs, ys).setMarker(SeriesMarkers.CIRCLE);
        added++;
      }
    }
    return added > 0 ? chart : null;
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
  }

  @Override
  public String toString() {
    return toCsv();
  }
}
