package org.jgrad.examples.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figure rules of {@link Plots}: label order, short labels, facets, row labels, colour scales.
 */
class PlotsTest {
  @TempDir Path dir;

  @Test
  void labelsSortByTheNumbersInThem() {
    List<String> labels =
        new ArrayList<>(
            List.of("lr 1.1", "lr 0.01", "lr 2e-4", "latent 256", "latent 16", "lr 0.2"));
    labels.sort(Plots.NATURAL);
    assertEquals(
        List.of("latent 16", "latent 256", "lr 2e-4", "lr 0.01", "lr 0.2", "lr 1.1"), labels);
  }

  @Test
  void ticksAreShort() {
    assertEquals("2e-4", Plots.tick(0.0002));
    assertEquals("0.05", Plots.tick(0.05));
    assertEquals("120", Plots.tick(120));
    assertEquals("1e6", Plots.tick(1e6));
    assertEquals("-0.5", Plots.tick(-0.5));
    assertEquals("0", Plots.tick(0));
    assertTrue(Plots.isOneTwoFive(0.02) && Plots.isOneTwoFive(500) && !Plots.isOneTwoFive(0.07));
  }

  @Test
  void manyGroupsAreSplitIntoStackedPanels() throws Exception {
    Map<String, double[][]> few = new LinkedHashMap<>(), many = new LinkedHashMap<>();
    double[] x = {0, 1, 2, 3};
    for (int i = 0; i < 4; i++) few.put("lr " + i, new double[][] {x, {1, 0.5, 0.2, 0.1}});
    for (int i = 0; i < 12; i++) many.put("lr " + i, new double[][] {x, {1, 0.5, 0.2, 0.1}});
    // A train/validation pair shares one colour, so it counts once towards the limit.
    for (int i = 0; i < 4; i++) {
      few.put("opt" + i + " train", new double[][] {x, {1, 0.5, 0.2, 0.1}});
      few.put("opt" + i + " validation", new double[][] {x, {1, 0.6, 0.3, 0.2}});
    }
    Plots.lines(dir.resolve("many.png"), "t", "epoch", "loss", many, true);
    BufferedImage one = render(Map.of("a", new double[][] {x, {1, 2, 3, 4}}));
    BufferedImage split = ImageIO.read(dir.resolve("many.png").toFile());
    assertEquals(2 * 440, split.getHeight(), "12 colours make two panels");
    assertEquals(500, one.getHeight());
    Plots.lines(dir.resolve("few.png"), "t", "epoch", "loss", few, false);
    assertEquals(
        500,
        ImageIO.read(dir.resolve("few.png").toFile()).getHeight(),
        "4 lines + 4 pairs = 8 colours, one panel");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Plots.lines(
                dir.resolve("bad.png"),
                "t",
                "x",
                "y",
                Map.of("bad", new double[][] {x, {1, 2}}),
                false));
  }

  private BufferedImage render(Map<String, double[][]> series) throws Exception {
    Path p = dir.resolve("one.png");
    Plots.lines(p, "t", "epoch", "loss", series, false);
    return ImageIO.read(p.toFile());
  }

  @Test
  void rowLabelsGetAMarginAndMustMatchTheRows() throws Exception {
    float[][] imgs = new float[6][4];
    Plots.imageGrid(dir.resolve("plain.png"), imgs, 2, 3, 2, 2, 5);
    Plots.imageGrid(
        dir.resolve("labelled.png"), imgs, 2, 3, 2, 2, 5, List.of("input", "latent 32"));
    int plain = ImageIO.read(dir.resolve("plain.png").toFile()).getWidth();
    BufferedImage labelled = ImageIO.read(dir.resolve("labelled.png").toFile());
    assertEquals(3 * (2 * 5 + 2), plain);
    assertTrue(labelled.getWidth() > plain + 40, "margin for the labels: " + labelled.getWidth());
    int dark = 0;
    for (int y = 0; y < labelled.getHeight(); y++) {
      for (int x = 0; x < labelled.getWidth() - plain; x++)
        if ((labelled.getRGB(x, y) & 0xff) < 100) dark++;
    }
    assertTrue(dark > 20, "label text drawn in the margin");
    assertThrows(
        IllegalArgumentException.class,
        () -> Plots.imageGrid(dir.resolve("x.png"), imgs, 2, 3, 2, 2, 5, List.of("one")));
  }

  @Test
  void heatMapsWithTheSameScaleColourEqualValuesAlike() throws Exception {
    double[] t = {-1, 0, 1};
    double[][] a = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}, b = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0.9}};
    Plots.heatmap(dir.resolve("a.png"), "a", "x1", "x2", "f", t, t, a, -1, 1, Plots.SEQUENTIAL);
    Plots.heatmap(dir.resolve("b.png"), "b", "x1", "x2", "f", t, t, b, -1, 1, Plots.SEQUENTIAL);
    BufferedImage ia = ImageIO.read(dir.resolve("a.png").toFile()),
        ib = ImageIO.read(dir.resolve("b.png").toFile());
    // The centre cell holds 0 in both maps; with one fixed scale it has the same colour in both.
    int cx = ia.getWidth() * 2 / 5, cy = ia.getHeight() / 2;
    assertEquals(ia.getRGB(cx, cy), ib.getRGB(cx, cy));
  }
}
