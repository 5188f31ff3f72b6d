package org.jgrad.examples.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jgrad.data.datasets.Ionosphere;
import org.jgrad.data.datasets.Iris;
import org.jgrad.data.datasets.PimaDiabetes;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.TabularData;
import org.jgrad.data.synthetic.Synthetic;
import org.jgrad.tensor.Generator;

/**
 * The UCI tables (Iris, Ionosphere, Pima diabetes) for the exercises, read from the data directory
 * without downloading. As with {@link MnistSource}: when a file is missing, a full run stops with
 * the command to run, and a quick run continues on a generated stand-in of the same shape (Gaussian
 * classes) and says so in the report.
 *
 * <pre>{@code
 * TabularSource.Table iris = TabularSource.load(ctx, TabularSource.Name.IRIS);
 * TabularData d = iris.data();    // 150 x 4, three classes (or a stand-in of that shape)
 * }</pre>
 */
public final class TabularSource {
  private TabularSource() {}

  /** The tables this class knows. */
  public enum Name {
    IRIS("Iris", 150, Iris.FEATURE_NAMES, Iris.CLASS_NAMES),
    IONOSPHERE("Ionosphere", 351, Ionosphere.FEATURE_NAMES, Ionosphere.CLASS_NAMES),
    PIMA("Pima Indians diabetes", 768, PimaDiabetes.FEATURE_NAMES, PimaDiabetes.CLASS_NAMES);

    final String title;
    final int rows;
    final List<String> features, classes;

    Name(String title, int rows, List<String> features, List<String> classes) {
      this.title = title;
      this.rows = rows;
      this.features = features;
      this.classes = classes;
    }

    public String title() {
      return title;
    }
  }

  /** The rows and whether they are the real data. */
  public record Table(TabularData data, boolean real, String source) {}

  /** Loads {@code name}, writing one "Data:" line into the report. */
  public static Table load(RunContext ctx, Name name) throws IOException {
    try {
      TabularData d =
          switch (name) {
            case IRIS -> Iris.load(DataDir.root(), false);
            case IONOSPHERE -> Ionosphere.load(DataDir.root(), false);
            case PIMA -> PimaDiabetes.load(DataDir.root(), false);
          };
      ctx.report()
          .paragraph(
              String.format(
                  Locale.ROOT,
                  "Data: %s from %s, %d rows × %d features, classes %s.",
                  name.title,
                  Report.displayPath(DataDir.root()),
                  d.rows(),
                  d.cols(),
                  d.classNames()));
      return new Table(d, true, name.title);
    } catch (IOException e) {
      String msg = e.getMessage() == null ? "missing" : e.getMessage().lines().findFirst().get();
      String hint =
          name.title
              + " not found under "
              + DataDir.root()
              + " ("
              + msg
              + "). Run `data/fetch.sh` to fill the data directory (or set JGRAD_DATA_DIR / -Djgrad.data.dir).";
      if (!ctx.quick()) throw new IOException(hint, e);
      ctx.log("%s; quick mode continues on a generated stand-in", hint);
      ctx.report()
          .paragraph(
              "**Data: generated stand-in for "
                  + name.title
                  + ".** "
                  + Report.portable(hint)
                  + " This quick run used "
                  + name.rows
                  + " rows of Gaussian classes with the same number of features and classes, so its numbers say nothing about "
                  + name.title
                  + " itself.");
      return new Table(standIn(name, ctx.seed()), false, "stand-in for " + name.title);
    }
  }

  /**
   * Gaussian classes of the table's shape: centres two units apart in a few directions, unit noise,
   * so that the classes overlap partly as in the real tables.
   */
  static TabularData standIn(Name name, long seed) {
    int d = name.features.size(), k = name.classes.size();
    Generator g = new Generator(seed + 4242);
    double[][] centres = new double[k][d];
    for (double[] c : centres) for (int j = 0; j < d; j++) c[j] = j < 4 ? 2 * g.nextGaussian() : 0;
    TabularData b = Synthetic.blobs(name.rows, centres, 1.0, seed + 4243);
    return new TabularData(
        b.features(),
        b.rows(),
        b.cols(),
        new ArrayList<>(name.features),
        b.labels(),
        new ArrayList<>(name.classes));
  }
}
