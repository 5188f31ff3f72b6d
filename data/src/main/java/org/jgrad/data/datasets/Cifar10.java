package org.jgrad.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jgrad.data.ImageDataset;
import org.jgrad.data.io.Cifar10Reader;
import org.jgrad.data.io.Downloader;
import org.jgrad.data.io.ImageData;
import org.jgrad.data.io.Progress;
import org.jgrad.data.io.RemoteFile;

/**
 * CIFAR-10: 50,000 training and 10,000 test colour images of 32 x 32 in 10 classes. Read from
 * {@code cifar-10-batches-bin/} in the data directory (the binary version: {@code data_batch_1.bin}
 * ... {@code data_batch_5.bin}, {@code test_batch.bin}); if it is missing, the official {@code
 * cifar-10-binary.tar.gz} is downloaded, checked (SHA-256) and unpacked. No registry package
 * carries CIFAR-10, so on machines without web access put the directory there yourself.
 *
 * <pre>{@code
 * ImageDataset train = Cifar10.train();    // inputs [3, 32, 32] in [0, 1]
 * }</pre>
 */
public final class Cifar10 {
  /** Directory under the data directory. */
  public static final String DIR = "cifar-10-batches-bin";

  /** The official binary archive (SHA-256 of the .tar.gz). */
  public static final RemoteFile ARCHIVE =
      new RemoteFile(
          DIR,
          "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
          RemoteFile.Kind.TAR_GZ,
          List.of(java.net.URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")),
          members());

  private static final ImageSplits SPLITS = Cifar10::load;

  private Cifar10() {}

  private static List<String> members() {
    List<String> m = new ArrayList<>();
    for (int i = 1; i <= 5; i++) m.add(DIR + "/data_batch_" + i + ".bin");
    m.add(DIR + "/test_batch.bin");
    return m;
  }

  /** The training set (data batches 1-5). */
  public static ImageDataset train() throws IOException {
    return SPLITS.dataset(true);
  }

  /** The test set. */
  public static ImageDataset test() throws IOException {
    return SPLITS.dataset(false);
  }

  /** The raw training or test bytes from the data directory, downloading if needed and allowed. */
  public static ImageData load(boolean train) throws IOException {
    return SPLITS.load(train);
  }

  /** The raw training or test bytes from {@code root}. */
  public static ImageData load(boolean train, Path root, boolean allowDownload) throws IOException {
    Downloader.ensure(ARCHIVE, root, Progress.console(), allowDownload);
    Path dir = root.resolve(DIR);
    List<Path> files = new ArrayList<>();
    if (train) {
      for (int i = 1; i <= 5; i++) files.add(dir.resolve("data_batch_" + i + ".bin"));
    } else {
      files.add(dir.resolve("test_batch.bin"));
    }
    return Cifar10Reader.read(files);
  }
}
