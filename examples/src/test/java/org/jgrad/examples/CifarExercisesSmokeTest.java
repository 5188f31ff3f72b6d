package org.jgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jgrad.data.datasets.Cifar10;
import org.jgrad.data.io.ImageData;
import org.jgrad.examples.exercises.Cifar10Classifier;
import org.jgrad.examples.exercises.ConvVaeShips;
import org.jgrad.examples.models.ConvVae;
import org.jgrad.examples.support.CifarSource;
import org.jgrad.examples.support.RunContext;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quick runs of the CIFAR-10 exercises on generated CIFAR-format files. */
class CifarExercisesSmokeTest {
  @TempDir Path out;

  private static double num(Object o) {
    return ((Number) o).doubleValue();
  }

  @Test
  void generatedFilesAreReadByTheCifarReaderWithBalancedClasses() throws Exception {
    Path root = out.resolve("gen");
    CifarSource.writeGenerated(root.resolve(Cifar10.DIR), 3, 2, 1);
    ImageData train = Cifar10.load(true, root, false), test = Cifar10.load(false, root, false);
    assertEquals(30, train.size());
    assertEquals(20, test.size());
    for (int k : train.classCounts()) assertEquals(3, k);
    assertEquals(3, train.channels());
    // The square of class k has colour k: image 0 (class 0, red square on a cyan background) has
    // a red channel that is brighter somewhere than its blue channel.
    int maxRedMinusBlue = Integer.MIN_VALUE;
    for (int y = 0; y < 32; y++)
      for (int x = 0; x < 32; x++)
        maxRedMinusBlue =
            Math.max(maxRedMinusBlue, train.pixel(0, 0, y, x) - train.pixel(0, 2, y, x));
    assertTrue(maxRedMinusBlue > 100, "red square expected: " + maxRedMinusBlue);
  }

  @Test
  void convVaeShapesAndKlOfTheStandardNormalIsZero() {
    Tensor.manualSeed(0);
    ConvVae vae = new ConvVae(3, 4, 5);
    Tensor x = Tensor.rand(2, 3, 32, 32).mul(2).sub(1);
    ConvVae.Pass p = vae.pass(x, new Generator(1));
    assertEquals(
        List.of(2, 3, 32, 32),
        List.of(2, 3, p.reconstruction().size(2), p.reconstruction().size(3)));
    assertEquals(2, p.mean().size(0));
    assertEquals(5, p.mean().size(1));
    // KL(N(0, 1) || N(0, 1)) = 0 and KL(N(1, 1) || N(0, 1)) = 1/2 per dimension.
    Tensor zero = Tensor.zeros(2, 5);
    assertEquals(0.0, ConvVae.klLoss(new ConvVae.Pass(x, zero, zero)).item(), 1e-7);
    assertEquals(2.5, ConvVae.klLoss(new ConvVae.Pass(x, Tensor.ones(2, 5), zero)).item(), 1e-6);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> vae.pass(Tensor.zeros(1, 1, 28, 28), new Generator(0)));
    assertTrue(e.getMessage().contains("[N, 3, 32, 32]"), e.getMessage());
  }

  @Test
  void convVaeShipsTrainsAndReportsBothLossTerms() throws Exception {
    RunContext ctx = Main.runOne(new ConvVaeShips(), true, 0, out);
    for (String f : List.of("loss_curve.png", "reconstructions.png", "samples.png"))
      assertTrue(Files.size(ctx.file(f)) > 1000, f);
    var m = ctx.metrics();
    assertEquals("generated CIFAR-format", m.get("data"));
    double[] rec = (double[]) m.get("train_reconstruction"), kl = (double[]) m.get("train_kl");
    assertEquals(2, rec.length);
    assertTrue(rec[1] < rec[0], "reconstruction term falls: " + rec[0] + " -> " + rec[1]);
    for (double v : kl) assertTrue(v >= 0 && Double.isFinite(v), "KL is non-negative: " + v);
    double mse = num(m.get("test_mse_per_pixel"));
    assertTrue(mse > 0 && mse < 4, "per-pixel error on the [-1, 1] scale: " + mse);
  }

  @Test
  void cifarClassifierLearnsTheGeneratedClasses() throws Exception {
    RunContext ctx = Main.runOne(new Cifar10Classifier(), true, 0, out);
    assertTrue(Files.size(ctx.file("accuracy.png")) > 1000);
    assertTrue(Files.readString(ctx.file("report.md")).contains("generated images"));
    var m = ctx.metrics();
    assertEquals("generated CIFAR-format", m.get("data"));
    // Ten classes told apart by colour: well above chance (0.1) after five short epochs.
    double acc = num(m.get("test_accuracy"));
    assertTrue(acc > 0.3, "test accuracy " + acc);
    assertTrue(num(m.get("projected_cifar10_hours")) > 0);
  }
}
