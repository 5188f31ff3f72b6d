package org.jgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jgrad.examples.exercises.AdamActivations;
import org.jgrad.examples.exercises.BackpropByHand;
import org.jgrad.examples.exercises.BumpGdAdam;
import org.jgrad.examples.exercises.ReceptiveFields;
import org.jgrad.examples.exercises.ToeplitzConv;
import org.jgrad.examples.support.RunContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quick-mode runs of the small exercises, checking their outputs and key figures. */
class SmallExercisesSmokeTest {
  @TempDir Path out;

  private static void assertOutputs(RunContext ctx, String... pngs) throws Exception {
    assertTrue(Files.size(ctx.file("report.md")) > 200, "report.md too short");
    assertTrue(Files.readString(ctx.file("metrics.json")).startsWith("{"), "metrics.json");
    for (String p : pngs) assertTrue(Files.size(ctx.file(p)) > 1000, p + " missing or empty");
  }

  @Test
  void bumpGdAdamFindsAThresholdBetweenTheGdCycleAndAdamsReach() throws Exception {
    RunContext ctx = Main.runOne(new BumpGdAdam(), true, 0, out);
    assertOutputs(ctx, "adam_x.png", "adam_m.png");
    double h = ((Number) ctx.metrics().get("adam_max_h")).doubleValue();
    // Adam's first steps are exactly lr = 0.3 (|g| = 1), so it reaches x = 1.2 before the bump
    // pushes back:
    // it crosses at least bumps lower than 0.2 and, with momentum, not arbitrarily high ones.
    assertTrue(h > 0.2 && h < 2, "adam_max_h " + h);
    assertEquals(
        List.of(0.9, 1.2).toString(),
        ctx.metrics()
            .get("gd_cycle")
            .toString()
            .replace("0.8999999999999999", "0.9")
            .replace("1.2000000000000002", "1.2")
            .replace("1.2000000000000000", "1.2"));
  }

  @Test
  void adamActivationsEndBelowTheStart() throws Exception {
    RunContext ctx = Main.runOne(new AdamActivations(), true, 0, out);
    assertOutputs(ctx, "trajectories.png", "momentum.png");
    @SuppressWarnings("unchecked")
    Map<String, Object> finals = (Map<String, Object>) ctx.metrics().get("final_x");
    for (String f : List.of("relu", "softplus", "sigmoid")) {
      double x = ((Number) finals.get(f)).doubleValue();
      assertTrue(Double.isFinite(x) && x < 0, f + " ended at " + x);
    }
    assertTrue(
        Math.abs(((Number) finals.get("abs")).doubleValue()) < 0.5, "abs should hover around 0");
  }

  @Test
  void receptiveFieldsAgreeWithGradientSupport() throws Exception {
    RunContext ctx = Main.runOne(new ReceptiveFields(), true, 0, out);
    assertOutputs(ctx);
    assertEquals(
        List.of(8, 26, 15, 27, 20, 147, 282, 18, 18, 91), ctx.metrics().get("receptive_fields"));
    assertEquals(10, ctx.metrics().get("measured_agree"));
  }

  @Test
  void backpropByHandAgreesWithAutograd() throws Exception {
    RunContext ctx = Main.runOne(new BackpropByHand(), true, 0, out);
    assertOutputs(ctx);
    assertTrue(((Number) ctx.metrics().get("max_grad_difference")).doubleValue() < 1e-12);
    double before = ((Number) ctx.metrics().get("loss_before")).doubleValue();
    assertTrue(
        before > 0 && Double.isFinite(((Number) ctx.metrics().get("loss_after")).doubleValue()));
    // The sigma'-at-the-output variant damps the step: its loss falls where the correct step
    // (learning rate 1) overshoots.
    double after = ((Number) ctx.metrics().get("loss_after")).doubleValue();
    double variant = ((Number) ctx.metrics().get("loss_after_sigma_prime_variant")).doubleValue();
    assertTrue(after > before && variant < before, after + " " + variant + " " + before);
  }

  @Test
  void toeplitzMatchesConvolution() throws Exception {
    RunContext ctx = Main.runOne(new ToeplitzConv(), true, 0, out);
    assertOutputs(ctx);
    assertTrue(ctx.metrics().containsKey("stride_1") && ctx.metrics().containsKey("stride_2"));
  }
}
