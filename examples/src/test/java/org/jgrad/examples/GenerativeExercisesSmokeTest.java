package org.jgrad.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jgrad.examples.exercises.DbmMnist;
import org.jgrad.examples.exercises.GanMnist;
import org.jgrad.examples.exercises.RbmMnist;
import org.jgrad.examples.exercises.VaeMnist;
import org.jgrad.examples.support.RunContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quick-mode runs of the part-3 generative exercises (rbm-mnist, dbm-mnist, gan-mnist, vae-mnist),
 * checking their outputs and that their key metrics are finite and beat trivial baselines. Real
 * MNIST is used when present, generated stand-ins otherwise.
 */
class GenerativeExercisesSmokeTest {
  @TempDir Path out;

  private static void assertOutputs(RunContext ctx, String... pngs) throws Exception {
    String report = Files.readString(ctx.file("report.md"));
    assertTrue(report.length() > 500, "report.md too short");
    assertTrue(report.contains("## Reading"), "report.md has no reading");
    assertTrue(Files.readString(ctx.file("metrics.json")).startsWith("{"), "metrics.json");
    for (String p : pngs) {
      assertTrue(Files.size(ctx.file(p)) > 1000, p + " missing or empty");
      assertTrue(report.contains("](" + p + ")"), "report.md does not show " + p);
    }
  }

  static double num(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertTrue(v instanceof Number, key + " missing in " + m);
    double d = ((Number) v).doubleValue();
    assertTrue(Double.isFinite(d), key + " is not finite: " + d);
    return d;
  }

  @Test
  void rbmLearnsAboveTheUniformModelAndInpaintsBetterThanTheMeanImage() throws Exception {
    RunContext ctx = Main.runOne(new RbmMnist(), true, 0, out);
    assertOutputs(
        ctx, "pseudo_likelihood.png", "gibbs_samples.png", "filters.png", "inpainting.png");
    double pl = num(ctx.metrics(), "pseudo_likelihood");
    // a model that knows nothing gives every pixel probability 1/2: 784 · log(1/2) = −543 nats
    assertTrue(pl < 0 && pl > 784 * Math.log(0.5), "pseudo-likelihood " + pl);
    @SuppressWarnings("unchecked")
    Map<String, Object> base = (Map<String, Object>) ctx.metrics().get("inpaint_mean_image_error");
    double meanBase =
        base.values().stream().mapToDouble(v -> ((Number) v).doubleValue()).average().orElseThrow();
    double err = num(ctx.metrics(), "inpaint_error");
    assertTrue(
        err > 0 && err < meanBase, "in-painting error " + err + " vs mean image " + meanBase);
  }

  @Test
  void dbmTrainsAndItsSamplesAreScored() throws Exception {
    RunContext ctx = Main.runOne(new DbmMnist(), true, 0, out);
    assertOutputs(
        ctx,
        "dbm_training.png",
        "filters_layer1.png",
        "filters_layer2.png",
        "samples_rbm_vs_dbm.png");
    double fid = num(ctx.metrics(), "fid_proxy"), real = num(ctx.metrics(), "fid_proxy_real");
    num(ctx.metrics(), "fid_proxy_rbm");
    // samples are never closer to real digits than other real digits are
    assertTrue(real >= 0 && fid > real, "FID proxy " + fid + ", real " + real);
    double cs = num(ctx.metrics(), "classifier_score");
    assertTrue(cs >= 1 && cs <= 10, "classifier score " + cs);
    double before = num(ctx.metrics(), "reconstruction_mse_before_joint");
    double after = num(ctx.metrics(), "reconstruction_mse");
    assertTrue(
        after > 0 && after < 0.25 && before > 0, "reconstruction " + before + " -> " + after);
  }

  @Test
  @SuppressWarnings("unchecked")
  void gansTrainAndTheirSamplesAreScored() throws Exception {
    RunContext ctx = Main.runOne(new GanMnist(), true, 0, out);
    assertOutputs(
        ctx,
        "gan_losses.png",
        "samples_over_training.png",
        "samples_compared.png",
        "interpolation.png");
    Map<String, Object> fid = (Map<String, Object>) ctx.metrics().get("fid_proxy");
    double real = num(fid, "real");
    for (String k : new String[] {"fc", "fc_low_d_lr", "dcgan"}) {
      assertTrue(num(fid, k) > real, k + " FID proxy " + fid.get(k) + " vs real " + real);
    }
    Map<String, Object> lossD = (Map<String, Object>) ctx.metrics().get("final_d_loss");
    for (String k : new String[] {"fc", "fc_low_d_lr", "dcgan"}) {
      assertTrue(num(lossD, k) > 0, k + " D loss");
    }
    assertTrue(Files.size(ctx.file("gan-fc-generator.safetensors")) > 1000, "generator checkpoint");
  }

  @Test
  void vaeLogsBothLossTermsAndItsSamplesAreScored() throws Exception {
    RunContext ctx = Main.runOne(new VaeMnist(), true, 0, out);
    assertOutputs(
        ctx,
        "vae_losses.png",
        "samples.png",
        "interpolation.png",
        "reconstructions.png",
        "gan_vs_vae.png");
    double bce = num(ctx.metrics(), "test_bce"), kl = num(ctx.metrics(), "test_kl");
    // a model that knows nothing pays 784 · log 2 = 543 nats per image
    assertTrue(bce > 0 && bce < 784 * Math.log(2), "test BCE " + bce);
    assertTrue(kl > 0, "test KL " + kl);
    double fid = num(ctx.metrics(), "fid_proxy"), real = num(ctx.metrics(), "fid_proxy_real");
    assertTrue(fid > real, "FID proxy " + fid + " vs real " + real);
    num(ctx.metrics(), "fid_proxy_gan");
  }
}
