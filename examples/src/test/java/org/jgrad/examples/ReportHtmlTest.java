package org.jgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jgrad.examples.exercises.MnistCnnOptimizers;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Report;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML side of the reports, without a browser: tables become {@code <table>}, a {@code |} in a
 * cell stays inside its cell, images point at files that exist, no local absolute path leaks into a
 * report, and {@code render} redraws figures from CSV and says so. The committed reports under
 * {@code docs/results} are checked the same way.
 */
class ReportHtmlTest {
  private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]+)\"");
  private static final Pattern ABSOLUTE =
      Pattern.compile("(?<![\\w.~])/(root|home|work|tmp|Users)/");

  @TempDir Path dir;

  @Test
  void tableCellsWithPipesStayInTheirCellsInMarkdownAndHtml() throws Exception {
    Report r =
        new Report()
            .title("T")
            .table(
                List.of("measure", "value"),
                List.of(
                    List.of("largest |error| on the grid", 0.2737), List.of("|difference|", 1e-9)));
    String md = r.markdown();
    assertTrue(md.contains("| largest \\|error\\| on the grid | 0.2737 |"), md);
    String html = Report.toHtml(md);
    assertTrue(html.contains("<table>"), html);
    assertTrue(html.contains("<td>largest |error| on the grid</td>"), html);
    assertTrue(html.contains("<td>|difference|</td>"), html);
    assertEquals(3, count(html, "<tr>"), "header and two rows: " + html);
  }

  @Test
  void rowsOfTheWrongWidthAreRefused() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> new Report().table(List.of("a", "b"), List.of(List.of("only one"))));
    assertTrue(e.getMessage().contains("1 cells but there are 2 headers"), e.getMessage());
  }

  @Test
  void writeProducesHtmlBesideTheMarkdownWithRelativeImages() throws Exception {
    Files.write(dir.resolve("loss.png"), new byte[] {1});
    Report r =
        new Report()
            .title("A report")
            .paragraph(
                "Data from "
                    + Report.displayPath(Path.of(System.getProperty("user.home"), ".jgrad", "data"))
                    + ".")
            .image("loss.png", "Loss");
    r.write(dir.resolve("report.md"));
    String html = Files.readString(dir.resolve("report.html"));
    assertTrue(
        html.startsWith("<!doctype html>") && html.contains("<title>A report</title>"), html);
    assertTrue(html.contains("<img src=\"loss.png\" alt=\"Loss\""), html);
    assertTrue(html.contains("~/.jgrad/data"), html);
    assertFalse(html.contains(System.getProperty("user.home") + "/"), html);
    assertHtmlMatchesMarkdown(dir.resolve("report.md"));
  }

  @Test
  void renderRedrawsFiguresFromCsvAndRecordsItOnce() throws Exception {
    Path sub = dir.resolve("mnist-cnn-optimizers");
    Files.createDirectories(sub);
    double[] ep = {1, 2, 3};
    List<String> hdr = new ArrayList<>(List.of("epoch"));
    List<double[]> cols = new ArrayList<>(List.of(ep));
    for (String opt : List.of("adam", "sgd")) {
      for (String s : List.of("train_loss", "train_acc", "val_loss", "val_acc")) {
        hdr.add(opt + "_" + s);
        cols.add(s.endsWith("loss") ? new double[] {0.5, 0.2, 0.1} : new double[] {0.8, 0.9, 0.95});
      }
    }
    Csv.write(sub.resolve("curves.csv"), hdr, cols);
    Files.writeString(
        sub.resolve("report.md"),
        "# CNN\n\nData: MNIST from "
            + System.getProperty("user.home")
            + "/.jgrad/data.\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n![Loss](loss.png)\n");
    for (int i = 0; i < 2; i++) {
      List<String> figs = RenderCommand.render(new MnistCnnOptimizers(), sub, "commit test");
      assertEquals(List.of("accuracy.png", "loss.png"), figs);
    }
    String md = Files.readString(sub.resolve("report.md"));
    assertEquals(1, count(md, RenderCommand.NOTE_MARK), md);
    assertTrue(
        md.contains("Re-rendered by `render` at commit test")
            && md.contains("accuracy.png, loss.png"),
        md);
    assertTrue(md.contains("from ~/.jgrad/data."), md);
    assertTrue(
        Files.size(sub.resolve("loss.png")) > 1000
            && Files.size(sub.resolve("accuracy.png")) > 1000);
    assertHtmlMatchesMarkdown(sub.resolve("report.md"));
  }

  @Test
  void committedReportsHaveHtmlTablesExistingImagesAndNoLocalPaths() throws Exception {
    Path results = Path.of("..", "docs", "results");
    assumeTrue(
        Files.isDirectory(results), "docs/results not found from " + Path.of("").toAbsolutePath());
    List<Path> reports;
    try (Stream<Path> s = Files.list(results)) {
      reports = s.map(d -> d.resolve("report.md")).filter(Files::isRegularFile).sorted().toList();
    }
    assertTrue(reports.size() >= 10, "expected the committed reports, found " + reports);
    for (Path md : reports) assertHtmlMatchesMarkdown(md);
    String index = Files.readString(results.resolve("index.html"));
    for (Path md : reports) {
      String name = md.getParent().getFileName().toString();
      assertTrue(
          index.contains("href=\"" + name + "/report.html\""),
          "index.html links " + name + "/report.html");
    }
  }

  /** The checks shared by generated and committed reports. */
  private static void assertHtmlMatchesMarkdown(Path mdFile) throws Exception {
    Path htmlFile = Report.htmlFileFor(mdFile);
    assertTrue(Files.isRegularFile(htmlFile), htmlFile + " missing");
    String md = Files.readString(mdFile), html = Files.readString(htmlFile);
    assertFalse(ABSOLUTE.matcher(md).find(), mdFile + " names a local absolute path");
    assertFalse(ABSOLUTE.matcher(html).find(), htmlFile + " names a local absolute path");
    // Every Markdown table became an HTML table, and each row has as many cells as the header.
    List<String> lines = md.lines().toList();
    int tables = 0;
    for (int i = 1; i < lines.size(); i++) {
      if (!lines.get(i).matches("\\|( --- \\|)+")) continue;
      tables++;
      int width = cells(lines.get(i - 1));
      for (int j = i + 1; j < lines.size() && lines.get(j).startsWith("|"); j++) {
        assertEquals(
            width,
            cells(lines.get(j)),
            mdFile + ": row '" + lines.get(j) + "' does not match its header");
      }
    }
    assertEquals(tables, count(html, "<table>"), htmlFile + ": tables");
    Matcher m = IMG.matcher(html);
    while (m.find()) {
      String src = m.group(1);
      assertFalse(
          src.startsWith("/") || src.contains("://"),
          htmlFile + ": image link not relative: " + src);
      assertTrue(
          Files.isRegularFile(htmlFile.resolveSibling(src)),
          htmlFile + ": image " + src + " missing");
    }
    String text = html.replaceAll("(?s)<style>.*?</style>", "").replaceAll("<[^>]+>", " ").strip();
    assertTrue(text.length() > 50, htmlFile + " has almost no text");
  }

  /** Cells of a Markdown table row, not counting escaped pipes. */
  private static int cells(String row) {
    return row.replace("\\|", "").split("\\|", -1).length - 2;
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) n++;
    return n;
  }
}
