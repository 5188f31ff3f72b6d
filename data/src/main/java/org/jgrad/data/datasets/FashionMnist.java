package org.jgrad.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jgrad.data.ImageDataset;
import org.jgrad.data.io.ImageData;
import org.jgrad.data.io.RemoteFile;

/**
 * Fashion-MNIST (Zalando, MIT licence): 60,000 training and 10,000 test 28 x 28 grey images of 10
 * clothing classes. Read from {@code fashion-mnist/*.gz} in the data directory (as {@code
 * data/fetch.sh} writes them); a missing file is downloaded from the project's mirror. The
 * checksums are of the decompressed content, so Debian's recompressed copies are accepted too.
 *
 * <pre>{@code
 * ImageDataset train = FashionMnist.train();
 * String name = train.classNames().get(train.labels()[0]);   // "Ankle boot"
 * }</pre>
 */
public final class FashionMnist {
  private static final String MIRROR =
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

  /** Class names in label order. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  public static final RemoteFile TRAIN_IMAGES =
      file(
          "train-images-idx3-ubyte.gz",
          "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888");
  public static final RemoteFile TRAIN_LABELS =
      file(
          "train-labels-idx1-ubyte.gz",
          "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9");
  public static final RemoteFile TEST_IMAGES =
      file(
          "t10k-images-idx3-ubyte.gz",
          "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b");
  public static final RemoteFile TEST_LABELS =
      file(
          "t10k-labels-idx1-ubyte.gz",
          "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

  private static final ImageSplits SPLITS =
      ImageSplits.idx(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS, CLASS_NAMES);

  private FashionMnist() {}

  private static RemoteFile file(String name, String sha256OfDecompressed) {
    return RemoteFile.store("fashion-mnist/" + name, sha256OfDecompressed, MIRROR + name);
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
