package org.jgrad.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgrad.backend.DType;
import org.jgrad.json.Json;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.TorchCases;

/**
 * The reference problems of tools/torch_optim_reference.py, written with plain Tensor ops: a
 * quadratic over two tensors, the Rosenbrock function and a 4-8-3 tanh MLP with cross-entropy.
 */
public final class Problems {
  private final Map<String, Object> spec;
  private final String name;
  private final DType dtype;
  private final Map<String, Tensor> constants = new LinkedHashMap<>();

  public Problems(Map<String, Object> problems, String name, DType dtype) {
    this.spec = Json.map(problems.get(name));
    this.name = name;
    this.dtype = dtype;
    for (String k : List.of("A", "b", "X")) {
      if (spec.containsKey(k)) constants.put(k, tensor(spec.get(k), dtype));
    }
    if (spec.containsKey("y")) {
      double[] y = Json.doubles(spec.get("y"));
      long[] l = new long[y.length];
      for (int i = 0; i < y.length; i++) l[i] = (long) y[i];
      constants.put("y", Tensor.ofLongs(l, l.length, 1));
    }
  }

  static Tensor tensor(Object json, DType dtype) {
    TorchCases.Nd nd = TorchCases.nd(json);
    Tensor t = Tensor.of(nd.data(), nd.shape());
    return dtype == DType.FLOAT64 ? t : t.to(dtype);
  }

  /** Fresh leaf parameters holding the initial values, in the problem's parameter order. */
  public Map<String, Tensor> params() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    Json.map(spec.get("params")).forEach((k, v) -> out.put(k, tensor(v, dtype).requiresGrad(true)));
    return out;
  }

  public Tensor loss(Map<String, Tensor> p) {
    switch (name) {
      case "quadratic":
        {
          Tensor theta = Tensor.cat(List.of(p.get("W").reshape(-1), p.get("v")), 0);
          Tensor a = constants.get("A"), b = constants.get("b");
          Tensor atheta = a.matmul(theta.reshape(-1, 1)).reshape(-1);
          return theta.mul(atheta).sum().mul(0.5).sub(b.mul(theta).sum());
        }
      case "rosenbrock":
        {
          Tensor xy = p.get("xy");
          Tensor x = xy.select(0, 0), y = xy.select(0, 1);
          return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
        }
      case "mlp":
        {
          Tensor h = constants.get("X").matmul(p.get("W1").t()).add(p.get("b1")).tanh();
          Tensor logits = h.matmul(p.get("W2").t()).add(p.get("b2"));
          return logits.logSoftmax(1).gather(1, constants.get("y")).mean().neg();
        }
      default:
        throw new IllegalArgumentException("unknown problem " + name);
    }
  }

  /** All parameters flattened and concatenated, as the reference records them. */
  public static double[] flat(Map<String, Tensor> p) {
    List<double[]> parts = new ArrayList<>();
    int n = 0;
    for (Tensor t : p.values()) {
      double[] d = t.toDoubleArray();
      parts.add(d);
      n += d.length;
    }
    double[] out = new double[n];
    int at = 0;
    for (double[] d : parts) {
      System.arraycopy(d, 0, out, at, d.length);
      at += d.length;
    }
    return out;
  }
}
