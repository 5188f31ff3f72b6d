package org.jgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jgrad.examples.exercises.AttentionAndVit;
import org.jgrad.examples.exercises.CnnVariants;
import org.jgrad.examples.exercises.MnistAutoencoderTable;
import org.jgrad.examples.exercises.Resnet18Cifar10;
import org.jgrad.examples.models.ResNet18;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.RunContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quick-mode runs of issue 13's items 6-9: mnist-autoencoder-table, cnn-variants, resnet18-cifar10
 * and attention-and-vit. Their outputs exist, parameter counts match the architectures (counted by
 * hand here), and the numbers are finite and in range.
 */
class VisionExercisesSmokeTest {
  @TempDir Path out;

  private static void assertOutputs(RunContext ctx, String... files) throws Exception {
    assertTrue(Files.size(ctx.file("report.md")) > 500, "report.md too short");
    assertTrue(Files.isRegularFile(ctx.file("report.html")), "report.html");
    assertTrue(Files.readString(ctx.file("metrics.json")).startsWith("{"), "metrics.json");
    for (String p : files) {
      // a PNG figure has at least its header and a few rows; a quick run's CSV can be short
      long min = p.endsWith(".png") ? 1000 : 20;
      assertTrue(Files.size(ctx.file(p)) > min, p + " missing or too short");
    }
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

  private static void assertAccuracy(String what, double a) {
    assertTrue(Double.isFinite(a) && a >= 0 && a <= 1, what + ": " + a);
  }

  @Test
  void autoencoderTableHasEverySizeAndTheStackedComparison() throws Exception {
    RunContext ctx = Main.runOne(new MnistAutoencoderTable(), true, 0, out);
    assertOutputs(ctx, "loss.png", "reconstructions.png", "curves.csv");
    List<?> table = (List<?>) ctx.metrics().get("ae_table");
    // three encoding sizes × the epoch marks of the quick run (1 and 2)
    assertEquals(6, table.size());
    for (Object o : table) {
      Map<String, Object> row = map(o);
      double train = num(row.get("train_loss")), test = num(row.get("test_loss"));
      // binary cross-entropy of sigmoid outputs against pixels in [0, 1]: below ln 2 + a margin
      assertTrue(train > 0 && train < 0.75 && test > 0 && test < 0.75, row.toString());
      assertTrue(num(row.get("seconds")) > 0);
    }
    Map<String, double[]> curves = Csv.read(ctx.file("curves.csv"));
    for (String k : List.of("16", "64", "128")) {
      double[] l = curves.get("k" + k + "_train_loss");
      assertTrue(l[l.length - 1] < l[0], "k = " + k + " training loss falls: " + l[0]);
    }
    Map<String, Object> acc = map(ctx.metrics().get("test_accuracy"));
    assertEquals(java.util.Set.of("pretrained", "end_to_end"), acc.keySet());
    for (var e : acc.entrySet()) assertAccuracy(e.getKey(), num(e.getValue()));
    // 784·128 + 128 + 128·64 + 64 + 64·10 + 10
    assertEquals(109_386L, ((Number) ctx.metrics().get("params")).longValue());
  }

  @Test
  void cnnVariantsHaveTheirParameterCountsAndTrain() throws Exception {
    RunContext ctx = Main.runOne(new CnnVariants(), true, 0, out);
    assertOutputs(ctx, "accuracy.png", "curves.csv");
    Map<String, Object> params = map(ctx.metrics().get("params"));
    assertEquals(
        List.of("baseline", "k5_c128", "dilated_gap", "inception", "light_dropout"),
        List.copyOf(params.keySet()));
    // conv 160 + 4,640 + 18,496 + 36,928, BN 2·(16+32+64+64), dense 3136·128+128, 128·10+10
    assertEquals(463_402L, ((Number) params.get("baseline")).longValue());
    // the same convolutions and BN, then 64·10+10 after global average pooling
    assertEquals(61_226L, ((Number) params.get("dilated_gap")).longValue());
    // conv 80 + 1,168 + 4,640 + 9,248, dense 1568·64+64, 64·10+10
    assertEquals(116_202L, ((Number) params.get("light_dropout")).longValue());
    for (var e : map(ctx.metrics().get("test_accuracy")).entrySet())
      assertAccuracy(e.getKey(), num(e.getValue()));
    double[] loss = Csv.read(ctx.file("curves.csv")).get("baseline_train_loss");
    assertTrue(loss[1] < loss[0], "the baseline's training loss falls");
  }

  @Test
  void resnetRunsOnCifarFormatFilesAndReportsPerClassErrors() throws Exception {
    RunContext ctx = Main.runOne(new Resnet18Cifar10(), true, 0, out);
    assertOutputs(ctx, "accuracy.png", "samples.png", "curves.csv");
    var m = ctx.metrics();
    assertAccuracy("test", num(m.get("test_accuracy")));
    assertEquals(10, map(m.get("per_class_error")).size());
    assertEquals(10, ((List<?>) m.get("samples")).size());
    Map<String, Object> conf = map(m.get("most_confused"));
    assertTrue(!conf.get("a").equals(conf.get("b")));
    // the quick run's width-8 network on 3 colour channels (CIFAR or the generated files)
    assertEquals(resnet18Params(3, 8, 10), ((Number) m.get("params")).longValue());
    // the standard network: the well-known 11,173,962 of the CIFAR ResNet-18
    assertEquals(11_173_962L, resnet18Params(3, 64, 10));
    assertEquals(11_173_962L, new ResNet18(3, 64, 10).numParameters());
    boolean cifar = (Boolean) m.get("cifar10");
    String report = Files.readString(ctx.file("report.md"));
    assertTrue(
        cifar || report.contains("generated CIFAR-format files"),
        "without CIFAR-10 the quick run says it used generated files");
  }

  /** Counted by hand: stem conv + BN, 4 stages of 2 basic blocks (with 1×1 shortcuts), linear. */
  private static long resnet18Params(int in, int w, int classes) {
    long total = 9L * in * w + 2L * w;
    int prev = w;
    for (int stage = 0; stage < 4; stage++) {
      int out = w << stage;
      for (int b = 0; b < 2; b++) {
        int cin = b == 0 ? prev : out;
        total += 9L * cin * out + 2L * out + 9L * out * out + 2L * out;
        if (cin != out) total += (long) cin * out + 2L * out;
      }
      prev = out;
    }
    return total + (long) prev * classes + classes;
  }

  @Test
  void attentionWalkThroughMatchesMultiheadAttentionAndVitTableHasSixRows() throws Exception {
    RunContext ctx = Main.runOne(new AttentionAndVit(), true, 0, out);
    assertOutputs(ctx, "vit_accuracy.png", "vit_curves.csv");
    var m = ctx.metrics();
    for (var e : map(m.get("walkthrough_max_abs_diff")).entrySet()) {
      for (var d : map(e.getValue()).entrySet())
        assertTrue(num(d.getValue()) < 1e-5, e.getKey() + " " + d.getKey() + ": " + d.getValue());
    }
    List<?> table = (List<?>) m.get("vit_table");
    assertEquals(6, table.size());
    for (Object o : table) {
      Map<String, Object> row = map(o);
      int dim = (int) num(row.get("dim")), depth = (int) num(row.get("depth"));
      int mlp = (int) num(row.get("mlp_dim"));
      // patch conv (49·dim + dim), class token, 17 positions, per layer in/out projections, two
      // linears and two norms, final norm, head
      long perLayer =
          3L * dim * dim + 3 * dim + dim * dim + dim + 2L * dim * mlp + mlp + dim + 4 * dim;
      long expected = 50L * dim + dim + 17L * dim + depth * perLayer + 2 * dim + 10L * dim + 10;
      assertEquals(expected, (long) num(row.get("params")), row.toString());
      assertAccuracy(row.toString(), num(row.get("test_accuracy")));
    }
  }
}
