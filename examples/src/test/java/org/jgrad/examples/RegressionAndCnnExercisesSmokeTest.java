package org.jgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jgrad.examples.exercises.ConvAeGridSearch;
import org.jgrad.examples.exercises.MnistCnnOptimizers;
import org.jgrad.examples.exercises.OptimizerComparison;
import org.jgrad.examples.exercises.PerceptronRegression;
import org.jgrad.examples.exercises.SurfaceRegression;
import org.jgrad.examples.support.Report;
import org.jgrad.examples.support.RunContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quick-mode runs of conv-ae-gridsearch, perceptron-regression, optimizer-comparison,
 * mnist-cnn-optimizers and surface-regression: their outputs exist and their key figures are finite
 * and within the ranges the problems allow.
 */
class RegressionAndCnnExercisesSmokeTest {
  @TempDir Path out;

  private static void assertOutputs(RunContext ctx, String... pngs) throws Exception {
    assertTrue(Files.size(ctx.file("report.md")) > 500, "report.md too short");
    assertTrue(Files.readString(ctx.file("metrics.json")).startsWith("{"), "metrics.json");
    for (String p : pngs) assertTrue(Files.size(ctx.file(p)) > 1000, p + " missing or empty");
  }

  private static double num(Object o) {
    assertNotNull(o, "missing metric");
    return ((Number) o).doubleValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertNotNull(o, "missing metric");
    return (Map<String, Object>) o;
  }

  @Test
  void perceptronRegressionMatchesLeastSquaresAndTheHessianThreshold() throws Exception {
    RunContext ctx = Main.runOne(new PerceptronRegression(), true, 0, out);
    assertOutputs(
        ctx, "linear_fit.png", "lr_study.png", "mlp_loss.png", "mlp_fit.png", "minibatch.png");
    var m = ctx.metrics();
    assertTrue(num(m.get("gd_ls_max_abs_diff")) < 1e-6, "GD should reach the least-squares line");
    // 50 evenly spaced x on [-1, 1] have mean 0, so H = diag(2·mean(x²), 2): λmax = 2 and the
    // threshold is lr = 1.
    assertEquals(1.0, num(m.get("lr_critical")), 1e-6);
    double firstDivergent = num(m.get("lr_first_divergent"));
    assertTrue(
        firstDivergent > 1.0 && firstDivergent <= 1.2,
        "the upward scan diverges just past 1: " + firstDivergent);
    // The least-squares slope of -sin(0.8πx) on [-1, 1] is negative, its intercept 0 by symmetry.
    assertTrue(num(m.get("ls_weight")) < 0 && Math.abs(num(m.get("ls_bias"))) < 1e-9);
    for (Object o : (List<?>) m.get("lr_study")) {
      Map<String, Object> row = map(o);
      double lr = num(row.get("lr"));
      String outcome = (String) row.get("outcome");
      if (lr < 0.99)
        assertTrue(
            !outcome.equals("diverged"), "lr " + lr + " is below 2/λmax and must not diverge");
      if (lr > 1.0 + 1e-9) assertEquals("diverged", outcome, "lr " + lr + " is above 2/λmax");
      if (row.get("epochs_to_converge") != null) {
        // The epoch count follows from the eigen-decomposition; the measurement must agree to
        // within an epoch.
        assertEquals(
            num(row.get("predicted_epochs")), num(row.get("epochs_to_converge")), 1.0, "lr " + lr);
      }
    }
    Map<String, Object> mlp = map(m.get("mlp_final_loss"));
    double ls = num(m.get("ls_mse"));
    assertTrue(
        num(mlp.get("one_hidden")) < ls / 5 && num(mlp.get("two_hidden")) < ls / 5,
        "MLPs bend: " + mlp);
    Map<String, Object> ups = map(m.get("loss_increases"));
    assertEquals(
        0,
        ((Number) ups.get("linear neuron, batch 50")).intValue(),
        "full-batch GD on a quadratic never rises");
    // The coursework comparison: our range [-1, 1] comes first, with the Hessian's threshold 1 and
    // the least-squares floor of the main table; no range's floor exceeds var(y) < 0.6.
    Map<String, Object> ours = map(((List<?>) m.get("coursework_ranges")).get(0));
    assertEquals(1.0, num(ours.get("lr_critical")), 1e-9);
    assertEquals(ls, num(ours.get("least_squares_mse")), 1e-6);
    for (Object o : (List<?>) m.get("coursework_ranges"))
      assertTrue(num(map(o).get("least_squares_mse")) < 0.6, "floor below var(y): " + o);
    // Adam at lr 0.3 does not diverge on this quadratic: it ends near the optimum.
    double adam03 = num(map(map(m.get("coursework_adam")).get("lr_0.3")).get("final_loss"));
    assertTrue(adam03 < 2 * ls, "Adam lr 0.3 ends near the optimum: " + adam03);
  }

  @Test
  void optimizerComparisonGivesFiniteLossesNearTheNoiseFloor() throws Exception {
    RunContext ctx = Main.runOne(new OptimizerComparison(new double[] {0.1}), true, 0, out);
    assertOutputs(ctx, "loss_noise_0.1_h10.png", "loss_noise_0.1_h100.png");
    Map<String, Object> fl = map(map(ctx.metrics().get("final_loss")).get("noise_0.1"));
    Map<String, Object> secs = map(map(ctx.metrics().get("seconds")).get("noise_0.1"));
    assertEquals(10, fl.size(), "ten optimizer settings");
    for (var e : fl.entrySet()) {
      for (var h : map(e.getValue()).entrySet()) {
        double v = num(h.getValue());
        // Below the variance of the target plus noise (about 0.5 + 0.01), and not below what noise
        // allows.
        assertTrue(
            Double.isFinite(v) && v < 0.6 && v > 0.005, e.getKey() + " " + h.getKey() + ": " + v);
        assertTrue(num(map(secs.get(e.getKey())).get(h.getKey())) > 0);
      }
    }
    for (var h : map(fl.get("LBFGS full")).entrySet()) {
      assertTrue(num(h.getValue()) < 0.02, "L-BFGS should get near σ² = 0.01: " + h);
    }
    // The long budget repeats the short runs' first epochs (same weights, same shuffles), so its
    // MSE at the short budget equals the short run's final MSE at that hidden size.
    Map<String, Object> lb = map(map(ctx.metrics().get("long_budget")).get("noise_0.1"));
    assertEquals(9, map(lb).size() - 2, "nine settings (all but L-BFGS) plus two rankings");
    for (var e : lb.entrySet()) {
      if (e.getKey().startsWith("ranking")) continue;
      double atShort = num(map(e.getValue()).get("train_mse_at_10"));
      assertEquals(num(map(fl.get(e.getKey())).get("h10")), atShort, 1e-12, e.getKey());
    }
    Map<String, Object> adam = map(map(ctx.metrics().get("adam_epochs_vs_time")).get("noise_0.1"));
    double[] cum = (double[]) adam.get("seconds");
    for (int i = 1; i < cum.length; i++) assertTrue(cum[i] > cum[i - 1], "cumulative time");
    assertTrue(Files.size(ctx.file("adam_epochs_vs_time.png")) > 1000);
  }

  @Test
  void surfaceRegressionLearnsTheSurface() throws Exception {
    RunContext ctx = Main.runOne(new SurfaceRegression(), true, 0, out);
    assertOutputs(
        ctx, "surface_true.png", "surface_predicted.png", "surface_error.png", "loss.png");
    var m = ctx.metrics();
    double test = num(m.get("test_mse"));
    // The surface sin(πx1)cos(πx2/2) has mean 0 and variance 0.25 on [-1,1]², so a constant
    // predictor scores ~0.25.
    assertTrue(Double.isFinite(test) && test > 0.0025 * 0.5 && test < 0.05, "test MSE " + test);
    assertTrue(num(m.get("grid_mse")) < 0.05);
    assertTrue(num(m.get("best_epoch")) <= num(m.get("epochs_run")));
    // Each model's table row carries its own training time (a committed report once showed one time
    // for both).
    double withBn = num(m.get("train_seconds")), without = num(m.get("train_seconds_no_batchnorm"));
    assertTrue(withBn > 0 && without > 0, withBn + " / " + without);
    assertNotEquals(withBn, without, "two separate trainings cannot take exactly the same time");
    List<String> lines = Files.readAllLines(ctx.file("report.md"));
    String bnRow =
        lines.stream().filter(l -> l.startsWith("| with batch norm |")).findFirst().orElseThrow();
    String plainRow =
        lines.stream()
            .filter(l -> l.startsWith("| without batch norm |"))
            .findFirst()
            .orElseThrow();
    assertTrue(bnRow.endsWith("| " + Report.cell(withBn) + " |"), bnRow);
    assertTrue(plainRow.endsWith("| " + Report.cell(without) + " |"), plainRow);
    assertTrue(
        plainRow.startsWith(
            "| without batch norm | "
                + ((Number) m.get("epochs_run_no_batchnorm")).intValue()
                + " |"),
        plainRow);
  }

  @Test
  void mnistCnnHasKerasParameterCountAndLearns() throws Exception {
    RunContext ctx = Main.runOne(new MnistCnnOptimizers(), true, 0, out);
    assertOutputs(ctx, "accuracy.png", "loss.png");
    assertEquals(34_826L, ((Number) ctx.metrics().get("params")).longValue());
    Map<String, Object> acc = map(ctx.metrics().get("test_accuracy"));
    assertEquals(List.of("adam", "sgd", "adadelta"), List.copyOf(acc.keySet()));
    for (var e : acc.entrySet()) {
      double a = num(e.getValue());
      assertTrue(a > 0.1 && a <= 1, e.getKey() + " should beat chance: " + a);
    }
    assertTrue(num(acc.get("adam")) > 0.5, "Adam learns within the quick run");
  }

  @Test
  void convAeGridSearchReportsEveryGridPointAndNoiseCondition() throws Exception {
    RunContext ctx = Main.runOne(new ConvAeGridSearch(), true, 0, out);
    assertOutputs(
        ctx,
        "retrain_val.png",
        "recon_none.png",
        "recon_gaussian_2.png",
        "recon_occlusion.png",
        "pca_size4.png",
        "pca_size32.png");
    var m = ctx.metrics();
    Map<String, Object> test = map(m.get("test_mse"));
    assertEquals(List.of("4", "8", "16", "32"), List.copyOf(test.keySet()));
    // Sigmoid outputs in [0, 1] against MNIST pixels: a blank image scores about 0.11, a trained
    // one less.
    for (var e : test.entrySet()) {
      double v = num(e.getValue());
      assertTrue(Double.isFinite(v) && v > 0 && v < 0.12, "size " + e.getKey() + ": " + v);
    }
    for (var e : map(m.get("cv_mse")).entrySet())
      assertEquals(9, map(e.getValue()).size(), "3 × 3 grid");
    Map<String, Object> noise = map(m.get("noise_mse"));
    for (String size : List.of("4", "32")) {
      Map<String, Object> n = map(noise.get(size));
      assertEquals(8, n.size(), "none, 5 Gaussian levels, uniform, occlusion");
      for (var e : n.entrySet()) assertTrue(Double.isFinite(num(e.getValue())), e.getKey());
      // Strong noise cannot make reconstructions better than clean inputs do.
      assertTrue(num(n.get("gaussian_2")) >= num(n.get("none")), "size " + size);
    }
  }
}
