package org.jgrad.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader and writer (RFC 8259), enough for test fixtures and safetensors headers.
 *
 * <p>Parsing maps objects to {@code LinkedHashMap<String, Object>} (key order kept), arrays to
 * {@code ArrayList<Object>}, numbers to {@link Double}, strings to {@link String}, {@code true}/
 * {@code false} to {@link Boolean} and {@code null} to {@code null}. Malformed input gives an
 * {@link IllegalArgumentException} naming the line and column.
 *
 * <pre>{@code
 * Map<String, Object> header = Json.parseObject("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3]}}");
 * List<Object> shape = Json.list(Json.map(header.get("w")).get("shape"));   // [2.0, 3.0]
 * String text = Json.write(Map.of("shape", List.of(2, 3)));               // {"shape":[2,3]}
 * }</pre>
 */
public final class Json {
  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /** Parses one JSON value; anything but whitespace after it is an error. */
  public static Object parse(String text) {
    Json p = new Json(text);
    p.skipWhitespace();
    Object value = p.value(0);
    p.skipWhitespace();
    if (p.pos != text.length()) throw p.error("unexpected text after the JSON value");
    return value;
  }

  /** Parses a JSON object (fails if the top-level value is something else). */
  public static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map))
      throw new IllegalArgumentException(
          "Json: expected an object at the top level, got " + kind(v));
    return map(v);
  }

  /** Casts a parsed value to an object, with a clear message if it is not one. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object v) {
    if (!(v instanceof Map))
      throw new IllegalArgumentException("Json: expected an object, got " + kind(v));
    return (Map<String, Object>) v;
  }

  /** Casts a parsed value to an array, with a clear message if it is not one. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Object v) {
    if (!(v instanceof List))
      throw new IllegalArgumentException("Json: expected an array, got " + kind(v));
    return (List<Object>) v;
  }

  /**
   * A parsed number as a double; the strings "NaN", "Infinity" and "-Infinity" are accepted too.
   */
  public static double number(Object v) {
    if (v instanceof Number n) return n.doubleValue();
    if (v instanceof String s) {
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw new IllegalArgumentException("Json: expected a number, got " + kind(v));
  }

  /** A parsed number that must be an integer in int range. */
  public static int integer(Object v) {
    double d = number(v);
    if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Json: expected an integer, got " + d);
    }
    return (int) d;
  }

  /** An array of numbers as a double[]. */
  public static double[] doubles(Object v) {
    List<Object> l = list(v);
    double[] out = new double[l.size()];
    for (int i = 0; i < out.length; i++) out[i] = number(l.get(i));
    return out;
  }

  /** An array of integers as an int[]. */
  public static int[] ints(Object v) {
    List<Object> l = list(v);
    int[] out = new int[l.size()];
    for (int i = 0; i < out.length; i++) out[i] = integer(l.get(i));
    return out;
  }

  private static String kind(Object v) {
    if (v == null) return "null";
    if (v instanceof Map) return "an object";
    if (v instanceof List) return "an array";
    if (v instanceof String s) return "the string \"" + s + "\"";
    return v.getClass().getSimpleName() + " " + v;
  }

  // ---------------------------------------------------------------- reading

  private static final int MAX_DEPTH = 512;

  private Object value(int depth) {
    if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
    if (pos >= text.length()) throw error("unexpected end of input");
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error("unexpected character '" + c + "'");
    }
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> out = new LinkedHashMap<>();
    pos++; // '{'
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return out;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') throw error("expected a string key");
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      if (out.containsKey(key)) throw error("duplicate key \"" + key + "\"");
      out.put(key, value(depth + 1));
      skipWhitespace();
      char c = next("',' or '}'");
      if (c == '}') return out;
      if (c != ',') throw errorAt(pos - 1, "expected ',' or '}'");
    }
  }

  private List<Object> array(int depth) {
    List<Object> out = new ArrayList<>();
    pos++; // '['
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return out;
    }
    while (true) {
      skipWhitespace();
      out.add(value(depth + 1));
      skipWhitespace();
      char c = next("',' or ']'");
      if (c == ']') return out;
      if (c != ',') throw errorAt(pos - 1, "expected ',' or ']'");
    }
  }

  private String string() {
    pos++; // opening quote
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) throw error("unterminated string");
      char c = text.charAt(pos++);
      if (c == '"') return sb.toString();
      if (c < 0x20) throw errorAt(pos - 1, "control character in string");
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = next("an escape character");
      switch (e) {
        case '"' -> sb.append('"');
        case '\\' -> sb.append('\\');
        case '/' -> sb.append('/');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > text.length()) throw error("truncated \\u escape");
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) throw errorAt(pos + i, "invalid hex digit in \\u escape");
            code = code * 16 + d;
          }
          pos += 4;
          sb.append((char) code); // surrogate pairs arrive as two escapes and join up in the String
        }
        default -> throw errorAt(pos - 1, "invalid escape '\\" + e + "'");
      }
    }
  }

  private Double number() {
    int start = pos;
    if (peek() == '-') pos++;
    if (peek() == '0') {
      pos++;
    } else if (Character.isDigit(peek())) {
      while (Character.isDigit(peek())) pos++;
    } else {
      throw error("expected a digit");
    }
    if (peek() == '.') {
      pos++;
      if (!Character.isDigit(peek())) throw error("expected a digit after '.'");
      while (Character.isDigit(peek())) pos++;
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') pos++;
      if (!Character.isDigit(peek())) throw error("expected a digit in the exponent");
      while (Character.isDigit(peek())) pos++;
    }
    return Double.parseDouble(text.substring(start, pos));
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) throw error("invalid literal (expected " + word + ")");
    pos += word.length();
    return value;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private char next(String expected) {
    if (pos >= text.length()) throw error("unexpected end of input, expected " + expected);
    return text.charAt(pos++);
  }

  private void expect(char c) {
    if (pos >= text.length() || text.charAt(pos) != c) throw error("expected '" + c + "'");
    pos++;
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      pos++;
    }
  }

  private IllegalArgumentException error(String message) {
    return errorAt(pos, message);
  }

  private IllegalArgumentException errorAt(int at, String message) {
    int line = 1, column = 1;
    for (int i = 0; i < Math.min(at, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new IllegalArgumentException(
        "Json: " + message + " at line " + line + ", column " + column);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes a value compactly: Map (String keys), Iterable or array of primitives/objects, Number,
   * String, Boolean, Character or null. Integral numbers are written without a fraction; NaN and
   * infinities are rejected, as JSON has no spelling for them.
   */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, -1);
    return sb.toString();
  }

  /**
   * Writes a value for people to read (report files such as {@code metrics.json}): objects and
   * arrays of non-scalars one entry per line, indented by two spaces, {@code ": "} after keys,
   * arrays of numbers or booleans on one line, and a final newline. Values are written as by {@link
   * #write}, except that NaN and infinities become {@code null} (as JavaScript's {@code
   * JSON.stringify} does), so a diverged run still leaves a readable file.
   *
   * <pre>{@code
   * Json.writePretty(Map.of("loss", List.of(0.5, 0.25)));   // {\n  "loss": [0.5, 0.25]\n}\n
   * }</pre>
   */
  public static String writePretty(Object value) {
    return writePretty(value, 0);
  }

  /**
   * {@link #writePretty(Object)} with every floating-point number rounded to {@code
   * significantDigits} (1 to 17; 0 keeps them exact), written without trailing zeros, in plain
   * notation from 1e-6 up: {@code 0.9917}, {@code 0.00001}, {@code 1.23053E-17}. For reports, where
   * 0.08516735439578568 says no more than 0.0851674.
   */
  public static String writePretty(Object value, int significantDigits) {
    if (significantDigits < 0 || significantDigits > 17) {
      throw new IllegalArgumentException(
          "Json.writePretty: significantDigits must be 0 to 17, got " + significantDigits);
    }
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0, significantDigits);
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object v, int indent) {
    write(sb, v, indent, 0);
  }

  /**
   * {@code indent} < 0: compact; otherwise the nesting depth of {@code v} in pretty output. {@code
   * digits} > 0 rounds floating-point numbers to that many significant digits.
   */
  private static void write(StringBuilder sb, Object v, int indent, int digits) {
    boolean pretty = indent >= 0;
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      quote(sb, s);
    } else if (v instanceof Character c) {
      quote(sb, c.toString());
    } else if (v instanceof Boolean b) {
      sb.append(b);
    } else if (v instanceof Number n) {
      if (pretty && !Double.isFinite(n.doubleValue())) sb.append("null");
      else if (digits > 0 && (n instanceof Double || n instanceof Float))
        writeRounded(sb, n.doubleValue(), digits);
      else writeNumber(sb, n);
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "Json.write: object keys must be strings, got " + e.getKey());
        }
        if (!first) sb.append(',');
        first = false;
        if (pretty) newline(sb, indent + 1);
        quote(sb, key);
        sb.append(pretty ? ": " : ":");
        write(sb, e.getValue(), pretty ? indent + 1 : -1, digits);
      }
      if (pretty && !first) newline(sb, indent);
      sb.append('}');
    } else if (v instanceof Iterable<?> || v.getClass().isArray()) {
      List<Object> items = new ArrayList<>();
      if (v instanceof Iterable<?> it) {
        for (Object o : it) items.add(o);
      } else {
        int n = java.lang.reflect.Array.getLength(v);
        for (int i = 0; i < n; i++) items.add(java.lang.reflect.Array.get(v, i));
      }
      // Pretty output keeps arrays of scalars (curves, shapes) on one line.
      boolean multiline =
          pretty && !items.stream().allMatch(o -> o instanceof Number || o instanceof Boolean);
      sb.append('[');
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) sb.append(pretty && !multiline ? ", " : ",");
        if (multiline) newline(sb, indent + 1);
        write(sb, items.get(i), pretty ? indent + 1 : -1, digits);
      }
      if (multiline && !items.isEmpty()) newline(sb, indent);
      sb.append(']');
    } else {
      throw new IllegalArgumentException("Json.write: cannot write a " + v.getClass().getName());
    }
  }

  private static void newline(StringBuilder sb, int indent) {
    sb.append('\n').append("  ".repeat(indent));
  }

  private static void writeRounded(StringBuilder sb, double d, int digits) {
    if (d == 0) {
      sb.append('0');
      return;
    }
    java.math.BigDecimal r =
        new java.math.BigDecimal(d).round(new java.math.MathContext(digits)).stripTrailingZeros();
    // BigDecimal writes plain digits down to 1e-6 and an exponent below (and for integers from
    // 1e15)
    if (r.scale() <= 0 && Math.abs(d) < 1e15) sb.append(r.toBigInteger());
    else sb.append(r.toString());
  }

  private static void writeNumber(StringBuilder sb, Number n) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      sb.append(n.longValue());
      return;
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d))
      throw new IllegalArgumentException("Json.write: " + d + " has no JSON representation");
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      sb.append((long) d);
    } else if (n instanceof Float f) {
      sb.append(Float.toString(f));
    } else {
      sb.append(Double.toString(d));
    }
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }
}
