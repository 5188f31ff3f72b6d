package org.jgrad.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jgrad.backend.DType;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TransformsTest {
  static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = i;
    return v;
  }

  @Test
  void normalizeIsPerChannel() {
    // 1 image, 2 channels of 2x1: channel 0 = {1, 3}, channel 1 = {10, 20}
    Tensor x = Tensor.of(new float[] {1, 3, 10, 20}, 1, 2, 2, 1);
    Tensor y = Transforms.normalize(new double[] {1, 10}, new double[] {2, 5}).apply(x);
    assertArrayEquals(new float[] {0, 1, 0, 2}, y.toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {1, 3, 10, 20}, x.toFloatArray(), "the input is not modified");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Transforms.normalize(new double[] {0}, new double[] {1}).apply(x));
    assertTrue(e.getMessage().contains("2 channels"), e.getMessage());
    IllegalArgumentException rank =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Transforms.normalize(new double[] {0}, new double[] {1}).apply(Tensor.zeros(2, 3)));
    assertTrue(
        rank.getMessage().contains("[N, C, H, W]") && rank.getMessage().contains("[2, 3]"),
        rank.getMessage());
  }

  @Test
  void bytesToUnitDividesBy255() {
    Tensor y = Transforms.bytesToUnit().apply(Tensor.of(new float[] {0, 51, 255}, 3));
    assertArrayEquals(new float[] {0, 0.2f, 1}, y.toFloatArray(), 1e-7f);
  }

  @Test
  void horizontalFlipMirrorsRowsOfChosenImages() {
    float[] x = ramp(2 * 1 * 2 * 3); // 2 images of 1x2x3
    ImageOps.horizontalFlip(x, 2, 1, 2, 3, new boolean[] {true, false});
    assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3, 6, 7, 8, 9, 10, 11}, x);
    Tensor all = Transforms.randomHorizontalFlip(1.0, 0).apply(Tensor.of(ramp(6), 1, 1, 2, 3));
    assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3}, all.toFloatArray());
    Tensor none = Transforms.randomHorizontalFlip(0.0, 0).apply(Tensor.of(ramp(6), 1, 1, 2, 3));
    assertArrayEquals(ramp(6), none.toFloatArray());
  }

  @Test
  void randomFlipFlipsAboutHalfAndIsSeeded() {
    int n = 2000;
    float[] x = new float[n * 2];
    for (int i = 0; i < n; i++) x[2 * i + 1] = 1; // each image 1x1x2 = [0, 1]
    Tensor in = Tensor.of(x, n, 1, 1, 2);
    float[] a = Transforms.randomHorizontalFlip(0.5, 3).apply(in).toFloatArray();
    float[] b = Transforms.randomHorizontalFlip(0.5, 3).apply(in).toFloatArray();
    assertArrayEquals(a, b);
    int flipped = 0;
    for (int i = 0; i < n; i++) if (a[2 * i] == 1) flipped++;
    // Binomial(2000, 0.5): sd = 22.4; 5 sd either side
    assertTrue(Math.abs(flipped - 1000) < 112, "flipped " + flipped);
  }

  @Test
  void cropWithPaddingByHand() {
    // one 3x3 image 1..9, padding 1 -> 5x5 padded; a 3x3 window at (0, 0) sees the top-left corner
    float[] img = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] out = ImageOps.crop(img, 1, 1, 3, 3, 1, 0f, 3, 3, new int[] {0}, new int[] {0});
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 0, 4, 5}, out);
    out = ImageOps.crop(img, 1, 1, 3, 3, 1, -1f, 3, 3, new int[] {2}, new int[] {1});
    assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, -1, -1, -1}, out);
    out = ImageOps.crop(img, 1, 1, 3, 3, 1, 0f, 2, 4, new int[] {1}, new int[] {1});
    assertArrayEquals(new float[] {1, 2, 3, 0, 4, 5, 6, 0}, out);
    assertThrows(
        IllegalArgumentException.class,
        () -> ImageOps.crop(img, 1, 1, 3, 3, 1, 0f, 3, 3, new int[] {3}, new int[] {0}));
  }

  @Test
  void randomCropKeepsShapeAndOnlyShiftsContent() {
    int n = 50;
    float[] x = new float[n * 2 * 6 * 6];
    Arrays.fill(x, 1f);
    Tensor y = Transforms.randomCrop(6, 2, 11).apply(Tensor.of(x, n, 2, 6, 6));
    assertArrayEquals(new int[] {n, 2, 6, 6}, y.shape());
    float[] v = y.toFloatArray();
    int zeros = 0;
    for (float f : v) {
      assertTrue(f == 0f || f == 1f);
      if (f == 0f) zeros++;
    }
    assertTrue(zeros > 0, "with padding 2 some crops must show padding");
    assertArrayEquals(
        v,
        Transforms.randomCrop(6, 2, 11).apply(Tensor.of(x, n, 2, 6, 6)).toFloatArray(),
        "seeded");
    Tensor smaller = Transforms.randomCrop(4, 0, 1).apply(Tensor.of(x, n, 2, 6, 6));
    assertArrayEquals(new int[] {n, 2, 4, 4}, smaller.shape());
    assertThrows(
        IllegalArgumentException.class,
        () -> Transforms.randomCrop(11, 2, 0).apply(Tensor.of(x, n, 2, 6, 6)));
  }

  /** Direct 2-D convolution with reflect padding, written independently of the separable kernel. */
  static float[] blurReference(float[] img, int h, int w, int k, double sigma) {
    int r = k / 2;
    double[] g = new double[k];
    double s = 0;
    for (int i = 0; i < k; i++) {
      g[i] = Math.exp(-((i - r) * (i - r)) / (2 * sigma * sigma));
      s += g[i];
    }
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double acc = 0;
        for (int dy = -r; dy <= r; dy++) {
          for (int dx = -r; dx <= r; dx++) {
            int yy = Math.abs(y + dy);
            if (yy >= h) yy = 2 * h - 2 - yy;
            int xx = Math.abs(x + dx);
            if (xx >= w) xx = 2 * w - 2 - xx;
            acc += g[dy + r] / s * g[dx + r] / s * img[yy * w + xx];
          }
        }
        out[y * w + x] = (float) acc;
      }
    }
    return out;
  }

  @Test
  void gaussianBlurMatchesDirectConvolution() {
    float[] kernel = ImageOps.gaussianKernel(3, 1.0);
    double e = Math.exp(-0.5);
    assertArrayEquals(
        new float[] {
          (float) (e / (1 + 2 * e)), (float) (1 / (1 + 2 * e)), (float) (e / (1 + 2 * e))
        },
        kernel,
        1e-7f);

    int h = 5, w = 7;
    float[] img = new float[2 * h * w];
    for (int i = 0; i < img.length; i++) img[i] = (float) Math.sin(i * 1.7) * 10;
    Tensor y = Transforms.gaussianBlur(5, 1.3).apply(Tensor.of(img, 1, 2, h, w));
    float[] got = y.toFloatArray();
    for (int ch = 0; ch < 2; ch++) {
      float[] plane = Arrays.copyOfRange(img, ch * h * w, (ch + 1) * h * w);
      assertArrayEquals(
          blurReference(plane, h, w, 5, 1.3),
          Arrays.copyOfRange(got, ch * h * w, (ch + 1) * h * w),
          1e-4f);
    }
    float[] flat = new float[16];
    Arrays.fill(flat, 3f);
    assertArrayEquals(
        flat,
        Transforms.gaussianBlur(3, 2.0).apply(Tensor.of(flat, 1, 1, 4, 4)).toFloatArray(),
        1e-6f);
    assertThrows(IllegalArgumentException.class, () -> Transforms.gaussianBlur(4, 1.0));
    assertThrows(IllegalArgumentException.class, () -> Transforms.gaussianBlur(3, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> Transforms.gaussianBlur(9, 1).apply(Tensor.zeros(1, 1, 4, 4)));
  }

  @Test
  void gaussianNoiseHasTheRequestedMomentsAndIsSeeded() {
    int n = 100_000;
    Tensor zeros = Tensor.zeros(n);
    float[] a = Transforms.gaussianNoise(0.5, 4).apply(zeros).toFloatArray();
    assertArrayEquals(a, Transforms.gaussianNoise(0.5, 4).apply(zeros).toFloatArray());
    double mean = 0, sq = 0;
    for (float f : a) mean += f;
    mean /= n;
    for (float f : a) sq += (f - mean) * (f - mean);
    double sd = Math.sqrt(sq / (n - 1));
    // standard error of the mean 0.5/sqrt(n) = 0.0016; of the sd about 0.5/sqrt(2n) = 0.0011; 5 se
    // bounds
    assertEquals(0, mean, 0.008);
    assertEquals(0.5, sd, 0.0056);
    Tensor d = Transforms.gaussianNoise(1, 1).apply(Tensor.zeros(DType.FLOAT64, 3));
    assertEquals(DType.FLOAT64, d.dtype());
    assertThrows(
        IllegalArgumentException.class,
        () -> Transforms.gaussianNoise(1, 1).apply(Tensor.zeros(DType.INT64, 3)));
  }

  @Test
  void uniformNoiseStaysInRangeWithTheRightMean() {
    int n = 100_000;
    float[] a = Transforms.uniformNoise(8).apply(Tensor.full(2.0, n)).toFloatArray();
    double mean = 0;
    for (float f : a) {
      assertTrue(f >= 2f && f < 3f, "value " + f);
      mean += f;
    }
    // U[0,1) has sd 0.2887; standard error 0.0009; 5 se
    assertEquals(2.5, mean / n, 0.0046);
    float[] b = Transforms.uniformNoise(-1, 1, 8).apply(Tensor.zeros(1000)).toFloatArray();
    for (float f : b) assertTrue(f >= -1f && f < 1f);
  }

  @Test
  void occlusionBlanksExactlyOnePatchPerImage() {
    int n = 20, c = 3, h = 8, w = 9, k = 3;
    float[] x = new float[n * c * h * w];
    Arrays.fill(x, 1f);
    float[] y = Transforms.randomOcclusion(k, 0, 6).apply(Tensor.of(x, n, c, h, w)).toFloatArray();
    for (int i = 0; i < n; i++) {
      int zeros = 0;
      int minY = h, maxY = -1, minX = w, maxX = -1;
      for (int ch = 0; ch < c; ch++) {
        for (int yy = 0; yy < h; yy++) {
          for (int xx = 0; xx < w; xx++) {
            if (y[((i * c + ch) * h + yy) * w + xx] == 0f) {
              zeros++;
              minY = Math.min(minY, yy);
              maxY = Math.max(maxY, yy);
              minX = Math.min(minX, xx);
              maxX = Math.max(maxX, xx);
            }
          }
        }
      }
      assertEquals(c * k * k, zeros, "image " + i);
      assertEquals(k - 1, maxY - minY);
      assertEquals(k - 1, maxX - minX);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> Transforms.randomOcclusion(10, 0, 0).apply(Tensor.of(x, n, c, h, w)));
  }

  @Test
  void composeAppliesLeftToRight() {
    Transform add1 = t -> t.add(1);
    Transform times2 = t -> t.mul(2);
    assertArrayEquals(
        new float[] {4},
        Transforms.compose(add1, times2).apply(Tensor.of(new float[] {1}, 1)).toFloatArray());
    assertArrayEquals(
        new float[] {3},
        Transforms.compose(times2, add1).apply(Tensor.of(new float[] {1}, 1)).toFloatArray());
    assertArrayEquals(
        new float[] {4}, add1.andThen(times2).apply(Tensor.of(new float[] {1}, 1)).toFloatArray());
  }

  @Test
  void forEpochGivesEachEpochItsOwnReproducibleStream() {
    Tensor x = Tensor.zeros(4, 1, 3, 3);
    Transform t =
        Transforms.compose(
                Transforms.gaussianNoise(1.0, 5), Transforms.randomHorizontalFlip(0.5, 6))
            .andThen(Transforms.randomOcclusion(2, 9.0, 7));
    // The same epoch always starts the same stream, whatever the original instance has drawn since.
    float[] e1 = t.forEpoch(1).apply(x).toFloatArray();
    t.apply(x);
    assertArrayEquals(e1, t.forEpoch(1).apply(x).toFloatArray());
    assertFalse(Arrays.equals(e1, t.forEpoch(2).apply(x).toFloatArray()));
    // Within an epoch the copy is a continuing stream like the original.
    Transform e = t.forEpoch(3);
    assertFalse(Arrays.equals(e.apply(x).toFloatArray(), e.apply(x).toFloatArray()));
    // Deterministic and custom transforms are their own per-epoch versions.
    Transform n = Transforms.normalize(new double[] {0}, new double[] {1});
    assertSame(n, n.forEpoch(4));
  }

  @Test
  void differentSeedsGiveDifferentNoise() {
    float[] a = Transforms.gaussianNoise(1, 1).apply(Tensor.zeros(10)).toFloatArray();
    float[] b = Transforms.gaussianNoise(1, 2).apply(Tensor.zeros(10)).toFloatArray();
    assertFalse(Arrays.equals(a, b));
  }
}
