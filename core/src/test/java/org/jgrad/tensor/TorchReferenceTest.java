package org.jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values and gradients against PyTorch 1.13, from {@code core/src/test/resources/torch/ops.json}
 * (written by {@code tools/torch_reference.py}). Each JSON case is one JUnit case, run three ways:
 * dense inputs on the CPU, non-contiguous inputs (transposed or stepped storage) on the CPU, and
 * dense inputs on {@link Device#REFERENCE}. Float32 values and gradients must agree within {@code
 * |a - b| <= 1e-6 + 1e-5 |b|}; integer and bool outputs exactly.
 */
class TorchReferenceTest {
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  private static Map<String, Object> doc;

  static synchronized Map<String, Object> doc() {
    if (doc == null) {
      try (InputStream in = TorchReferenceTest.class.getResourceAsStream("/torch/ops.json")) {
        assertNotNull(
            in, "torch/ops.json is missing from the test resources; run tools/torch_reference.py");
        doc = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read torch/ops.json", e);
      }
    }
    return doc;
  }

  static Stream<Arguments> cases() {
    return Json.list(doc().get("cases")).stream()
        .map(Json::map)
        .map(c -> Arguments.of(c.get("name"), c));
  }

  enum Variant {
    DENSE_CPU,
    STRIDED_CPU,
    DENSE_REFERENCE
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, Map<String, Object> c) {
    for (Variant v : Variant.values()) {
      try {
        run(c, v);
      } catch (AssertionError e) {
        throw new AssertionError(name + " (" + c.get("op") + ", " + v + "): " + e.getMessage(), e);
      }
    }
  }

  @Test
  void fileCoversTheOpListWithEnoughCases() {
    List<Object> cases = Json.list(doc().get("cases"));
    assertTrue(cases.size() >= 250, "only " + cases.size() + " cases");
    TreeSet<String> ops = new TreeSet<>();
    for (Object o : cases) ops.add((String) Json.map(o).get("op"));
    for (String op :
        List.of(
            "add",
            "sub",
            "mul",
            "div",
            "pow",
            "powScalar",
            "neg",
            "exp",
            "log",
            "sqrt",
            "log1p",
            "expm1",
            "abs",
            "sign",
            "clamp",
            "maximum",
            "minimum",
            "where",
            "eq",
            "ne",
            "lt",
            "le",
            "gt",
            "ge",
            "sigmoid",
            "tanh",
            "relu",
            "leakyRelu",
            "elu",
            "gelu",
            "softplus",
            "sin",
            "cos",
            "sum",
            "mean",
            "varDims",
            "stdDims",
            "maxDim",
            "minDim",
            "argmaxDim",
            "argminDim",
            "amax",
            "logsumexp",
            "norm",
            "softmax",
            "logSoftmax",
            "matmul",
            "outer",
            "reshape",
            "permute",
            "transpose",
            "expand",
            "narrow",
            "select",
            "slice",
            "flatten",
            "squeeze",
            "unsqueeze",
            "cat",
            "stack",
            "split",
            "chunk",
            "pad",
            "repeat",
            "gather",
            "scatterAdd",
            "indexSelect",
            "oneHot",
            "flip",
            "conv2d",
            "convTranspose2d",
            "maxPool2d",
            "avgPool2d",
            "adaptiveAvgPool2d",
            "logSoftmaxNll")) {
      assertTrue(ops.contains(op), "no PyTorch reference case for " + op);
    }
  }

  // ---------------------------------------------------------------- running one case

  static void run(Map<String, Object> c, Variant variant) {
    Map<String, Object> args = Json.map(c.get("args"));
    List<Object> inputSpecs = Json.list(c.get("inputs"));
    Tensor[] inputs = new Tensor[inputSpecs.size()];
    for (int i = 0; i < inputs.length; i++) inputs[i] = input(Json.map(inputSpecs.get(i)), variant);
    List<Tensor> outs = apply((String) c.get("op"), args, inputs);

    List<Object> outSpecs = Json.list(c.get("outputs"));
    assertEquals(outSpecs.size(), outs.size(), "number of outputs");
    Tensor loss = null;
    for (int k = 0; k < outs.size(); k++) {
      Map<String, Object> spec = Json.map(outSpecs.get(k));
      Tensor out = outs.get(k);
      check("output " + k, spec, out);
      if (spec.containsKey("r")) {
        assertTrue(out.requiresGrad(), "output " + k + " should require grad");
        Tensor r =
            floats(Json.doubles(spec.get("r")), Json.ints(spec.get("shape"))).to(out.device());
        Tensor term = out.mul(r).sum();
        loss = loss == null ? term : loss.add(term);
      }
    }
    Object gradSpecs = c.get("grads");
    if (gradSpecs == null) return;
    assertNotNull(loss, "PyTorch computed gradients but no output carries a weight");
    loss.backward();
    List<Object> grads = Json.list(gradSpecs);
    for (int i = 0; i < inputs.length; i++) {
      if (grads.get(i) == null) continue;
      double[] expected = Json.doubles(grads.get(i));
      Tensor g = inputs[i].grad();
      if (g == null) {
        for (double e : expected)
          assertEquals(0.0, e, "input " + i + " got no gradient, PyTorch's is nonzero");
        continue;
      }
      assertArrayEquals(inputs[i].shape(), g.shape(), "shape of gradient " + i);
      assertEquals(inputs[i].device(), g.device(), "device of gradient " + i);
      assertClose("gradient of input " + i, expected, g.toDoubleArray());
    }
  }

  static DType dtype(String name) {
    return switch (name) {
      case "float32" -> DType.FLOAT32;
      case "int64" -> DType.INT64;
      case "bool" -> DType.BOOL;
      default -> throw new IllegalArgumentException("unknown dtype " + name);
    };
  }

  static Tensor floats(double[] values, int[] shape) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
    return shape.length == 0 ? Tensor.of(f).reshape() : Tensor.of(f, shape);
  }

  /** Builds an input tensor; in the strided variant its storage is laid out differently. */
  private static Tensor input(Map<String, Object> spec, Variant variant) {
    int[] shape = Json.ints(spec.get("shape"));
    double[] values = Json.doubles(spec.get("data"));
    DType dtype = dtype((String) spec.get("dtype"));
    Tensor t =
        variant == Variant.STRIDED_CPU
            ? strided(values, shape, dtype)
            : dense(values, shape, dtype);
    if (dtype == DType.BOOL) t = t.ne(0);
    assertArrayEquals(shape, t.shape(), "input shape");
    if (variant == Variant.DENSE_REFERENCE) t = t.to(Device.REFERENCE);
    if (variant == Variant.STRIDED_CPU
        && shape.length > 0
        && RawNumel.of(shape) > 1
        && dtype != DType.BOOL) {
      assertFalse(t.isContiguous(), "strided variant should produce a non-contiguous input");
    }
    if (dtype == DType.FLOAT32) t.requiresGrad(true);
    return t;
  }

  private static Tensor dense(double[] values, int[] shape, DType dtype) {
    if (dtype == DType.FLOAT32) return floats(values, shape);
    long[] l = new long[values.length];
    for (int i = 0; i < l.length; i++) l[i] = (long) values[i];
    return shape.length == 0 ? Tensor.ofLongs(l).reshape() : Tensor.ofLongs(l, shape);
  }

  /**
   * The same values in a non-contiguous layout: rank ≥ 2 tensors are stored transposed in their
   * last two dims, 1-D tensors every other element of a storage filled with NaN (or -7 for
   * integers), so an op that ignores the strides reads garbage.
   */
  private static Tensor strided(double[] values, int[] shape, DType dtype) {
    int r = shape.length;
    if (r >= 2 && shape[r - 1] > 1 && shape[r - 2] > 1) {
      int[] tshape = shape.clone();
      tshape[r - 1] = shape[r - 2];
      tshape[r - 2] = shape[r - 1];
      return dense(values, shape, dtype)
          .transpose(-1, -2)
          .contiguous()
          .detach()
          .reshape(tshape)
          .transpose(-1, -2);
    }
    if (r >= 1) {
      int n = values.length;
      double[] wide = new double[2 * n];
      Arrays.fill(wide, dtype == DType.FLOAT32 ? Double.NaN : -7);
      for (int i = 0; i < n; i++) wide[2 * i] = values[i];
      int[] wshape = shape.clone();
      wshape[r - 1] *= 2;
      return dense(wide, wshape, dtype).slice(r - 1, 0, wshape[r - 1], 2);
    }
    return dense(values, shape, dtype);
  }

  private static void check(String what, Map<String, Object> spec, Tensor actual) {
    int[] shape = Json.ints(spec.get("shape"));
    assertArrayEquals(
        shape,
        actual.shape(),
        what
            + " shape: expected "
            + Arrays.toString(shape)
            + ", got "
            + Arrays.toString(actual.shape()));
    DType dtype = dtype((String) spec.get("dtype"));
    assertEquals(dtype, actual.dtype(), what + " dtype");
    double[] expected = Json.doubles(spec.get("data"));
    double[] got = actual.toDoubleArray();
    if (dtype == DType.FLOAT32) {
      assertClose(what, expected, got);
    } else {
      assertArrayEquals(expected, got, what + " (exact)");
    }
  }

  static void assertClose(String what, double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length, what + ": number of elements");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i], a = actual[i];
      boolean ok =
          Double.isNaN(e)
              ? Double.isNaN(a)
              : Double.isInfinite(e) ? e == a : Math.abs(a - e) <= ATOL + RTOL * Math.abs(e);
      if (!ok) {
        fail(
            what
                + " differs at flat index "
                + i
                + ": expected "
                + e
                + ", got "
                + a
                + " (|diff| "
                + Math.abs(a - e)
                + " > "
                + (ATOL + RTOL * Math.abs(e))
                + ")");
      }
    }
  }

  private static final class RawNumel {
    static int of(int[] shape) {
      int n = 1;
      for (int d : shape) n *= d;
      return n;
    }
  }

  // ---------------------------------------------------------------- op name -> Tensor call

  private static int[] ints(Map<String, Object> a, String key) {
    return Json.ints(a.get(key));
  }

  private static int integer(Map<String, Object> a, String key) {
    return Json.integer(a.get(key));
  }

  private static double num(Map<String, Object> a, String key) {
    return Json.number(a.get(key));
  }

  private static boolean bool(Map<String, Object> a, String key) {
    return (Boolean) a.get(key);
  }

  private static List<Tensor> one(Tensor t) {
    return List.of(t);
  }

  static List<Tensor> apply(String op, Map<String, Object> a, Tensor[] in) {
    Tensor x = in[0];
    return switch (op) {
      case "add" -> one(x.add(in[1]));
      case "sub" -> one(x.sub(in[1]));
      case "mul" -> one(x.mul(in[1]));
      case "div" -> one(x.div(in[1]));
      case "pow" -> one(x.pow(in[1]));
      case "maximum" -> one(x.maximum(in[1]));
      case "minimum" -> one(x.minimum(in[1]));
      case "addScalar" -> one(x.add(num(a, "value")));
      case "subScalar" -> one(x.sub(num(a, "value")));
      case "mulScalar" -> one(x.mul(num(a, "value")));
      case "divScalar" -> one(x.div(num(a, "value")));
      case "powScalar" -> one(x.pow(num(a, "value")));
      case "neg" -> one(x.neg());
      case "exp" -> one(x.exp());
      case "log" -> one(x.log());
      case "sqrt" -> one(x.sqrt());
      case "log1p" -> one(x.log1p());
      case "expm1" -> one(x.expm1());
      case "abs" -> one(x.abs());
      case "sign" -> one(x.sign());
      case "sin" -> one(x.sin());
      case "cos" -> one(x.cos());
      case "tanh" -> one(x.tanh());
      case "sigmoid" -> one(x.sigmoid());
      case "relu" -> one(x.relu());
      case "erf" -> one(x.erf());
      case "reciprocal" -> one(x.reciprocal());
      case "square" -> one(x.square());
      case "gelu" -> one(x.gelu());
      case "softplus" -> one(x.softplus());
      case "silu" -> one(x.silu());
      case "leakyRelu" -> one(x.leakyRelu(num(a, "slope")));
      case "elu" -> one(x.elu(num(a, "alpha")));
      case "softplusBeta" -> one(x.softplus(num(a, "beta"), num(a, "threshold")));
      case "clamp" -> one(x.clamp(num(a, "min"), num(a, "max")));
      case "clampMin" -> one(x.clampMin(num(a, "min")));
      case "clampMax" -> one(x.clampMax(num(a, "max")));
      case "where" -> one(Tensor.where(x, in[1], in[2]));
      case "eq" -> one(x.eq(in[1]));
      case "ne" -> one(x.ne(in[1]));
      case "lt" -> one(x.lt(in[1]));
      case "le" -> one(x.le(in[1]));
      case "gt" -> one(x.gt(in[1]));
      case "ge" -> one(x.ge(in[1]));
      case "eqScalar" -> one(x.eq(num(a, "value")));
      case "neScalar" -> one(x.ne(num(a, "value")));
      case "ltScalar" -> one(x.lt(num(a, "value")));
      case "leScalar" -> one(x.le(num(a, "value")));
      case "gtScalar" -> one(x.gt(num(a, "value")));
      case "geScalar" -> one(x.ge(num(a, "value")));
      case "sum" ->
          one(a.containsKey("dims") ? x.sum(ints(a, "dims"), bool(a, "keepDim")) : x.sum());
      case "mean" ->
          one(a.containsKey("dims") ? x.mean(ints(a, "dims"), bool(a, "keepDim")) : x.mean());
      case "var" -> one(x.var());
      case "std" -> one(x.std());
      case "varDims" -> one(x.var(ints(a, "dims"), bool(a, "unbiased"), bool(a, "keepDim")));
      case "stdDims" -> one(x.std(ints(a, "dims"), bool(a, "unbiased"), bool(a, "keepDim")));
      case "amax" -> one(x.amax(ints(a, "dims"), bool(a, "keepDim")));
      case "amin" -> one(x.amin(ints(a, "dims"), bool(a, "keepDim")));
      case "max" -> one(x.max());
      case "min" -> one(x.min());
      case "maxDim" -> {
        Tensor.ValuesIndices vi = x.max(integer(a, "dim"), bool(a, "keepDim"));
        yield List.of(vi.values(), vi.indices());
      }
      case "minDim" -> {
        Tensor.ValuesIndices vi = x.min(integer(a, "dim"), bool(a, "keepDim"));
        yield List.of(vi.values(), vi.indices());
      }
      case "argmax" -> one(x.argmax());
      case "argmin" -> one(x.argmin());
      case "argmaxDim" -> one(x.argmax(integer(a, "dim"), bool(a, "keepDim")));
      case "argminDim" -> one(x.argmin(integer(a, "dim"), bool(a, "keepDim")));
      case "logsumexp" -> one(x.logsumexp(ints(a, "dims"), bool(a, "keepDim")));
      case "norm" -> one(x.norm(num(a, "p"), ints(a, "dims"), bool(a, "keepDim")));
      case "softmax" -> one(x.softmax(integer(a, "dim")));
      case "logSoftmax" -> one(x.logSoftmax(integer(a, "dim")));
      case "matmul" -> one(x.matmul(in[1]));
      case "outer" -> one(x.outer(in[1]));
      case "reshape" -> one(x.reshape(ints(a, "shape")));
      case "reshapeT" -> one(x.t().reshape(ints(a, "shape")));
      case "permute" -> one(x.permute(ints(a, "dims")));
      case "transpose" -> one(x.transpose(integer(a, "dim0"), integer(a, "dim1")));
      case "t" -> one(x.t());
      case "expand" -> one(x.expand(ints(a, "shape")));
      case "narrow" -> one(x.narrow(integer(a, "dim"), integer(a, "start"), integer(a, "length")));
      case "select" -> one(x.select(integer(a, "dim"), integer(a, "index")));
      case "slice" ->
          one(
              x.slice(
                  integer(a, "dim"), integer(a, "start"), integer(a, "end"), integer(a, "step")));
      case "flatten" -> one(x.flatten());
      case "flattenRange" -> one(x.flatten(integer(a, "start"), integer(a, "end")));
      case "squeeze" -> one(x.squeeze());
      case "squeezeDim" -> one(x.squeeze(integer(a, "dim")));
      case "unsqueeze" -> one(x.unsqueeze(integer(a, "dim")));
      case "contiguousT" -> one(x.t().contiguous());
      case "clone" -> one(x.clone());
      case "cat" -> one(Tensor.cat(List.of(in), integer(a, "dim")));
      case "stack" -> one(Tensor.stack(List.of(in), integer(a, "dim")));
      case "split" -> x.split(integer(a, "size"), integer(a, "dim"));
      case "chunk" -> x.chunk(integer(a, "chunks"), integer(a, "dim"));
      case "pad" -> one(x.pad(ints(a, "pad"), num(a, "value")));
      case "repeat" -> one(x.repeat(ints(a, "repeats")));
      case "flip" -> one(x.flip(ints(a, "dims")));
      case "gather" -> one(x.gather(integer(a, "dim"), in[1]));
      case "scatterAdd" -> one(x.scatterAdd(integer(a, "dim"), in[1], in[2]));
      case "indexSelect" -> one(x.indexSelect(integer(a, "dim"), in[1]));
      case "oneHot" -> one(x.oneHot(integer(a, "numClasses")));
      case "chainMlp" -> one(x.matmul(in[1]).add(in[2]).tanh().sum(1, false).logSoftmax(0));
      case "chainShared" -> one(x.mul(x.exp()).sub(x.sin().mul(x)));
      case "chainNormalize" ->
          one(x.sub(x.mean(1, true)).div(x.var(1, false, true).add(1e-5).sqrt()));
      case "conv2d" ->
          one(
              NeuralOpsWithArgs.conv2d(
                  x,
                  in[1],
                  in.length > 2 ? in[2] : null,
                  ints(a, "stride"),
                  ints(a, "padding"),
                  ints(a, "dilation"),
                  integer(a, "groups")));
      case "convTranspose2d" ->
          one(
              NeuralOpsWithArgs.convTranspose2d(
                  x,
                  in[1],
                  in.length > 2 ? in[2] : null,
                  ints(a, "stride"),
                  ints(a, "padding"),
                  ints(a, "outputPadding"),
                  integer(a, "groups"),
                  ints(a, "dilation")));
      case "maxPool2d" -> {
        Tensor.ValuesIndices vi =
            NeuralOpsWithArgs.maxPool2dWithIndices(
                x, ints(a, "kernel"), ints(a, "stride"), ints(a, "padding"), ints(a, "dilation"));
        yield List.of(vi.values(), vi.indices());
      }
      case "avgPool2d" ->
          one(
              NeuralOpsWithArgs.avgPool2d(
                  x, ints(a, "kernel"), ints(a, "stride"), ints(a, "padding")));
      case "adaptiveAvgPool2d" ->
          one(NeuralOpsWithArgs.adaptiveAvgPool2d(x, integer(a, "outH"), integer(a, "outW")));
      case "logSoftmaxNll" ->
          one(NeuralOpsWithArgs.logSoftmaxNll(x, in[1], integer(a, "ignoreIndex")));
      default -> TorchIdiomsReferenceTest.apply(op, a, in);
    };
  }
}
