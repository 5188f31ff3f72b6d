package org.jgrad.data.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jgrad.data.io.CsvReader;
import org.jgrad.data.io.CsvTable;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.Downloader;
import org.jgrad.data.io.ImageData;
import org.jgrad.data.io.RemoteFile;
import org.jgrad.data.io.TabularData;
import org.jgrad.data.io.TimeSeries;
import org.junit.jupiter.api.Test;

/**
 * Checks against the real files when data/fetch.sh has filled the data directory; skipped otherwise
 * (tests never need the full data sets). Expected counts are those documented in
 * shared/data/README.md for the official files.
 */
class RealDataTest {
  private static Path root() {
    return DataDir.root();
  }

  private static void assumePresent(RemoteFile... files) {
    for (RemoteFile f : files) {
      assumeTrue(Files.isRegularFile(root().resolve(f.path())), "not fetched: " + f.path());
    }
  }

  @Test
  void mnistMatchesTheOfficialFiles() throws IOException {
    assumePresent(Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, Mnist.TEST_IMAGES, Mnist.TEST_LABELS);
    ImageData train = Mnist.load(true, root(), false);
    ImageData test = Mnist.load(false, root(), false);
    assertEquals(60000, train.size());
    assertEquals(10000, test.size());
    assertArrayEquals(
        new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, java.util.Arrays.copyOf(train.labels(), 10));
    assertArrayEquals(
        new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, java.util.Arrays.copyOf(test.labels(), 10));
    assertArrayEquals(
        new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
        train.classCounts());
    assertArrayEquals(
        new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, test.classCounts());
  }

  @Test
  void fashionMnistIsBalanced() throws IOException {
    assumePresent(
        FashionMnist.TRAIN_IMAGES,
        FashionMnist.TRAIN_LABELS,
        FashionMnist.TEST_IMAGES,
        FashionMnist.TEST_LABELS);
    ImageData train = FashionMnist.load(true, root(), false);
    ImageData test = FashionMnist.load(false, root(), false);
    for (int c : train.classCounts()) assertEquals(6000, c);
    for (int c : test.classCounts()) assertEquals(1000, c);
  }

  @Test
  void storedFilesHaveTheChecksumsTheJavaCodeExpects() throws IOException {
    RemoteFile[] all = {
      Mnist.TRAIN_IMAGES,
      Mnist.TRAIN_LABELS,
      Mnist.TEST_IMAGES,
      Mnist.TEST_LABELS,
      FashionMnist.TRAIN_IMAGES,
      FashionMnist.TRAIN_LABELS,
      FashionMnist.TEST_IMAGES,
      FashionMnist.TEST_LABELS,
      Iris.FILE,
      Ionosphere.FILE,
      PimaDiabetes.FILE,
      Temperature.SEATTLE_FILE,
      Temperature.WEATHER_FILE
    };
    assumePresent(all);
    for (RemoteFile f : all) Downloader.verify(f, root());
  }

  @Test
  void tablesHaveTheDocumentedClassCounts() throws IOException {
    assumePresent(Iris.FILE, Ionosphere.FILE, PimaDiabetes.FILE);
    TabularData iris = Iris.load(root(), false);
    assertArrayEquals(new int[] {50, 50, 50}, iris.classCounts());
    assertEquals(5.1f, iris.feature(0, 0));
    TabularData ion = Ionosphere.load(root(), false);
    assertArrayEquals(new int[] {126, 225}, ion.classCounts());
    TabularData pima = PimaDiabetes.load(root(), false);
    assertArrayEquals(new int[] {500, 268}, pima.classCounts());
    assertEquals(148f, pima.feature(0, 1));
  }

  @Test
  void seattleSeriesAndMonthlyMeansMatchTheFetchedSummary() throws IOException {
    assumePresent(Temperature.SEATTLE_FILE, Temperature.WEATHER_FILE);
    TimeSeries daily = Temperature.seattleDaily(root(), false);
    assertEquals(1461, daily.size());
    assertEquals("2012-01-01", daily.times().get(0));
    assertEquals("2015-12-31", daily.times().get(1460));
    assertEquals(1461, Temperature.daily("New York", root(), false).size());
    TimeSeries monthly = Temperature.monthlyMeans(daily);
    assertEquals(48, monthly.size());
    Path summary = root().resolve("temperature/seattle-monthly-mean.csv");
    assumeTrue(Files.isRegularFile(summary));
    CsvTable t = CsvReader.read(summary, CsvReader.Options.DEFAULT.withHeader(true));
    float[] awk = t.numericColumn("mean_temp_c");
    String[] months = t.column(0);
    for (int i = 0; i < 48; i++) {
      assertEquals(months[i], monthly.times().get(i));
      assertEquals(awk[i], monthly.values()[i], 1e-4, months[i]); // awk printed 4 decimals
    }
  }
}
