package org.jgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jgrad.examples.exercises.BlurDiscriminator;
import org.jgrad.examples.exercises.LatentAnalysis;
import org.jgrad.examples.exercises.MnistAutoencoders;
import org.jgrad.examples.exercises.MnistConvAutoencoders;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.RunContext;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quick-mode runs of the MNIST autoencoder exercises (mnist-autoencoders, mnist-conv-autoencoders,
 * latent-analysis, blur-discriminator), checking their outputs and that their key figures are
 * finite and in sane ranges. Real MNIST is used when present, generated stand-ins otherwise.
 */
class ExercisesSmokeTest {
  @TempDir Path out;

  private static void assertOutputs(RunContext ctx, String... pngs) throws Exception {
    String report = Files.readString(ctx.file("report.md"));
    assertTrue(report.length() > 500, "report.md too short");
    assertTrue(Files.readString(ctx.file("metrics.json")).startsWith("{"), "metrics.json");
    for (String p : pngs) {
      assertTrue(Files.size(ctx.file(p)) > 1000, p + " missing or empty");
      assertTrue(report.contains("](" + p + ")"), "report.md does not show " + p);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(RunContext ctx, String key) {
    Object v = ctx.metrics().get(key);
    assertTrue(v instanceof Map, key + " should be a map, got " + v);
    return (Map<String, Object>) v;
  }

  private static double num(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertTrue(v instanceof Number, key + " missing in " + m);
    double d = ((Number) v).doubleValue();
    assertTrue(Double.isFinite(d), key + " is not finite: " + d);
    return d;
  }

  /**
   * L1 error of the all-black image on the test images the exercises see: any trained model must
   * beat it.
   */
  private double blackL1(int testCount) throws Exception {
    RunContext probe = new RunContext("probe", true, 0, out.resolve("probe"), System.out);
    Tensor x = MnistSource.load(probe, 10, testCount).testX();
    return x.abs().mean().item();
  }

  @Test
  void autoencodersTrainAndLatentAnalysisReusesThem() throws Exception {
    RunContext ae = Main.runOne(new MnistAutoencoders(), true, 0, out);
    assertOutputs(ae, "loss_train.png", "loss_validation.png", "reconstructions.png");
    Map<String, Object> l1 = map(ae, "test_l1");
    assertEquals(List.of("2", "16", "32", "256"), List.copyOf(l1.keySet()));
    double black = blackL1(1000), best = Double.POSITIVE_INFINITY;
    for (String k : l1.keySet()) {
      double v = num(l1, k);
      assertTrue(v > 0 && v < 1, "test L1 of latent " + k + ": " + v);
      best = Math.min(best, v);
      assertTrue(
          Files.size(ae.file("ae-latent-" + k + ".safetensors")) > 1000,
          "checkpoint of latent " + k);
    }
    assertTrue(
        best < black,
        "the best autoencoder (L1 "
            + best
            + ") should beat the all-black image (L1 "
            + black
            + ")");

    RunContext la = Main.runOne(new LatentAnalysis(), true, 0, out);
    assertOutputs(
        la,
        "latent2_scatter.png",
        "pca_16.png",
        "tsne_16.png",
        "pca_32.png",
        "tsne_32.png",
        "pca_256.png",
        "tsne_256.png",
        "digit_means.png");
    assertEquals(
        4,
        ((Number) la.metrics().get("autoencoders_reused")).intValue(),
        "latent-analysis should reuse the saved models");
    Map<String, Object> km = map(la, "kmeans");
    assertEquals(
        List.of("latent_2", "latent_16", "latent_32", "latent_256", "pixels"),
        List.copyOf(km.keySet()));
    for (var e : km.entrySet()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) e.getValue();
      double acc = num(m, "accuracy"), nmi = num(m, "nmi");
      // Ten matched clusters always get at least 10% right; well above that means the clustering
      // follows the digits.
      assertTrue(acc >= 0.1 && acc <= 1, e.getKey() + " accuracy " + acc);
      assertTrue(nmi >= 0 && nmi <= 1, e.getKey() + " NMI " + nmi);
      // Any pairing of ids and digits, the unmatched one included, lies between the worst and the
      // best one-to-one matching.
      double unmatched = num(m, "unmatched_accuracy"), worst = num(m, "worst_matching_accuracy");
      assertTrue(
          worst <= unmatched + 1e-12 && unmatched <= acc + 1e-12,
          e.getKey() + ": " + worst + " <= " + unmatched + " <= " + acc);
    }
    if ("MNIST".equals(la.metrics().get("data"))) {
      // On real MNIST, k-means on pixels lands around 0.5 matched accuracy; the shifted
      // seven-segment stand-ins are much harder.
      @SuppressWarnings("unchecked")
      Map<String, Object> px = (Map<String, Object>) km.get("pixels");
      assertTrue(
          num(px, "accuracy") > 0.3, "k-means on MNIST pixels should beat chance clearly: " + px);
    }
    Map<String, Object> knn = map(la, "knn5_accuracy");
    for (String k : knn.keySet())
      assertTrue(num(knn, k) > 0.1 && num(knn, k) <= 1, k + " 5-NN accuracy");
  }

  @Test
  void convAutoencodersCompareWithDenseOnes() throws Exception {
    RunContext ctx = Main.runOne(new MnistConvAutoencoders(), true, 0, out);
    assertOutputs(ctx, "loss_train.png", "loss_validation.png", "reconstructions.png");
    Map<String, Object> l1 = map(ctx, "test_l1");
    assertEquals(List.of("dense_2", "conv_2", "dense_32", "conv_32"), List.copyOf(l1.keySet()));
    double black = blackL1(1000);
    for (String k : l1.keySet()) {
      double v = num(l1, k);
      // Short quick-mode training may leave a model near the all-black image, but not far worse
      // than it.
      assertTrue(
          v > 0 && v < 1.5 * black, k + " test L1 " + v + " (all-black image: " + black + ")");
    }
  }

  @Test
  void blurDiscriminatorSeparatesBlurAndGuidesTheAutoencoders() throws Exception {
    RunContext ctx = Main.runOne(new BlurDiscriminator(), true, 0, out);
    assertOutputs(ctx, "reconstructions.png", "ae_train_l1.png");
    double dis = ((Number) ctx.metrics().get("dis_net_accuracy")).doubleValue();
    assertTrue(dis > 0.9 && dis <= 1, "dis_net test accuracy " + dis);
    Map<String, Object> score = map(ctx, "clear_score"),
        l1 = map(ctx, "test_l1"),
        acc = map(ctx, "classifier_accuracy");
    assertTrue(
        num(score, "clear") > num(score, "blurred"),
        "dis_net should score clear images clearer than blurred ones");
    for (String k : score.keySet())
      assertTrue(num(score, k) >= 0 && num(score, k) <= 1, "clear score " + k);
    for (String k : l1.keySet()) assertTrue(num(l1, k) > 0 && num(l1, k) < 1, "test L1 " + k);
    for (String k : acc.keySet())
      assertTrue(num(acc, k) >= 0 && num(acc, k) <= 1, "classifier accuracy " + k);
    assertTrue(
        num(acc, "clear") > 0.5,
        "the digit classifier should have learned something: " + num(acc, "clear"));
    for (String kind : List.of("plain_", "guided_")) {
      for (String latent : List.of("2", "16", "256")) {
        assertTrue(
            l1.containsKey(kind + latent)
                && score.containsKey(kind + latent)
                && acc.containsKey(kind + latent),
            kind + latent);
      }
    }
  }
}
