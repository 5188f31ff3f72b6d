package org.jgrad.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jgrad.data.ImageDataset;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.ImageData;
import org.jgrad.data.io.RemoteFile;

/**
 * MNIST handwritten digits: 60,000 training and 10,000 test images of 28 x 28, labels 0-9. Read
 * from {@code mnist/} in the data directory ({@link DataDir}) as the four raw IDX files that {@code
 * data/fetch.sh} writes; a missing file is downloaded (gzip from the usual mirrors, stored
 * decompressed, SHA-256 checked).
 *
 * <pre>{@code
 * ImageDataset train = Mnist.train();      // inputs [1, 28, 28] in [0, 1], int64 labels
 * ImageDataset test = Mnist.test();
 * DataLoader loader = new DataLoader(train, 64, true, 42);
 * }</pre>
 */
public final class Mnist {
  private static final String[] MIRRORS = {
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
  };

  /** Class names "0" to "9". */
  public static final List<String> CLASS_NAMES =
      List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  public static final RemoteFile TRAIN_IMAGES =
      file(
          "train-images-idx3-ubyte",
          "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
  public static final RemoteFile TRAIN_LABELS =
      file(
          "train-labels-idx1-ubyte",
          "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
  public static final RemoteFile TEST_IMAGES =
      file(
          "t10k-images-idx3-ubyte",
          "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
  public static final RemoteFile TEST_LABELS =
      file(
          "t10k-labels-idx1-ubyte",
          "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

  private static final ImageSplits SPLITS =
      ImageSplits.idx(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS, CLASS_NAMES);

  private Mnist() {}

  private static RemoteFile file(String name, String sha256) {
    String[] urls = new String[MIRRORS.length];
    for (int i = 0; i < urls.length; i++) urls[i] = MIRRORS[i] + name + ".gz";
    return RemoteFile.gunzip("mnist/" + name, sha256, urls);
  }

  /** The training set (60,000 images). */
  public static ImageDataset train() throws IOException {
    return SPLITS.dataset(true);
  }

  /** The test set (10,000 images). */
  public static ImageDataset test() throws IOException {
    return SPLITS.dataset(false);
  }

  /** The raw training or test bytes from the data directory, downloading if needed and allowed. */
  public static ImageData load(boolean train) throws IOException {
    return SPLITS.load(train);
  }

  /** The raw training or test bytes from {@code root}. */
  public static ImageData load(boolean train, Path root, boolean allowDownload) throws IOException {
    return SPLITS.load(train, root, allowDownload);
  }
}
