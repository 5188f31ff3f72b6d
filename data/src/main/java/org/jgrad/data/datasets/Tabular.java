package org.jgrad.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.io.CsvReader;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.Downloader;
import org.jgrad.data.io.Progress;
import org.jgrad.data.io.RemoteFile;
import org.jgrad.data.io.TabularData;

/**
 * One header-less UCI CSV file with its label in the last column: the loading, checking and data
 * directory defaults that {@link Iris}, {@link Ionosphere} and {@link PimaDiabetes} share.
 *
 * @param labelValues the label column's values in class order
 * @param expectedRows the row count the file must have, or 0 for any
 */
record Tabular(
    RemoteFile file,
    List<String> labelValues,
    List<String> classNames,
    List<String> featureNames,
    int expectedRows) {
  /** All rows from the data directory (downloading if needed and allowed). */
  TabularData load() throws IOException {
    return load(DataDir.root(), !DataDir.offline());
  }

  /** All rows as tensors: float32 inputs, int64 targets. */
  TensorDataset dataset() throws IOException {
    return TensorDataset.of(load());
  }

  /** All rows from {@code root}, checked against the expected columns and rows. */
  TabularData load(Path root, boolean allowDownload) throws IOException {
    Path p = Downloader.ensure(file, root, Progress.console(), allowDownload);
    TabularData d = CsvReader.read(p, CsvReader.Options.DEFAULT).toLabeled(-1, labelValues);
    if (d.cols() != featureNames.size()) {
      throw new IOException(
          "data file "
              + p
              + ": "
              + d.cols()
              + " feature columns, expected "
              + featureNames.size()
              + "; the file is not the expected data set (delete it and run data/fetch.sh)");
    }
    if (expectedRows > 0 && d.rows() != expectedRows) {
      throw new IOException(
          "data file "
              + p
              + ": "
              + d.rows()
              + " rows, expected "
              + expectedRows
              + "; the file is truncated or not the expected data set (delete it and run data/fetch.sh)");
    }
    return new TabularData(d.features(), d.rows(), d.cols(), featureNames, d.labels(), classNames);
  }
}
