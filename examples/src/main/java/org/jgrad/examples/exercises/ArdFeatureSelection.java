package org.jgrad.examples.exercises;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.data.io.TabularData;
import org.jgrad.examples.analysis.ArdRegression;
import org.jgrad.examples.exercises.TabularMlp.Activation;
import org.jgrad.examples.exercises.TabularMlp.Parts;
import org.jgrad.examples.exercises.TabularMlp.Settings;
import org.jgrad.examples.exercises.TabularMlp.Solver;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RunContext;
import org.jgrad.examples.support.TabularSource;
import org.jgrad.nn.Sequential;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Exercise (part 2, item 3): automatic relevance determination ({@link ArdRegression}, EJML for the
 * linear algebra) against ordinary least squares on synthetic data where only a few of many
 * features matter; then ARD on Pima diabetes to select features, and an MLP trained on all features
 * against one trained on the selected ones.
 */
public final class ArdFeatureSelection implements Exercise {
  static final int FEATURES = 100, RELEVANT = 10;
  static final double WEIGHT_PRECISION = 4, NOISE_PRECISION = 50;

  @Override
  public String name() {
    return "ard-feature-selection";
  }

  @Override
  public String title() {
    return "Automatic relevance determination against least squares, and ARD feature selection on Pima";
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int n = 150, nTest = 1000;
    Generator g = new Generator(ctx.seed() + 21);
    double[] w = new double[FEATURES];
    long[] perm = Tensor.randperm(FEATURES, g).toLongArray();
    boolean[] relevant = new boolean[FEATURES];
    for (int k = 0; k < RELEVANT; k++) {
      int j = (int) perm[k];
      relevant[j] = true;
      w[j] = g.nextGaussian() / Math.sqrt(WEIGHT_PRECISION);
    }
    double[][] x = gaussianRows(n, g), xt = gaussianRows(nTest, g);
    double[] y = targets(x, w, g), yt = targets(xt, w, g);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Synthetic data: %d training and %d test rows of %d independent N(0, 1) features; %d features (chosen at "
                + "random) have weights drawn from N(0, 1/%s), the other %d have weight 0; y = x·w + ε with ε ~ N(0, 1/%s). "
                + "ARD: evidence maximisation with MacKay's updates (`analysis.ArdRegression`, EJML Cholesky inverse of the "
                + "posterior precision, Gamma(1e-6, 1e-6) hyperpriors, pruning at α > 1e4, stopping when the weights move by less than 1e-6 in L1 norm or after 300 iterations). OLS: "
                + "EJML's QR least-squares solver with an intercept.",
            n,
            nTest,
            FEATURES,
            RELEVANT,
            OptimizerComparison.trim(WEIGHT_PRECISION),
            FEATURES - RELEVANT,
            OptimizerComparison.trim(NOISE_PRECISION)));
    ArdRegression ard = ArdRegression.fit(x, y, 300, 1e-6, 1e4);
    double[] ols = ArdRegression.leastSquares(x, y);
    double[] olsW = java.util.Arrays.copyOf(ols, FEATURES);
    double[] ardW = ard.coef();
    double ardMse = mse(ard.predict(xt), yt), olsMse = mse(predictLinear(xt, ols), yt);
    double ardErr = dist(ardW, w), olsErr = dist(olsW, w);
    int kept = 0, hits = 0;
    boolean[] k = ard.kept();
    for (int j = 0; j < FEATURES; j++) {
      if (k[j]) kept++;
      if (k[j] && relevant[j]) hits++;
    }
    r.table(
        List.of("estimator", "‖ŵ − w‖₂", "test MSE", "non-zero weights", "relevant features kept"),
        List.of(
            List.of("ARD", ardErr, ardMse, kept, hits + " of " + RELEVANT),
            List.of("OLS", olsErr, olsMse, FEATURES, RELEVANT + " of " + RELEVANT),
            List.of("noise variance (floor)", "", 1 / NOISE_PRECISION, "", "")));
    r.paragraph(
        String.format(
            Locale.ROOT,
            "ARD %s and kept %d of %d features, %d of them among the %d that matter (%d kept "
                + "features are spurious). Its weights are %.1f× closer to the true ones than OLS's (%.4f against %.4f), "
                + "and its test MSE is %.4f against %.4f for OLS (the noise floor is %.4f): %s. Fitted noise precision β = "
                + "%.1f (true %s).",
            ard.iterations() < 300
                ? "converged in " + ard.iterations() + " iterations"
                : "stopped at the 300-iteration limit",
            kept,
            FEATURES,
            hits,
            RELEVANT,
            kept - hits,
            olsErr / ardErr,
            ardErr,
            olsErr,
            ardMse,
            olsMse,
            1 / NOISE_PRECISION,
            ardMse < olsMse
                ? "with only "
                    + n
                    + " rows for "
                    + FEATURES
                    + " weights OLS fits the noise, ARD prunes it away"
                : "ARD does not beat OLS here",
            ard.noisePrecision(),
            OptimizerComparison.trim(NOISE_PRECISION)));
    double[] idx = new double[FEATURES];
    for (int j = 0; j < FEATURES; j++) idx[j] = j;
    Csv.write(
        ctx.file("weights.csv"),
        List.of("feature", "true", "ard", "ols"),
        List.of(idx, w, ardW, olsW));
    plotWeights(ctx.file("weights.png"), idx, w, ardW, olsW);
    r.image("weights.png", "True weights and the ARD and OLS estimates, feature by feature");
    plotHistogram(ctx.file("weight_histogram.png"), ardW, olsW);
    r.image(
        "weight_histogram.png", "Histogram of the estimated weights of ARD and OLS (log count)");
    Map<String, Object> synth = new LinkedHashMap<>();
    synth.put("ard_weight_error", ardErr);
    synth.put("ols_weight_error", olsErr);
    synth.put("ard_features_kept", kept);
    synth.put("relevant_features_kept", hits);
    synth.put("iterations", ard.iterations());
    Map<String, Object> testMse = new LinkedHashMap<>();
    testMse.put("ard", ardMse);
    testMse.put("ols", olsMse);
    synth.put("test_mse", testMse);
    ctx.metrics().put("synthetic", synth);

    // ---- Pima
    r.heading("ARD feature selection on Pima diabetes");
    TabularSource.Table table = TabularSource.load(ctx, TabularSource.Name.PIMA);
    TabularData d = table.data();
    int[] all = new int[d.cols()];
    for (int j = 0; j < all.length; j++) all[j] = j;
    Parts parts = TabularMlp.split(d, all, 0, 0.25, new Generator(ctx.seed() + 31));
    double[][] px = toRows(parts.train().x());
    double[] py = java.util.Arrays.stream(parts.train().labels()).asDoubleStream().toArray();
    ArdRegression pa = ArdRegression.fit(px, py, 300, 1e-6, 1e4);
    double[] coef = pa.coef(), sd = pa.posteriorSd(), alpha = pa.alpha();
    List<Integer> selected = new ArrayList<>();
    List<List<Object>> rows = new ArrayList<>();
    for (int j = 0; j < d.cols(); j++) {
      boolean sel = sd[j] > 0 && Math.abs(coef[j]) > 2 * sd[j];
      if (sel) selected.add(j);
      rows.add(
          List.of(
              d.featureNames().get(j),
              coef[j],
              sd[j],
              alpha[j],
              sd[j] > 0 ? Math.abs(coef[j]) / sd[j] : 0.0,
              sel ? "yes" : "no"));
    }
    if (selected.isEmpty()) {
      // Keep the single most relevant feature so that the comparison has a model to train.
      int bestJ = 0;
      for (int j = 1; j < d.cols(); j++) if (Math.abs(coef[j]) > Math.abs(coef[bestJ])) bestJ = j;
      selected.add(bestJ);
    }
    r.paragraph(
        String.format(
            Locale.ROOT,
            "ARD regression of the 0/1 label on the %d standardised features of the %d training rows (%d test rows are "
                + "held out; the split is stratified and seeded). A feature is selected when ARD keeps it and its "
                + "posterior mean is more than two posterior standard deviations from zero.",
            d.cols(),
            parts.train().size(),
            parts.test().size()));
    r.table(
        List.of("feature", "ARD weight μ", "posterior sd", "precision α", "|μ| / sd", "selected"),
        rows);
    List<String> selNames = selected.stream().map(j -> d.featureNames().get(j)).toList();
    int repeats = ctx.pick(2, 10);
    Settings s = new Settings(ctx.pick(20, 150), 32, 0.01, 0.9, 1e-3);
    int[] selIdx = selected.stream().mapToInt(Integer::intValue).toArray();
    Parts selParts = TabularMlp.split(d, selIdx, 0, 0.25, new Generator(ctx.seed() + 31));
    double[] accAll = new double[repeats], accSel = new double[repeats];
    long[] sizes = new long[2];
    for (int rep = 0; rep < repeats; rep++) {
      Tensor.manualSeed(ctx.seed() + 500 + rep);
      Sequential mAll = TabularMlp.model(d.cols(), new int[] {16}, 2, Activation.RELU);
      TabularMlp.fit(
          ctx, mAll, Solver.ADAM, parts.train(), s, new Generator(ctx.seed() + 600 + rep));
      accAll[rep] = TabularMlp.accuracy(mAll, parts.test());
      Tensor.manualSeed(ctx.seed() + 500 + rep);
      Sequential mSel = TabularMlp.model(selIdx.length, new int[] {16}, 2, Activation.RELU);
      TabularMlp.fit(
          ctx, mSel, Solver.ADAM, selParts.train(), s, new Generator(ctx.seed() + 600 + rep));
      accSel[rep] = TabularMlp.accuracy(mSel, selParts.test());
      sizes[0] = mAll.numParameters();
      sizes[1] = mSel.numParameters();
      ctx.log("repeat %d: all %.4f, selected %.4f", rep, accAll[rep], accSel[rep]);
    }
    double ma = meanOf(accAll), ms = meanOf(accSel), sa = sdOf(accAll), ss = sdOf(accSel);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Selected: %s (%d of %d features). MLPs d → 16 → 2 (ReLU, d = %d or %d inputs), Adam lr 1e-3, batch 32, %d epochs, trained %d "
                + "times from different seeded initialisations on the same rows; test accuracy on the %d held-out rows:",
            selNames,
            selIdx.length,
            d.cols(),
            d.cols(),
            selIdx.length,
            s.epochs(),
            repeats,
            parts.test().size()));
    List<List<Object>> accRows = new ArrayList<>();
    accRows.add(List.of("all " + d.cols() + " features", ma, sa, min(accAll), max(accAll)));
    accRows.add(List.of(selIdx.length + " selected features", ms, ss, min(accSel), max(accSel)));
    r.table(List.of("inputs", "mean test accuracy", "sd over runs", "min", "max"), accRows);
    double diff = ms - ma, se = Math.sqrt((sa * sa + ss * ss) / repeats);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "The selected features %s (%s); the standard error of that difference over "
                + "%d runs is %.4f, so the difference is %s. With %d of %d inputs the smaller model %s.",
            diff == 0
                ? "leave the mean test accuracy unchanged"
                : String.format(
                    Locale.ROOT,
                    "%s the mean test accuracy by %.4f",
                    diff > 0 ? "raise" : "lower",
                    Math.abs(diff)),
            String.format(Locale.ROOT, "%.4f against %.4f", ms, ma),
            repeats,
            se,
            Math.abs(diff) > 2 * se
                ? "larger than two standard errors"
                : "within two standard errors (no clear effect)",
            selIdx.length,
            d.cols(),
            Math.abs(diff) <= 2 * se || diff > 0
                ? "loses nothing measurable"
                : "pays for the dropped features"));
    Map<String, Object> acc = new LinkedHashMap<>();
    acc.put("all_features", ma);
    acc.put("selected_features", ms);
    ctx.metrics().put("test_accuracy", acc);
    Map<String, Object> runs = new LinkedHashMap<>();
    runs.put("all_features", accAll);
    runs.put("selected_features", accSel);
    ctx.metrics().put("test_accuracy_runs", runs);
    ctx.metrics().put("pima_selected", selNames);
    ctx.metrics().put("pima_real_data", table.real());
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("all_features", sizes[0]);
    params.put("selected_features", sizes[1]);
    ctx.metrics().put("params", params);
  }

  static double[][] gaussianRows(int n, Generator g) {
    double[][] x = new double[n][FEATURES];
    for (double[] row : x) for (int j = 0; j < FEATURES; j++) row[j] = g.nextGaussian();
    return x;
  }

  static double[] targets(double[][] x, double[] w, Generator g) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = 0;
      for (int j = 0; j < w.length; j++) s += x[i][j] * w[j];
      y[i] = s + g.nextGaussian() / Math.sqrt(NOISE_PRECISION);
    }
    return y;
  }

  static double[] predictLinear(double[][] x, double[] wb) {
    int d = wb.length - 1;
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = wb[d];
      for (int j = 0; j < d; j++) s += x[i][j] * wb[j];
      out[i] = s;
    }
    return out;
  }

  static double mse(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
    return s / a.length;
  }

  static double dist(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
    return Math.sqrt(s);
  }

  private static double[][] toRows(Tensor t) {
    return PcaCurves.rows(t.toDoubleArray(), t.size(0), t.size(1));
  }

  private static double meanOf(double[] v) {
    return java.util.Arrays.stream(v).average().orElse(Double.NaN);
  }

  private static double sdOf(double[] v) {
    if (v.length < 2) return 0;
    double m = meanOf(v), s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return Math.sqrt(s / (v.length - 1));
  }

  private static double min(double[] v) {
    return java.util.Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return java.util.Arrays.stream(v).max().orElse(Double.NaN);
  }

  private static void plotWeights(Path png, double[] idx, double[] w, double[] ard, double[] ols)
      throws IOException {
    Plots.lines(
        png,
        "Weights: ground truth, ARD and OLS estimates",
        "feature index",
        "weight",
        Plots.series(
            "OLS estimate",
            new double[][] {idx, ols},
            "ARD estimate",
            new double[][] {idx, ard},
            "ground truth",
            new double[][] {idx, w}),
        false);
  }

  /**
   * Counts of the weights in 40 equal bins over their joint range, drawn as bars on a log scale.
   */
  private static void plotHistogram(Path png, double[] ard, double[] ols) throws IOException {
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (double[] v : List.of(ard, ols))
      for (double x : v) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    int bins = 40;
    double width = (hi - lo) / bins;
    List<String> labels = new ArrayList<>();
    List<Double> ca = new ArrayList<>(), co = new ArrayList<>();
    for (int b = 0; b < bins; b++) {
      labels.add(Plots.tick(Math.round((lo + (b + 0.5) * width) * 100) / 100.0));
      ca.add(0.0);
      co.add(0.0);
    }
    for (double x : ard) {
      int b = Math.min(bins - 1, (int) ((x - lo) / width));
      ca.set(b, ca.get(b) + 1);
    }
    for (double x : ols) {
      int b = Math.min(bins - 1, (int) ((x - lo) / width));
      co.set(b, co.get(b) + 1);
    }
    // A log axis cannot show 0; empty bins are left out by giving them a value below the axis.
    for (int b = 0; b < bins; b++) {
      if (ca.get(b) == 0) ca.set(b, 0.5);
      if (co.get(b) == 0) co.set(b, 0.5);
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(900)
            .height(480)
            .title("Histogram of the estimated weights")
            .xAxisTitle("weight (bin centre)")
            .yAxisTitle("count (log scale)")
            .build();
    var st = chart.getStyler();
    st.setYAxisLogarithmic(true);
    st.setYAxisMin(0.8);
    st.setChartBackgroundColor(Color.WHITE);
    st.setOverlapped(true);
    st.setXAxisLabelRotation(60);
    st.setSeriesColors(new Color[] {new Color(31, 119, 180, 170), new Color(255, 127, 14, 170)});
    chart.addSeries("ARD", labels, ca);
    chart.addSeries("OLS", labels, co);
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    Path csv = dir.resolve("weights.csv");
    if (!Files.exists(csv)) return List.of();
    var c = Csv.read(csv);
    plotWeights(
        dir.resolve("weights.png"), c.get("feature"), c.get("true"), c.get("ard"), c.get("ols"));
    plotHistogram(dir.resolve("weight_histogram.png"), c.get("ard"), c.get("ols"));
    return List.of("weights.png", "weight_histogram.png");
  }
}
