package org.jgrad.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgrad.backend.DType;
import org.jgrad.json.Json;
import org.jgrad.tensor.Tensor;

/**
 * Reads the PyTorch reference files that the generators in {@code tools/} write to each module's
 * {@code src/test/resources/torch/}, so that tests compare against PyTorch without needing Python.
 *
 * <p>Tensors are stored as {@code {"shape": [...], "dtype": "float32", "data": [...]}} (row-major;
 * NaN and infinities as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}).
 *
 * <pre>{@code
 * for (TorchCases.Case c : TorchCases.load("linear")) {      // reads /torch/linear.json
 *   Tensor y = new Linear(c.i("in"), c.i("out")).forward(c.inputs().get(0));
 *   TensorAssertions.assertClose(c.outputs().get(0), y, 1e-5, 1e-6);
 * }
 * Map<String, Object> raw = TorchCases.json("/torch/clip.json");   // any other layout
 * }</pre>
 */
public final class TorchCases {
  private TorchCases() {}

  /**
   * One recorded module run: configuration, state, inputs, outputs and gradients, as written by
   * {@code tools/torch_nn_reference.py}. Missing sections are empty.
   *
   * @param name the case's name, used as the test's display name
   * @param config the module's constructor arguments and options
   * @param state the module's parameters and buffers before the run
   * @param inputs the forward inputs (entries may be null)
   * @param outputs the forward outputs
   * @param gradOutputs the gradients fed to backward
   * @param inputGrads the expected gradients of the inputs (entries may be null)
   * @param paramGrads the expected gradients of the parameters, by name
   * @param stateAfter parameters and buffers after the run (e.g. running statistics)
   */
  public record Case(
      String name,
      Map<String, Object> config,
      Map<String, Tensor> state,
      List<Tensor> inputs,
      List<Tensor> outputs,
      List<Tensor> gradOutputs,
      List<Tensor> inputGrads,
      Map<String, Tensor> paramGrads,
      Map<String, Tensor> stateAfter) {

    @Override
    public String toString() {
      return name;
    }

    /** Whether the configuration has {@code key} with a non-null value. */
    public boolean has(String key) {
      return config.containsKey(key) && config.get(key) != null;
    }

    /** A configuration value as an int. */
    public int i(String key) {
      return ((Number) get(key)).intValue();
    }

    /** A configuration value as a double. */
    public double d(String key) {
      return ((Number) get(key)).doubleValue();
    }

    /** A configuration value as a boolean. */
    public boolean b(String key) {
      return (Boolean) get(key);
    }

    /** A configuration value as a string. */
    public String s(String key) {
      return (String) get(key);
    }

    /** A configuration list of numbers as ints. */
    public int[] ints(String key) {
      List<?> l = (List<?>) get(key);
      int[] out = new int[l.size()];
      for (int k = 0; k < out.length; k++) out[k] = ((Number) l.get(k)).intValue();
      return out;
    }

    /** A configuration list of numbers as doubles. */
    public double[] doubles(String key) {
      List<?> l = (List<?>) get(key);
      double[] out = new double[l.size()];
      for (int k = 0; k < out.length; k++) out[k] = ((Number) l.get(k)).doubleValue();
      return out;
    }

    /** A configuration tensor, or null when the value is null or missing. */
    public Tensor tensor(String key) {
      Object o = config.get(key);
      return o == null ? null : TorchCases.tensor(o);
    }

    /** A configuration value; a missing key is an error naming the case. */
    public Object get(String key) {
      if (!config.containsKey(key))
        throw new IllegalArgumentException(name + ": config has no '" + key + "'");
      return config.get(key);
    }
  }

  /**
   * Parses a JSON object from the class path, e.g. {@code "/torch/optimizers.json"}.
   *
   * @throws IllegalStateException if the resource is missing (the message says how to generate it)
   */
  public static Map<String, Object> json(String path) {
    try (InputStream in = open(path)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing test resource "
                + path
                + " (the generators in tools/ write it; run them with /usr/bin/python3 and commit the output)");
      }
      return Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read test resource " + path, e);
    }
  }

  private static InputStream open(String path) {
    String name = path.startsWith("/") ? path.substring(1) : path;
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    InputStream in = cl == null ? null : cl.getResourceAsStream(name);
    return in != null ? in : TorchCases.class.getResourceAsStream("/" + name);
  }

  /** The cases of {@code /torch/<group>.json}, a file of the form {@code {"cases": [...]}}. */
  public static List<Case> load(String group) {
    String path = "/torch/" + group + ".json";
    Map<String, Object> root = json(path);
    if (!root.containsKey("cases"))
      throw new IllegalArgumentException(path + ": no \"cases\" array");
    List<Case> out = new ArrayList<>();
    for (Object o : Json.list(root.get("cases"))) {
      Map<String, Object> c = Json.map(o);
      out.add(
          new Case(
              (String) c.get("name"),
              c.containsKey("config") ? Json.map(c.get("config")) : Map.of(),
              tensors(c.get("state")),
              list(c.get("inputs")),
              list(c.get("outputs")),
              list(c.get("grad_outputs")),
              list(c.get("input_grads")),
              tensors(c.get("param_grads")),
              tensors(c.get("state_after"))));
    }
    return out;
  }

  private static Map<String, Tensor> tensors(Object o) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (o == null) return out;
    for (Map.Entry<String, Object> e : Json.map(o).entrySet())
      out.put(e.getKey(), tensor(e.getValue()));
    return out;
  }

  private static List<Tensor> list(Object o) {
    List<Tensor> out = new ArrayList<>();
    if (o == null) return out;
    for (Object t : Json.list(o)) out.add(t == null ? null : tensor(t));
    return out;
  }

  /**
   * A tensor stored as {@code {"shape": [...], "dtype": ..., "data": [...]}}; dtype is one of
   * float32, float64, int64, bool. The result is contiguous.
   */
  public static Tensor tensor(Object json) {
    Map<String, Object> m = Json.map(json);
    int[] shape = Json.ints(m.get("shape"));
    List<Object> data = Json.list(m.get("data"));
    String dtype = (String) m.get("dtype");
    int n = data.size();
    Tensor t;
    switch (dtype) {
      case "float32" -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) Json.number(data.get(i));
        t = Tensor.of(v, n);
      }
      case "float64" -> {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Json.number(data.get(i));
        t = Tensor.of(v, n);
      }
      case "int64", "bool" -> {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = ((Number) data.get(i)).longValue();
        t = Tensor.ofLongs(v, n);
        if (dtype.equals("bool")) t = t.ne(0);
      }
      default -> throw new IllegalArgumentException("TorchCases.tensor: unknown dtype " + dtype);
    }
    Tensor r = t.reshape(shape);
    return r.dtype() == DType.BOOL ? r : r.contiguous();
  }

  /**
   * A nested JSON list of numbers flattened in row-major order, with its shape.
   *
   * @param data the numbers, row-major
   * @param shape the nesting lengths, outermost first (empty for a bare number)
   */
  public record Nd(double[] data, int[] shape) {}

  /** Flattens a nested list of numbers such as {@code [[1, 2], [3, 4]]}. */
  public static Nd nd(Object json) {
    List<Integer> shape = new ArrayList<>();
    Object cur = json;
    while (cur instanceof List<?> l) {
      shape.add(l.size());
      cur = l.isEmpty() ? null : l.get(0);
    }
    List<Double> flat = new ArrayList<>();
    flatten(json, flat);
    double[] d = new double[flat.size()];
    for (int k = 0; k < d.length; k++) d[k] = flat.get(k);
    return new Nd(d, shape.stream().mapToInt(Integer::intValue).toArray());
  }

  private static void flatten(Object o, List<Double> out) {
    if (o instanceof List<?> l) {
      for (Object e : l) flatten(e, out);
    } else {
      out.add(Json.number(o));
    }
  }
}
