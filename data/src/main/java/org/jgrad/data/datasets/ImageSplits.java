package org.jgrad.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jgrad.data.ImageDataset;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.Downloader;
import org.jgrad.data.io.IdxReader;
import org.jgrad.data.io.ImageData;
import org.jgrad.data.io.Progress;
import org.jgrad.data.io.RemoteFile;

/**
 * How a named image data set with a training and a test split reads a split from a data directory;
 * the data directory defaults and the {@link ImageDataset} wrapping that {@link Mnist}, {@link
 * FashionMnist} and {@link Cifar10} share live here once.
 */
@FunctionalInterface
interface ImageSplits {
  /** The raw training or test bytes from {@code root}, downloading missing files if allowed. */
  ImageData load(boolean train, Path root, boolean allowDownload) throws IOException;

  /** The raw training or test bytes from the data directory, downloading if needed and allowed. */
  default ImageData load(boolean train) throws IOException {
    return load(train, DataDir.root(), !DataDir.offline());
  }

  /** The training or test split as a dataset. */
  default ImageDataset dataset(boolean train) throws IOException {
    return new ImageDataset(load(train));
  }

  /** Splits stored as the four IDX files (images and labels of each split) of the MNIST format. */
  static ImageSplits idx(
      RemoteFile trainImages,
      RemoteFile trainLabels,
      RemoteFile testImages,
      RemoteFile testLabels,
      List<String> classNames) {
    return (train, root, allowDownload) -> {
      Progress p = Progress.console();
      Path img = Downloader.ensure(train ? trainImages : testImages, root, p, allowDownload);
      Path lab = Downloader.ensure(train ? trainLabels : testLabels, root, p, allowDownload);
      return IdxReader.readLabeledImages(img, lab, classNames);
    };
  }
}
