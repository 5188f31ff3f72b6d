package org.jgrad.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Provenance;
import org.jgrad.examples.support.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code render DIR}: brings a results folder written by earlier runs up to date without training
 * again. For each exercise folder it redraws the figures whose data the run saved as CSV (through
 * {@link Exercise#replot}, the same plotting code as a live run), rewrites {@code report.md} with
 * local paths made relative and a note saying what was re-rendered at which commit, writes {@code
 * report.html}, and writes {@code DIR/index.html}.
 *
 * <pre>
 *   ./mvnw -B -ntp -q -pl examples -am compile exec:exec -Dargs="render docs/results"
 * </pre>
 */
@Command(
    name = "render",
    description =
        "Redraws a results folder's figures from its CSV files and rewrites "
            + "report.md, report.html and index.html (no training).")
final class RenderCommand implements Callable<Integer> {
  /** Marks the start of the note that {@code render} appends; a later render replaces it. */
  static final String NOTE_MARK = "<!-- render note -->";

  @Parameters(index = "0", description = "results folder, e.g. docs/results or runs")
  Path dir;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(dir)) {
      System.err.println("render: " + dir + " is not a directory");
      return 2;
    }
    List<String[]> rows = new ArrayList<>();
    for (Exercise e : Exercises.all()) {
      Path sub = dir.resolve(e.name());
      if (Files.isRegularFile(sub.resolve("report.md"))) {
        List<String> figures = render(e, sub, Provenance.commit());
        System.out.printf(
            "[%s] %s -> %s%n",
            e.name(),
            figures.isEmpty() ? "no figures redrawn" : "redrew " + figures,
            sub.resolve("report.html"));
        rows.add(new String[] {e.name(), e.title(), "", "ok"});
      } else {
        rows.add(new String[] {e.name(), e.title(), "", "not run: " + note(dir, e.name())});
      }
    }
    Main.Index.write(
        dir,
        "jgrad results",
        "jgrad exercises: results",
        "Runs of org.jgrad.examples.Main run NAME; each report says how it was run, and a re-rendered one also says "
            + "what was redrawn. Index written by render at "
            + Provenance.commit()
            + ".",
        rows);
    return 0;
  }

  /** Re-renders one exercise folder; returns the figures redrawn. */
  static List<String> render(Exercise e, Path sub, String commit) throws IOException {
    List<String> figures = e.replot(sub);
    Path mdFile = sub.resolve("report.md");
    String original = Files.readString(mdFile);
    String body = stripNote(original);
    String md = Report.portable(body);
    boolean changedText = !md.equals(body);
    if (!figures.isEmpty() || changedText || !original.equals(body)) {
      StringBuilder note =
          new StringBuilder(md.stripTrailing())
              .append("\n\n")
              .append(NOTE_MARK)
              .append("\n\n---\n\n")
              .append("*Re-rendered by `render` at ")
              .append(commit)
              .append(" (")
              .append(java.time.LocalDate.now())
              .append("), without training: ");
      if (!figures.isEmpty()) {
        note.append("figures ")
            .append(String.join(", ", figures))
            .append(" were redrawn from this run's CSV files with the current plotting code");
      } else {
        note.append("no figure was redrawn");
      }
      if (changedText)
        note.append("; local absolute paths were replaced by relative or `~/` paths");
      note.append(
          ". All numbers, other figures and the rest of the text are from the original run.*\n");
      md = note.toString();
    }
    Files.writeString(mdFile, md);
    Report.writeHtml(md, Report.htmlFileFor(mdFile));
    return figures;
  }

  static String stripNote(String md) {
    int i = md.indexOf(NOTE_MARK);
    return i < 0 ? md : md.substring(0, i).stripTrailing() + "\n";
  }

  /** The reason recorded in DIR/NOTES.json for an exercise that has no folder, or a default. */
  private static String note(Path dir, String name) throws IOException {
    Path notes = dir.resolve("NOTES.json");
    if (Files.isRegularFile(notes)) {
      Matcher m =
          Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
              .matcher(Files.readString(notes));
      if (m.find()) return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return "no report in this folder";
  }
}
