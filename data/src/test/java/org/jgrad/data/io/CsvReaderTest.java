package org.jgrad.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
  @TempDir Path dir;

  @Test
  void readsHeaderlessIrisStyleRows() throws IOException {
    Path f = dir.resolve("iris.csv");
    Files.writeString(
        f,
        "5.1,3.5,1.4,0.2,Iris-setosa\n7.0,3.2,4.7,1.4,Iris-versicolor\n6.3,3.3,6.0,2.5,Iris-virginica\n"
            + "4.9,3.0,1.4,0.2,Iris-setosa\n");
    CsvTable t = CsvReader.read(f, CsvReader.Options.DEFAULT);
    assertEquals(4, t.size());
    assertEquals(5, t.columnCount());
    TabularData d = t.toLabeled(-1, null);
    assertEquals(List.of("Iris-setosa", "Iris-versicolor", "Iris-virginica"), d.classNames());
    assertArrayEquals(new int[] {0, 1, 2, 0}, d.labels());
    assertEquals(4, d.cols());
    assertEquals(7.0f, d.feature(1, 0));
    assertEquals(2.5f, d.feature(2, 3));
    assertArrayEquals(new int[] {2, 1, 1}, d.classCounts());
  }

  @Test
  void givenClassOrderIsUsedAndUnknownClassIsRefused() throws IOException {
    CsvTable t = CsvReader.parse("1,b\n2,a\n", "mem", CsvReader.Options.DEFAULT);
    TabularData d = t.toLabeled(1, List.of("b", "a"));
    assertArrayEquals(new int[] {0, 1}, d.labels());
    IOException e = assertThrows(IOException.class, () -> t.toLabeled(1, List.of("a")));
    assertTrue(
        e.getMessage().contains("mem line 1") && e.getMessage().contains("'b'"), e.getMessage());
  }

  @Test
  void numericLabelsSortNumerically() throws IOException {
    CsvTable t = CsvReader.parse("0.5,10\n0.1,9\n0.2,2\n", "mem", CsvReader.Options.DEFAULT);
    TabularData d = t.toLabeled(-1, null);
    assertEquals(List.of("2", "9", "10"), d.classNames());
    assertArrayEquals(new int[] {2, 1, 0}, d.labels());
  }

  @Test
  void quotesEscapesLineBreaksCrlfCommentsAndBlankLines() throws IOException {
    String text =
        "\uFEFFname,comment,value\r\n"
            + "# a comment line\r\n"
            + "\"Smith, J\",\"said \"\"hi\"\"\",1.5\r\n"
            + "\r\n"
            + "plain , \"two\nlines\" ,  -2\r\n";
    CsvTable t =
        CsvReader.parse(
            text, "q.csv", CsvReader.Options.DEFAULT.withHeader(true).withCommentPrefix("#"));
    assertEquals(List.of("name", "comment", "value"), t.header());
    assertEquals(2, t.size());
    assertArrayEquals(new String[] {"Smith, J", "said \"hi\"", "1.5"}, t.rows().get(0));
    assertArrayEquals(new String[] {"plain", "two\nlines", "-2"}, t.rows().get(1));
    assertArrayEquals(new float[] {1.5f, -2f}, t.numericColumn("value"));
    assertEquals(5, t.lines()[1]);
  }

  @Test
  void otherDelimiterAndMissingValues() throws IOException {
    CsvTable t =
        CsvReader.parse(
            "a;b\n1;?\n;3\n", "m", CsvReader.Options.DEFAULT.withDelimiter(';').withHeader(true));
    float[] a = t.numericColumn(0);
    assertEquals(1f, a[0]);
    assertTrue(Float.isNaN(a[1]));
    assertTrue(Float.isNaN(t.numericColumn("b")[0]));
  }

  @Test
  void raggedRowIsRefusedWithLineNumber() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> CsvReader.parse("1,2,3\n4,5,6\n7,8\n", "r.csv", CsvReader.Options.DEFAULT));
    assertTrue(
        e.getMessage().contains("r.csv line 3") && e.getMessage().contains("2 fields, expected 3"),
        e.getMessage());
  }

  @Test
  void nonNumberIsRefusedWithLineAndColumn() throws IOException {
    CsvTable t =
        CsvReader.parse("x,y\n1,2\n3,abc\n", "n.csv", CsvReader.Options.DEFAULT.withHeader(true));
    IOException e = assertThrows(IOException.class, () -> t.numericColumn("y"));
    assertTrue(
        e.getMessage().contains("n.csv line 3")
            && e.getMessage().contains("'y'")
            && e.getMessage().contains("'abc'"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> t.columnIndex("z"));
  }

  @Test
  void unclosedQuoteIsRefused() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> CsvReader.parse("1,\"abc\n2,3\n", "u.csv", CsvReader.Options.DEFAULT));
    assertTrue(
        e.getMessage().contains("u.csv line 1") && e.getMessage().contains("not closed"),
        e.getMessage());
  }

  @Test
  void regressionColumns() throws IOException {
    CsvTable t = CsvReader.parse("1,2,3\n4,5,6\n", "m", CsvReader.Options.DEFAULT);
    RegressionData r = t.toRegression(new int[] {0, 2}, new int[] {1});
    assertArrayEquals(new float[] {1, 3, 4, 6}, r.inputs());
    assertArrayEquals(new float[] {2, 5}, r.targets());
  }

  @Test
  void numbersOutsideFloat32RangeAreRefusedWithFileLineAndColumn() throws IOException {
    CsvTable t =
        CsvReader.parse(
            "a,b\n1,2\n3,1e39\n", "big.csv", CsvReader.Options.DEFAULT.withHeader(true));
    IOException e =
        assertThrows(IOException.class, () -> t.toRegression(new int[] {0}, new int[] {1}));
    assertEquals(
        "CSV big.csv line 3, column 2 ('b'): '1e39' is outside the float32 range (largest magnitude "
            + Float.MAX_VALUE
            + ")",
        e.getMessage());
    CsvTable neg = CsvReader.parse("1,-4e38\n", "neg.csv", CsvReader.Options.DEFAULT);
    e = assertThrows(IOException.class, () -> neg.toRegression(new int[] {0}, new int[] {1}));
    assertTrue(
        e.getMessage()
            .startsWith("CSV neg.csv line 1, column 2: '-4e38' is outside the float32 range"),
        e.getMessage());
    // The edges of the range, explicit infinities and underflow to zero are values, not errors.
    CsvTable ok =
        CsvReader.parse("3.4028235e38,-Infinity,1e-50\n", "ok.csv", CsvReader.Options.DEFAULT);
    RegressionData r = ok.toRegression(new int[] {0, 1}, new int[] {2});
    assertArrayEquals(new float[] {Float.MAX_VALUE, Float.NEGATIVE_INFINITY}, r.inputs());
    assertArrayEquals(new float[] {0f}, r.targets());
  }

  @Test
  void missingFileIsNamed() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> CsvReader.read(dir.resolve("absent.csv"), CsvReader.Options.DEFAULT));
    assertTrue(e.getMessage().contains("absent.csv"));
  }
}
