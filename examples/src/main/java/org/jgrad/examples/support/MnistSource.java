package org.jgrad.examples.support;

import java.io.IOException;
import org.jgrad.data.datasets.FashionMnist;
import org.jgrad.data.datasets.Mnist;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.ImageData;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * MNIST (or Fashion-MNIST) for the exercises as tensors: images [N, 1, 28, 28] in [0, 1] and int64
 * labels. Reads the data directory without downloading; when the files are missing, full runs stop
 * with the command to run, and quick runs fall back to generated stand-ins (seven-segment digits,
 * shifted and noisy) and say so in the report.
 *
 * <pre>{@code
 * MnistSource.Split d = MnistSource.load(ctx, 10_000, 2_000);
 * Tensor x = d.trainX();   // [10000, 1, 28, 28]
 * }</pre>
 */
public final class MnistSource {
  private MnistSource() {}

  /** Train and test images and labels, and where they came from. */
  public record Split(
      Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, boolean real, String source) {}

  public static Split load(RunContext ctx, int trainCount, int testCount) throws IOException {
    return load(ctx, trainCount, testCount, false);
  }

  public static Split load(RunContext ctx, int trainCount, int testCount, boolean fashion)
      throws IOException {
    String name = fashion ? "Fashion-MNIST" : "MNIST";
    try {
      ImageData train =
          fashion
              ? FashionMnist.load(true, DataDir.root(), false)
              : Mnist.load(true, DataDir.root(), false);
      ImageData test =
          fashion
              ? FashionMnist.load(false, DataDir.root(), false)
              : Mnist.load(false, DataDir.root(), false);
      Tensor[] tr = tensors(train, Math.min(trainCount, train.size()));
      Tensor[] te = tensors(test, Math.min(testCount, test.size()));
      ctx.report()
          .paragraph(
              String.format(
                  java.util.Locale.ROOT,
                  "Data: %s from %s, first %d training and %d test images.",
                  name,
                  Report.displayPath(DataDir.root()),
                  tr[0].size(0),
                  te[0].size(0)));
      return new Split(tr[0], tr[1], te[0], te[1], true, name);
    } catch (IOException e) {
      String hint =
          name
              + " not found under "
              + DataDir.root()
              + " ("
              + firstLine(e.getMessage())
              + "). Run `data/fetch.sh` "
              + "to fill the data directory (or set JGRAD_DATA_DIR / -Djgrad.data.dir to a folder holding the files).";
      if (!ctx.quick()) throw new IOException(hint, e);
      ctx.log("%s; quick mode continues on generated stand-in digits", hint);
      ctx.report()
          .paragraph(
              "**Data: generated stand-ins.** "
                  + hint
                  + " This quick run used "
                  + trainCount
                  + " + "
                  + testCount
                  + " synthetic seven-segment digits instead, so its figures say nothing about MNIST itself.");
      Generator g = new Generator(ctx.seed() + 99);
      Tensor[] tr = standIns(trainCount, g);
      Tensor[] te = standIns(testCount, g);
      return new Split(tr[0], tr[1], te[0], te[1], false, "stand-in digits");
    }
  }

  private static String firstLine(String s) {
    if (s == null) return "missing";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static Tensor[] tensors(ImageData d, int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    float[] pixels = new float[n * d.imageSize()];
    d.toUnitFloats(idx, pixels, 0);
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) labels[i] = d.labels()[i];
    return new Tensor[] {
      Tensor.of(pixels, n, d.channels(), d.height(), d.width()), Tensor.ofLongs(labels, n)
    };
  }

  // Segments a..g of a seven-segment display: which ones each digit lights.
  private static final String[] SEGMENTS = {
    "abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abfgcd"
  };

  /** Generated seven-segment digits: random thickness and shift, plus noise. */
  static Tensor[] standIns(int n, Generator g) {
    float[] px = new float[n * 784];
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      int digit = g.nextInt(10);
      labels[i] = digit;
      int dx = g.nextInt(5) - 2, dy = g.nextInt(5) - 2, t = 2 + g.nextInt(2);
      for (char s : SEGMENTS[digit].toCharArray()) {
        int x0, x1, y0, y1;
        switch (s) {
          case 'a' -> {
            x0 = 9;
            x1 = 19;
            y0 = 5;
            y1 = 5 + t;
          }
          case 'b' -> {
            x0 = 19 - t;
            x1 = 19;
            y0 = 5;
            y1 = 14;
          }
          case 'c' -> {
            x0 = 19 - t;
            x1 = 19;
            y0 = 14;
            y1 = 23;
          }
          case 'd' -> {
            x0 = 9;
            x1 = 19;
            y0 = 23 - t;
            y1 = 23;
          }
          case 'e' -> {
            x0 = 9;
            x1 = 9 + t;
            y0 = 14;
            y1 = 23;
          }
          case 'f' -> {
            x0 = 9;
            x1 = 9 + t;
            y0 = 5;
            y1 = 14;
          }
          default -> {
            x0 = 9;
            x1 = 19;
            y0 = 13;
            y1 = 13 + t;
          }
        }
        for (int y = y0; y < y1; y++) {
          for (int x = x0; x < x1; x++) {
            int yy = y + dy, xx = x + dx;
            if (yy >= 0 && yy < 28 && xx >= 0 && xx < 28) px[i * 784 + yy * 28 + xx] = 1f;
          }
        }
      }
      for (int k = 0; k < 784; k++) {
        float v =
            px[i * 784 + k] * (0.8f + 0.2f * (float) g.nextDouble())
                + 0.05f * (float) Math.abs(g.nextGaussian());
        px[i * 784 + k] = Math.min(1f, v);
      }
    }
    return new Tensor[] {Tensor.of(px, n, 1, 28, 28), Tensor.ofLongs(labels, n)};
  }
}
