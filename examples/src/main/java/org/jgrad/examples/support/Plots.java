package org.jgrad.examples.support;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG figures for the reports: line charts, scatter plots coloured by class, heat maps (XChart,
 * headless), and image grids drawn directly.
 *
 * <p>Line charts follow a few rules so that a reader can tell the series apart: series are listed
 * in natural order (numbers inside labels compare as numbers, so {@code lr 2e-4} comes before
 * {@code lr 0.01}); a pair named {@code "X train"} and {@code "X validation"} shares one colour,
 * train dashed and validation solid; a label made by {@link #reference} is drawn as a grey
 * reference line listed last; and a chart with more than {@value #MAX_COLOURS} colours is split
 * into stacked panels with the same axes.
 *
 * <pre>{@code
 * Plots.lines(out.resolve("loss.png"), "Loss", "epoch", "loss",
 *     Plots.series("adam train", new double[][] {x, y1}, "adam validation", new double[][] {x, y2}), true);
 * }</pre>
 */
public final class Plots {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  /** The most colours (series groups) one panel of a line chart gets before it is split. */
  public static final int MAX_COLOURS = 8;

  private static final String REFERENCE = "\u2261 ";
  private static final BasicStroke SOLID = new BasicStroke(2f);
  private static final BasicStroke DASHED =
      new BasicStroke(
          2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {7f, 4f}, 0f);
  private static final BasicStroke DOTTED =
      new BasicStroke(
          1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[] {2f, 4f}, 0f);

  private Plots() {}

  /**
   * Marks a series label as a reference line (e.g. a noise floor): grey, dotted, last in the
   * legend.
   */
  public static String reference(String label) {
    return REFERENCE + label;
  }

  /**
   * One line per series; each series is {x[], y[]}. With {@code logY} the y axis is logarithmic and
   * gets labelled ticks inside each decade when the data span less than three decades.
   */
  public static void lines(
      Path file,
      String title,
      String xLabel,
      String yLabel,
      Map<String, double[][]> series,
      boolean logY)
      throws IOException {
    List<Line> all = new ArrayList<>();
    for (var e : series.entrySet()) all.add(Line.of(e.getKey(), e.getValue()));
    List<String> groups =
        all.stream()
            .filter(l -> !l.reference)
            .map(l -> l.group)
            .distinct()
            .sorted(NATURAL)
            .toList();
    List<Line> refs = all.stream().filter(l -> l.reference).toList();
    int panels = Math.max(1, (groups.size() + MAX_COLOURS - 1) / MAX_COLOURS);
    int perPanel = (groups.size() + panels - 1) / Math.max(1, panels);
    double[] yRange = range(all, logY);
    List<BufferedImage> images = new ArrayList<>();
    for (int p = 0; p < panels; p++) {
      List<String> mine =
          groups.subList(
              Math.min(groups.size(), p * perPanel), Math.min(groups.size(), (p + 1) * perPanel));
      String t =
          panels == 1 ? title : title + String.format(Locale.ROOT, " (%d/%d)", p + 1, panels);
      XYChart chart =
          new XYChartBuilder()
              .width(820)
              .height(panels == 1 ? 500 : 440)
              .title(t)
              .xAxisTitle(xLabel)
              .yAxisTitle(yLabel)
              .build();
      styleAxes(chart, all, logY, yRange);
      for (int g = 0; g < mine.size(); g++) {
        // Colours continue across panels, so no two groups share one (up to the palette's ten).
        Color colour = CATEGORY_COLORS[(p * perPanel + g) % CATEGORY_COLORS.length];
        String group = mine.get(g);
        List<Line> members =
            all.stream()
                .filter(l -> !l.reference && l.group.equals(group))
                .sorted(
                    Comparator.comparing((Line l) -> l.role).thenComparing(l -> l.label, NATURAL))
                .toList();
        for (Line l : members) add(chart, l, colour, l.role == Role.TRAIN ? DASHED : SOLID, logY);
      }
      for (Line l : refs) add(chart, l, new Color(0x555555), DOTTED, logY);
      breakEqualSpacing(chart, all, yRange);
      images.add(BitmapEncoder.getBufferedImage(chart));
    }
    ImageIO.write(stack(images), "png", file.toFile());
  }

  private static void add(XYChart chart, Line l, Color colour, BasicStroke stroke, boolean logY) {
    double[] y = logY ? positive(l.y) : l.y;
    XYSeries s = chart.addSeries(l.label, l.x, y);
    s.setLineColor(colour);
    s.setLineStyle(stroke);
    s.setMarkerColor(colour);
    s.setMarker(l.x.length > 30 || l.reference ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
  }

  /**
   * For x values that are equally spaced (epochs) XChart picks every k-th data value as a tick,
   * with steps like 9 or 12 and labels that touch; one invisible point off the grid makes it use
   * its regular 1-2-5 ticks spaced by the tick-spacing hint instead.
   */
  private static void breakEqualSpacing(XYChart chart, List<Line> all, double[] yRange) {
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (Line l : all)
      for (double v : l.x)
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
    if (!(hi > lo)) return;
    XYSeries s =
        chart.addSeries("\u200b", new double[] {lo + (hi - lo) * 0.5003}, new double[] {yRange[0]});
    s.setShowInLegend(false);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineStyle(new BasicStroke(0f));
    s.setLineColor(new Color(0, 0, 0, 0));
  }

  private static void styleAxes(XYChart chart, List<Line> all, boolean logY, double[] yRange) {
    var st = chart.getStyler();
    st.setMarkerSize(4);
    st.setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotGridLinesColor(new Color(0xdddddd));
    st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    st.setXAxisTickLabelsFormattingFunction(Plots::tick);
    st.setYAxisLogarithmic(logY);
    if (logY) {
      boolean decadesOnly = yRange[1] / yRange[0] > 1e3;
      st.setYAxisLogarithmicDecadeOnly(decadesOnly);
      // Inside a decade only 1, 2 and 5 × 10^k are labelled; the labels of 6–9 would touch.
      st.setYAxisTickLabelsFormattingFunction(v -> decadesOnly || isOneTwoFive(v) ? tick(v) : "");
    } else {
      st.setYAxisTickLabelsFormattingFunction(Plots::tick);
    }
    st.setYAxisMin(yRange[0]);
    st.setYAxisMax(yRange[1]);
  }

  /**
   * The y range over every series (so that split panels share their axes); positive values only on
   * log axes.
   */
  private static double[] range(List<Line> lines, boolean logY) {
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (Line l : lines) {
      for (double v : l.y) {
        if (!Double.isFinite(v) || (logY && v <= 0)) continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (!(lo <= hi)) return logY ? new double[] {1e-3, 1} : new double[] {0, 1};
    if (logY) {
      double pad = Math.pow(hi / lo, 0.03);
      if (hi == lo) pad = 2;
      return new double[] {lo / pad, hi * pad};
    }
    double pad = (hi - lo) * 0.04;
    if (pad == 0) pad = Math.max(1e-9, Math.abs(hi) * 0.1 + 1e-9);
    return new double[] {lo - pad, hi + pad};
  }

  /** A short tick label: {@code 0.05}, {@code 120}, {@code 2e-4}, {@code 1e6}. */
  public static String tick(double v) {
    if (v == 0) return "0";
    double a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) {
      // Java's %g switches to an exponent only below 1e-4, so the mantissa and exponent are built
      // here.
      int exp = (int) Math.floor(Math.log10(a));
      double mant = Math.round(v / Math.pow(10, exp) * 10) / 10.0;
      if (Math.abs(mant) >= 10) {
        mant /= 10;
        exp++;
      }
      String m = String.format(Locale.ROOT, "%.1f", mant);
      return (m.endsWith(".0") ? m.substring(0, m.length() - 2) : m) + "e" + exp;
    }
    String s = String.format(Locale.ROOT, "%.3g", v);
    if (s.contains("e")) return String.format(Locale.ROOT, "%.0f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  /**
   * A short label for a learning rate or similar quantity: {@code lr 2e-4}, {@code lr 0.05}, {@code
   * lr 1.1}.
   */
  public static String shortNumber(double v) {
    return tick(v);
  }

  static boolean isOneTwoFive(double v) {
    if (!(v > 0)) return false;
    double m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
    return Math.abs(m - 1) < 1e-6
        || Math.abs(m - 2) < 1e-6
        || Math.abs(m - 5) < 1e-6
        || Math.abs(m - 10) < 1e-6;
  }

  private static double[] positive(double[] y) {
    double[] out = y.clone();
    // A non-positive value cannot be drawn on a log axis; NaN leaves a gap instead of a fake point.
    for (int i = 0; i < out.length; i++) if (!(out[i] > 0)) out[i] = Double.NaN;
    return out;
  }

  private static BufferedImage stack(List<BufferedImage> images) {
    if (images.size() == 1) return images.get(0);
    int w = images.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
    int h = images.stream().mapToInt(BufferedImage::getHeight).sum();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    int y = 0;
    for (BufferedImage im : images) {
      g.drawImage(im, 0, y, null);
      y += im.getHeight();
    }
    g.dispose();
    return out;
  }

  /** Whether a line is a training curve, a validation curve, or neither. */
  private enum Role {
    TRAIN,
    VALIDATION,
    OTHER
  }

  private record Line(
      String label, String group, Role role, boolean reference, double[] x, double[] y) {
    static Line of(String key, double[][] xy) {
      if (xy.length != 2 || xy[0].length != xy[1].length) {
        throw new IllegalArgumentException(
            "Plots.lines: series '"
                + key
                + "' must be {x[], y[]} of equal length, got "
                + xy.length
                + " arrays"
                + (xy.length == 2 ? " of lengths " + xy[0].length + " and " + xy[1].length : ""));
      }
      if (key.startsWith(REFERENCE))
        return new Line(key.substring(REFERENCE.length()), key, Role.OTHER, true, xy[0], xy[1]);
      String[] words = key.split(" ");
      String last = words[words.length - 1];
      Role role =
          switch (last) {
            case "train" -> Role.TRAIN;
            case "validation", "val" -> Role.VALIDATION;
            default -> Role.OTHER;
          };
      String group =
          role == Role.OTHER || words.length == 1
              ? key
              : key.substring(0, key.length() - last.length() - 1);
      return new Line(key, group, role, false, xy[0], xy[1]);
    }
  }

  private static final Pattern NUMBER = Pattern.compile("[-+]?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

  /**
   * Orders labels as a reader expects: the numbers inside them compare by value, the rest
   * alphabetically.
   */
  static final Comparator<String> NATURAL =
      (a, b) -> {
        Matcher ma = NUMBER.matcher(a), mb = NUMBER.matcher(b);
        int ia = 0, ib = 0;
        while (true) {
          boolean fa = ma.find(ia), fb = mb.find(ib);
          String pa = fa ? a.substring(ia, ma.start()) : a.substring(ia),
              pb = fb ? b.substring(ib, mb.start()) : b.substring(ib);
          int c = pa.compareTo(pb);
          if (c != 0 || !fa || !fb) return c != 0 ? c : Boolean.compare(fa, fb);
          c = Double.compare(Double.parseDouble(ma.group()), Double.parseDouble(mb.group()));
          if (c != 0) return c;
          ia = ma.end();
          ib = mb.end();
        }
      };

  /** Convenience: series indexed 0..n-1. */
  public static double[][] indexed(double[] y) {
    double[] x = new double[y.length];
    for (int i = 0; i < x.length; i++) x[i] = i;
    return new double[][] {x, y};
  }

  /** Ten well-separated colours (the "tab10" palette), for classes and for series. */
  private static final Color[] CATEGORY_COLORS = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd),
    new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
        new Color(0x17becf)
  };

  /** Scatter plot of 2-D points coloured by integer label. */
  public static void scatter(
      Path file, String title, double[][] points, int[] labels, String xLabel, String yLabel)
      throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(700)
            .title(title)
            .xAxisTitle(xLabel)
            .yAxisTitle(yLabel)
            .build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(4);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisTickMarkSpacingHint(90);
    chart.getStyler().setXAxisTickLabelsFormattingFunction(Plots::tick);
    chart.getStyler().setYAxisTickLabelsFormattingFunction(Plots::tick);
    Map<Integer, List<double[]>> byLabel = new java.util.TreeMap<>();
    for (int i = 0; i < points.length; i++)
      byLabel.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(points[i]);
    int k = 0;
    for (var e : byLabel.entrySet()) {
      double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
      double[] y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
      XYSeries s = chart.addSeries(String.valueOf(e.getKey()), x, y);
      s.setMarker(SeriesMarkers.CIRCLE);
      // XChart's default palette repeats near-identical yellows and greys; ten classes need ten
      // distinct colours.
      s.setMarkerColor(CATEGORY_COLORS[k++ % CATEGORY_COLORS.length]);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** A blue–white–red scale for signed values (errors), symmetric around 0. */
  public static final Color[] DIVERGING = {
    new Color(0x2166ac), new Color(0x92c5de), Color.WHITE, new Color(0xf4a582), new Color(0xb2182b)
  };

  /** A perceptually ordered dark-to-light scale (viridis) for values such as a surface height. */
  public static final Color[] SEQUENTIAL = {
    new Color(0x440154),
    new Color(0x3b528b),
    new Color(0x21918c),
    new Color(0x5ec962),
    new Color(0xfde725)
  };

  /**
   * A heat map of {@code values[row][col]} over the given axis ticks, with axis titles, a colour
   * bar labelled {@code barLabel} and the colour scale fixed to [{@code min}, {@code max}], so that
   * maps meant to be compared (truth and prediction) share one scale.
   */
  public static void heatmap(
      Path file,
      String title,
      String xLabel,
      String yLabel,
      String barLabel,
      double[] xs,
      double[] ys,
      double[][] values,
      double min,
      double max,
      Color[] colours)
      throws IOException {
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(720)
            .height(620)
            .title(title)
            .xAxisTitle(xLabel)
            .yAxisTitle(yLabel)
            .build();
    var st = chart.getStyler();
    st.setPlotContentSize(1);
    st.setShowValue(false);
    st.setLegendVisible(true);
    st.setChartBackgroundColor(Color.WHITE);
    // Round the scale outwards to two significant digits: the colour bar prints its ends as they
    // are.
    double mag = Math.pow(10, Math.floor(Math.log10(Math.max(Math.abs(min), Math.abs(max)))) - 1);
    min = Math.floor(min / mag) * mag;
    max = Math.ceil(max / mag) * mag;
    st.setMin(Double.parseDouble(tick(min)));
    st.setMax(Double.parseDouble(tick(max)));
    st.setPlotGridLinesVisible(false);
    st.setDrawBorder(false);
    st.setRangeColors(colours);
    st.setHeatMapDecimalValueFormatter(Plots::tick);
    st.setXAxisTickMarkSpacingHint(70);
    List<Number[]> data = new ArrayList<>();
    for (int r = 0; r < ys.length; r++) {
      for (int c = 0; c < xs.length; c++) data.add(new Number[] {c, r, values[r][c]});
    }
    // XChart shows every k-th category label so that they do not overlap; short labels let it show
    // more.
    List<String> xt = new ArrayList<>(), yt = new ArrayList<>();
    for (double x : xs) xt.add(tick(x));
    for (double y : ys) yt.add(tick(y));
    chart.addSeries(barLabel, xt, yt, data);
    BufferedImage img = BitmapEncoder.getBufferedImage(chart);
    // XChart draws the colour bar without a title; write the short label above it.
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    int tw = g.getFontMetrics().stringWidth(barLabel);
    g.drawString(
        barLabel,
        img.getWidth() - tw - 10,
        img.getHeight() / 2 - st.getGradientColorColumnHeight() / 2 - 40);
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  /**
   * A grid of grayscale images (values in [0,1]), {@code rows × cols}, each h×w, scaled up {@code
   * scale} times, with a one-pixel separator and no row labels.
   */
  public static void imageGrid(
      Path file, float[][] images, int rows, int cols, int h, int w, int scale) throws IOException {
    imageGrid(file, images, rows, cols, h, w, scale, null);
  }

  /**
   * A grid of grayscale images (values in [0,1]), {@code rows × cols}, each h×w, scaled up {@code
   * scale} times, with a one-pixel separator and, when {@code rowLabels} is given (one per row), a
   * label in a margin on the left of each row.
   */
  public static void imageGrid(
      Path file,
      float[][] images,
      int rows,
      int cols,
      int h,
      int w,
      int scale,
      List<String> rowLabels)
      throws IOException {
    imageGrid(file, images, rows, cols, 1, h, w, scale, rowLabels);
  }

  /**
   * {@link #imageGrid(Path, float[][], int, int, int, int, int, List)} for images of {@code
   * channels} 1 (grayscale) or 3 (RGB planes, C×H×W as in a tensor), values in [0,1].
   */
  public static void imageGrid(
      Path file,
      float[][] images,
      int rows,
      int cols,
      int channels,
      int h,
      int w,
      int scale,
      List<String> rowLabels)
      throws IOException {
    if (channels != 1 && channels != 3)
      throw new IllegalArgumentException(
          "Plots.imageGrid: channels must be 1 or 3, got " + channels);
    if (rowLabels != null && rowLabels.size() != rows) {
      throw new IllegalArgumentException(
          "Plots.imageGrid: " + rowLabels.size() + " row labels for " + rows + " rows");
    }
    int cell = h * scale + 2, cellW = w * scale + 2;
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    int margin = 0;
    if (rowLabels != null) {
      Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
      probe.setFont(font);
      for (String l : rowLabels) margin = Math.max(margin, probe.getFontMetrics().stringWidth(l));
      probe.dispose();
      margin += 16;
    }
    BufferedImage img =
        new BufferedImage(margin + cols * cellW, rows * cell, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, margin, img.getHeight());
    g.setColor(new Color(0x808080));
    g.fillRect(margin, 0, cols * cellW, img.getHeight());
    if (rowLabels != null) {
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(font);
      g.setColor(Color.BLACK);
      for (int r = 0; r < rows; r++) {
        g.drawString(
            rowLabels.get(r), 8, r * cell + cell / 2 + g.getFontMetrics().getAscent() / 2 - 2);
      }
    }
    g.dispose();
    for (int k = 0; k < Math.min(images.length, rows * cols); k++) {
      int r = k / cols, c = k % cols;
      float[] im = images[k];
      if (im == null) continue;
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          int[] ch = new int[3];
          for (int k2 = 0; k2 < 3; k2++) {
            float v = Math.max(0, Math.min(1, im[(channels == 3 ? k2 * h * w : 0) + i * w + j]));
            ch[k2] = Math.round(v * 255);
          }
          int rgb = new Color(ch[0], ch[1], ch[2]).getRGB();
          for (int a = 0; a < scale; a++) {
            for (int b = 0; b < scale; b++) {
              img.setRGB(margin + c * cellW + 1 + j * scale + b, r * cell + 1 + i * scale + a, rgb);
            }
          }
        }
      }
    }
    ImageIO.write(img, "png", file.toFile());
  }

  /** An ordered map literal for series. */
  public static Map<String, double[][]> series(Object... nameThenXY) {
    Map<String, double[][]> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenXY.length; i += 2)
      m.put((String) nameThenXY[i], (double[][]) nameThenXY[i + 1]);
    return m;
  }
}
