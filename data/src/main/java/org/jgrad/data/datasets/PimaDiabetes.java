package org.jgrad.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.io.RemoteFile;
import org.jgrad.data.io.TabularData;

/**
 * Pima Indians Diabetes: 768 women, 8 measurements, label 1 = tested positive (268) and 0 = tested
 * negative (500). Zeros in plas, pres, skin, insu and mass stand for missing values, as in the
 * usual copy. Read from {@code uci/pima-indians-diabetes-01.csv} in the data directory. No official
 * train/test split.
 *
 * <pre>{@code
 * TensorDataset ds = PimaDiabetes.dataset();   // inputs [768, 8], int64 labels [768]
 * }</pre>
 */
public final class PimaDiabetes {
  /** Class names in label order. */
  public static final List<String> CLASS_NAMES = List.of("tested_negative", "tested_positive");

  /** Feature names as in Weka's ARFF header. */
  public static final List<String> FEATURE_NAMES =
      List.of("preg", "plas", "pres", "skin", "insu", "mass", "pedi", "age");

  /** The CSV file with a 0/1 label; its remote source is the widely used copy of the UCI file. */
  public static final RemoteFile FILE =
      RemoteFile.textLines(
          "uci/pima-indians-diabetes-01.csv",
          "33e704cdafa8769a75728e4658dcce5bc1da1ce36174603687fe545f46e39394",
          "https://raw.githubusercontent.com/jbrownlee/Datasets/master/pima-indians-diabetes.data.csv");

  private static final Tabular TABLE =
      new Tabular(FILE, List.of("0", "1"), CLASS_NAMES, FEATURE_NAMES, 768);

  private PimaDiabetes() {}

  /** All 768 rows from the data directory (downloading if needed and allowed). */
  public static TabularData load() throws IOException {
    return TABLE.load();
  }

  /** All 768 rows from {@code root}. */
  public static TabularData load(Path root, boolean allowDownload) throws IOException {
    return TABLE.load(root, allowDownload);
  }

  /** All rows as tensors: inputs float32 [768, 8], targets int64 [768]. */
  public static TensorDataset dataset() throws IOException {
    return TABLE.dataset();
  }
}
