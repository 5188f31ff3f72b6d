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

  /** Epochs of the long budget (the coursework's 5000 in full mode). */
  static final String LONG_EPOCHS_PROPERTY = "jgrad.optimizer-comparison.long-epochs";

  /** Hidden size of the long-budget network (50, the coursework's 50×50 net, in full mode). */
  static final String LONG_HIDDEN_PROPERTY = "jgrad.optimizer-comparison.long-hidden";

  /** Hidden sizes of the main study (comma separated; default 10, 25, 50, 100). */
  static final String HIDDEN_PROPERTY = "jgrad.optimizer-comparison.hidden";

  /** Settings of the long budget (comma-separated labels; default every setting but L-BFGS). */
  static final String LONG_SETTINGS_PROPERTY = "jgrad.optimizer-comparison.long-settings";

  /** The main study's hidden sizes: the property, else {@link #HIDDEN}. */
  static int[] hiddenSizes() {
    String p = System.getProperty(HIDDEN_PROPERTY);
    if (p == null || p.isBlank()) return HIDDEN.clone();
    String[] parts = p.split(",");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            HIDDEN_PROPERTY + ": expected comma-separated sizes, got '" + p + "'", e);
      }
      if (out[i] < 1)
        throw new IllegalArgumentException(
            HIDDEN_PROPERTY + ": sizes must be >= 1, got '" + p + "'");
    }
    return out;
  }

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
  record Result(
      double[] trainLoss,
      double testLoss,
      double seconds,
      long gradEvals,
      double[] testCurve,
      double[] epochSeconds) {}

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
    int[] hidden = hiddenSizes();
    if (System.getProperty(HIDDEN_PROPERTY) != null
        || System.getProperty(LONG_SETTINGS_PROPERTY) != null)
      r.paragraph(
          String.format(
              Locale.ROOT,
              "**Partial run.** This run was restricted with system properties: hidden sizes %s "
                  + "(`%s`; the full study has 10, 25, 50, 100) and long-budget settings %s (`%s`). "
                  + "The tables below cover only those.",
              java.util.Arrays.toString(hidden),
              HIDDEN_PROPERTY,
              System.getProperty(LONG_SETTINGS_PROPERTY, "(all but L-BFGS)"),
              LONG_SETTINGS_PROPERTY));
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
      for (int h : hidden) {
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
      for (int h : hidden) headers.add("h = " + h);
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
              + speedReading(settings, timeRows, lossRows, nTrain, hidden[hidden.length - 1])
              + String.format(
                  Locale.ROOT,
                  " L-BFGS made %s full-batch gradient evaluations per epoch (h = %s), "
                      + "which is why its epochs cost more than one GD step.",
                  lbfgsEvals.stream()
                      .map(v -> String.format(Locale.ROOT, "%.1f", v))
                      .collect(java.util.stream.Collectors.joining(", ")),
                  java.util.Arrays.stream(hidden)
                      .mapToObj(String::valueOf)
                      .collect(java.util.stream.Collectors.joining(", "))));
      finalLoss.put(nk, fl);
      seconds.put(nk, sec);
      testLoss.put(nk, tl);
    }
    longBudget(ctx, noise, settings, nTrain, nTest);
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
      int nTrain,
      int largest) {
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
        largest,
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
    double initTest = evaluate(model, mse, testDs);
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
            .evaluation("test_", List.of(new Batch(testDs.inputs(), testDs.targets())))
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
    double[] testCurve = new double[epochs + 1], epochSeconds = new double[epochs + 1];
    java.util.Arrays.fill(testCurve, Double.NaN);
    testCurve[0] = initTest;
    System.arraycopy(h.column("test_loss"), 0, testCurve, 1, h.size());
    System.arraycopy(h.column("train_seconds"), 0, epochSeconds, 1, h.size());
    double seconds = java.util.Arrays.stream(h.column("train_seconds")).sum();
    return new Result(
        losses, evaluate(model, mse, testDs), seconds, evals[0], testCurve, epochSeconds);
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

  private static int intProperty(String name, int fallback) {
    String p = System.getProperty(name);
    if (p == null || p.isBlank()) return fallback;
    try {
      int v = Integer.parseInt(p.trim());
      if (v < 1) throw new NumberFormatException("must be >= 1");
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + ": expected a positive integer, got '" + p + "'", e);
    }
  }

  /**
   * The coursework's long budget: one hidden size trained for (by default) 5000 epochs with every
   * setting but L-BFGS, at every noise level; the Adam epochs-vs-time table is read off the same
   * runs, and a figure puts the two noise levels side by side.
   */
  private void longBudget(
      RunContext ctx, double[] noise, List<Setting> settings, int nTrain, int nTest)
      throws IOException {
    var r = ctx.report();
    int epochs = intProperty(LONG_EPOCHS_PROPERTY, ctx.pick(40, 5000));
    int h = intProperty(LONG_HIDDEN_PROPERTY, ctx.pick(10, 50));
    int shortEpochs = ctx.pick(10, 200);
    String only = System.getProperty(LONG_SETTINGS_PROPERTY);
    List<String> wanted =
        only == null || only.isBlank()
            ? null
            : java.util.Arrays.stream(only.split(",")).map(String::trim).toList();
    List<Setting> longSettings =
        settings.stream()
            .filter(
                s -> wanted == null ? !s.label().startsWith("LBFGS") : wanted.contains(s.label()))
            .toList();
    if (wanted != null && longSettings.size() != wanted.size())
      throw new IllegalArgumentException(
          LONG_SETTINGS_PROPERTY
              + ": unknown setting in '"
              + only
              + "'; the settings are "
              + settings.stream().map(Setting::label).toList());
    r.heading(String.format(Locale.ROOT, "Long budget: %d epochs, %d×%d network", epochs, h, h));
    r.paragraph(
        String.format(
            Locale.ROOT,
            "The coursework trained for 5000 epochs. Here the %d×%d network is trained for %d epochs "
                + "(system properties `%s` and `%s`) with "
                + (wanted == null ? "every setting above except L-BFGS" : "the settings " + wanted)
                + "; L-BFGS is left out, as its "
                + "full-batch line searches cost the most per epoch (time tables above; its training MSE "
                + "after %d epochs is there too); same data, initial weights and "
                + "shuffling seeds as the %d-epoch runs, whose first %d epochs these runs repeat. "
                + "Besides the training MSE, the test MSE is measured after every epoch.",
            h,
            h,
            epochs,
            LONG_EPOCHS_PROPERTY,
            LONG_HIDDEN_PROPERTY,
            shortEpochs,
            shortEpochs,
            Math.min(shortEpochs, epochs)));
    int[] marks = marks(epochs, shortEpochs);
    Map<String, Object> longMetrics = new LinkedHashMap<>();
    Map<Double, Map<String, Result>> all = new LinkedHashMap<>();
    for (double sigma : noise) {
      String nk = String.format(Locale.ROOT, "noise_%s", trim(sigma));
      RegressionData train = Synthetic.sineRegression(nTrain, -1, 1, sigma, ctx.seed() + 11);
      RegressionData test = Synthetic.sineRegression(nTest, -1, 1, sigma, ctx.seed() + 12);
      TensorDataset trainDs = TensorDataset.of(train), testDs = TensorDataset.of(test);
      Tensor.manualSeed(ctx.seed() + h);
      Module model = Mlp.of(1, new int[] {h, h}, 1, Tanh::new, false);
      Map<String, Tensor> init = PerceptronRegression.copy(model.stateDict());
      Map<String, Result> results = new LinkedHashMap<>();
      for (int k = 0; k < longSettings.size(); k++) {
        Setting s = longSettings.get(k);
        model.loadStateDict(PerceptronRegression.copy(init));
        // The same seed as the short run of setting k at this hidden size: the same shuffles.
        Result res =
            train(model, s, trainDs, testDs, epochs, ctx.seed() + 31L * h + settings.indexOf(s));
        results.put(s.label(), res);
        ctx.log(
            "long σ=%s h=%d %-22s train MSE %.4g, test MSE %.4g, %.1f s",
            trim(sigma), h, s.label(), res.trainLoss()[epochs], res.testLoss(), res.seconds());
      }
      all.put(sigma, results);
      r.heading(String.format(Locale.ROOT, "Long budget, σ = %s", trim(sigma)));
      Map<String, double[][]> curves = new LinkedHashMap<>();
      double[] ep = new double[epochs + 1];
      for (int i = 0; i <= epochs; i++) ep[i] = i;
      List<String> hdr = new ArrayList<>(List.of("epoch"));
      List<double[]> cols = new ArrayList<>(List.of(ep));
      List<List<Object>> rows = new ArrayList<>();
      Map<String, Object> lm = new LinkedHashMap<>();
      for (var e : results.entrySet()) {
        Result res = e.getValue();
        curves.put(e.getKey(), new double[][] {ep, res.trainLoss()});
        String col = e.getKey().replaceAll("[^A-Za-z0-9.]+", "_");
        hdr.add(col);
        cols.add(res.trainLoss());
        hdr.add("test_" + col);
        cols.add(res.testCurve());
        List<Object> row = new ArrayList<>(List.of(e.getKey()));
        for (int mk : marks) row.add(res.trainLoss()[mk]);
        row.add(res.testLoss());
        row.add(res.seconds());
        rows.add(row);
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("train_mse", finite(res.trainLoss()[epochs]));
        one.put("test_mse", finite(res.testLoss()));
        one.put(
            "train_mse_at_" + shortEpochs, finite(res.trainLoss()[Math.min(shortEpochs, epochs)]));
        one.put("seconds", res.seconds());
        lm.put(e.getKey(), one);
      }
      double[] floor = new double[epochs + 1];
      java.util.Arrays.fill(floor, sigma * sigma);
      if (sigma > 0) curves.put(Plots.reference("noise variance σ²"), new double[][] {ep, floor});
      String file = String.format(Locale.ROOT, "long_%s_h%d", nk, h);
      Csv.write(ctx.file(file + ".csv"), hdr, cols);
      Plots.lines(
          ctx.file(file + ".png"),
          String.format(
              Locale.ROOT,
              "Training MSE per epoch, h = %d, σ = %s, %d epochs",
              h,
              trim(sigma),
              epochs),
          "epoch",
          "training MSE (log scale)",
          curves,
          true);
      r.image(
          file + ".png",
          String.format(
              Locale.ROOT,
              "Long budget, h = %d, σ = %s: training loss per optimizer",
              h,
              trim(sigma)));
      List<String> th = new ArrayList<>(List.of("optimizer"));
      for (int mk : marks) th.add("train MSE, epoch " + mk);
      th.add("test MSE, epoch " + epochs);
      th.add("training time (s)");
      r.table(th, rows);
      r.paragraph(longReading(results, shortEpochs, epochs, sigma));
      lm.put("ranking", ranking(results, epochs));
      lm.put("ranking_at_" + shortEpochs, ranking(results, Math.min(shortEpochs, epochs)));
      longMetrics.put(nk, lm);
    }
    adamEpochsVsTime(ctx, all, epochs, h);
    noiseComparison(ctx, all, epochs, h);
    longMetrics.put("epochs", epochs);
    longMetrics.put("hidden", h);
    ctx.metrics().put("long_budget", longMetrics);
  }

  /** The epochs at which the long-budget table reads the curves. */
  static int[] marks(int epochs, int shortEpochs) {
    java.util.TreeSet<Integer> m = new java.util.TreeSet<>();
    for (int e : new int[] {shortEpochs, 1000, 3000, epochs}) if (e >= 1 && e <= epochs) m.add(e);
    return m.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Setting labels ordered by training MSE at {@code epoch}, lowest first (diverged last). */
  static List<String> ranking(Map<String, Result> results, int epoch) {
    return results.entrySet().stream()
        .sorted(
            java.util.Comparator.comparingDouble(
                e -> {
                  double v = e.getValue().trainLoss()[epoch];
                  return Double.isFinite(v) ? v : Double.MAX_VALUE;
                }))
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * What the long budget changes, from the curves: the best setting at the short and the long
   * budget, and for Adam which settings it passes and from which epoch it stays ahead of them.
   */
  static String longReading(
      Map<String, Result> results, int shortEpochs, int epochs, double sigma) {
    int se = Math.min(shortEpochs, epochs);
    List<String> atShort = ranking(results, se), atLong = ranking(results, epochs);
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "After %d epochs the lowest training MSE is %s's (%.4g); after %d epochs it is %s's (%.4g), %.3f× σ². ",
            se,
            atShort.get(0),
            results.get(atShort.get(0)).trainLoss()[se],
            epochs,
            atLong.get(0),
            results.get(atLong.get(0)).trainLoss()[epochs],
            sigma > 0
                ? results.get(atLong.get(0)).trainLoss()[epochs] / (sigma * sigma)
                : Double.NaN));
    String adam =
        results.keySet().stream().filter(k -> k.startsWith("Adam")).findFirst().orElse(null);
    if (adam != null) {
      double[] a = results.get(adam).trainLoss();
      List<String> passed = new ArrayList<>();
      for (var e : results.entrySet()) {
        if (e.getKey().equals(adam)) continue;
        double[] o = e.getValue().trainLoss();
        boolean behindAtShort = !(a[se] < o[se]);
        boolean aheadAtEnd = a[epochs] < o[epochs] || !Double.isFinite(o[epochs]);
        if (behindAtShort && aheadAtEnd) {
          int from = epochs;
          while (from > 0 && (a[from - 1] < o[from - 1] || !Double.isFinite(o[from - 1]))) from--;
          passed.add(
              String.format(Locale.ROOT, "%s (ahead for good from epoch %d)", e.getKey(), from));
        }
      }
      b.append(
          String.format(
              Locale.ROOT,
              "Adam ranks %d of %d after %d epochs and %d of %d after %d",
              atShort.indexOf(adam) + 1,
              atShort.size(),
              se,
              atLong.indexOf(adam) + 1,
              atLong.size(),
              epochs));
      b.append(
          passed.isEmpty()
              ? "; it overtakes none of the settings that were ahead of it at " + se + " epochs. "
              : "; it overtakes " + String.join(", ", passed) + ". ");
    }
    // Overfitting: the gap between test and training MSE of the best long run.
    Result best = results.get(atLong.get(0));
    b.append(
        String.format(
            Locale.ROOT,
            "The test MSE of that best setting is %.4g against training %.4g (the test points carry "
                + "their own noise of variance %.4g, so the test MSE cannot fall below it on average).",
            best.testLoss(),
            best.trainLoss()[epochs],
            sigma * sigma));
    return b.toString();
  }

  /**
   * Adam at 500, 1000, ..., epochs: a run of E epochs at a constant learning rate with the same
   * shuffles is the first E epochs of the long run, so its time and losses are read off that run.
   */
  private static void adamEpochsVsTime(
      RunContext ctx, Map<Double, Map<String, Result>> all, int epochs, int h) throws IOException {
    var r = ctx.report();
    r.heading(String.format(Locale.ROOT, "Adam: epochs against time (h = %d)", h));
    int step = Math.max(1, epochs / 10);
    List<Integer> points = new ArrayList<>();
    for (int e = step; e <= epochs; e += step) points.add(e);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Adam (batch 40, lr 0.001) trained for E = %s epochs. At a constant learning rate and with the "
                + "same shuffling seed, a run of E epochs is exactly the first E epochs of the %d-epoch run, "
                + "so each row is read off that run: the cumulative training time (evaluation excluded), and "
                + "the training and test MSE after epoch E.",
            points.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")),
            epochs));
    Map<String, double[][]> byTime = new LinkedHashMap<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    for (var sig : all.entrySet()) {
      Result a =
          sig.getValue().entrySet().stream()
              .filter(e -> e.getKey().startsWith("Adam"))
              .findFirst()
              .orElseThrow()
              .getValue();
      double[] cum = new double[epochs + 1];
      for (int i = 1; i <= epochs; i++) cum[i] = cum[i - 1] + a.epochSeconds()[i];
      List<List<Object>> rows = new ArrayList<>();
      double[] ts = new double[points.size()],
          tr = new double[points.size()],
          te = new double[points.size()];
      for (int i = 0; i < points.size(); i++) {
        int e = points.get(i);
        rows.add(List.of(e, cum[e], a.trainLoss()[e], a.testCurve()[e]));
        ts[i] = cum[e];
        tr[i] = a.trainLoss()[e];
        te[i] = a.testCurve()[e];
      }
      String sk = "σ = " + trim(sig.getKey());
      r.paragraph("**" + sk + "**:");
      r.table(List.of("epochs", "training time (s)", "training MSE", "test MSE"), rows);
      double perEpoch = cum[epochs] / epochs;
      int bestTest = 0;
      for (int i = 1; i < points.size(); i++) if (te[i] < te[bestTest]) bestTest = i;
      r.paragraph(
          String.format(
              Locale.ROOT,
              "One epoch took %.3f s on average on this shared machine (%.3f s over the first tenth of "
                  + "the run, %.3f s over the last); the training MSE %s from %.4g at %d epochs to %.4g at %d, "
                  + "the test MSE is lowest at %d epochs (%.4g) of the budgets in the table.",
              perEpoch,
              cum[Math.max(1, epochs / 10)] / Math.max(1, epochs / 10),
              (cum[epochs] - cum[epochs - Math.max(1, epochs / 10)]) / Math.max(1, epochs / 10),
              tr[tr.length - 1] < tr[0] ? "falls" : "does not fall",
              tr[0],
              points.get(0),
              tr[tr.length - 1],
              epochs,
              points.get(bestTest),
              te[bestTest]));
      byTime.put("train, " + sk, new double[][] {ts, tr});
      byTime.put("test, " + sk, new double[][] {ts, te});
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("epochs", points);
      one.put("seconds", ts);
      one.put("train_mse", tr);
      one.put("test_mse", te);
      metrics.put("noise_" + trim(sig.getKey()), one);
    }
    Plots.lines(
        ctx.file("adam_epochs_vs_time.png"),
        String.format(Locale.ROOT, "Adam, h = %d: MSE against training time", h),
        "cumulative training time (s)",
        "MSE (log scale)",
        byTime,
        true);
    r.image("adam_epochs_vs_time.png", "Adam: MSE after E epochs against the time E epochs took");
    ctx.metrics().put("adam_epochs_vs_time", metrics);
  }

  /**
   * The two noise levels side by side: each setting's training MSE divided by its σ², so that 1 is
   * the noise floor for both.
   */
  private static void noiseComparison(
      RunContext ctx, Map<Double, Map<String, Result>> all, int epochs, int h) throws IOException {
    if (all.size() < 2) return;
    var r = ctx.report();
    r.heading(String.format(Locale.ROOT, "The noise levels compared (h = %d)", h));
    double[] ep = new double[epochs + 1];
    for (int i = 0; i <= epochs; i++) ep[i] = i;
    Map<String, double[][]> curves = new LinkedHashMap<>();
    List<String> shown = List.of("GD lr0.05", "SGD b40 lr0.05", "Adam b40 lr0.001");
    List<List<Object>> rows = new ArrayList<>();
    for (var sig : all.entrySet()) {
      double v = sig.getKey() * sig.getKey();
      if (!(v > 0)) continue;
      for (String label : shown) {
        Result res = sig.getValue().get(label);
        if (res == null) continue;
        double[] ratio = new double[epochs + 1];
        for (int i = 0; i <= epochs; i++) ratio[i] = res.trainLoss()[i] / v;
        curves.put(label + ", σ = " + trim(sig.getKey()), new double[][] {ep, ratio});
        rows.add(
            List.of(
                label,
                trim(sig.getKey()),
                res.trainLoss()[epochs] / v,
                res.testLoss() / v,
                (res.testLoss() - res.trainLoss()[epochs]) / v));
      }
    }
    double[] one = new double[epochs + 1];
    java.util.Arrays.fill(one, 1);
    curves.put(Plots.reference("noise floor (MSE = σ²)"), new double[][] {ep, one});
    Plots.lines(
        ctx.file("noise_levels.png"),
        String.format(Locale.ROOT, "Training MSE / σ² per epoch, h = %d", h),
        "epoch",
        "training MSE / σ² (log scale)",
        curves,
        true);
    r.image(
        "noise_levels.png",
        "Training MSE divided by the noise variance, both noise levels: 1 is the floor for each");
    r.table(
        List.of("optimizer", "σ", "train MSE / σ²", "test MSE / σ²", "(test − train) / σ²"), rows);
    r.paragraph(noiseReading(rows));
  }

  /** From the table: which noise level ends closer to its floor, per optimizer. */
  static String noiseReading(List<List<Object>> rows) {
    StringBuilder b = new StringBuilder();
    Map<String, List<List<Object>>> byOpt = new LinkedHashMap<>();
    for (List<Object> row : rows)
      byOpt.computeIfAbsent((String) row.get(0), k -> new ArrayList<>()).add(row);
    int nearerHigh = 0, compared = 0;
    List<String> belowFloor = new ArrayList<>();
    for (var e : byOpt.entrySet()) {
      for (List<Object> row : e.getValue())
        if ((double) row.get(2) < 1) belowFloor.add(e.getKey() + " at σ = " + row.get(1));
      if (e.getValue().size() < 2) continue;
      List<Object> lo = e.getValue().get(0), hi = e.getValue().get(e.getValue().size() - 1);
      double rl = (double) lo.get(2), rh = (double) hi.get(2);
      compared++;
      if (Math.abs(rh - 1) < Math.abs(rl - 1)) nearerHigh++;
      b.append(
          String.format(
              Locale.ROOT,
              "%s ends at %.3f× the floor with σ = %s and %.3f× with σ = %s. ",
              e.getKey(),
              rl,
              lo.get(1),
              rh,
              hi.get(1)));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "For %d of %d optimizers the larger noise level ends nearer its own floor%s. ",
            nearerHigh,
            compared,
            2 * nearerHigh > compared
                ? " (an error of the fit itself counts for less against a larger σ²)"
                : ""));
    if (!belowFloor.isEmpty())
      b.append(
          "Below 1 on the training set ("
              + String.join(", ", belowFloor)
              + ") means the network has fitted part of the training noise; the test ratio shows what that costs.");
    return b.toString();
  }
}
