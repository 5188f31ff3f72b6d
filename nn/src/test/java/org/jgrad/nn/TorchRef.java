package org.jgrad.nn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgrad.backend.DType;
import org.jgrad.tensor.Tensor;
import org.jgrad.util.Json;

/** Reference cases written by tools/torch_nn_reference.py (PyTorch 1.13), read from test resources. */
final class TorchRef {
  private TorchRef() {}

  /** One recorded module run: configuration, state, inputs, outputs and gradients. */
  record Case(String name, Map<String, Object> config, Map<String, Tensor> state, List<Tensor> inputs,
      List<Tensor> outputs, List<Tensor> gradOutputs, List<Tensor> inputGrads, Map<String, Tensor> paramGrads,
      Map<String, Tensor> stateAfter) {

    @Override
    public String toString() {
      return name;
    }

    boolean has(String key) {
      return config.containsKey(key) && config.get(key) != null;
    }

    int i(String key) {
      return ((Number) get(key)).intValue();
    }

    double d(String key) {
      return ((Number) get(key)).doubleValue();
    }

    boolean b(String key) {
      return (Boolean) get(key);
    }

    String s(String key) {
      return (String) get(key);
    }

    int[] ints(String key) {
      List<?> l = (List<?>) get(key);
      int[] out = new int[l.size()];
      for (int k = 0; k < out.length; k++) out[k] = ((Number) l.get(k)).intValue();
      return out;
    }

    double[] doubles(String key) {
      List<?> l = (List<?>) get(key);
      double[] out = new double[l.size()];
      for (int k = 0; k < out.length; k++) out[k] = ((Number) l.get(k)).doubleValue();
      return out;
    }

    Tensor tensor(String key) {
      Object o = config.get(key);
      return o == null ? null : TorchRef.tensor(o);
    }

    Object get(String key) {
      if (!config.containsKey(key)) throw new IllegalArgumentException(name + ": config has no '" + key + "'");
      return config.get(key);
    }
  }

  static Map<String, Object> resource(String path) {
    try (InputStream in = TorchRef.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing test resource " + path);
      return Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static List<Case> load(String group) {
    Map<String, Object> root = resource("/torch/" + group + ".json");
    List<Case> out = new ArrayList<>();
    for (Object o : (List<Object>) root.get("cases")) {
      Map<String, Object> c = (Map<String, Object>) o;
      out.add(new Case((String) c.get("name"), (Map<String, Object>) c.get("config"), tensors(c.get("state")),
          list(c.get("inputs")), list(c.get("outputs")), list(c.get("grad_outputs")), list(c.get("input_grads")),
          tensors(c.get("param_grads")), tensors(c.get("state_after"))));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Tensor> tensors(Object o) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : ((Map<String, Object>) o).entrySet()) out.put(e.getKey(), tensor(e.getValue()));
    return out;
  }

  private static List<Tensor> list(Object o) {
    List<Tensor> out = new ArrayList<>();
    for (Object t : (List<?>) o) out.add(t == null ? null : tensor(t));
    return out;
  }

  /** {"shape": [...], "dtype": ..., "data": [...]} as a Tensor. */
  @SuppressWarnings("unchecked")
  static Tensor tensor(Object json) {
    Map<String, Object> m = (Map<String, Object>) json;
    List<?> sh = (List<?>) m.get("shape");
    int[] shape = new int[sh.size()];
    for (int i = 0; i < shape.length; i++) shape[i] = ((Number) sh.get(i)).intValue();
    List<?> data = (List<?>) m.get("data");
    String dtype = (String) m.get("dtype");
    int n = data.size();
    Tensor t;
    switch (dtype) {
      case "float32" -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) number(data.get(i));
        t = Tensor.of(v, n);
      }
      case "float64" -> {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = number(data.get(i));
        t = Tensor.of(v, n);
      }
      case "int64", "bool" -> {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = ((Number) data.get(i)).longValue();
        t = Tensor.ofLongs(v, n);
        if (dtype.equals("bool")) t = t.ne(0);
      }
      default -> throw new IllegalArgumentException("unknown dtype " + dtype);
    }
    Tensor r = t.reshape(shape);
    return r.dtype() == DType.BOOL ? r : r.contiguous();
  }

  private static double number(Object o) {
    if (o instanceof String s) {
      return switch (s) {
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> Double.NaN;
      };
    }
    return ((Number) o).doubleValue();
  }
}
