package org.jgrad.examples.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Builds an exercise's {@code report.md} and its browser version {@code report.html}: headings,
 * prose, tables and inline figures.
 *
 * <pre>{@code
 * report.heading("Results").table(List.of("lr", "loss"), rows).image("loss.png", "Training loss");
 * report.write(dir.resolve("report.md"));      // also writes dir/report.html
 * }</pre>
 */
public final class Report {
  private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
  private static final String CSS =
      "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:980px;"
          + "margin:2em auto;padding:0 1em;line-height:1.5;color:#222}"
          + "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 10px;text-align:left}"
          + "th{background:#f2f2f2}tr:nth-child(even) td{background:#fafafa}"
          + "img{max-width:100%;height:auto;border:1px solid #ddd}"
          + "pre{background:#f6f8fa;padding:10px;overflow-x:auto}code{font-size:90%}"
          + "p>em:only-child{color:#555;font-size:90%}";

  private final StringBuilder md = new StringBuilder();

  public Report heading(String text) {
    md.append("\n## ").append(text).append("\n\n");
    return this;
  }

  public Report title(String text) {
    md.append("# ").append(text).append("\n\n");
    return this;
  }

  public Report paragraph(String text) {
    md.append(text).append("\n\n");
    return this;
  }

  public Report code(String text) {
    md.append("```\n").append(text.strip()).append("\n```\n\n");
    return this;
  }

  /**
   * An inline figure; {@code file} is relative to the report, so the Markdown and the HTML both
   * find it.
   */
  public Report image(String file, String caption) {
    md.append("![")
        .append(caption)
        .append("](")
        .append(file)
        .append(")\n\n*")
        .append(caption)
        .append("*\n\n");
    return this;
  }

  /**
   * A Markdown table; doubles are printed with 4 significant decimals. A {@code |} inside a header
   * or cell is escaped, since otherwise it would end the cell.
   */
  public Report table(List<String> headers, List<? extends List<?>> rows) {
    md.append("| ")
        .append(String.join(" | ", headers.stream().map(Report::escapeCell).toList()))
        .append(" |\n|");
    md.append(" --- |".repeat(headers.size())).append('\n');
    for (List<?> row : rows) {
      if (row.size() != headers.size()) {
        throw new IllegalArgumentException(
            "Report.table: a row has "
                + row.size()
                + " cells but there are "
                + headers.size()
                + " headers: "
                + row);
      }
      md.append("| ");
      for (int i = 0; i < row.size(); i++) {
        md.append(escapeCell(cell(row.get(i))));
        md.append(i < row.size() - 1 ? " | " : " |\n");
      }
    }
    md.append('\n');
    return this;
  }

  public static String cell(Object o) {
    if (o instanceof Double || o instanceof Float) {
      double d = ((Number) o).doubleValue();
      if (d == 0) return "0";
      if (Math.abs(d) >= 1e5 || Math.abs(d) < 1e-3) return String.format(Locale.ROOT, "%.4e", d);
      return String.format(Locale.ROOT, "%.4f", d);
    }
    return String.valueOf(o);
  }

  /**
   * Makes text safe inside a GFM table cell: {@code |} is escaped and line breaks become spaces.
   */
  static String escapeCell(String s) {
    return s.replace("|", "\\|").replace('\n', ' ');
  }

  public String markdown() {
    return portable(md.toString());
  }

  /**
   * Replaces local absolute paths (the working directory, the home directory) by relative or {@code
   * ~/} forms, so that a committed report does not name the machine it was made on.
   */
  public static String portable(String text) {
    String out = text;
    String cwd = System.getProperty("user.dir"), home = System.getProperty("user.home");
    if (cwd != null && cwd.length() > 1) out = out.replace(cwd + "/", "").replace(cwd, ".");
    if (home != null && home.length() > 1) out = out.replace(home + "/", "~/").replace(home, "~");
    return out;
  }

  /**
   * A file path for report text: relative to the working directory, or under {@code ~}, when it can
   * be.
   */
  public static String displayPath(Path p) {
    return portable(p.toAbsolutePath().normalize().toString());
  }

  /**
   * Writes {@code file} (Markdown) and, beside it, the same report as HTML with the same base name.
   */
  public void write(Path file) throws IOException {
    String text = markdown();
    Files.writeString(file, text);
    writeHtml(text, htmlFileFor(file));
  }

  /** {@code report.md} → {@code report.html} in the same folder. */
  public static Path htmlFileFor(Path markdownFile) {
    String name = markdownFile.getFileName().toString();
    String base = name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
    return markdownFile.resolveSibling(base + ".html");
  }

  /**
   * Converts Markdown to a standalone HTML page (GFM tables, relative image links kept, a small
   * style sheet).
   */
  public static String toHtml(String markdown) {
    Parser parser = Parser.builder().extensions(EXTENSIONS).build();
    HtmlRenderer renderer = HtmlRenderer.builder().extensions(EXTENSIONS).build();
    String body = renderer.render(parser.parse(markdown));
    String title =
        markdown
            .lines()
            .filter(l -> l.startsWith("# "))
            .findFirst()
            .map(l -> l.substring(2).strip())
            .orElse("jgrad report");
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + escapeHtml(title)
        + "</title><style>"
        + CSS
        + "</style></head>\n<body>\n"
        + "<p><a href=\"../index.html\">&larr; all reports</a></p>\n"
        + body
        + "</body></html>\n";
  }

  /** Writes {@code markdown} as HTML to {@code file}. */
  public static void writeHtml(String markdown, Path file) throws IOException {
    Files.writeString(file, toHtml(markdown));
  }

  static String escapeHtml(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
