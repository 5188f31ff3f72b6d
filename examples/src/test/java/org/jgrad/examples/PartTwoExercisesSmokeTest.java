package org.jgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jgrad.examples.exercises.ArdFeatureSelection;
import org.jgrad.examples.exercises.PcaCurves;
import org.jgrad.examples.exercises.SelfOrganizingMapExercise;
import org.jgrad.examples.exercises.TabularGridSearch;
import org.jgrad.examples.exercises.TemperatureForecasting;
import org.jgrad.examples.support.RunContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quick-mode runs of part 2's temperature-forecasting, tabular-gridsearch, ard-feature-selection,
 * self-organizing-map and pca-curves (real data when the data directory has it, generated stand-ins
 * otherwise): their outputs exist, the metric keys the issue names are there, and the key figures
 * are within the ranges the problems allow.
 */
class PartTwoExercisesSmokeTest {
  @TempDir Path out;

  private static void assertOutputs(RunContext ctx, String... pngs) throws Exception {
    assertTrue(Files.size(ctx.file("report.md")) > 500, "report.md too short");
    assertTrue(Files.exists(ctx.file("report.html")), "report.html");
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
  void temperatureForecastingChoosesLagsAndBeatsNoiseLevels() throws Exception {
    RunContext ctx = Main.runOne(new TemperatureForecasting(), true, 0, out);
    var m = ctx.metrics();
    Map<String, Object> best = map(m.get("best_lag")), mse = map(m.get("test_mse"));
    assertTrue(!best.isEmpty() && best.keySet().equals(mse.keySet()), best + " / " + mse);
    for (String series : best.keySet()) {
      assertOutputs(ctx, series + "_mse_vs_lag.png", series + "_test_predictions.png");
      int mlpLag = (int) num(map(best.get(series)).get("mlp"));
      int lstmLag = (int) num(map(best.get(series)).get("lstm"));
      assertTrue(List.of(1, 7).contains(mlpLag) && lstmLag == 7, series);
      Map<String, Object> s = map(mse.get(series));
      double persistence = num(s.get("persistence"));
      for (String k : List.of("persistence", "mlp", "lstm")) {
        double v = num(s.get(k));
        // Temperatures vary by several degrees from day to day: the errors are positive, finite
        // and, for a model worth keeping, not far above the naive forecast.
        assertTrue(v > 0.1 && v < 3 * persistence + 1, series + " " + k + ": " + v);
      }
    }
    // persistence(v, from, to) is the MSE of forecasting v[t] by v[t-1]
    assertEquals(
        (1 + 4) / 2.0, TemperatureForecasting.persistence(new double[] {0, 1, 3}, 1, 3), 1e-12);
  }

  @Test
  void tabularGridSearchScoresEveryConfigurationAndPicksTheBest() throws Exception {
    RunContext ctx = Main.runOne(new TabularGridSearch(), true, 0, out);
    assertOutputs(ctx, "ionosphere_val_accuracy.png", "pima_val_accuracy.png");
    var m = ctx.metrics();
    for (String d : List.of("ionosphere", "pima")) {
      Map<String, Object> table = map(map(m.get("val_accuracy")).get(d));
      assertEquals(12, table.size(), "3 solvers × 2 activations × 2 layouts in quick mode");
      double best = table.values().stream().mapToDouble(v -> num(v)).max().orElseThrow();
      String bestKey = (String) map(m.get("best_config")).get(d);
      assertEquals(best, num(table.get(bestKey)), 0, "the best configuration has the top score");
      double test = num(map(m.get("test_accuracy")).get(d));
      assertTrue(best > 0.6 && test > 0.6 && test <= 1, d + ": val " + best + ", test " + test);
      assertEquals(12, map(map(m.get("params")).get(d)).size());
    }
  }

  @Test
  void ardBeatsLeastSquaresOnSparseWeightsAndSelectsPimaFeatures() throws Exception {
    RunContext ctx = Main.runOne(new ArdFeatureSelection(), true, 0, out);
    assertOutputs(ctx, "weights.png", "weight_histogram.png");
    var m = ctx.metrics();
    Map<String, Object> s = map(m.get("synthetic"));
    assertTrue(num(s.get("ard_weight_error")) < num(s.get("ols_weight_error")), s.toString());
    assertTrue(num(s.get("relevant_features_kept")) >= 8, s.toString());
    assertTrue(
        num(s.get("ard_features_kept")) < 60, "ARD prunes most of the 90 irrelevant features");
    Map<String, Object> mse = map(s.get("test_mse"));
    assertTrue(num(mse.get("ard")) < num(mse.get("ols")), mse.toString());
    Map<String, Object> acc = map(m.get("test_accuracy"));
    for (String k : List.of("all_features", "selected_features"))
      assertTrue(num(acc.get(k)) > 0.55 && num(acc.get(k)) <= 1, k + " " + acc.get(k));
    assertTrue(!((List<?>) m.get("pima_selected")).isEmpty());
    assertTrue(
        num(map(m.get("params")).get("selected_features"))
            <= num(map(m.get("params")).get("all_features")));
  }

  @Test
  void selfOrganizingMapClustersAndClassifies() throws Exception {
    RunContext ctx = Main.runOne(new SelfOrganizingMapExercise(), true, 0, out);
    assertOutputs(ctx, "moons_gaussian.png", "moons_triangle.png", "iris_umatrix.png");
    var m = ctx.metrics();
    for (String nb : List.of("gaussian", "triangle")) {
      double nmi = num(map(m.get("nmi")).get(nb));
      double acc = num(map(m.get("test_accuracy")).get(nb));
      assertTrue(nmi > 0.3 && nmi <= 1 + 1e-12, nb + " NMI " + nmi);
      assertTrue(acc > 0.7 && acc <= 1, nb + " accuracy " + acc);
      double[] qe = (double[]) map(m.get("moons_quantization_error")).get(nb);
      assertTrue(qe[qe.length - 1] < 0.3, nb + " final QE on two moons " + qe[qe.length - 1]);
    }
    assertTrue(num(m.get("umatrix_border_ratio")) > 1, "class borders are U-matrix ridges");
  }

  @Test
  void pcaCurvesOfBothMethodsCoincideAndFallToZero() throws Exception {
    RunContext ctx = Main.runOne(new PcaCurves(), true, 0, out);
    assertOutputs(ctx, "rmse_gaussian50.png", "rmse_iris.png", "iris_pca.png");
    Map<String, Object> curves = map(ctx.metrics().get("rmse_curve"));
    Map<String, Integer> dims = Map.of("gaussian50", 50, "iris", 4);
    for (var e : dims.entrySet()) {
      Map<String, Object> c = map(curves.get(e.getKey()));
      double[] own = (double[]) c.get("own"), svd = (double[]) c.get("ejml_svd");
      assertEquals(e.getValue() + 1, own.length);
      assertTrue(num(c.get("max_abs_difference")) < 1e-9, e.getKey());
      for (int k = 1; k < own.length; k++) {
        assertTrue(own[k] <= own[k - 1] + 1e-12, e.getKey() + " rises at k = " + k);
        assertEquals(own[k], svd[k], 1e-9);
      }
      assertTrue(own[0] > 0.1 && own[own.length - 1] < 1e-9, e.getKey());
    }
  }
}
