package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.data.io.TabularData;
import org.jgrad.data.metrics.ClassificationReport;
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

/**
 * Exercise (part 2, item 2): an MLP grid search on Ionosphere and Pima diabetes, solvers {L-BFGS,
 * SGD, Adam} × activations {ReLU, tanh, sigmoid, identity} × hidden layouts {(10), (50), (100),
 * (50,20), (100,100), (10,10,10)}, each scored on a validation split; the configuration with the
 * best validation accuracy is then scored once on the test split, with a classification report.
 */
public final class TabularGridSearch implements Exercise {
  static final int[][] LAYOUTS = {{10}, {50}, {100}, {50, 20}, {100, 100}, {10, 10, 10}};
  static final int[][] QUICK_LAYOUTS = {{10}, {50, 20}};

  @Override
  public String name() {
    return "tabular-gridsearch";
  }

  @Override
  public String title() {
    return "MLP grid search (solver × activation × layout) on Ionosphere and Pima diabetes";
  }

  static String layout(int[] h) {
    return "(" + String.join(",", Arrays.stream(h).mapToObj(Integer::toString).toList()) + ")";
  }

  static String key(Solver s, Activation a, int[] h) {
    return s.label + " / " + a.label + " / " + layout(h);
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    Settings settings = new Settings(ctx.pick(4, 100), 32, 0.01, 0.9, 1e-3);
    Activation[] acts =
        ctx.quick() ? new Activation[] {Activation.RELU, Activation.TANH} : Activation.values();
    int[][] layouts = ctx.quick() ? QUICK_LAYOUTS : LAYOUTS;
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Grid: solvers %s × activations %s × hidden layouts %s = %d configurations per data set%s. Each table is "
                + "split per class into 60%% training, 20%% validation and 20%% test rows (seeded); features are "
                + "standardised with the training rows' mean and deviation. Training: %s. Every configuration starts from "
                + "its own seeded initialisation; the validation accuracy picks the best one (ties: fewer parameters, then "
                + "grid order), and only that one is scored on the test rows.",
            Arrays.stream(Solver.values()).map(s -> s.label).toList(),
            Arrays.stream(acts).map(a -> a.label).toList(),
            Arrays.stream(layouts).map(TabularGridSearch::layout).toList(),
            Solver.values().length * acts.length * layouts.length,
            ctx.quick() ? " (quick mode: a reduced grid and few epochs)" : "",
            settings.describe()));

    Map<String, Object> valAcc = new LinkedHashMap<>(),
        testAcc = new LinkedHashMap<>(),
        best = new LinkedHashMap<>(),
        params = new LinkedHashMap<>(),
        real = new LinkedHashMap<>();
    for (TabularSource.Name name :
        List.of(TabularSource.Name.IONOSPHERE, TabularSource.Name.PIMA)) {
      String dk = name == TabularSource.Name.PIMA ? "pima" : "ionosphere";
      r.heading(name.title());
      TabularSource.Table table = TabularSource.load(ctx, name);
      real.put(dk, table.real());
      TabularData d = table.data();
      int[] all = new int[d.cols()];
      for (int j = 0; j < all.length; j++) all[j] = j;
      Parts parts = TabularMlp.split(d, all, 0.2, 0.2, new Generator(ctx.seed() + 17));
      r.paragraph(
          String.format(
              Locale.ROOT,
              "%d training, %d validation and %d test rows.",
              parts.train().size(),
              parts.val().size(),
              parts.test().size()));

      Map<String, Object> accs = new LinkedHashMap<>();
      Map<String, Object> sizes = new LinkedHashMap<>();
      List<List<Object>> rows = new ArrayList<>();
      double[][] heat = new double[Solver.values().length * acts.length][layouts.length];
      List<String> rowNames = new ArrayList<>();
      String bestKey = null;
      double bestAcc = -1;
      long bestParams = Long.MAX_VALUE;
      Sequential bestModel = null;
      int cfg = 0;
      long t0 = System.nanoTime();
      for (Solver s : Solver.values()) {
        for (Activation a : acts) {
          List<Object> row = new ArrayList<>(List.of(s.label, a.label));
          rowNames.add(s.label + " " + a.label);
          for (int li = 0; li < layouts.length; li++) {
            int[] h = layouts[li];
            Tensor.manualSeed(ctx.seed() * 1000 + cfg);
            Sequential model = TabularMlp.model(d.cols(), h, d.classNames().size(), a);
            TabularMlp.fit(
                ctx, model, s, parts.train(), settings, new Generator(ctx.seed() + 100 + cfg));
            double acc = TabularMlp.accuracy(model, parts.val());
            long np = model.numParameters();
            String k = key(s, a, h);
            accs.put(k, acc);
            sizes.put(k, np);
            row.add(acc);
            heat[rowNames.size() - 1][li] = acc;
            if (acc > bestAcc || (acc == bestAcc && np < bestParams)) {
              bestAcc = acc;
              bestParams = np;
              bestKey = k;
              bestModel = model;
            }
            cfg++;
          }
          rows.add(row);
          ctx.log(
              "%s %s %s/%s: val acc %s",
              dk, s.label, a.label, "all layouts", row.subList(2, row.size()));
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      List<String> headers = new ArrayList<>(List.of("solver", "activation"));
      for (int[] h : layouts) headers.add(layout(h));
      r.paragraph("**Validation accuracy** (" + parts.val().size() + " rows):");
      r.table(headers, rows);
      writeHeat(ctx, dk, name.title(), rowNames, layouts, heat);
      r.image(
          dk + "_val_accuracy.png", "Validation accuracy of every configuration, " + name.title());

      int[] pred = TabularMlp.predict(bestModel, parts.test());
      ClassificationReport rep =
          ClassificationReport.of(parts.test().labels(), pred, d.classNames());
      r.paragraph(
          reading(
              accs,
              sizes,
              bestKey,
              rep.accuracy(),
              acts,
              layouts,
              seconds,
              cfg,
              parts.val().size()));
      r.code("best configuration " + bestKey + ", test rows\n\n" + rep);
      valAcc.put(dk, accs);
      testAcc.put(dk, rep.accuracy());
      best.put(dk, bestKey);
      params.put(dk, sizes);
    }
    ctx.metrics().put("val_accuracy", valAcc);
    ctx.metrics().put("best_config", best);
    ctx.metrics().put("test_accuracy", testAcc);
    ctx.metrics().put("params", params);
    ctx.metrics().put("real_data", real);
  }

  /**
   * Sentences computed from the grid: the winner, its test score, and what each factor does on
   * average.
   */
  private static String reading(
      Map<String, Object> accs,
      Map<String, Object> sizes,
      String bestKey,
      double test,
      Activation[] acts,
      int[][] layouts,
      double seconds,
      int configs,
      int valRows) {
    double bestVal = (double) accs.get(bestKey);
    long ties = accs.values().stream().filter(v -> (double) v == bestVal).count();
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "Best validation accuracy: %.4f, by %s (%d parameters)%s; on the test rows it scores %.4f. ",
                bestVal,
                bestKey,
                (long) sizes.get(bestKey),
                ties > 1 ? String.format(Locale.ROOT, ", shared by %d configurations", ties) : "",
                test));
    sb.append("Mean validation accuracy by solver: ");
    List<String> parts = new ArrayList<>();
    for (Solver s : Solver.values())
      parts.add(s.label + " " + mean(accs, k -> k.startsWith(s.label + " / ")));
    sb.append(String.join(", ", parts)).append("; by activation: ");
    parts.clear();
    for (Activation a : acts)
      parts.add(a.label + " " + mean(accs, k -> k.contains(" / " + a.label + " / ")));
    sb.append(String.join(", ", parts)).append("; by layout: ");
    parts.clear();
    for (int[] h : layouts)
      parts.add(layout(h) + " " + mean(accs, k -> k.endsWith(" / " + layout(h))));
    sb.append(String.join(", ", parts));
    sb.append(
        String.format(
            Locale.ROOT,
            ". The %d configurations took %.1f s in all on this shared machine. With %d validation rows one row is "
                + "worth %.3f of accuracy, so differences of a row or two between configurations are within noise.",
            configs,
            seconds,
            valRows,
            1.0 / valRows));
    return sb.toString();
  }

  private static String mean(Map<String, Object> accs, java.util.function.Predicate<String> keep) {
    double s = 0;
    int n = 0;
    for (var e : accs.entrySet()) {
      if (!keep.test(e.getKey())) continue;
      s += (double) e.getValue();
      n++;
    }
    return String.format(Locale.ROOT, "%.3f", s / Math.max(1, n));
  }

  private static void writeHeat(
      RunContext ctx,
      String dk,
      String title,
      List<String> rowNames,
      int[][] layouts,
      double[][] heat)
      throws IOException {
    List<String> hdr = new ArrayList<>(List.of("row"));
    List<double[]> cols = new ArrayList<>();
    double[] idx = new double[rowNames.size()];
    for (int i = 0; i < idx.length; i++) idx[i] = i;
    cols.add(idx);
    for (int li = 0; li < layouts.length; li++) {
      hdr.add(layout(layouts[li]).replace(',', '-'));
      double[] c = new double[heat.length];
      for (int i = 0; i < heat.length; i++) c[i] = heat[i][li];
      cols.add(c);
    }
    Csv.write(ctx.file(dk + "_val_accuracy.csv"), hdr, cols);
    Files.writeString(ctx.file(dk + "_val_accuracy_rows.txt"), String.join("\n", rowNames) + "\n");
    plotHeat(ctx.file(dk + "_val_accuracy.png"), title, rowNames, layouts.length, heat);
  }

  private static void plotHeat(
      Path png, String title, List<String> rowNames, int nLayouts, double[][] heat)
      throws IOException {
    double lo = 1, hi = 0;
    for (double[] row : heat)
      for (double v : row) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    if (hi - lo < 0.02) lo = hi - 0.02;
    double[] xs = new double[nLayouts], ys = new double[rowNames.size()];
    for (int i = 0; i < xs.length; i++) xs[i] = i;
    for (int i = 0; i < ys.length; i++) ys[i] = i;
    Plots.heatmap(
        png,
        "Validation accuracy, " + title,
        "hidden layout: column of the table, 0 = (10)",
        "solver × activation: row of the table, 0 = " + rowNames.get(0),
        "accuracy",
        xs,
        ys,
        heat,
        lo,
        hi,
        Plots.SEQUENTIAL);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    List<String> done = new ArrayList<>();
    for (String dk : List.of("ionosphere", "pima")) {
      Path csv = dir.resolve(dk + "_val_accuracy.csv"),
          names = dir.resolve(dk + "_val_accuracy_rows.txt");
      if (!Files.exists(csv) || !Files.exists(names)) continue;
      var c = Csv.read(csv);
      List<String> rowNames = Files.readAllLines(names);
      List<double[]> layoutCols = new ArrayList<>(c.values()).subList(1, c.size());
      double[][] heat = new double[rowNames.size()][layoutCols.size()];
      for (int i = 0; i < heat.length; i++)
        for (int j = 0; j < layoutCols.size(); j++) heat[i][j] = layoutCols.get(j)[i];
      plotHeat(
          dir.resolve(dk + "_val_accuracy.png"),
          dk.equals("pima") ? "Pima Indians diabetes" : "Ionosphere",
          rowNames,
          layoutCols.size(),
          heat);
      done.add(dk + "_val_accuracy.png");
    }
    return done;
  }
}
