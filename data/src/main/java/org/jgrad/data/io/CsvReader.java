package org.jgrad.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A small RFC 4180 CSV reader: a chosen delimiter, optional header line, double-quoted fields (with
 * {@code ""} for a quote and line breaks inside quotes), optional comment lines, blank lines
 * skipped, {@code \n} or {@code \r\n} line ends. Every row must have as many fields as the first.
 *
 * <pre>{@code
 * CsvTable t = CsvReader.read(Path.of("iris.csv"), CsvReader.Options.DEFAULT);        // no header
 * TabularData iris = t.toLabeled(-1, null);     // last column is the class, names sorted
 * CsvTable w = CsvReader.read(Path.of("seattle-weather.csv"), CsvReader.Options.DEFAULT.withHeader(true));
 * float[] tmax = w.numericColumn("temp_max");
 * }</pre>
 */
public final class CsvReader {
  private CsvReader() {}

  /**
   * Parsing options.
   *
   * @param delimiter field separator
   * @param header whether the first record holds column names
   * @param commentPrefix lines starting with this (after leading blanks) are skipped; null for none
   * @param trim strip blanks around unquoted fields
   */
  public record Options(char delimiter, boolean header, String commentPrefix, boolean trim) {
    /** Comma, no header, no comments, trimmed fields. */
    public static final Options DEFAULT = new Options(',', false, null, true);

    public Options withHeader(boolean h) {
      return new Options(delimiter, h, commentPrefix, trim);
    }

    public Options withDelimiter(char d) {
      return new Options(d, header, commentPrefix, trim);
    }

    public Options withCommentPrefix(String p) {
      return new Options(delimiter, header, p, trim);
    }
  }

  /** Reads a CSV file (UTF-8; gzip if the content starts with the gzip magic bytes). */
  public static CsvTable read(Path file, Options options) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("CSV file " + file + " does not exist or is not a regular file");
    }
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1f && (bytes[1] & 0xFF) == 0x8b) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
        bytes = in.readAllBytes();
      } catch (IOException e) {
        throw new IOException(
            "CSV file "
                + file
                + ": the gzip stream is corrupt or truncated ("
                + e.getMessage()
                + ")",
            e);
      }
    }
    return parse(new String(bytes, StandardCharsets.UTF_8), file.toString(), options);
  }

  /** Parses CSV text; {@code source} names it in error messages. */
  public static CsvTable parse(String text, String source, Options options) throws IOException {
    List<String[]> records = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int n = text.length();
    int i = text.startsWith("\uFEFF") ? 1 : 0;
    int line = 1;
    char delim = options.delimiter();
    while (i < n) {
      int recordLine = line;
      // skip blank and comment lines
      int lineEnd = text.indexOf('\n', i);
      if (lineEnd < 0) lineEnd = n;
      String raw = text.substring(i, lineEnd);
      String stripped = raw.strip();
      if (stripped.isEmpty()
          || (options.commentPrefix() != null && stripped.startsWith(options.commentPrefix()))) {
        i = lineEnd + 1;
        line++;
        continue;
      }
      fields.clear();
      boolean endOfRecord = false;
      while (!endOfRecord) {
        field.setLength(0);
        boolean quoted = false;
        // leading blanks before an opening quote are allowed
        int j = i;
        while (j < n
            && (text.charAt(j) == ' ' || text.charAt(j) == '\t')
            && text.charAt(j) != delim) j++;
        if (j < n && text.charAt(j) == '"') {
          quoted = true;
          i = j + 1;
          while (true) {
            if (i >= n) {
              throw new IOException(
                  "CSV file "
                      + source
                      + " line "
                      + recordLine
                      + ": a quoted field is not closed before the end of the file");
            }
            char c = text.charAt(i);
            if (c == '"') {
              if (i + 1 < n && text.charAt(i + 1) == '"') {
                field.append('"');
                i += 2;
                continue;
              }
              i++;
              break;
            }
            if (c == '\n') line++;
            field.append(c);
            i++;
          }
          // after the closing quote only blanks may come before the delimiter / line end
          while (i < n
              && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\r')
              && text.charAt(i) != delim) i++;
          if (i < n && text.charAt(i) != delim && text.charAt(i) != '\n') {
            throw new IOException(
                "CSV file "
                    + source
                    + " line "
                    + line
                    + ": unexpected character '"
                    + text.charAt(i)
                    + "' after a closing quote");
          }
        } else {
          while (i < n && text.charAt(i) != delim && text.charAt(i) != '\n') {
            field.append(text.charAt(i));
            i++;
          }
          int len = field.length();
          if (len > 0 && field.charAt(len - 1) == '\r') field.setLength(len - 1);
        }
        fields.add(quoted || !options.trim() ? field.toString() : field.toString().strip());
        if (i >= n) {
          endOfRecord = true;
        } else if (text.charAt(i) == delim) {
          i++;
        } else { // '\n'
          i++;
          line++;
          endOfRecord = true;
        }
      }
      records.add(fields.toArray(new String[0]));
      lines.add(recordLine);
    }
    List<String> header = List.of();
    if (options.header()) {
      if (records.isEmpty()) {
        throw new IOException(
            "CSV file " + source + ": expected a header line, but the file has no records");
      }
      header = List.of(records.remove(0));
      lines.remove(0);
    }
    int width = !header.isEmpty() ? header.size() : records.isEmpty() ? 0 : records.get(0).length;
    for (int r = 0; r < records.size(); r++) {
      if (records.get(r).length != width) {
        throw new IOException(
            "CSV file "
                + source
                + " line "
                + lines.get(r)
                + ": "
                + records.get(r).length
                + " fields, expected "
                + width
                + (header.isEmpty() ? " (as in the first row)" : " (as in the header)"));
      }
    }
    int[] lineArray = lines.stream().mapToInt(Integer::intValue).toArray();
    return new CsvTable(source, header, records, lineArray);
  }
}
