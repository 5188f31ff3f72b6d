package org.jgrad.benchmarks;

import java.util.SplittableRandom;
import org.jgrad.tensor.Tensor;

/**
 * Random inputs of the benchmarks' real shapes. Values come from a seeded {@link SplittableRandom}
 * (fast, reproducible); the library's own {@code Tensor.rand} would also do, but filling 47 million
 * floats through it takes longer than the epoch it feeds.
 *
 * <pre>{@code
 * Tensor images = Data.uniform(1, 60_000, 784);   // MNIST-shaped pixels in [0, 1)
 * Tensor labels = Data.labels(2, 60_000, 10);     // int64 class indices
 * }</pre>
 */
public final class Data {
  /** MNIST's training-set size, the length of one benchmark epoch. */
  public static final int MNIST_TRAIN = 60_000;

  /** Pixels per MNIST image (28 x 28). */
  public static final int MNIST_PIXELS = 784;

  private Data() {}

  /**
   * Uniform [0, 1) float32 tensor, filled a slab at a time so the copy into the tensor never
   * doubles the peak.
   */
  public static Tensor uniform(long seed, int... shape) {
    return fill(seed, false, shape);
  }

  /** Standard normal float32 tensor (same filling as {@link #uniform}). */
  public static Tensor normal(long seed, int... shape) {
    return fill(seed, true, shape);
  }

  private static Tensor fill(long seed, boolean gaussian, int... shape) {
    long numel = 1;
    for (int d : shape) {
      if (d < 0)
        throw new IllegalArgumentException(
            "Data: negative size in shape " + java.util.Arrays.toString(shape));
      numel *= d;
    }
    if (numel > Integer.MAX_VALUE)
      throw new IllegalArgumentException(
          "Data: shape " + java.util.Arrays.toString(shape) + " is too large");
    SplittableRandom rnd = new SplittableRandom(seed);
    if (numel <= (1 << 22) || shape.length == 0) {
      float[] v = new float[(int) numel];
      for (int i = 0; i < v.length; i++) v[i] = next(rnd, gaussian);
      return Tensor.of(v, shape);
    }
    int rows = shape[0];
    int rowLen = (int) (numel / Math.max(1, rows));
    Tensor out = Tensor.zeros(shape);
    Tensor flat = out.reshape(rows, rowLen);
    int slab = Math.max(1, (1 << 20) / Math.max(1, rowLen));
    for (int r = 0; r < rows; r += slab) {
      int n = Math.min(slab, rows - r);
      float[] v = new float[n * rowLen];
      for (int i = 0; i < v.length; i++) v[i] = next(rnd, gaussian);
      flat.narrow(0, r, n).copyFrom(Tensor.of(v, n, rowLen));
    }
    return out;
  }

  private static float next(SplittableRandom rnd, boolean gaussian) {
    if (!gaussian) return (float) rnd.nextDouble();
    // Box–Muller; one of the pair is dropped, which is fine for benchmark inputs.
    double u1 = 1.0 - rnd.nextDouble(), u2 = rnd.nextDouble();
    return (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  }

  /** {@code n} int64 labels uniform in {@code [0, classes)}. */
  public static Tensor labels(long seed, int n, int classes) {
    if (n < 0 || classes < 1)
      throw new IllegalArgumentException(
          "Data.labels: need n >= 0 and classes >= 1, got " + n + ", " + classes);
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] v = new long[n];
    for (int i = 0; i < n; i++) v[i] = rnd.nextInt(classes);
    return Tensor.ofLongs(v, n);
  }

  /**
   * The MNIST training set from {@code dir} (the IDX files {@code train-images-idx3-ubyte} and
   * {@code train-labels-idx1-ubyte}, as {@code ~/.jgrad/data/mnist} holds them), or null when they
   * are not there: images {@code [60000, 784]} float32 in [0, 1] and int64 labels. The pixels are
   * streamed a slab at a time into the one float tensor, so the data set is held once.
   */
  public static Tensor[] mnistTrain(java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Path img = dir.resolve("train-images-idx3-ubyte");
    java.nio.file.Path lab = dir.resolve("train-labels-idx1-ubyte");
    if (!java.nio.file.Files.isReadable(img) || !java.nio.file.Files.isReadable(lab)) return null;
    try (var in =
        new java.io.DataInputStream(
            new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(img), 1 << 16))) {
      int magic = in.readInt(), n = in.readInt(), rows = in.readInt(), cols = in.readInt();
      if (magic != 0x803 || rows * cols != MNIST_PIXELS) {
        throw new java.io.IOException(
            img
                + ": not an MNIST image file (magic "
                + Integer.toHexString(magic)
                + ", "
                + rows
                + "x"
                + cols
                + ", expected 803 and 28x28)");
      }
      Tensor images = Tensor.zeros(n, MNIST_PIXELS);
      byte[] buf = new byte[1024 * MNIST_PIXELS];
      for (int r = 0; r < n; r += 1024) {
        int k = Math.min(1024, n - r);
        in.readFully(buf, 0, k * MNIST_PIXELS);
        float[] v = new float[k * MNIST_PIXELS];
        for (int i = 0; i < v.length; i++) v[i] = (buf[i] & 0xff) / 255f;
        images.narrow(0, r, k).copyFrom(Tensor.of(v, k, MNIST_PIXELS));
      }
      byte[] lb = java.nio.file.Files.readAllBytes(lab);
      long[] labels = new long[n];
      for (int i = 0; i < n; i++) labels[i] = lb[8 + i] & 0xff;
      return new Tensor[] {images, Tensor.ofLongs(labels, n)};
    }
  }
}
