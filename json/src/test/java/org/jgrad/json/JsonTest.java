package org.jgrad.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void parsesEveryKindOfValue() {
    Map<String, Object> m =
        Json.parseObject(
            " {\"a\": 1, \"b\": -2.5e3, \"c\": [true, false, null], \"d\": {\"e\": \"x\\\"y\\\\z\\n\\u00e9\"}, \"f\": []} ");
    assertEquals(1.0, m.get("a"));
    assertEquals(-2500.0, m.get("b"));
    assertEquals(List.of(true, false), Json.list(m.get("c")).subList(0, 2));
    assertNull(Json.list(m.get("c")).get(2));
    assertEquals("x\"y\\z\né", Json.map(m.get("d")).get("e"));
    assertEquals(List.of(), m.get("f"));
    assertEquals(
        List.of("a", "b", "c", "d", "f"), new ArrayList<>(m.keySet()), "key order is kept");
    assertEquals(0.0, Json.parse("0"));
    assertEquals(-0.5, Json.parse("-0.5"));
    assertEquals(1e-7, Json.parse("1E-7"));
    assertEquals("\uD83D\uDE00", Json.parse("\"\\ud83d\\ude00\""), "surrogate pairs join up");
  }

  @Test
  void helpersConvertAndCheck() {
    Map<String, Object> m =
        Json.parseObject("{\"shape\": [2, 3], \"v\": [0.5, \"NaN\", \"-Infinity\"], \"s\": \"t\"}");
    assertArrayEquals(new int[] {2, 3}, Json.ints(m.get("shape")));
    double[] v = Json.doubles(m.get("v"));
    assertEquals(0.5, v[0]);
    assertTrue(Double.isNaN(v[1]));
    assertEquals(Double.NEGATIVE_INFINITY, v[2]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Json.ints(Json.parse("[1.5]")));
    assertTrue(e.getMessage().contains("integer"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Json.map(m.get("shape")));
    assertTrue(
        e.getMessage().contains("expected an object") && e.getMessage().contains("array"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Json.number(m.get("s")));
    assertTrue(
        e.getMessage().contains("number") && e.getMessage().contains("\"t\""), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]"));
  }

  @Test
  void malformedInputNamesLineAndColumn() {
    String[][] bad = {
      {"{\"a\": 1,}", "expected a string key"},
      {"{\"a\" 1}", "expected ':'"},
      {"[1 2]", "expected ',' or ']'"},
      {"[1,\n 2,\n x]", "line 3, column 2"},
      {"\"abc", "unterminated string"},
      {"01", "unexpected text after the JSON value"},
      {"1.", "digit after '.'"},
      {"-", "expected a digit"},
      {"tru", "invalid literal"},
      {"\"\\q\"", "invalid escape"},
      {"\"\\u12g4\"", "hex digit"},
      {"{\"a\": 1, \"a\": 2}", "duplicate key"},
      {"", "unexpected end of input"},
      {"[", "unexpected end of input"},
      {"\"a\u0001\"", "control character"},
    };
    for (String[] b : bad) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Json.parse(b[0]), b[0]);
      assertTrue(
          e.getMessage().startsWith("Json: ") && e.getMessage().contains(b[1]),
          b[0] + " -> " + e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> Json.parse("[".repeat(100_000)),
        "deep nesting is refused, not a stack overflow");
  }

  @Test
  void writesCompactJsonThatParsesBack() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "w\"eight\n");
    m.put("shape", List.of(2, 3));
    m.put("data", new float[] {0.5f, -1.25f, 3});
    m.put("offsets", new long[] {0, 1L << 40});
    m.put("ok", true);
    m.put("none", null);
    m.put("x", 0.1);
    String s = Json.write(m);
    assertEquals(
        "{\"name\":\"w\\\"eight\\n\",\"shape\":[2,3],\"data\":[0.5,-1.25,3],\"offsets\":[0,1099511627776],"
            + "\"ok\":true,\"none\":null,\"x\":0.1}",
        s);
    Map<String, Object> back = Json.parseObject(s);
    assertEquals("w\"eight\n", back.get("name"));
    assertArrayEquals(new double[] {0.5, -1.25, 3}, Json.doubles(back.get("data")));
    assertEquals((double) (1L << 40), Json.list(back.get("offsets")).get(1));
    assertEquals(0.1, back.get("x"));
    assertEquals("\"\\u0001\"", Json.write("\u0001"));
    assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, 2)));
    assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
  }

  @Test
  void roundTripsDoublesExactly() {
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < 1000; i++) {
      double d = r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
      assertEquals(d, Json.parse(Json.write(d)));
    }
  }

  @Test
  void writesPrettyNestedMapsThatParseBack() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("adam", 0.9917);
    inner.put("diverged", Double.NaN);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("params", 34826);
    m.put("test_accuracy", inner);
    m.put("curve", new double[] {0.5, 0.25});
    m.put("rows", List.of(List.of("a", 1), Map.of()));
    m.put("empty", List.of());
    m.put("loss", "MSE");
    String s = Json.writePretty(m);
    assertEquals(
        """
        {
          "params": 34826,
          "test_accuracy": {
            "adam": 0.9917,
            "diverged": null
          },
          "curve": [0.5, 0.25],
          "rows": [
            [
              "a",
              1
            ],
            {}
          ],
          "empty": [],
          "loss": "MSE"
        }
        """,
        s);
    Map<String, Object> back = Json.parseObject(s);
    assertEquals(0.9917, Json.map(back.get("test_accuracy")).get("adam"));
    assertNull(Json.map(back.get("test_accuracy")).get("diverged"));
    assertArrayEquals(new double[] {0.5, 0.25}, Json.doubles(back.get("curve")));
    assertEquals(
        Json.parse(Json.write(List.of(List.of("a", 1), Map.of()))),
        back.get("rows"),
        "pretty and compact agree");
    assertEquals("null\n", Json.writePretty(Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> Json.writePretty(Map.of(1, 2)));
  }

  @Test
  void prettyWritingRoundsToSignificantDigitsOnRequest() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mse", 0.08516735439578568);
    m.put("lr", 2e-4);
    m.put("wd", 1e-5);
    m.put("tiny", -3.1401849173675495e-17);
    m.put("whole", 2.0);
    m.put("big", 123456789.0);
    m.put("rounds_up", 0.99999996);
    m.put("count", 34826L);
    m.put("f", 0.1f);
    m.put("curve", List.of(1.0 / 3, 0.0));
    assertEquals(
        """
        {
          "mse": 0.0851674,
          "lr": 0.0002,
          "wd": 0.00001,
          "tiny": -3.14018E-17,
          "whole": 2,
          "big": 123457000,
          "rounds_up": 1,
          "count": 34826,
          "f": 0.1,
          "curve": [0.333333, 0]
        }
        """,
        Json.writePretty(m, 6));
    Map<String, Object> back = Json.parseObject(Json.writePretty(m, 6));
    assertEquals(-3.14018e-17, back.get("tiny"));
    assertEquals(Json.writePretty(m), Json.writePretty(m, 0), "0 keeps the numbers exact");
    assertTrue(Json.writePretty(m).contains("\"mse\": 0.08516735439578568"));
    assertThrows(IllegalArgumentException.class, () -> Json.writePretty(m, 18));
  }
}
