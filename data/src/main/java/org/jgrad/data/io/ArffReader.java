package org.jgrad.data.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads Weka ARFF files (dense data): {@code @relation}, {@code @attribute} lines of type {@code
 * numeric}/{@code real}/{@code integer}, a nominal set {@code {a,b,c}}, {@code string} or {@code
 * date}, then {@code @data} rows. {@code %} starts a comment; names and values may be quoted with '
 * or "; {@code ?} is a missing value. Sparse rows ({@code {0 1, 3 2}}) are refused.
 *
 * <pre>{@code
 * ArffTable t = ArffReader.read(Path.of("iris.arff"));
 * TabularData iris = t.toLabeled("class");   // class names in the order the header declares
 * }</pre>
 */
public final class ArffReader {
  private ArffReader() {}

  /** Reads an ARFF file (UTF-8). */
  public static ArffTable read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("ARFF file " + file + " does not exist or is not a regular file");
    }
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses ARFF text; {@code source} names it in error messages. */
  public static ArffTable parse(String text, String source) throws IOException {
    String relation = null;
    List<ArffTable.Attribute> attributes = new ArrayList<>();
    List<String[]> rows = new ArrayList<>();
    List<Integer> rowLines = new ArrayList<>();
    boolean inData = false;
    String[] lines = text.split("\n", -1);
    for (int ln = 0; ln < lines.length; ln++) {
      int lineNo = ln + 1;
      String line = lines[ln].strip();
      if (line.startsWith("\uFEFF")) line = line.substring(1).strip();
      if (line.isEmpty() || line.startsWith("%")) continue;
      if (!inData) {
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("@relation")) {
          relation = unquote(line.substring("@relation".length()).strip());
        } else if (lower.startsWith("@attribute")) {
          attributes.add(
              parseAttribute(line.substring("@attribute".length()).strip(), source, lineNo));
        } else if (lower.startsWith("@data")) {
          if (attributes.isEmpty()) {
            throw new IOException(
                "ARFF file " + source + " line " + lineNo + ": @data before any @attribute");
          }
          inData = true;
        } else {
          throw new IOException(
              "ARFF file "
                  + source
                  + " line "
                  + lineNo
                  + ": expected @relation, @attribute or "
                  + "@data, found '"
                  + abbreviate(line)
                  + "'");
        }
        continue;
      }
      if (line.startsWith("{")) {
        throw new IOException(
            "ARFF file " + source + " line " + lineNo + ": sparse ARFF rows are not supported");
      }
      List<String> values = splitValues(line, source, lineNo);
      if (values.size() != attributes.size()) {
        throw new IOException(
            "ARFF file "
                + source
                + " line "
                + lineNo
                + ": "
                + values.size()
                + " values, expected "
                + attributes.size()
                + " (one per @attribute)");
      }
      for (int a = 0; a < values.size(); a++) {
        ArffTable.Attribute attr = attributes.get(a);
        String v = values.get(a);
        if (v.equals("?")) continue;
        if (attr.isNominal() && !attr.values().contains(v)) {
          throw new IOException(
              "ARFF file "
                  + source
                  + " line "
                  + lineNo
                  + ": value '"
                  + v
                  + "' of attribute '"
                  + attr.name()
                  + "' is not one of "
                  + attr.values());
        }
        if (attr.isNumeric()) {
          try {
            Double.parseDouble(v);
          } catch (NumberFormatException e) {
            throw new IOException(
                "ARFF file "
                    + source
                    + " line "
                    + lineNo
                    + ": value '"
                    + v
                    + "' of numeric attribute '"
                    + attr.name()
                    + "' is not a number");
          }
        }
      }
      rows.add(values.toArray(new String[0]));
      rowLines.add(lineNo);
    }
    if (!inData) {
      throw new IOException("ARFF file " + source + ": no @data section (is this an ARFF file?)");
    }
    return new ArffTable(
        source,
        relation == null ? "" : relation,
        attributes,
        rows,
        rowLines.stream().mapToInt(Integer::intValue).toArray());
  }

  private static ArffTable.Attribute parseAttribute(String rest, String source, int lineNo)
      throws IOException {
    String name;
    String type;
    if (rest.startsWith("'") || rest.startsWith("\"")) {
      char q = rest.charAt(0);
      int end = rest.indexOf(q, 1);
      if (end < 0)
        throw new IOException(
            "ARFF file " + source + " line " + lineNo + ": unclosed quote in attribute name");
      name = rest.substring(1, end);
      type = rest.substring(end + 1).strip();
    } else {
      int sp = 0;
      while (sp < rest.length()
          && !Character.isWhitespace(rest.charAt(sp))
          && rest.charAt(sp) != '{') sp++;
      name = rest.substring(0, sp);
      type = rest.substring(sp).strip();
    }
    if (name.isEmpty() || type.isEmpty()) {
      throw new IOException(
          "ARFF file " + source + " line " + lineNo + ": expected '@attribute NAME TYPE'");
    }
    if (type.startsWith("{")) {
      int close = type.lastIndexOf('}');
      if (close < 0)
        throw new IOException(
            "ARFF file " + source + " line " + lineNo + ": nominal set not closed with }");
      List<String> values = splitValues(type.substring(1, close), source, lineNo);
      return new ArffTable.Attribute(name, ArffTable.Type.NOMINAL, values);
    }
    String t = type.split("\\s+")[0].toLowerCase(Locale.ROOT);
    return switch (t) {
      case "numeric", "real", "integer" ->
          new ArffTable.Attribute(name, ArffTable.Type.NUMERIC, List.of());
      case "string" -> new ArffTable.Attribute(name, ArffTable.Type.STRING, List.of());
      case "date" -> new ArffTable.Attribute(name, ArffTable.Type.DATE, List.of());
      default ->
          throw new IOException(
              "ARFF file "
                  + source
                  + " line "
                  + lineNo
                  + ": unsupported attribute type '"
                  + type
                  + "' (expected numeric, real, integer, string, date or {...})");
    };
  }

  private static List<String> splitValues(String s, String source, int lineNo) throws IOException {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (true) {
      while (i < n && Character.isWhitespace(s.charAt(i))) i++;
      StringBuilder v = new StringBuilder();
      if (i < n && (s.charAt(i) == '\'' || s.charAt(i) == '"')) {
        char q = s.charAt(i++);
        while (i < n && s.charAt(i) != q) {
          if (s.charAt(i) == '\\' && i + 1 < n) i++;
          v.append(s.charAt(i++));
        }
        if (i >= n)
          throw new IOException("ARFF file " + source + " line " + lineNo + ": unclosed quote");
        i++;
        while (i < n && Character.isWhitespace(s.charAt(i))) i++;
        out.add(v.toString());
      } else {
        while (i < n && s.charAt(i) != ',') v.append(s.charAt(i++));
        String t = v.toString().strip();
        int pct = t.indexOf('%');
        out.add(t);
        if (pct >= 0) {
          throw new IOException(
              "ARFF file "
                  + source
                  + " line "
                  + lineNo
                  + ": '%' inside a value (comments "
                  + "must be on their own line)");
        }
      }
      if (i >= n) break;
      if (s.charAt(i) != ',') {
        throw new IOException(
            "ARFF file " + source + " line " + lineNo + ": expected ',' at column " + (i + 1));
      }
      i++;
    }
    return out;
  }

  private static String unquote(String s) {
    if (s.length() >= 2
        && (s.charAt(0) == '\'' || s.charAt(0) == '"')
        && s.charAt(s.length() - 1) == s.charAt(0)) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
