package org.jgrad.data.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsed ARFF: the attributes (name, type, nominal values) and the data rows as strings.
 *
 * <pre>{@code
 * ArffTable t = ArffReader.read(Path.of("diabetes.arff"));
 * TabularData pima = t.toLabeled("class");   // tested_negative = 0, tested_positive = 1
 * }</pre>
 *
 * @param source where the text came from (for messages)
 * @param relation the {@code @relation} name
 * @param attributes the declared attributes, in column order
 * @param rows the data rows (not copied)
 * @param lines the 1-based line of each row
 */
public record ArffTable(
    String source, String relation, List<Attribute> attributes, List<String[]> rows, int[] lines) {
  /** Attribute kinds. */
  public enum Type {
    NUMERIC,
    NOMINAL,
    STRING,
    DATE
  }

  /**
   * One {@code @attribute}.
   *
   * @param name the attribute name
   * @param type its kind
   * @param values the declared values of a nominal attribute, in order (empty otherwise)
   */
  public record Attribute(String name, Type type, List<String> values) {
    public Attribute {
      values = List.copyOf(values);
    }

    public boolean isNominal() {
      return type == Type.NOMINAL;
    }

    public boolean isNumeric() {
      return type == Type.NUMERIC;
    }
  }

  public ArffTable {
    attributes = List.copyOf(attributes);
  }

  /** Number of data rows. */
  public int size() {
    return rows.size();
  }

  /** The index of an attribute by name; IllegalArgumentException listing the names if absent. */
  public int attributeIndex(String name) {
    for (int i = 0; i < attributes.size(); i++) {
      if (attributes.get(i).name().equals(name)) return i;
    }
    throw new IllegalArgumentException(
        "ARFF "
            + source
            + ": no attribute '"
            + name
            + "' in "
            + attributes.stream().map(Attribute::name).toList());
  }

  /**
   * Features from every attribute except the class, class indices from the nominal attribute {@code
   * classAttribute} in its declared order. Numeric features are parsed; a nominal feature becomes
   * the index of its value; {@code ?} becomes NaN. String and date attributes are refused.
   */
  public TabularData toLabeled(String classAttribute) throws IOException {
    int lc = attributeIndex(classAttribute);
    Attribute cls = attributes.get(lc);
    if (!cls.isNominal()) {
      throw new IllegalArgumentException(
          "ARFF "
              + source
              + ": class attribute '"
              + classAttribute
              + "' must be nominal ({...}), it is "
              + cls.type());
    }
    int cols = attributes.size() - 1;
    List<String> featureNames = new ArrayList<>();
    for (int a = 0; a < attributes.size(); a++) {
      if (a == lc) continue;
      Attribute at = attributes.get(a);
      if (at.type() == Type.STRING || at.type() == Type.DATE) {
        throw new IllegalArgumentException(
            "ARFF "
                + source
                + ": attribute '"
                + at.name()
                + "' is "
                + at.type()
                + "; only numeric and nominal attributes can be features");
      }
      featureNames.add(at.name());
    }
    int n = rows.size();
    float[] x = new float[n * cols];
    int[] y = new int[n];
    for (int r = 0; r < n; r++) {
      String[] row = rows.get(r);
      if (row[lc].equals("?")) {
        throw new IOException(
            "ARFF " + source + " line " + lines[r] + ": the class value is missing ('?')");
      }
      y[r] = cls.values().indexOf(row[lc]);
      for (int a = 0, k = 0; a < attributes.size(); a++) {
        if (a == lc) continue;
        Attribute at = attributes.get(a);
        String v = row[a];
        x[r * cols + k] =
            v.equals("?")
                ? Float.NaN
                : at.isNominal()
                    ? at.values().indexOf(v)
                    : TabularData.parseFloat32(
                        v,
                        "ARFF "
                            + source
                            + " line "
                            + lines[r]
                            + ", column "
                            + (a + 1)
                            + " (attribute '"
                            + at.name()
                            + "')");
        k++;
      }
    }
    return new TabularData(x, n, cols, featureNames, y, cls.values());
  }
}
