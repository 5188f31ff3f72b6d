package org.jgrad.data.datasets;

import static org.jgrad.data.io.IdxFiles.gzip;
import static org.jgrad.data.io.IdxFiles.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jgrad.backend.DType;
import org.jgrad.data.Batch;
import org.jgrad.data.Example;
import org.jgrad.data.ImageDataset;
import org.jgrad.data.io.ImageData;
import org.jgrad.data.io.TabularData;
import org.jgrad.data.io.TimeSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The named data sets read the exact file names fetch.sh writes; here from small generated files.
 */
class NamedDatasetsTest {
  @TempDir Path root;

  private void writeMnistStyle(String dir, String suffix, boolean gz, int n) throws IOException {
    Files.createDirectories(root.resolve(dir));
    byte[] px = new byte[n * 28 * 28];
    for (int i = 0; i < px.length; i++) px[i] = (byte) (i % 256);
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
    byte[] img = idx(0x08, new int[] {n, 28, 28}, px);
    byte[] lab = idx(0x08, new int[] {n}, labels);
    Files.write(root.resolve(dir + "/t10k-images-idx3-ubyte" + suffix), gz ? gzip(img) : img);
    Files.write(root.resolve(dir + "/t10k-labels-idx1-ubyte" + suffix), gz ? gzip(lab) : lab);
  }

  @Test
  void mnistReadsRawIdxFromTheMnistDirectory() throws IOException {
    writeMnistStyle("mnist", "", false, 12);
    ImageData d = Mnist.load(false, root, false);
    assertEquals(12, d.size());
    assertEquals(11 % 10, d.labels()[11]);
    ImageDataset ds = new ImageDataset(d);
    Example e = ds.get(1);
    assertArrayEquals(new int[] {1, 28, 28}, e.input().shape());
    assertEquals(1.0, e.target().item());
    assertEquals(DType.INT64, e.target().dtype());
    // pixel (row 0, col 5) of image 1 is byte (784 + 5) % 256 = 21
    assertEquals(21 / 255.0, e.input().get(0, 0, 5), 1e-6);
    Batch b = ds.batch(new int[] {3, 0});
    assertArrayEquals(new int[] {2, 1, 28, 28}, b.inputs().shape());
    assertArrayEquals(new long[] {3, 0}, b.targets().toLongArray());
    assertArrayEquals(new int[] {12, 1, 28, 28}, ds.inputs().shape());
  }

  @Test
  void missingMnistSaysWhereAndWhatToDo() {
    IOException e = assertThrows(IOException.class, () -> Mnist.load(true, root, false));
    String m = e.getMessage();
    assertTrue(
        m.contains("mnist/train-images-idx3-ubyte")
            && m.contains(Mnist.TRAIN_IMAGES.sha256())
            && m.contains("data/fetch.sh")
            && m.contains(root.toString()),
        m);
  }

  @Test
  void fashionMnistReadsGzipFiles() throws IOException {
    writeMnistStyle("fashion-mnist", ".gz", true, 7);
    ImageData d = FashionMnist.load(false, root, false);
    assertEquals(7, d.size());
    assertEquals("Ankle boot", d.classNames().get(9));
  }

  @Test
  void cifarReadsTheBatchesDirectory() throws IOException {
    Path dir = Files.createDirectories(root.resolve("cifar-10-batches-bin"));
    for (String f :
        new String[] {
          "data_batch_1.bin",
          "data_batch_2.bin",
          "data_batch_3.bin",
          "data_batch_4.bin",
          "data_batch_5.bin",
          "test_batch.bin"
        }) {
      byte[] rec = new byte[2 * 3073];
      rec[0] = (byte) (f.length() % 10);
      rec[3073] = 9;
      rec[3073 + 1 + 1024] = (byte) 255; // second record, green plane, first pixel
      Files.write(dir.resolve(f), rec);
    }
    ImageData train = Cifar10.load(true, root, false);
    assertEquals(10, train.size());
    ImageData test = Cifar10.load(false, root, false);
    assertArrayEquals(new int[] {"test_batch.bin".length() % 10, 9}, test.labels());
    Example e = new ImageDataset(test).get(1);
    assertArrayEquals(new int[] {3, 32, 32}, e.input().shape());
    assertEquals(1.0, e.input().get(1, 0, 0), 1e-7);
    assertEquals(0.0, e.input().get(0, 0, 0), 1e-7);
  }

  private static String rows(int n, int features, String[] classes) {
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < features; c++) sb.append(r + c / 10.0).append(',');
      sb.append(classes[r % classes.length]).append('\n');
    }
    return sb.toString();
  }

  @Test
  void tabularSetsReadTheirCsvWithFixedClassOrder() throws IOException {
    Files.createDirectories(root.resolve("uci"));
    Files.writeString(
        root.resolve("uci/iris.csv"),
        rows(150, 4, new String[] {"Iris-virginica", "Iris-setosa", "Iris-versicolor"}));
    TabularData iris = Iris.load(root, false);
    assertArrayEquals(new int[] {2, 0, 1}, java.util.Arrays.copyOf(iris.labels(), 3));
    assertEquals("petalwidth", iris.featureNames().get(3));
    assertEquals(1.3f, iris.feature(1, 3), 1e-6f);

    Files.writeString(root.resolve("uci/ionosphere.csv"), rows(351, 34, new String[] {"g", "b"}));
    TabularData ion = Ionosphere.load(root, false);
    assertArrayEquals(new int[] {176, 175}, new int[] {ion.classCounts()[1], ion.classCounts()[0]});

    Files.writeString(
        root.resolve("uci/pima-indians-diabetes-01.csv"),
        rows(768, 8, new String[] {"1", "0", "0"}));
    TabularData pima = PimaDiabetes.load(root, false);
    assertEquals("tested_positive", pima.classNames().get(pima.labels()[0]));
    assertArrayEquals(new int[] {512, 256}, pima.classCounts());
  }

  @Test
  void wrongRowOrColumnCountsAreRefused() throws IOException {
    Files.createDirectories(root.resolve("uci"));
    Files.writeString(root.resolve("uci/iris.csv"), rows(149, 4, new String[] {"Iris-setosa"}));
    IOException e = assertThrows(IOException.class, () -> Iris.load(root, false));
    assertTrue(
        e.getMessage().contains("149 rows, expected 150") && e.getMessage().contains("iris.csv"),
        e.getMessage());
    Files.writeString(root.resolve("uci/iris.csv"), rows(150, 3, new String[] {"Iris-setosa"}));
    e = assertThrows(IOException.class, () -> Iris.load(root, false));
    assertTrue(e.getMessage().contains("3 feature columns, expected 4"), e.getMessage());
    Files.writeString(
        root.resolve("uci/iris.csv"), rows(150, 4, new String[] {"Iris-setosa", "Iris-daisy"}));
    e = assertThrows(IOException.class, () -> Iris.load(root, false));
    assertTrue(e.getMessage().contains("'Iris-daisy'"), e.getMessage());
  }

  @Test
  void temperatureSeriesFromTheVegaCsvLayout() throws IOException {
    Files.createDirectories(root.resolve("temperature"));
    Files.writeString(
        root.resolve("temperature/seattle-weather.csv"),
        "date,precipitation,temp_max,temp_min,wind,weather\n2012-01-01,0.0,12.8,5.0,4.7,drizzle\n"
            + "2012-01-02,10.9,10.6,2.8,4.5,rain\n2012-02-01,0,1,3,0,sun\n");
    TimeSeries s = Temperature.seattleDaily(root, false);
    assertArrayEquals(new float[] {8.9f, 6.7f, 2f}, s.values(), 1e-6f);
    assertEquals("2012-01-02", s.times().get(1));
    TimeSeries m = Temperature.monthlyMeans(s);
    assertEquals(java.util.List.of("2012-01", "2012-02"), m.times());
    assertArrayEquals(new float[] {7.8f, 2f}, m.values(), 1e-6f);

    Files.writeString(
        root.resolve("temperature/weather.csv"),
        "location,date,precipitation,temp_max,temp_min,wind,weather\nSeattle,2012-01-01,0,10,0,1,sun\n"
            + "New York,2012-01-01,0,4,2,1,sun\nNew York,2012-01-02,0,6,2,1,sun\n");
    TimeSeries ny = Temperature.daily("New York", root, false);
    assertArrayEquals(new float[] {3, 4}, ny.values());
    assertThrows(IllegalArgumentException.class, () -> Temperature.daily("Paris", root, false));
  }

  @Test
  void nottinghamMonthlyIsReadInCelsiusAndItsAbsenceIsExplained() throws IOException {
    java.nio.file.NoSuchFileException missing =
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Temperature.nottingham(root));
    assertTrue(missing.getMessage().contains("fetch.sh --with-r"), missing.getMessage());
    Files.createDirectories(root.resolve("temperature"));
    Files.writeString(
        root.resolve("temperature/nottem.csv"), "year,month,temp_f\n1920,1,40.6\n1920,2,50\n");
    TimeSeries s = Temperature.nottingham(root);
    assertEquals(java.util.List.of("1920-01", "1920-02"), s.times());
    assertArrayEquals(new float[] {(40.6f - 32f) * 5f / 9f, 10f}, s.values(), 1e-5f);
    Files.writeString(root.resolve("temperature/nottem.csv"), "year,month,temp_f\n1920,13,40\n");
    IOException bad = assertThrows(IOException.class, () -> Temperature.nottingham(root));
    assertTrue(bad.getMessage().contains("month 13"), bad.getMessage());
  }
}
