package org.jgrad.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.io.RemoteFile;
import org.jgrad.data.io.TabularData;

/**
 * Fisher's Iris, UCI version: 150 flowers, 4 measurements (cm), 3 species (50 each). Read from
 * {@code uci/iris.csv} in the data directory (header-less CSV, as {@code data/fetch.sh} writes it
 * from Weka's {@code iris.arff}); UCI's copy has two rows that differ from Fisher's paper (35 and
 * 38), as every UCI-derived copy does. There is no official train/test split: use {@link
 * org.jgrad.data.Splits}.
 *
 * <pre>{@code
 * TabularData iris = Iris.load();
 * TensorDataset ds = Iris.dataset();                    // inputs [150, 4], int64 labels [150]
 * var folds = Splits.stratifiedKFold(iris.labels(), 5, true, 42);
 * }</pre>
 */
public final class Iris {
  /** Species in label order. */
  public static final List<String> CLASS_NAMES =
      List.of("Iris-setosa", "Iris-versicolor", "Iris-virginica");

  /** Feature names as in the ARFF header. */
  public static final List<String> FEATURE_NAMES =
      List.of("sepallength", "sepalwidth", "petallength", "petalwidth");

  /** The CSV file; its remote source is UCI's iris.data, whitespace-normalised. */
  public static final RemoteFile FILE =
      RemoteFile.textLines(
          "uci/iris.csv",
          "596ffd580471ca4d4880f8e439c7281f3b50d8249a5960353cb200b1490f63a0",
          "https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data");

  private static final Tabular TABLE =
      new Tabular(FILE, CLASS_NAMES, CLASS_NAMES, FEATURE_NAMES, 150);

  private Iris() {}

  /** All 150 rows from the data directory (downloading if needed and allowed). */
  public static TabularData load() throws IOException {
    return TABLE.load();
  }

  /** All 150 rows from {@code root}. */
  public static TabularData load(Path root, boolean allowDownload) throws IOException {
    return TABLE.load(root, allowDownload);
  }

  /** All rows as tensors: inputs float32 [150, 4], targets int64 [150]. */
  public static TensorDataset dataset() throws IOException {
    return TABLE.dataset();
  }
}
