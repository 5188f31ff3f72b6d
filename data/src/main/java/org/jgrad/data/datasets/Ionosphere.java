package org.jgrad.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.io.RemoteFile;
import org.jgrad.data.io.TabularData;

/**
 * Johns Hopkins Ionosphere radar returns: 351 examples, 34 numeric features, classes "b" (bad,
 * label 0, 126 rows) and "g" (good, label 1, 225 rows), in the order Weka's ARFF declares them.
 * Read from {@code uci/ionosphere.csv} in the data directory. No official train/test split.
 *
 * <pre>{@code
 * TensorDataset ds = Ionosphere.dataset();     // inputs [351, 34], int64 labels [351]
 * }</pre>
 */
public final class Ionosphere {
  /** Class names in label order. */
  public static final List<String> CLASS_NAMES = List.of("b", "g");

  /** Feature names a01 .. a34 as in the ARFF header. */
  public static final List<String> FEATURE_NAMES = names();

  /** The CSV file; its remote source is UCI's ionosphere.data, whitespace-normalised. */
  public static final RemoteFile FILE =
      RemoteFile.textLines(
          "uci/ionosphere.csv",
          "46d52186b84e20be52918adb93e8fb9926b34795ff7504c24350ae0616a04bbd",
          "https://archive.ics.uci.edu/ml/machine-learning-databases/ionosphere/ionosphere.data");

  private static final Tabular TABLE =
      new Tabular(FILE, CLASS_NAMES, CLASS_NAMES, FEATURE_NAMES, 351);

  private Ionosphere() {}

  private static List<String> names() {
    List<String> n = new ArrayList<>();
    for (int i = 1; i <= 34; i++) n.add(String.format("a%02d", i));
    return List.copyOf(n);
  }

  /** All 351 rows from the data directory (downloading if needed and allowed). */
  public static TabularData load() throws IOException {
    return TABLE.load();
  }

  /** All 351 rows from {@code root}. */
  public static TabularData load(Path root, boolean allowDownload) throws IOException {
    return TABLE.load(root, allowDownload);
  }

  /** All rows as tensors: inputs float32 [351, 34], targets int64 [351]. */
  public static TensorDataset dataset() throws IOException {
    return TABLE.dataset();
  }
}
