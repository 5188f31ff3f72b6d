package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.data.datasets.Temperature;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.TimeSeries;
import org.jgrad.examples.models.Mlp;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.Report;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.LSTM;
import org.jgrad.nn.Linear;
import org.jgrad.nn.MSELoss;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.optim.Adam;
import org.jgrad.optim.Optimizer;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Exercise (part 2, item 1): one-step-ahead forecasting of daily (Seattle, New York) and monthly
 * (Nottingham) mean temperatures from lag windows of 1–40 past values, by an MLP and an LSTM,
 * against the persistence forecast (tomorrow = today). The lag is chosen on a validation period and
 * the chosen models are scored once on the test period.
 */
public final class TemperatureForecasting implements Exercise {
  @Override
  public String name() {
    return "temperature-forecasting";
  }

  @Override
  public String title() {
    return "Temperature forecasting from lag windows: MLP and LSTM against persistence";
  }

  /**
   * One series with its chronological split points (indices of the first validation and test
   * values).
   */
  record Series(
      String key, String title, TimeSeries ts, int valStart, int testStart, String unit) {}

  /** An LSTM over the window (one value per step), its last hidden state mapped to the forecast. */
  static final class LstmForecaster extends Module {
    private final LSTM lstm;
    private final Linear head;

    LstmForecaster(int hidden) {
      lstm = child("lstm", new LSTM(1, hidden, 1, true, true, 0));
      head = child("head", new Linear(hidden, 1));
    }

    @Override
    public Tensor forward(Tensor windows) {
      // [batch, lag] -> [batch, lag, 1]; the final hidden state [1, batch, hidden] summarises it.
      Tensor h = lstm.forward(windows.unsqueeze(2), null, null).hN().select(0, 0);
      return head.call(h);
    }
  }

  /** Test MSE per lag and the chosen lag for one model kind. */
  record Scan(int[] lags, double[] val, double[] test, int bestLag, double[] bestTestPred) {}

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int[] mlpLags = ctx.quick() ? new int[] {1, 7} : range(1, 40);
    int[] lstmLags = ctx.quick() ? new int[] {7} : range(1, 40);
    int mlpEpochs = ctx.pick(3, 60), lstmEpochs = ctx.pick(2, 25), hidden = ctx.pick(8, 16);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Task: forecast the next value of a temperature series from the previous L values (a lag window), for L in "
                + "%s (MLP) and %s (LSTM). The series is standardised with its training period's mean and deviation; "
                + "windows may reach back across a period boundary (the forecast of the first test day uses the last "
                + "validation days), but each target belongs to exactly one period. Models: MLP L → 32 → 32 → 1 (ReLU), Adam "
                + "lr 1e-3, batch 32, %d epochs; LSTM with %d hidden units over the window (one value per step), its last "
                + "hidden state → linear → forecast, Adam lr 5e-3, batch 32, %d epochs (epoch counts are for the daily "
                + "series' 730 training targets; a series with fewer training targets gets proportionally more epochs, "
                + "so every model takes about the same number of optimizer steps). Each (model, L) trains from its own "
                + "seeded start. The lag of each model is chosen by the **validation** MSE, and only the chosen models are "
                + "read on the test period. Baseline: persistence (the forecast is the last observed value). MSE is in "
                + "squared degrees Celsius.",
            rangeText(mlpLags),
            rangeText(lstmLags),
            mlpEpochs,
            hidden,
            lstmEpochs));

    List<Series> series = loadSeries(ctx);
    Map<String, Object> bestLag = new LinkedHashMap<>(),
        testMse = new LinkedHashMap<>(),
        byLag = new LinkedHashMap<>();
    List<List<Object>> summary = new ArrayList<>();
    for (Series s : series) {
      r.heading(s.title());
      int n = s.ts().size();
      r.paragraph(
          String.format(
              Locale.ROOT,
              "%d values, %s to %s; training targets %s–%s, validation %s–%s, test %s–%s.",
              n,
              s.ts().times().get(0),
              s.ts().times().get(n - 1),
              s.ts().times().get(0),
              s.ts().times().get(s.valStart() - 1),
              s.ts().times().get(s.valStart()),
              s.ts().times().get(s.testStart() - 1),
              s.ts().times().get(s.testStart()),
              s.ts().times().get(n - 1)));
      double[] v = new double[n];
      double mean = 0, var = 0;
      for (int i = 0; i < n; i++) v[i] = s.ts().values()[i];
      for (int i = 0; i < s.valStart(); i++) mean += v[i] / s.valStart();
      for (int i = 0; i < s.valStart(); i++) var += (v[i] - mean) * (v[i] - mean) / s.valStart();
      double sd = Math.sqrt(var);
      double[] z = new double[n];
      for (int i = 0; i < n; i++) z[i] = (v[i] - mean) / sd;

      double persistVal = persistence(v, s.valStart(), s.testStart()),
          persistTest = persistence(v, s.testStart(), n);
      long t0 = System.nanoTime();
      Scan mlp = scan(ctx, s, z, sd, mean, mlpLags, false, mlpEpochs, hidden);
      double mlpSeconds = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      Scan lstm = scan(ctx, s, z, sd, mean, lstmLags, true, lstmEpochs, hidden);
      double lstmSeconds = (System.nanoTime() - t0) / 1e9;

      // figure: MSE against lag, validation and test, with the persistence levels
      Map<String, double[][]> curves = new LinkedHashMap<>();
      curves.put("MLP validation", new double[][] {toD(mlp.lags()), mlp.val()});
      curves.put("MLP test", new double[][] {toD(mlp.lags()), mlp.test()});
      curves.put("LSTM validation", new double[][] {toD(lstm.lags()), lstm.val()});
      curves.put("LSTM test", new double[][] {toD(lstm.lags()), lstm.test()});
      double[] ends = {1, Math.max(mlpLags[mlpLags.length - 1], lstmLags[lstmLags.length - 1])};
      curves.put(
          Plots.reference("persistence, test"), new double[][] {ends, {persistTest, persistTest}});
      plotLag(ctx.file(s.key() + "_mse_vs_lag.png"), s.title(), curves);
      Csv.write(
          ctx.file(s.key() + "_mse_vs_lag.csv"),
          List.of(
              "lag",
              "mlp_val",
              "mlp_test",
              "lstm_lag",
              "lstm_val",
              "lstm_test",
              "persistence_val",
              "persistence_test"),
          List.of(
              toD(mlp.lags()),
              mlp.val(),
              mlp.test(),
              toD(lstm.lags()),
              lstm.val(),
              lstm.test(),
              new double[] {persistVal},
              new double[] {persistTest}));
      r.image(s.key() + "_mse_vs_lag.png", "MSE against lag, " + s.title());

      double mlpTest = at(mlp, mlp.bestLag()), lstmTest = at(lstm, lstm.bestLag());
      String winner =
          mlpTest <= lstmTest && mlpTest <= persistTest
              ? "MLP"
              : lstmTest <= persistTest ? "LSTM" : "persistence";
      r.table(
          List.of(
              "forecaster",
              "lag chosen on validation",
              "validation MSE",
              "test MSE",
              "training time (s, all lags)"),
          List.of(
              List.of("persistence", "1", persistVal, persistTest, "-"),
              List.of("MLP", mlp.bestLag(), valAt(mlp, mlp.bestLag()), mlpTest, mlpSeconds),
              List.of("LSTM", lstm.bestLag(), valAt(lstm, lstm.bestLag()), lstmTest, lstmSeconds)));
      int mlpTestBest = argmin(mlp.test()), lstmTestBest = argmin(lstm.test());
      r.paragraph(
          String.format(
              Locale.ROOT,
              "On the test period the %s wins (test MSE %.3f; persistence %.3f, MLP at L = %d %.3f, LSTM at L = %d "
                  + "%.3f). The MLP's validation MSE is lowest at L = %d and the LSTM's at L = %d; in hindsight the test "
                  + "period would have preferred L = %d (MLP, %.3f) and L = %d (LSTM, %.3f). %s",
              winner.equals("persistence") ? "persistence forecast" : winner,
              Math.min(persistTest, Math.min(mlpTest, lstmTest)),
              persistTest,
              mlp.bestLag(),
              mlpTest,
              lstm.bestLag(),
              lstmTest,
              mlp.bestLag(),
              lstm.bestLag(),
              mlp.lags()[mlpTestBest],
              mlp.test()[mlpTestBest],
              lstm.lags()[lstmTestBest],
              lstm.test()[lstmTestBest],
              gainSentence(persistTest, Math.min(mlpTest, lstmTest))));

      // figure: test predictions of the winning learned model against the truth
      boolean mlpBetter = mlpTest <= lstmTest;
      double[] pred = mlpBetter ? mlp.bestTestPred() : lstm.bestTestPred();
      int m = n - s.testStart();
      double[] t = new double[m], truth = new double[m], persist = new double[m];
      for (int i = 0; i < m; i++) {
        t[i] = i;
        truth[i] = v[s.testStart() + i];
        persist[i] = v[s.testStart() + i - 1];
      }
      String predLabel =
          (mlpBetter ? "MLP" : "LSTM") + " L=" + (mlpBetter ? mlp.bestLag() : lstm.bestLag());
      plotPredictions(
          ctx.file(s.key() + "_test_predictions.png"), s, t, truth, pred, persist, predLabel);
      Csv.write(
          ctx.file(s.key() + "_test_predictions.csv"),
          List.of("step", "truth", "prediction", "persistence"),
          List.of(t, truth, pred, persist));
      r.image(
          s.key() + "_test_predictions.png",
          "Test period, " + s.title() + ": truth, " + predLabel + " and persistence");

      Map<String, Object> bl = new LinkedHashMap<>(),
          tm = new LinkedHashMap<>(),
          bylag = new LinkedHashMap<>();
      bl.put("mlp", mlp.bestLag());
      bl.put("lstm", lstm.bestLag());
      tm.put("persistence", persistTest);
      tm.put("mlp", mlpTest);
      tm.put("lstm", lstmTest);
      tm.put("winner", winner);
      bylag.put("mlp_lags", mlp.lags());
      bylag.put("mlp_test", mlp.test());
      bylag.put("mlp_val", mlp.val());
      bylag.put("lstm_lags", lstm.lags());
      bylag.put("lstm_test", lstm.test());
      bylag.put("lstm_val", lstm.val());
      bestLag.put(s.key(), bl);
      testMse.put(s.key(), tm);
      byLag.put(s.key(), bylag);
      summary.add(
          List.of(
              s.title(), winner, mlp.bestLag(), lstm.bestLag(), persistTest, mlpTest, lstmTest));
    }
    if (series.size() > 1) {
      r.heading("Summary");
      r.table(
          List.of(
              "series",
              "winner on test",
              "MLP lag",
              "LSTM lag",
              "persistence MSE",
              "MLP MSE",
              "LSTM MSE"),
          summary);
    }
    ctx.metrics().put("best_lag", bestLag);
    ctx.metrics().put("test_mse", testMse);
    ctx.metrics().put("mse_by_lag", byLag);
  }

  private static String gainSentence(double persist, double best) {
    double gain = 1 - best / persist;
    if (gain > 0)
      return String.format(
          Locale.ROOT,
          "The better learned model removes %.1f%% of the persistence forecast's squared error.",
          100 * gain);
    return "Neither learned model beats persistence on the test period.";
  }

  private static double at(Scan s, int lag) {
    for (int i = 0; i < s.lags().length; i++) if (s.lags()[i] == lag) return s.test()[i];
    return Double.NaN;
  }

  private static double valAt(Scan s, int lag) {
    for (int i = 0; i < s.lags().length; i++) if (s.lags()[i] == lag) return s.val()[i];
    return Double.NaN;
  }

  private static int argmin(double[] v) {
    int b = 0;
    for (int i = 1; i < v.length; i++) if (v[i] < v[b]) b = i;
    return b;
  }

  /** MSE of forecasting v[t] by v[t − 1] for t in [from, to). */
  public static double persistence(double[] v, int from, int to) {
    double s = 0;
    for (int t = from; t < to; t++) s += (v[t] - v[t - 1]) * (v[t] - v[t - 1]);
    return s / (to - from);
  }

  /** Trains one model per lag; MSEs in original units. */
  private static Scan scan(
      RunContext ctx,
      Series s,
      double[] z,
      double sd,
      double mean,
      int[] lags,
      boolean lstm,
      int epochs,
      int hidden) {
    int n = z.length;
    double[] val = new double[lags.length], test = new double[lags.length];
    double[][] testPred = new double[lags.length][];
    for (int li = 0; li < lags.length; li++) {
      int lag = lags[li];
      Tensor[] tr = windows(z, lag, lag, s.valStart());
      Tensor[] va = windows(z, lag, s.valStart(), s.testStart());
      Tensor[] te = windows(z, lag, s.testStart(), n);
      Tensor.manualSeed(ctx.seed() * 1000 + lag + (lstm ? 500 : 0));
      Module model =
          lstm ? new LstmForecaster(hidden) : Mlp.of(lag, new int[] {32, 32}, 1, ReLU::new, false);
      Optimizer opt = new Adam(model.parameters(), Adam.options().lr(lstm ? 5e-3 : 1e-3));
      MSELoss loss = new MSELoss();
      RowBatches batches =
          RowBatches.shuffled(
              tr[0], tr[1], 32, new Generator(ctx.seed() + 7 * lag + (lstm ? 1 : 0)));
      int scaled = (int) Math.round(epochs * Math.max(1.0, 730.0 / tr[1].size(0)));
      ctx.trainer(model, opt, loss::forward).train(batches).epochs(scaled).build().fit();
      model.eval();
      double[] pv = predict(model, va[0]), pt = predict(model, te[0]);
      val[li] = mseOriginal(pv, va[1], sd);
      test[li] = mseOriginal(pt, te[1], sd);
      testPred[li] = new double[pt.length];
      for (int i = 0; i < pt.length; i++) testPred[li][i] = pt[i] * sd + mean;
      ctx.log(
          "%s %s L=%d: validation MSE %.3f, test MSE %.3f",
          s.key(), lstm ? "LSTM" : "MLP", lag, val[li], test[li]);
    }
    int best = argmin(val);
    return new Scan(lags, val, test, lags[best], testPred[best]);
  }

  private static double[] predict(Module model, Tensor x) {
    try (var ng = GradMode.noGrad()) {
      return model.call(x).toDoubleArray();
    }
  }

  private static double mseOriginal(double[] pred, Tensor target, double sd) {
    double[] y = target.toDoubleArray();
    double s = 0;
    for (int i = 0; i < y.length; i++) s += (pred[i] - y[i]) * (pred[i] - y[i]);
    return s / y.length * sd * sd;
  }

  /**
   * Windows z[t−lag .. t−1] → z[t] for targets t in [from, to): inputs [m, lag], targets [m, 1].
   */
  static Tensor[] windows(double[] z, int lag, int from, int to) {
    from = Math.max(from, lag);
    int m = to - from;
    float[] x = new float[m * lag], y = new float[m];
    for (int i = 0; i < m; i++) {
      int t = from + i;
      for (int j = 0; j < lag; j++) x[i * lag + j] = (float) z[t - lag + j];
      y[i] = (float) z[t];
    }
    return new Tensor[] {Tensor.of(x, m, lag), Tensor.of(y, m, 1)};
  }

  /**
   * The series of this run: real files when present; in quick mode a stand-in when they are not.
   */
  private List<Series> loadSeries(RunContext ctx) throws IOException {
    var r = ctx.report();
    List<Series> out = new ArrayList<>();
    List<String> cities = ctx.quick() ? List.of("Seattle") : List.of("Seattle", "New York");
    try {
      for (String city : cities) {
        TimeSeries ts = Temperature.daily(city, DataDir.root(), false);
        out.add(
            new Series(
                city.toLowerCase(Locale.ROOT).replace(' ', '_') + "_daily",
                city + ", daily mean temperature",
                ts,
                ts.indexOf("2014-01-01"),
                ts.indexOf("2015-01-01"),
                "°C"));
      }
      r.paragraph(
          "Data: daily mean temperature ((max + min)/2, NOAA observations 2012–2015 from vega-datasets' `weather.csv`) for "
              + String.join(" and ", cities)
              + ", from "
              + Report.displayPath(DataDir.root())
              + (ctx.quick() ? " (quick mode: Seattle only)." : "."));
    } catch (IOException e) {
      String hint =
          "Daily temperatures not found under "
              + DataDir.root()
              + " ("
              + (e.getMessage() == null ? "missing" : e.getMessage().lines().findFirst().orElse(""))
              + "). Run `data/fetch.sh` to fill the data directory.";
      if (!ctx.quick()) throw new IOException(hint, e);
      ctx.log("%s; quick mode continues on a generated stand-in", hint);
      out.clear();
      TimeSeries ts = standIn(ctx.seed());
      out.add(
          new Series(
              "standin_daily",
              "Generated stand-in daily series",
              ts,
              ts.indexOf("2014-01-01"),
              ts.indexOf("2015-01-01"),
              "°C"));
      r.paragraph(
          "**Data: generated stand-in.** "
              + Report.portable(hint)
              + " This quick run used a generated daily series (a yearly sine of amplitude 7 °C around 11 °C plus AR(1) "
              + "noise with coefficient 0.7 and deviation 2 °C, 2012–2015), so its numbers say nothing about real "
              + "temperatures.");
    }
    try {
      TimeSeries nt = Temperature.nottingham();
      out.add(
          new Series(
              "nottingham_monthly",
              "Nottingham, monthly mean temperature",
              nt,
              nt.indexOf("1934-01"),
              nt.indexOf("1937-01"),
              "°C"));
      r.paragraph(
          "Monthly data: Nottingham Castle, 1920–1939 (R's `datasets::nottem`, converted from °F to °C), training "
              + "1920–1933, validation 1934–1936, test 1937–1939.");
    } catch (IOException e) {
      r.paragraph(
          "**Monthly series missing:** "
              + Report.portable(Temperature.NOTTINGHAM_FILE)
              + " is not in the data directory ("
              + Report.portable(
                  e.getMessage() == null
                      ? "missing"
                      : e.getMessage().lines().findFirst().orElse(""))
              + "), so the Nottingham part of this exercise was not run. `data/fetch.sh --with-r` writes it on a "
              + "machine with Rscript; the daily series above are unaffected.");
      ctx.metrics().put("nottingham_missing", true);
    }
    return out;
  }

  /** A seasonal daily series with AR(1) noise, dated 2012-01-01 … 2015-12-31. */
  static TimeSeries standIn(long seed) {
    Generator g = new Generator(seed + 77);
    List<String> dates = new ArrayList<>();
    for (LocalDate d = LocalDate.of(2012, 1, 1); d.getYear() < 2016; d = d.plusDays(1))
      dates.add(d.toString());
    float[] v = new float[dates.size()];
    double noise = 0;
    for (int i = 0; i < v.length; i++) {
      noise = 0.7 * noise + 2 * Math.sqrt(1 - 0.49) * g.nextGaussian();
      v[i] = (float) (11 + 7 * Math.sin(2 * Math.PI * (i - 110) / 365.25) + noise);
    }
    return new TimeSeries("stand-in daily temperature (C)", v, dates);
  }

  private static void plotLag(Path png, String title, Map<String, double[][]> curves)
      throws IOException {
    Plots.lines(
        png,
        "MSE against lag, " + title,
        "lag L (values in the window)",
        "MSE (°C²)",
        curves,
        false);
  }

  private static void plotPredictions(
      Path png, Series s, double[] t, double[] truth, double[] pred, double[] persist, String label)
      throws IOException {
    Plots.lines(
        png,
        "Test period, " + s.title() + " (from " + s.ts().times().get(s.testStart()) + ")",
        s.key().endsWith("monthly") ? "month of the test period" : "day of the test period",
        "temperature (°C)",
        Plots.series(
            "truth",
            new double[][] {t, truth},
            label,
            new double[][] {t, pred},
            "persistence",
            new double[][] {t, persist}),
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    List<String> done = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.endsWith("_mse_vs_lag.csv")) continue;
        var c = Csv.read(f);
        Map<String, double[][]> curves = new LinkedHashMap<>();
        curves.put("MLP validation", new double[][] {c.get("lag"), c.get("mlp_val")});
        curves.put("MLP test", new double[][] {c.get("lag"), c.get("mlp_test")});
        curves.put("LSTM validation", new double[][] {c.get("lstm_lag"), c.get("lstm_val")});
        curves.put("LSTM test", new double[][] {c.get("lstm_lag"), c.get("lstm_test")});
        double p = c.get("persistence_test")[0];
        double[] lags = c.get("lag"), ll = c.get("lstm_lag");
        double[] ends = {1, Math.max(lags[lags.length - 1], ll[ll.length - 1])};
        curves.put(Plots.reference("persistence, test"), new double[][] {ends, {p, p}});
        String key = name.replace("_mse_vs_lag.csv", "");
        String title =
            key.startsWith("nottingham")
                ? "Nottingham, monthly mean temperature"
                : key.startsWith("new_york")
                    ? "New York, daily mean temperature"
                    : key.startsWith("seattle")
                        ? "Seattle, daily mean temperature"
                        : "Generated stand-in daily series";
        plotLag(dir.resolve(key + "_mse_vs_lag.png"), title, curves);
        done.add(key + "_mse_vs_lag.png");
      }
    }
    return done;
  }

  static int[] range(int from, int to) {
    int[] out = new int[to - from + 1];
    for (int i = 0; i < out.length; i++) out[i] = from + i;
    return out;
  }

  private static String rangeText(int[] lags) {
    boolean contiguous = true;
    for (int i = 1; i < lags.length; i++) contiguous &= lags[i] == lags[i - 1] + 1;
    return contiguous && lags.length > 2
        ? lags[0] + "–" + lags[lags.length - 1]
        : java.util.Arrays.toString(lags).replace("[", "{").replace("]", "}");
  }

  private static double[] toD(int[] v) {
    return java.util.Arrays.stream(v).asDoubleStream().toArray();
  }
}
