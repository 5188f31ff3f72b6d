package org.jgrad.examples.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jgrad.data.datasets.Cifar10;
import org.jgrad.data.datasets.FashionMnist;
import org.jgrad.data.io.Cifar10Reader;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.ImageData;
import org.jgrad.data.transforms.ImageOps;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * The 32×32 image data of the CIFAR-10 exercises. Quick mode writes generated images in the
 * CIFAR-10 binary format and reads them back through {@link Cifar10}, so the reader is the one real
 * data go through. Full mode reads a user-supplied CIFAR-10 ({@code cifar-10-batches-bin/} in the
 * directory named by the system property {@value #DIR_PROPERTY}, else in the data directory); where
 * there is none it uses Fashion-MNIST, padded from 28×28 to 32×32 with zeros, as the stated
 * substitute.
 *
 * <pre>{@code
 * CifarSource.Split d = CifarSource.load(ctx, 5000, 1000, -1);  // all classes
 * CifarSource.Split ships = CifarSource.load(ctx, 5000, 1000, CifarSource.SHIP);
 * }</pre>
 */
public final class CifarSource {
  /** A folder that holds {@code cifar-10-batches-bin/} (overrides the data directory). */
  public static final String DIR_PROPERTY = "jgrad.cifar10.dir";

  /** CIFAR-10's "ship" class; Fashion-MNIST's class 8 is "Bag". */
  public static final int SHIP = 8;

  private CifarSource() {}

  /**
   * Images [N, C, 32, 32] in [0, 1] and labels; {@code kind} is "CIFAR-10", "Fashion-MNIST
   * (substitute)" or "generated CIFAR-format".
   */
  public record Split(
      Tensor trainX,
      Tensor trainY,
      Tensor testX,
      Tensor testY,
      int channels,
      List<String> classNames,
      String kind) {
    public boolean realCifar() {
      return kind.equals("CIFAR-10");
    }
  }

  /** The folder holding {@code cifar-10-batches-bin/} with all six batch files, if any. */
  public static Path userCifarRoot() {
    String p = System.getProperty(DIR_PROPERTY);
    Path root = p != null && !p.isBlank() ? Path.of(p) : DataDir.root();
    Path dir = root.resolve(Cifar10.DIR);
    for (String f :
        List.of(
            "data_batch_1.bin",
            "data_batch_2.bin",
            "data_batch_3.bin",
            "data_batch_4.bin",
            "data_batch_5.bin",
            "test_batch.bin")) {
      if (!Files.isRegularFile(dir.resolve(f))) return null;
    }
    return root;
  }

  /**
   * Up to {@code trainCount} training and {@code testCount} test images, of class {@code onlyClass}
   * only when it is >= 0, with a sentence on the data in the report.
   */
  public static Split load(RunContext ctx, int trainCount, int testCount, int onlyClass)
      throws IOException {
    ImageData train, test;
    String kind;
    String where;
    if (ctx.quick()) {
      Path root = ctx.file("generated-cifar");
      int classes = Cifar10Reader.CLASS_NAMES.size();
      int trainPer = onlyClass >= 0 ? trainCount : (trainCount + classes - 1) / classes;
      int testPer = onlyClass >= 0 ? testCount : (testCount + classes - 1) / classes;
      writeGenerated(root.resolve(Cifar10.DIR), trainPer, testPer, ctx.seed() + 17);
      train = Cifar10.load(true, root, false);
      test = Cifar10.load(false, root, false);
      kind = "generated CIFAR-format";
      where =
          "generated images written in the CIFAR-10 binary format (`generated-cifar/`) and read back "
              + "with `Cifar10.load`: each class a colour and a shape on a noisy background, so these "
              + "numbers say nothing about CIFAR-10 itself";
    } else {
      Path root = userCifarRoot();
      if (root != null) {
        train = Cifar10.load(true, root, false);
        test = Cifar10.load(false, root, false);
        kind = "CIFAR-10";
        where = "CIFAR-10 from " + Report.displayPath(root.resolve(Cifar10.DIR));
      } else {
        train = FashionMnist.load(true, DataDir.root(), false);
        test = FashionMnist.load(false, DataDir.root(), false);
        kind = "Fashion-MNIST (substitute)";
        where =
            "**Fashion-MNIST as the substitute for CIFAR-10**, which is not on this machine (no "
                + "`cifar-10-batches-bin/` under "
                + Report.displayPath(DataDir.root())
                + " or -D"
                + DIR_PROPERTY
                + "): 28×28 grayscale images padded with zeros to 32×32, from "
                + Report.displayPath(DataDir.root());
      }
    }
    Tensor[] tr = tensors(train, trainCount, onlyClass);
    Tensor[] te = tensors(test, testCount, onlyClass);
    String cls =
        onlyClass >= 0
            ? ", class " + onlyClass + " (" + train.classNames().get(onlyClass) + ") only"
            : "";
    ctx.report()
        .paragraph(
            String.format(
                Locale.ROOT,
                "Data: %s%s; %d training and %d test images.",
                where,
                cls,
                tr[0].size(0),
                te[0].size(0)));
    return new Split(tr[0], tr[1], te[0], te[1], tr[0].size(1), train.classNames(), kind);
  }

  /** The first {@code n} images (of one class if {@code onlyClass >= 0}), padded to 32×32. */
  static Tensor[] tensors(ImageData d, int n, int onlyClass) {
    List<Integer> picked = new ArrayList<>();
    for (int i = 0; i < d.size() && picked.size() < n; i++)
      if (onlyClass < 0 || d.labels()[i] == onlyClass) picked.add(i);
    int m = picked.size();
    if (m == 0)
      throw new IllegalArgumentException(
          "CifarSource: no images of class " + onlyClass + " in " + d);
    int[] idx = picked.stream().mapToInt(Integer::intValue).toArray();
    float[] px = new float[m * d.imageSize()];
    d.toUnitFloats(idx, px, 0);
    int c = d.channels();
    if (d.height() != 32 || d.width() != 32) {
      int pad = (32 - d.height()) / 2;
      if (pad < 0 || d.height() + 2 * pad != 32 || d.width() != d.height())
        throw new IllegalArgumentException(
            "CifarSource: cannot pad images " + d.height() + "x" + d.width() + " to 32x32");
      px = ImageOps.crop(px, m, c, d.height(), d.width(), pad, 0f, 32, 32, new int[m], new int[m]);
    }
    long[] labels = new long[m];
    for (int i = 0; i < m; i++) labels[i] = d.labels()[idx[i]];
    return new Tensor[] {Tensor.of(px, m, c, 32, 32), Tensor.ofLongs(labels, m)};
  }

  /**
   * Writes {@code data_batch_1.bin} … {@code data_batch_5.bin} and {@code test_batch.bin} into
   * {@code dir}: {@code trainPerClass} images of every class spread over the five training batches
   * and {@code testPerClass} per class in the test batch. Class k is a filled square of colour k
   * (random position and size) on a background of colour (k + 5) mod 10, plus noise.
   */
  public static void writeGenerated(Path dir, int trainPerClass, int testPerClass, long seed)
      throws IOException {
    Files.createDirectories(dir);
    Generator g = new Generator(seed);
    int classes = Cifar10Reader.CLASS_NAMES.size();
    int total = trainPerClass * classes;
    byte[][] batches = new byte[5][];
    int per = (total + 4) / 5;
    for (int b = 0; b < 5; b++) {
      int from = b * per, to = Math.min(total, from + per);
      batches[b] = records(Math.max(0, to - from), from, classes, g);
    }
    for (int b = 0; b < 5; b++) {
      if (batches[b].length == 0) batches[b] = records(1, 0, classes, g); // never an empty file
      Files.write(dir.resolve("data_batch_" + (b + 1) + ".bin"), batches[b]);
    }
    Files.write(dir.resolve("test_batch.bin"), records(testPerClass * classes, 0, classes, g));
  }

  private static final int[][] PALETTE = {
    {230, 40, 40}, {40, 200, 40}, {40, 60, 230}, {230, 220, 40}, {220, 40, 220},
    {40, 220, 220}, {250, 140, 20}, {130, 70, 20}, {150, 150, 150}, {20, 20, 20}
  };

  private static byte[] records(int n, int start, int classes, Generator g) {
    byte[] out = new byte[n * Cifar10Reader.RECORD_SIZE];
    for (int i = 0; i < n; i++) {
      int k = (start + i) % classes;
      int o = i * Cifar10Reader.RECORD_SIZE;
      out[o] = (byte) k;
      int size = 8 + g.nextInt(12), top = g.nextInt(33 - size), left = g.nextInt(33 - size);
      int[] fg = PALETTE[k], bg = PALETTE[(k + 5) % classes];
      for (int ch = 0; ch < 3; ch++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            boolean in = y >= top && y < top + size && x >= left && x < left + size;
            double v = (in ? fg[ch] : bg[ch]) + 40 * g.nextGaussian();
            out[o + 1 + ch * 1024 + y * 32 + x] = (byte) Math.max(0, Math.min(255, (int) v));
          }
        }
      }
    }
    return out;
  }
}
