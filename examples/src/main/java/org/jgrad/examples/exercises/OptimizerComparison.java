package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jgrad.autograd.GradMode;
import org.jgrad.data.Batch;
import org.jgrad.data.DataLoader;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.io.RegressionData;
import org.jgrad.data.synthetic.Synthetic;
import org.jgrad.examples.models.Mlp;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.MSELoss;
import org.jgrad.nn.Module;
import org.jgrad.nn.Tanh;
import org.jgrad.optim.Adam;
import org.jgrad.optim.LBFGS;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.SGD;
import org.jgrad.tensor.Tensor;
import org.jgrad.train.Callback;
import org.jgrad.train.History;
import org.jgrad.train.ProgressBar;
import org.jgrad.train.Trainer;

/**
 * Exercise 11: a noisy regression (y = −sin(0.8πx) + N(0, σ²)) fitted by three-layer MLPs with
 * hidden sizes 10, 25, 50 and 100, trained with full-batch gradient descent, SGD at batch sizes
 * 1600, 400 and 40 (lr 0.05 and 0.01), SGD with momentum, Adam and L-BFGS.
 *
 * <p>The noise levels are a parameter: the constructor takes them, and the system property {@code
 * jgrad.optimizer-comparison.noise} (comma separated, e.g. {@code 0.05,0.3}) overrides the default
 * (σ = 0.1 in quick mode; 0.1 and 0.5 in full mode).
 *
 * <pre>{@code
 * Main.runOne(new OptimizerComparison(new double[] {0.2}), true, 0, Path.of("runs"));
 * }</pre>
 */
public final class OptimizerComparison implements Exercise {
  static final int[] HIDDEN = {10, 25, 50, 100};
  static final String NOISE_PROPERTY = "jgrad.optimizer-comparison.noise";
  private final double[] noiseLevels;

  /** Uses the system property, else the default noise levels. */
  public OptimizerComparison() {
    this(null);
  }

  /** Fixed noise levels (standard deviations), or null for the property / defaults. */
  public OptimizerComparison(double[] noiseLevels) {
    if (noiseLevels != null) {
      for (double s : noiseLevels) {
        if (!(s >= 0))
          throw new IllegalArgumentException(
              "OptimizerComparison: noise levels must be >= 0, got " + s);
      }
    }
    this.noiseLevels = noiseLevels == null ? null : noiseLevels.clone();
  }

  @Override
  public String name() {
    return "optimizer-comparison";
  }

  @Override
  public String title() {
    return "GD, SGD (three batch sizes), momentum, Adam and L-BFGS on a noisy regression";
  }

  /** One optimizer setting: how batches are cut and how the optimizer is made. */
  record Setting(String label, int batch, Function<Module, Optimizer> make) {}

  /**
   * Training history of one setting; {@code gradEvals} counts forward-backward passes (steps, or
   * L-BFGS closure calls).
   */
  record Result(double[] trainLoss, double testLoss, double seconds, long gradEvals) {}

  private double[] levels(RunContext ctx) {
    if (noiseLevels != null) return noiseLevels;
    String p = System.getProperty(NOISE_PROPERTY);
    if (p != null && !p.isBlank()) {
      String[] parts = p.split(",");
      double[] out = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          out[i] = Double.parseDouble(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              NOISE_PROPERTY + ": expected comma-separated numbers, got '" + p + "'", e);
        }
        if (!(out[i] >= 0))
          throw new IllegalArgumentException(
              NOISE_PROPERTY + ": noise must be >= 0, got " + out[i]);
      }
      return out;
    }
    return ctx.quick() ? new double[] {0.1} : new double[] {0.1, 0.5};
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int nTrain = 4000, nTest = 1000;
    int epochs = ctx.pick(10, 200);
    double[] noise = levels(ctx);
    List<Setting> settings = settings(nTrain);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Data: x uniform on [−1, 1], y = −sin(0.8πx) + N(0, σ²) "
                + "(`Synthetic.sineRegression`), %d training and %d test points, for σ in %s (the noise level is a parameter: "
                + "system property `%s`). Models: 1 → h → h → 1 MLPs with tanh, h in {10, 25, 50, 100}; every optimizer starts "
                + "from the same initial weights for a given h. Each setting trains for %d epochs (passes over the training "
                + "data); the loss is the MSE on the whole training set after each epoch, and the time is the training time "
                + "alone (evaluation excluded, after an untimed one-epoch warm-up of every setting) on this shared 2-core machine. The lowest MSE any model can reach on average is "
                + "σ², the noise variance.",
            nTrain,
            nTest,
            java.util.Arrays.toString(noise),
            NOISE_PROPERTY,
            epochs));
    List<List<Object>> settingRows = new ArrayList<>();
    for (Setting s : settings)
      settingRows.add(
          List.of(s.label(), s.batch() == nTrain ? "full (" + nTrain + ")" : s.batch()));
    r.table(List.of("optimizer setting", "batch size"), settingRows);
    r.paragraph(
        "L-BFGS: lr 1, strong-Wolfe line search, history 10, one `step(closure)` of at most 10 iterations per "
            + "epoch on the full batch; the closure calls it made are counted below.");

    Map<String, Object> finalLoss = new LinkedHashMap<>(),
        seconds = new LinkedHashMap<>(),
        testLoss = new LinkedHashMap<>();
    for (double sigma : noise) {
      String nk = String.format(Locale.ROOT, "noise_%s", trim(sigma));
      RegressionData train = Synthetic.sineRegression(nTrain, -1, 1, sigma, ctx.seed() + 11);
      RegressionData test = Synthetic.sineRegression(nTest, -1, 1, sigma, ctx.seed() + 12);
      TensorDataset trainDs = TensorDataset.of(train), testDs = TensorDataset.of(test);
      r.heading(
          String.format(Locale.ROOT, "σ = %s (noise variance %.4g)", trim(sigma), sigma * sigma));
      List<List<Object>> lossRows = new ArrayList<>(),
          timeRows = new ArrayList<>(),
          testRows = new ArrayList<>();
      Map<String, Map<String, Object>> fl = new LinkedHashMap<>(),
          sec = new LinkedHashMap<>(),
          tl = new LinkedHashMap<>();
      Map<String, double[]> bestPerSize = new LinkedHashMap<>();
      List<Double> lbfgsEvals = new ArrayList<>();
      if (sigma == noise[0]) warmUp(settings, trainDs, testDs);
      for (Setting s : settings) {
        lossRows.add(new ArrayList<>(List.of(s.label())));
        timeRows.add(new ArrayList<>(List.of(s.label())));
        testRows.add(new ArrayList<>(List.of(s.label())));
      }
      for (int h : HIDDEN) {
        Tensor.manualSeed(ctx.seed() + h);
        Module model = Mlp.of(1, new int[] {h, h}, 1, Tanh::new, false);
        Map<String, Tensor> init = PerceptronRegression.copy(model.stateDict());
        Map<String, double[][]> curves = new LinkedHashMap<>();
        List<String> hdr = new ArrayList<>(List.of("epoch"));
        List<double[]> cols = new ArrayList<>();
        double[] ep = new double[epochs + 1];
        for (int i = 0; i <= epochs; i++) ep[i] = i;
        cols.add(ep);
        for (int k = 0; k < settings.size(); k++) {
          Setting s = settings.get(k);
          model.loadStateDict(PerceptronRegression.copy(init));
          Result res = train(model, s, trainDs, testDs, epochs, ctx.seed() + 31L * h + k);
          double last = res.trainLoss()[epochs];
          curves.put(s.label(), new double[][] {ep, res.trainLoss()});
          hdr.add(s.label().replaceAll("[^A-Za-z0-9.]+", "_"));
          cols.add(res.trainLoss());
          lossRows.get(k).add(last);
          timeRows.get(k).add(res.seconds());
          testRows.get(k).add(res.testLoss());
          fl.computeIfAbsent(s.label(), x -> new LinkedHashMap<>()).put("h" + h, finite(last));
          sec.computeIfAbsent(s.label(), x -> new LinkedHashMap<>()).put("h" + h, res.seconds());
          tl.computeIfAbsent(s.label(), x -> new LinkedHashMap<>())
              .put("h" + h, finite(res.testLoss()));
          if (s.label().startsWith("LBFGS")) lbfgsEvals.add((double) res.gradEvals() / epochs);
          double[] best = bestPerSize.get("h" + h);
          if (Double.isFinite(res.testLoss()) && (best == null || res.testLoss() < best[1])) {
            bestPerSize.put("h" + h, new double[] {k, res.testLoss()});
          }
          ctx.log(
              "σ=%s h=%d %-22s train MSE %.4g, test MSE %.4g, %.2f s",
              trim(sigma), h, s.label(), last, res.testLoss(), res.seconds());
        }
        double[] floor = new double[epochs + 1];
        java.util.Arrays.fill(floor, sigma * sigma);
        if (sigma > 0) curves.put(Plots.reference("noise variance σ²"), new double[][] {ep, floor});
        String file = String.format(Locale.ROOT, "loss_%s_h%d", nk, h);
        plotCurves(ctx.file(file + ".png"), h, sigma, curves);
        Csv.write(ctx.file(file + ".csv"), hdr, cols);
        r.image(
            file + ".png",
            String.format(Locale.ROOT, "Hidden size %d: training loss per optimizer", h));
      }
      List<String> headers = new ArrayList<>(List.of("optimizer"));
      for (int h : HIDDEN) headers.add("h = " + h);
      r.paragraph("**Final training MSE** (after " + epochs + " epochs):");
      r.table(headers, lossRows);
      r.paragraph("**Test MSE** (" + nTest + " fresh points):");
      r.table(headers, testRows);
      r.paragraph("**Training time (s)**:");
      r.table(headers, timeRows);
      StringBuilder reading = new StringBuilder();
      for (var e : bestPerSize.entrySet()) {
        reading.append(
            String.format(
                Locale.ROOT,
                "For %s the lowest test MSE is %.4g (%s), %.2f× the noise variance. ",
                e.getKey().replace("h", "h = "),
                e.getValue()[1],
                settings.get((int) e.getValue()[0]).label(),
                sigma > 0 ? e.getValue()[1] / (sigma * sigma) : Double.NaN));
      }
      r.paragraph(
          reading.toString().strip()
              + " "
              + speedReading(settings, timeRows, lossRows, nTrain)
              + String.format(
                  Locale.ROOT,
                  " L-BFGS made %s full-batch gradient evaluations per epoch (h = 10, 25, 50, 100), "
                      + "which is why its epochs cost more than one GD step.",
                  lbfgsEvals.stream()
                      .map(v -> String.format(Locale.ROOT, "%.1f", v))
                      .collect(java.util.stream.Collectors.joining(", "))));
      finalLoss.put(nk, fl);
      seconds.put(nk, sec);
      testLoss.put(nk, tl);
    }
    ctx.metrics().put("epochs", epochs);
    ctx.metrics().put("final_loss", finalLoss);
    ctx.metrics().put("test_loss", testLoss);
    ctx.metrics().put("seconds", seconds);
  }

  /**
   * Sentences computed from the tables: cost per epoch of small batches, and whether it paid off.
   */
  private static String speedReading(
      List<Setting> settings,
      List<List<Object>> timeRows,
      List<List<Object>> lossRows,
      int nTrain) {
    int gd = -1, b40 = -1;
    for (int k = 0; k < settings.size(); k++) {
      if (settings.get(k).label().startsWith("GD")) gd = k;
      if (settings.get(k).label().equals("SGD b40 lr0.05")) b40 = k;
    }
    if (gd < 0 || b40 < 0) return "";
    int last = timeRows.get(gd).size() - 1;
    double tg = (double) timeRows.get(gd).get(last), tb = (double) timeRows.get(b40).get(last);
    double lg = (double) lossRows.get(gd).get(last), lb = (double) lossRows.get(b40).get(last);
    return String.format(
        Locale.ROOT,
        "At h = %d, SGD with batch 40 (lr 0.05) takes %d steps per epoch against one "
            + "for full-batch GD; it took %.2f s against %.2f s and ended at training MSE %.4g against %.4g, so for the same "
            + "number of epochs the small batches %s.",
        HIDDEN[HIDDEN.length - 1],
        nTrain / 40,
        tb,
        tg,
        lb,
        lg,
        (lb < lg ? "reached a lower loss" : "did not reach a lower loss")
            + (tb > tg
                ? " and cost more time"
                : " and did not cost more time (on this busy machine the timings of such short runs are noisy)"));
  }

  static List<Setting> settings(int nTrain) {
    List<Setting> s = new ArrayList<>();
    s.add(new Setting("GD lr0.05", nTrain, m -> new SGD(m.parameters(), 0.05)));
    for (int b : new int[] {1600, 400, 40}) {
      for (double lr : new double[] {0.05, 0.01}) {
        s.add(new Setting("SGD b" + b + " lr" + trim(lr), b, m -> new SGD(m.parameters(), lr)));
      }
    }
    s.add(
        new Setting(
            "SGD+momentum0.9 b40 lr0.01",
            40,
            m -> new SGD(m.parameters(), SGD.options(0.01).momentum(0.9))));
    s.add(
        new Setting(
            "Adam b40 lr0.001", 40, m -> new Adam(m.parameters(), Adam.options().lr(1e-3))));
    s.add(
        new Setting(
            "LBFGS full",
            nTrain,
            m ->
                new LBFGS(
                    m.parameters(),
                    LBFGS
                        .options()
                        .lr(1)
                        .maxIter(10)
                        .historySize(10)
                        .lineSearchFn("strong_wolfe"))));
    return s;
  }

  /**
   * One short untimed pass of every setting, so the JIT has compiled the hot paths before the timed
   * runs.
   */
  private static void warmUp(List<Setting> settings, TensorDataset trainDs, TensorDataset testDs) {
    for (Setting s : settings)
      train(Mlp.of(1, new int[] {10, 10}, 1, Tanh::new, false), s, trainDs, testDs, 1, 0);
  }

  static Result train(
      Module model, Setting s, TensorDataset trainDs, TensorDataset testDs, int epochs, long seed) {
    MSELoss mse = new MSELoss();
    Optimizer opt = s.make().apply(model);
    double[] losses = new double[epochs + 1];
    java.util.Arrays.fill(losses, Double.NaN);
    losses[0] = evaluate(model, mse, trainDs);
    long[] evals = {0};
    boolean full = s.batch() >= trainDs.size();
    Batch all = new Batch(trainDs.inputs(), trainDs.targets());
    Iterable<Batch> loader = full ? List.of(all) : new DataLoader(trainDs, s.batch(), true, seed);
    // The trainer steps every optimizer through a closure: one call per step for SGD and Adam,
    // one per function evaluation of L-BFGS (up to maxIter per step), so evals counts both.
    History h =
        Trainer.builder(model, opt, mse::forward)
            .trainLoss(
                (m, b) -> {
                  evals[0]++;
                  return mse.forward(m.call(b.inputs()), b.targets());
                })
            .train(loader)
            .evaluation("all_", List.of(all)) // the training MSE after each epoch
            .epochs(epochs)
            .progress(System.out, ProgressBar.Mode.OFF)
            .callback(
                new Callback() {
                  @Override
                  public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                    if (!Double.isFinite(logs.get("all_loss")))
                      t.stop(); // diverged: the rest of the curve stays NaN
                  }
                })
            .build()
            .fit();
    System.arraycopy(h.column("all_loss"), 0, losses, 1, h.size());
    double seconds = java.util.Arrays.stream(h.column("train_seconds")).sum();
    return new Result(losses, evaluate(model, mse, testDs), seconds, evals[0]);
  }

  static double evaluate(Module model, MSELoss mse, TensorDataset ds) {
    try (var ng = GradMode.noGrad()) {
      return mse.forward(model.call(ds.inputs()), ds.targets()).item();
    }
  }

  private static Object finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.6g", v);
    if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    return s;
  }

  private static void plotCurves(Path png, int h, double sigma, Map<String, double[][]> curves)
      throws IOException {
    Plots.lines(
        png,
        String.format(Locale.ROOT, "Training MSE per epoch, h = %d, σ = %s", h, trim(sigma)),
        "epoch",
        "training MSE (log scale)",
        curves,
        true);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    java.util.regex.Pattern name =
        java.util.regex.Pattern.compile("loss_noise_([0-9.]+)_h(\\d+)\\.csv");
    List<String> done = new ArrayList<>();
    List<Path> files;
    try (var s = Files.list(dir)) {
      files = s.sorted().toList();
    }
    for (Path f : files) {
      var m = name.matcher(f.getFileName().toString());
      if (!m.matches()) continue;
      double sigma = Double.parseDouble(m.group(1));
      int h = Integer.parseInt(m.group(2));
      Map<String, double[]> csv = Csv.read(f);
      double[] ep = csv.get("epoch");
      Map<String, double[][]> curves = new LinkedHashMap<>();
      for (var e : csv.entrySet()) {
        if (e.getKey().equals("epoch")) continue;
        // The CSV header is the label with separators replaced by '_'; the live labels use spaces.
        curves.put(
            e.getKey().replace("SGD_momentum", "SGD+momentum").replace('_', ' '),
            new double[][] {ep, e.getValue()});
      }
      double[] floor = new double[ep.length];
      java.util.Arrays.fill(floor, sigma * sigma);
      if (sigma > 0) curves.put(Plots.reference("noise variance σ²"), new double[][] {ep, floor});
      String png = f.getFileName().toString().replace(".csv", ".png");
      plotCurves(dir.resolve(png), h, sigma, curves);
      done.add(png);
    }
    return done;
  }
}
