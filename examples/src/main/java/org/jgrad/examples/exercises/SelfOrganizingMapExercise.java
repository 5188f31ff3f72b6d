package org.jgrad.examples.exercises;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jgrad.data.io.TabularData;
import org.jgrad.data.metrics.ClassificationReport;
import org.jgrad.data.metrics.Metrics;
import org.jgrad.data.synthetic.Synthetic;
import org.jgrad.examples.analysis.SelfOrganizingMap;
import org.jgrad.examples.analysis.SelfOrganizingMap.Neighbourhood;
import org.jgrad.examples.analysis.SelfOrganizingMap.Schedule;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.RunContext;
import org.jgrad.examples.support.TabularSource;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Exercise (part 2, item 4): a self-organizing map ({@link SelfOrganizingMap}, on jgrad tensors) on
 * two moons (4×4 map, snapshots over training), on Iris (U-matrix with the samples overlaid), as a
 * clusterer (1×3 map, NMI against the species) and as a classifier (4×4 map, majority label per
 * unit, classification report on a held-out split); Gaussian and triangle neighbourhoods side by
 * side.
 */
public final class SelfOrganizingMapExercise implements Exercise {
  private static final Color[] CLASS_COLOURS = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)
  };

  @Override
  public String name() {
    return "self-organizing-map";
  }

  @Override
  public String title() {
    return "Self-organizing maps: two moons, Iris U-matrix, SOM clustering and classification";
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int moonSteps = ctx.pick(600, 5000), irisSteps = ctx.pick(800, 8000);
    r.paragraph(
        "The map (`analysis.SelfOrganizingMap`) keeps its weights as a jgrad tensor [units, d] and trains online: "
            + "each step draws one sample x, finds the best-matching unit b (nearest weight vector) and moves every "
            + "unit u by lr(t)·h(‖grid(u) − grid(b)‖, σ(t))·(x − w_u), with h gaussian exp(−d²/2σ²) or triangle "
            + "max(0, 1 − d/σ). σ and the learning rate decay exponentially from their start to their end values. "
            + "Units start at randomly chosen samples. Quality measures: quantisation error (mean distance of a sample "
            + "to its unit's weights) and topographic error (fraction of samples whose two best units are not grid "
            + "neighbours).");

    // ---- two moons
    r.heading("A 4×4 map on two moons");
    TabularData moons = Synthetic.twoMoons(ctx.pick(300, 500), 0.08, ctx.seed() + 1);
    Tensor mx = Tensor.of(moons.features(), moons.rows(), 2);
    Schedule moonSchedule = Schedule.of(2.0, 0.3, 0.5, 0.02);
    int[] snaps = {0, moonSteps / 100, moonSteps / 20, moonSteps / 5, moonSteps / 2, moonSteps};
    r.paragraph(
        String.format(
            Locale.ROOT,
            "%d points of two moons (noise 0.08), %d steps, σ 2 → 0.3, lr 0.5 → 0.02; the same initial units and "
                + "sample order for both neighbourhoods. Snapshots after %s steps.",
            moons.rows(),
            moonSteps,
            java.util.Arrays.toString(snaps)));
    Map<String, Object> moonQe = new LinkedHashMap<>();
    List<List<Object>> snapRows = new ArrayList<>();
    for (Neighbourhood nb : Neighbourhood.values()) {
      String key = nb.name().toLowerCase(Locale.ROOT);
      SelfOrganizingMap som =
          SelfOrganizingMap.initFromSamples(4, 4, mx, new Generator(ctx.seed() + 2));
      List<BufferedImage> panels = new ArrayList<>();
      double[] qe = new double[snaps.length];
      int[] next = {0};
      Runnable snap =
          () -> {
            int s = snaps[next[0]];
            qe[next[0]] = som.quantizationError(mx);
            panels.add(mapChart("after " + s + " steps", moons, som));
            next[0]++;
          };
      snap.run();
      som.train(
          mx,
          moonSteps,
          moonSchedule,
          nb,
          new Generator(ctx.seed() + 3),
          t -> {
            if (next[0] < snaps.length && t == snaps[next[0]]) snap.run();
          });
      while (next[0] < snaps.length) snap.run(); // a zero-length schedule point, if any
      ImageIO.write(tile(panels, 3), "png", ctx.file("moons_" + key + ".png").toFile());
      r.image(
          "moons_" + key + ".png",
          "4×4 map ("
              + key
              + " neighbourhood) on two moons: units (red) and grid links over training");
      List<Object> row = new ArrayList<>(List.of(key));
      for (double v : qe) row.add(v);
      row.add(som.topographicError(mx));
      snapRows.add(row);
      moonQe.put(key, qe);
      double[] steps = java.util.Arrays.stream(snaps).asDoubleStream().toArray();
      Csv.write(
          ctx.file("moons_" + key + "_qe.csv"),
          List.of("step", "quantization_error"),
          List.of(steps, qe));
    }
    List<String> hdr = new ArrayList<>(List.of("neighbourhood"));
    for (int s : snaps) hdr.add("QE @ " + s);
    hdr.add("final topographic error");
    r.table(hdr, snapRows);
    for (var e : moonQe.entrySet()) {
      double[] q = (double[]) e.getValue();
      int peak = 0;
      for (int i = 1; i < q.length; i++) if (q[i] > q[peak]) peak = i;
      r.paragraph(
          String.format(
              Locale.ROOT,
              "%s neighbourhood: the quantisation error starts at %.3f (units on random samples)%s and ends at %.3f after %d steps.",
              e.getKey().substring(0, 1).toUpperCase(Locale.ROOT) + e.getKey().substring(1),
              q[0],
              peak > 0
                  ? String.format(
                      Locale.ROOT,
                      ", rises to %.3f at step %d while the wide neighbourhood pulls all units towards each sample, "
                          + "then falls as σ shrinks and the map unfolds along the moons",
                      q[peak],
                      snaps[peak])
                  : "",
              q[q.length - 1],
              snaps[snaps.length - 1]));
    }
    double[] gq = (double[]) moonQe.get("gaussian"), tq = (double[]) moonQe.get("triangle");
    double gTe = (double) snapRows.get(0).get(snapRows.get(0).size() - 1),
        tTe = (double) snapRows.get(1).get(snapRows.get(1).size() - 1);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "The %s map ends with the lower quantisation error (%.3f against %.3f) and the %s map with the lower "
                + "topographic error (%.3f against %.3f).",
            gq[gq.length - 1] <= tq[tq.length - 1] ? "gaussian" : "triangle",
            Math.min(gq[gq.length - 1], tq[tq.length - 1]),
            Math.max(gq[gq.length - 1], tq[tq.length - 1]),
            gTe <= tTe ? "gaussian" : "triangle",
            Math.min(gTe, tTe),
            Math.max(gTe, tTe)));
    ctx.metrics().put("moons_quantization_error", moonQe);

    // ---- Iris
    TabularSource.Table irisTable = TabularSource.load(ctx, TabularSource.Name.IRIS);
    TabularData iris = irisTable.data();
    Tensor ix = standardize(Tensor.of(iris.features(), iris.rows(), iris.cols()));
    int[] species = iris.labels();
    List<String> names = iris.classNames();
    r.paragraph(
        "Iris features are standardised (zero mean, unit variance per feature) before all SOM runs below.");

    r.heading("Iris U-matrix");
    Schedule uSchedule = Schedule.of(3.0, 0.5, 0.5, 0.02);
    SelfOrganizingMap big =
        SelfOrganizingMap.initFromSamples(8, 8, ix, new Generator(ctx.seed() + 4));
    big.train(
        ix, irisSteps, uSchedule, Neighbourhood.GAUSSIAN, new Generator(ctx.seed() + 5), null);
    int[] bmu = big.bestMatchingUnits(ix);
    double[][] u = big.uMatrix();
    drawUMatrix(ctx.file("iris_umatrix.png"), u, bmu, species, names, big.cols());
    Csv.write(ctx.file("iris_umatrix.csv"), umatrixHeader(big.cols()), umatrixCols(u));
    double[] border = borderContrast(big, bmu, species);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "An 8×8 map, gaussian neighbourhood, %d steps, σ 3 → 0.5, lr 0.5 → 0.02; quantisation error %.3f, "
                + "topographic error %.3f. The U-matrix value of a unit is the mean distance of its weights to its four "
                + "neighbours' weights (dark = far apart). Between neighbouring units whose samples' majority species "
                + "differ, the weights are on average %.3f apart, against %.3f between neighbours of the same species "
                + "(%.1f×): the class borders run along the map's ridges.",
            irisSteps,
            big.quantizationError(ix),
            big.topographicError(ix),
            border[0],
            border[1],
            border[0] / border[1]));
    r.image(
        "iris_umatrix.png",
        "U-matrix of an 8×8 map on Iris, each sample drawn (jittered) on its best-matching unit");
    ctx.metrics().put("umatrix_border_ratio", border[0] / border[1]);

    // ---- clusterer and classifier, both neighbourhoods
    r.heading("A 1×3 map as a clusterer, a 4×4 map as a classifier");
    int[][] split = stratifiedSplit(species, names.size(), 0.3, new Generator(ctx.seed() + 6));
    Tensor trainX = ix.index(longs(split[0])), testX = ix.index(longs(split[1]));
    int[] trainY = pick(species, split[0]), testY = pick(species, split[1]);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Clusterer: a 1×3 map on all %d samples, %d steps, σ 1 → 0.1, lr 0.5 → 0.01; each sample's cluster is its "
                + "unit, scored by normalised mutual information (NMI, arithmetic mean normalisation) with the species "
                + "(1 = the clusters are the species). Classifier: a 4×4 map trained on a stratified %d-sample training "
                + "split (σ 2 → 0.3, lr 0.5 → 0.02, %d steps); each unit takes the majority species of the training samples "
                + "it wins (a unit that wins none takes the label of the nearest labelled unit in weight space), and the "
                + "%d held-out samples are classified by their unit.",
            iris.rows(),
            irisSteps,
            split[0].length,
            irisSteps,
            split[1].length));
    Map<String, Object> nmi = new LinkedHashMap<>(), acc = new LinkedHashMap<>();
    List<List<Object>> rows = new ArrayList<>();
    Map<String, ClassificationReport> reports = new LinkedHashMap<>();
    Map<String, int[]> clusterings = new LinkedHashMap<>();
    for (Neighbourhood nb : Neighbourhood.values()) {
      String key = nb.name().toLowerCase(Locale.ROOT);
      SelfOrganizingMap clus =
          SelfOrganizingMap.initFromSamples(1, 3, ix, new Generator(ctx.seed() + 7));
      clus.train(
          ix, irisSteps, Schedule.of(1.0, 0.1, 0.5, 0.01), nb, new Generator(ctx.seed() + 8), null);
      int[] clusters = clus.bestMatchingUnits(ix);
      clusterings.put(key, clusters);
      double n1 = Metrics.normalizedMutualInfo(species, clusters);
      double cAcc = Metrics.clusteringAccuracy(species, clusters);
      SelfOrganizingMap cls =
          SelfOrganizingMap.initFromSamples(4, 4, trainX, new Generator(ctx.seed() + 9));
      cls.train(
          trainX,
          irisSteps,
          Schedule.of(2.0, 0.3, 0.5, 0.02),
          nb,
          new Generator(ctx.seed() + 10),
          null);
      int[] unitLabel = unitLabels(cls, trainX, trainY, names.size());
      int[] testUnits = cls.bestMatchingUnits(testX);
      int[] pred = new int[testUnits.length];
      for (int i = 0; i < pred.length; i++) pred[i] = unitLabel[testUnits[i]];
      ClassificationReport rep = ClassificationReport.of(testY, pred, names);
      reports.put(key, rep);
      nmi.put(key, n1);
      acc.put(key, rep.accuracy());
      rows.add(
          List.of(
              key,
              n1,
              cAcc,
              clus.quantizationError(ix),
              rep.accuracy(),
              cls.quantizationError(testX),
              cls.topographicError(testX)));
      ctx.log(
          "%s: NMI %.3f, clustering acc %.3f, test accuracy %.3f", key, n1, cAcc, rep.accuracy());
    }
    r.table(
        List.of(
            "neighbourhood",
            "1×3 NMI",
            "1×3 clustering accuracy (best matching)",
            "1×3 quantisation error",
            "4×4 test accuracy",
            "4×4 test quantisation error",
            "4×4 test topographic error"),
        rows);
    String bestNmi = argmax(nmi);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "%s. %s. A 1×3 map has no neighbours to pull along once σ is small, so it ends as online k-means with "
                + "three centres.",
            compare("NMI", nmi),
            compare("held-out accuracy", acc)));
    int[] gc = clusterings.get(bestNmi);
    long[][] table = new long[names.size()][3];
    for (int i = 0; i < gc.length; i++) table[species[i]][gc[i]]++;
    List<List<Object>> ctRows = new ArrayList<>();
    StringBuilder purity = new StringBuilder();
    for (int c = 0; c < table.length; c++) {
      List<Object> row = new ArrayList<>(List.of(names.get(c)));
      long total = 0, most = 0;
      int where = 0;
      for (int k = 0; k < table[c].length; k++) {
        row.add(table[c][k]);
        total += table[c][k];
        if (table[c][k] > most) {
          most = table[c][k];
          where = k;
        }
      }
      ctRows.add(row);
      purity.append(
          String.format(
              Locale.ROOT,
              "%s%s: %d of %d in unit %d",
              c > 0 ? "; " : "",
              names.get(c),
              most,
              total,
              where));
    }
    r.paragraph("Species against units of the " + bestNmi + " 1×3 map (all samples):");
    r.table(List.of("species", "unit 0", "unit 1", "unit 2"), ctRows);
    r.paragraph("Largest share of each species in one unit: " + purity + ".");
    for (var e : reports.entrySet()) {
      // Report.code strips leading blanks, which would shift the report's header row; a title line
      // first keeps the columns aligned.
      r.code("4×4 map, " + e.getKey() + " neighbourhood, held-out split\n\n" + e.getValue());
    }
    ctx.metrics().put("nmi", nmi);
    ctx.metrics().put("test_accuracy", acc);
    ctx.metrics().put("iris_real_data", irisTable.real());
  }

  /** "The gaussian neighbourhood gives the higher NMI (0.65 against 0.59)", or the tie. */
  private static String compare(String what, Map<String, Object> m) {
    double g = (double) m.get("gaussian"), t = (double) m.get("triangle");
    if (g == t)
      return String.format(Locale.ROOT, "Both neighbourhoods give the same %s (%.3f)", what, g);
    return String.format(
        Locale.ROOT,
        "The %s neighbourhood gives the higher %s (%.3f against %.3f)",
        g > t ? "gaussian" : "triangle",
        what,
        Math.max(g, t),
        Math.min(g, t));
  }

  private static String argmax(Map<String, Object> m) {
    String best = null;
    for (var e : m.entrySet())
      if (best == null || (double) e.getValue() > (double) m.get(best)) best = e.getKey();
    return best;
  }

  private static String other(Map<String, Object> m, String key) {
    for (String k : m.keySet()) if (!k.equals(key)) return k;
    return key;
  }

  /** Zero mean, unit variance per column. */
  static Tensor standardize(Tensor x) {
    return x.sub(x.mean(0, true)).div(x.std(new int[] {0}, false, true).add(1e-12));
  }

  /**
   * The majority training label of each unit; units that win no sample copy their nearest labelled
   * unit.
   */
  static int[] unitLabels(SelfOrganizingMap som, Tensor x, int[] y, int classes) {
    int units = som.rows() * som.cols();
    int[][] votes = new int[units][classes];
    int[] bmu = som.bestMatchingUnits(x);
    for (int i = 0; i < bmu.length; i++) votes[bmu[i]][y[i]]++;
    int[] label = new int[units];
    boolean[] has = new boolean[units];
    for (int u = 0; u < units; u++) {
      int best = 0, total = 0;
      for (int c = 0; c < classes; c++) {
        total += votes[u][c];
        if (votes[u][c] > votes[u][best]) best = c;
      }
      label[u] = best;
      has[u] = total > 0;
    }
    double[][] w = som.weights();
    for (int u = 0; u < units; u++) {
      if (has[u]) continue;
      double bestD = Double.POSITIVE_INFINITY;
      for (int v = 0; v < units; v++) {
        if (!has[v]) continue;
        double d = 0;
        for (int j = 0; j < w[u].length; j++) d += (w[u][j] - w[v][j]) * (w[u][j] - w[v][j]);
        if (d < bestD) {
          bestD = d;
          label[u] = label[v];
        }
      }
    }
    return label;
  }

  /**
   * Mean weight distance between 4-neighbour units whose majority species differ, and between those
   * whose majority species agree (units that win no sample are skipped).
   */
  static double[] borderContrast(SelfOrganizingMap som, int[] bmu, int[] y) {
    int rows = som.rows(), cols = som.cols(), units = rows * cols;
    int classes = java.util.Arrays.stream(y).max().orElse(0) + 1;
    int[][] votes = new int[units][classes];
    for (int i = 0; i < bmu.length; i++) votes[bmu[i]][y[i]]++;
    int[] major = new int[units];
    for (int u = 0; u < units; u++) {
      major[u] = -1;
      int best = 0;
      for (int c = 0; c < classes; c++)
        if (votes[u][c] > best) {
          best = votes[u][c];
          major[u] = c;
        }
    }
    double[][] w = som.weights();
    double[] sum = new double[2];
    int[] count = new int[2];
    for (int u = 0; u < units; u++) {
      int[] nbs = {u % cols + 1 < cols ? u + 1 : -1, u / cols + 1 < rows ? u + cols : -1};
      for (int v : nbs) {
        if (v < 0 || major[u] < 0 || major[v] < 0) continue;
        double d = 0;
        for (int j = 0; j < w[u].length; j++) d += (w[u][j] - w[v][j]) * (w[u][j] - w[v][j]);
        int k = major[u] != major[v] ? 0 : 1;
        sum[k] += Math.sqrt(d);
        count[k]++;
      }
    }
    return new double[] {sum[0] / Math.max(1, count[0]), sum[1] / Math.max(1, count[1])};
  }

  /** Per class, a {@code testFraction} share of its indices (rounded) goes to the test split. */
  static int[][] stratifiedSplit(int[] y, int classes, double testFraction, Generator g) {
    List<Integer> train = new ArrayList<>(), test = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < y.length; i++) if (y[i] == c) idx.add(i);
      long[] perm = Tensor.randperm(idx.size(), g).toLongArray();
      int nTest = (int) Math.round(idx.size() * testFraction);
      for (int k = 0; k < perm.length; k++) (k < nTest ? test : train).add(idx.get((int) perm[k]));
    }
    return new int[][] {
      train.stream().mapToInt(Integer::intValue).sorted().toArray(),
      test.stream().mapToInt(Integer::intValue).sorted().toArray()
    };
  }

  static int[] pick(int[] a, int[] idx) {
    int[] out = new int[idx.length];
    for (int i = 0; i < idx.length; i++) out[i] = a[idx[i]];
    return out;
  }

  static Tensor longs(int[] idx) {
    long[] l = new long[idx.length];
    for (int i = 0; i < idx.length; i++) l[i] = idx[i];
    return Tensor.ofLongs(l, l.length);
  }

  /** The data (grey, coloured by class) and the map: units in red, grid links as lines. */
  private static BufferedImage mapChart(String title, TabularData data, SelfOrganizingMap som) {
    XYChart chart = new XYChartBuilder().width(420).height(380).title(title).build();
    var st = chart.getStyler();
    st.setLegendVisible(false);
    st.setChartBackgroundColor(Color.WHITE);
    st.setMarkerSize(3);
    st.setXAxisMin(-1.5);
    st.setXAxisMax(2.5);
    st.setYAxisMin(-1.0);
    st.setYAxisMax(1.5);
    for (int c = 0; c < 2; c++) {
      List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
      for (int i = 0; i < data.rows(); i++)
        if (data.labels()[i] == c) {
          xs.add((double) data.features()[2 * i]);
          ys.add((double) data.features()[2 * i + 1]);
        }
      XYSeries s = chart.addSeries("class " + c, xs, ys);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setMarkerColor(c == 0 ? new Color(0x9ecae1) : new Color(0xc7e9c0));
    }
    double[][] w = som.weights();
    int rows = som.rows(), cols = som.cols(), k = 0;
    for (int rr = 0; rr < rows; rr++) {
      double[] xs = new double[cols], ys = new double[cols];
      for (int c = 0; c < cols; c++) {
        xs[c] = w[rr * cols + c][0];
        ys[c] = w[rr * cols + c][1];
      }
      link(chart, "row " + rr, xs, ys, k++);
    }
    for (int c = 0; c < cols; c++) {
      double[] xs = new double[rows], ys = new double[rows];
      for (int rr = 0; rr < rows; rr++) {
        xs[rr] = w[rr * cols + c][0];
        ys[rr] = w[rr * cols + c][1];
      }
      link(chart, "col " + c, xs, ys, k++);
    }
    return BitmapEncoder.getBufferedImage(chart);
  }

  private static void link(XYChart chart, String name, double[] xs, double[] ys, int k) {
    XYSeries s = chart.addSeries(name, xs, ys);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setLineColor(new Color(0x444444));
    s.setLineStyle(new BasicStroke(1.2f));
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setMarkerColor(new Color(0xd62728));
  }

  private static BufferedImage tile(List<BufferedImage> images, int perRow) {
    int w = images.get(0).getWidth(), h = images.get(0).getHeight();
    int rows = (images.size() + perRow - 1) / perRow;
    BufferedImage out = new BufferedImage(w * perRow, h * rows, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    for (int i = 0; i < images.size(); i++)
      g.drawImage(images.get(i), (i % perRow) * w, (i / perRow) * h, null);
    g.dispose();
    return out;
  }

  /** U-matrix cells in grey (dark = large), samples as coloured dots jittered inside their unit. */
  private static void drawUMatrix(
      Path file, double[][] u, int[] bmu, int[] y, List<String> names, int cols)
      throws IOException {
    int rows = u.length, cell = 64, top = 40, bottom = 60, left = 20;
    BufferedImage img =
        new BufferedImage(
            left * 2 + cols * cell, top + rows * cell + bottom, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (double[] row : u)
      for (double v : row) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    for (int r = 0; r < rows; r++)
      for (int c = 0; c < cols; c++) {
        double t = hi > lo ? (u[r][c] - lo) / (hi - lo) : 0;
        int grey = (int) Math.round(245 - 200 * t);
        g.setColor(new Color(grey, grey, grey));
        g.fillRect(left + c * cell, top + r * cell, cell, cell);
      }
    Generator jitter = new Generator(12345);
    for (int i = 0; i < bmu.length; i++) {
      int r = bmu[i] / cols, c = bmu[i] % cols;
      double jx = (jitter.nextDouble() - 0.5) * cell * 0.7,
          jy = (jitter.nextDouble() - 0.5) * cell * 0.7;
      g.setColor(CLASS_COLOURS[y[i] % CLASS_COLOURS.length]);
      g.fillOval(
          (int) (left + c * cell + cell / 2.0 + jx) - 4,
          (int) (top + r * cell + cell / 2.0 + jy) - 4,
          8,
          8);
    }
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(
        "U-matrix (dark = large distance to neighbours), samples on their units", left, 25);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    int x = left, yText = top + rows * cell + 25;
    for (int k = 0; k < names.size(); k++) {
      g.setColor(CLASS_COLOURS[k % CLASS_COLOURS.length]);
      g.fillOval(x, yText - 10, 10, 10);
      g.setColor(Color.BLACK);
      g.drawString(names.get(k), x + 14, yText);
      x += 20 + g.getFontMetrics().stringWidth(names.get(k)) + 20;
    }
    g.drawString(
        String.format(Locale.ROOT, "U from %.2f (light) to %.2f (dark)", lo, hi), left, yText + 22);
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static List<String> umatrixHeader(int cols) {
    List<String> h = new ArrayList<>();
    for (int c = 0; c < cols; c++) h.add("col" + c);
    return h;
  }

  private static List<double[]> umatrixCols(double[][] u) {
    List<double[]> out = new ArrayList<>();
    for (int c = 0; c < u[0].length; c++) {
      double[] col = new double[u.length];
      for (int r = 0; r < u.length; r++) col[r] = u[r][c];
      out.add(col);
    }
    return out;
  }
}
