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

class ArffReaderTest {
  @TempDir Path dir;

  static final String IRIS_LIKE =
      "% 1. Title: Iris Plants Database\n%\n@RELATION iris\n\n"
          + "@ATTRIBUTE sepallength\tREAL\n@ATTRIBUTE sepalwidth \tREAL\n@ATTRIBUTE petallength \tREAL\n"
          + "@ATTRIBUTE petalwidth\tREAL\n@ATTRIBUTE class \t{Iris-setosa,Iris-versicolor,Iris-virginica}\n\n"
          + "@DATA\n5.1,3.5,1.4,0.2,Iris-virginica\n4.9,3.0,1.4,0.2,Iris-setosa\n%\n%\n\n";

  @Test
  void readsWekaIrisLayoutWithDeclaredClassOrder() throws IOException {
    Path f = dir.resolve("iris.arff");
    Files.writeString(f, IRIS_LIKE);
    ArffTable t = ArffReader.read(f);
    assertEquals("iris", t.relation());
    assertEquals(5, t.attributes().size());
    assertEquals(
        List.of("Iris-setosa", "Iris-versicolor", "Iris-virginica"),
        t.attributes().get(4).values());
    TabularData d = t.toLabeled("class");
    assertEquals(
        List.of("sepallength", "sepalwidth", "petallength", "petalwidth"), d.featureNames());
    assertArrayEquals(new int[] {2, 0}, d.labels());
    assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 0.2f, 4.9f, 3.0f, 1.4f, 0.2f}, d.features());
  }

  @Test
  void numbersOutsideFloat32RangeAreRefusedWithFileLineAndColumn() throws IOException {
    String text =
        "@relation r\n@attribute x numeric\n@attribute y real\n@attribute c {a,b}\n@data\n1,2,a\n3,1e39,b\n";
    ArffTable t = ArffReader.parse(text, "big.arff");
    IOException e = assertThrows(IOException.class, () -> t.toLabeled("c"));
    assertEquals(
        "ARFF big.arff line 7, column 2 (attribute 'y'): '1e39' is outside the float32 range (largest"
            + " magnitude "
            + Float.MAX_VALUE
            + ")",
        e.getMessage());
  }

  @Test
  void quotedNamesSpacedNominalsMissingValuesAndNominalFeatures() throws IOException {
    String text =
        "@relation pima_diabetes\n@attribute 'preg' numeric\n@attribute \"the color\" {red, 'dark blue'}\n"
            + "@attribute 'class' { tested_negative, tested_positive}\n@data\n6,'dark blue',tested_positive\n?,red,tested_negative\n";
    ArffTable t = ArffReader.parse(text, "p.arff");
    assertEquals(List.of("red", "dark blue"), t.attributes().get(1).values());
    TabularData d = t.toLabeled("class");
    assertEquals(List.of("tested_negative", "tested_positive"), d.classNames());
    assertArrayEquals(new int[] {1, 0}, d.labels());
    assertEquals(6f, d.feature(0, 0));
    assertEquals(1f, d.feature(0, 1));
    assertTrue(Float.isNaN(d.feature(1, 0)));
    assertEquals(List.of("preg", "the color"), d.featureNames());
  }

  @Test
  void wrongValueCountIsRefusedWithLine() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                ArffReader.parse(
                    "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,x\n2\n",
                    "w.arff"));
    assertTrue(
        e.getMessage().contains("w.arff line 6") && e.getMessage().contains("1 values, expected 2"),
        e.getMessage());
  }

  @Test
  void undeclaredNominalValueIsRefused() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                ArffReader.parse(
                    "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,z\n",
                    "v.arff"));
    assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("[x, y]"), e.getMessage());
  }

  @Test
  void nonNumericNumberIsRefused() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                ArffReader.parse(
                    "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\nfoo,x\n",
                    "n.arff"));
    assertTrue(
        e.getMessage().contains("n.arff line 5") && e.getMessage().contains("'foo'"),
        e.getMessage());
  }

  @Test
  void sparseAndHeaderOnlyAndGarbageAreRefused() {
    assertTrue(
        assertThrows(
                IOException.class,
                () -> ArffReader.parse("@relation r\n@attribute a numeric\n@data\n{0 1}\n", "s"))
            .getMessage()
            .contains("sparse"));
    assertTrue(
        assertThrows(
                IOException.class,
                () -> ArffReader.parse("@relation r\n@attribute a numeric\n", "h"))
            .getMessage()
            .contains("no @data"));
    assertTrue(
        assertThrows(IOException.class, () -> ArffReader.parse("hello world\n", "g"))
            .getMessage()
            .contains("expected @relation"));
    assertTrue(
        assertThrows(
                IOException.class,
                () -> ArffReader.parse("@relation r\n@attribute a relational\n@data\n", "t"))
            .getMessage()
            .contains("unsupported attribute type"));
  }

  @Test
  void classMustBeNominal() throws IOException {
    ArffTable t =
        ArffReader.parse(
            "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n", "c");
    assertThrows(IllegalArgumentException.class, () -> t.toLabeled("b"));
    assertThrows(IllegalArgumentException.class, () -> t.toLabeled("nope"));
  }
}
