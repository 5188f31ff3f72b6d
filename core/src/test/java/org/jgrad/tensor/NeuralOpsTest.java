package org.jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.json.Json;
import org.jgrad.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused primitives of {@link NeuralOps}: values and gradients against PyTorch
 * (tools/torch_neural_reference.py → resources/torch/neural.json) on the CPU and the reference
 * device, gradients against finite differences in float64, and argument errors.
 */
class NeuralOpsTest {
  private static Map<String, Object> doc;

  private static synchronized Map<String, Object> doc() throws IOException {
    if (doc == null) {
      try (InputStream in = NeuralOpsTest.class.getResourceAsStream("/torch/neural.json")) {
        assertNotNull(in, "missing test resource torch/neural.json");
        doc = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return doc;
  }

  static Stream<Arguments> cases() throws IOException {
    List<Object> cases = Json.list(doc().get("cases"));
    Stream.Builder<Arguments> b = Stream.builder();
    for (int i = 0; i < cases.size(); i++) {
      Map<String, Object> c = Json.map(cases.get(i));
      for (Device d : new Device[] {Device.CPU, Device.REFERENCE})
        b.add(Arguments.of(c.get("op") + "#" + i, d, c));
    }
    return b.build();
  }

  private static int[] ints(Map<String, Object> args, String key) {
    return Json.ints(args.get(key));
  }

  /** Running statistics after the last batchNorm call (checked against PyTorch's). */
  private static Tensor[] lastRunning;

  private static float[] floats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return f;
  }

  static Tensor call(String op, Map<String, Object> a, Tensor[] in) {
    return switch (op) {
      case "conv2d" ->
          NeuralOpsWithArgs.conv2d(
              in[0],
              in[1],
              in[2],
              ints(a, "stride"),
              ints(a, "padding"),
              ints(a, "dilation"),
              Json.integer(a.get("groups")));
      case "convTranspose2d" ->
          NeuralOpsWithArgs.convTranspose2d(
              in[0],
              in[1],
              in[2],
              ints(a, "stride"),
              ints(a, "padding"),
              ints(a, "output_padding"),
              Json.integer(a.get("groups")),
              ints(a, "dilation"));
      case "maxPool2d" ->
          NeuralOpsWithArgs.maxPool2d(
              in[0], ints(a, "k"), ints(a, "stride"), ints(a, "padding"), ints(a, "dilation"));
      case "avgPool2d" ->
          NeuralOpsWithArgs.avgPool2d(in[0], ints(a, "k"), ints(a, "stride"), ints(a, "padding"));
      case "adaptiveAvgPool2d" ->
          NeuralOpsWithArgs.adaptiveAvgPool2d(in[0], ints(a, "out")[0], ints(a, "out")[1]);
      case "logSoftmaxNll" ->
          NeuralOpsWithArgs.logSoftmaxNll(in[0], in[1], (long) Json.number(a.get("ignore")));
      case "batchNorm" -> {
        Tensor rm = Tensor.of(floats(Json.doubles(a.get("running_mean")))).to(in[0].device());
        Tensor rv = Tensor.of(floats(Json.doubles(a.get("running_var")))).to(in[0].device());
        boolean affine = Boolean.TRUE.equals(a.get("affine"));
        Tensor y =
            NeuralOpsWithArgs.batchNorm(
                in[0],
                rm,
                rv,
                affine ? in[1] : null,
                affine ? in[2] : null,
                Boolean.TRUE.equals(a.get("training")),
                Json.number(a.get("momentum")),
                Json.number(a.get("eps")));
        lastRunning = new Tensor[] {rm, rv};
        yield y;
      }
      case "lstmCell" -> NeuralOps.lstmCell(in[0], in[1]);
      case "gruCell" -> NeuralOps.gruCell(in[0], in[1], in[2]);
      default -> throw new IllegalArgumentException("unknown op " + op);
    };
  }

  private static void assertClose(String what, double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double tol = 1e-5 + 1e-5 * Math.abs(expected[i]);
      if (Math.abs(expected[i] - actual[i]) > tol) {
        throw new AssertionError(
            what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
      }
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void matchesPyTorch(String name, Device device, Map<String, Object> c) {
    List<Object> specs = Json.list(c.get("inputs"));
    Tensor[] in = new Tensor[specs.size()];
    for (int i = 0; i < in.length; i++) {
      Map<String, Object> s = Json.map(specs.get(i));
      double[] data = Json.doubles(s.get("data"));
      int[] shape = Json.ints(s.get("shape"));
      if (Boolean.TRUE.equals(s.get("int"))) {
        long[] l = new long[data.length];
        for (int k = 0; k < l.length; k++) l[k] = (long) data[k];
        in[i] = Tensor.ofLongs(l, shape).to(device);
      } else {
        float[] f = new float[data.length];
        for (int k = 0; k < f.length; k++) f[k] = (float) data[k];
        in[i] = Tensor.of(f, shape).to(device).requiresGrad(true);
      }
    }
    Tensor out = call((String) c.get("op"), Json.map(c.get("args")), in);
    Map<String, Object> expected = Json.map(c.get("output"));
    assertEquals(
        java.util.Arrays.toString(Json.ints(expected.get("shape"))),
        java.util.Arrays.toString(out.shape()),
        name + " shape");
    assertClose(name + " output", Json.doubles(expected.get("data")), out.toDoubleArray());
    if (c.containsKey("running_mean_after")) {
      assertClose(
          name + " running mean",
          Json.doubles(c.get("running_mean_after")),
          lastRunning[0].toDoubleArray());
      assertClose(
          name + " running var",
          Json.doubles(c.get("running_var_after")),
          lastRunning[1].toDoubleArray());
    }
    Map<String, Object> r = Json.map(c.get("r"));
    float[] rf = new float[Json.doubles(r.get("data")).length];
    double[] rd = Json.doubles(r.get("data"));
    for (int k = 0; k < rf.length; k++) rf[k] = (float) rd[k];
    out.mul(Tensor.of(rf, Json.ints(r.get("shape"))).to(device)).sum().backward();
    List<Object> grads = Json.list(c.get("grads"));
    for (int i = 0; i < in.length; i++) {
      if (grads.get(i) == null) continue;
      assertNotNull(in[i].grad(), name + ": no gradient for input " + i);
      assertClose(
          name + " grad " + i,
          Json.doubles(Json.map(grads.get(i)).get("data")),
          in[i].grad().toDoubleArray());
    }
  }

  private static Tensor rand64(Generator g, int... shape) {
    return Tensor.randn(g, shape).to(DType.FLOAT64).requiresGrad(true);
  }

  @Test
  void lstmCellGradientsMatchFiniteDifferencesToSecondOrder() {
    Generator g = new Generator(11);
    Tensor gates = rand64(g, 3, 20), c = rand64(g, 3, 5);
    GradCheck.check(in -> NeuralOps.lstmCell(in[0], in[1]), gates, c);
    GradCheck.checkGradGrad(in -> NeuralOps.lstmCell(in[0], in[1]), gates, c);
    // Only one of the two outputs used: the other half of the incoming gradient is zero.
    GradCheck.check(in -> NeuralOps.lstmCell(in[0], in[1]).select(0, 0), gates, c);
    GradCheck.check(in -> NeuralOps.lstmCell(in[0], in[1]).select(0, 1).square(), gates, c);
  }

  @Test
  void gruCellGradientsMatchFiniteDifferencesToSecondOrder() {
    Generator g = new Generator(12);
    Tensor xg = rand64(g, 3, 12), hg = rand64(g, 3, 12), h = rand64(g, 3, 4);
    GradCheck.check(in -> NeuralOps.gruCell(in[0], in[1], in[2]), xg, hg, h);
    GradCheck.checkGradGrad(in -> NeuralOps.gruCell(in[0], in[1], in[2]), xg, hg, h);
  }

  @Test
  void convGradientsMatchFiniteDifferences() {
    Generator g = new Generator(7);
    Tensor x = rand64(g, 2, 4, 6, 5), w = rand64(g, 4, 2, 3, 2), b = rand64(g, 4);
    GradCheck.check(
        in ->
            NeuralOpsWithArgs.conv2d(
                in[0], in[1], in[2], new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}, 2),
        x,
        w,
        b);
    Tensor u = rand64(g, 1, 4, 3, 4), wt = rand64(g, 4, 1, 3, 3);
    GradCheck.check(
        in ->
            NeuralOpsWithArgs.convTranspose2d(
                in[0],
                in[1],
                null,
                new int[] {2, 2},
                new int[] {1, 0},
                new int[] {1, 0},
                2,
                new int[] {1, 1}),
        u,
        wt);
    Tensor ub = rand64(g, 2);
    GradCheck.check(
        in ->
            NeuralOpsWithArgs.convTranspose2d(
                in[0],
                in[1],
                in[2],
                new int[] {2, 2},
                new int[] {1, 0},
                new int[] {1, 0},
                2,
                new int[] {1, 1}),
        u,
        wt,
        ub);
  }

  @Test
  void convBiasAddedInPlaceGivesTheBitsOfAnAddedBias() {
    // The bias rides along as the convolution node's third input, added into its fresh output:
    // the same float sums as conv + bias, and the gradients the separate add would give.
    Generator g = new Generator(12);
    int[] one = {1}, pad = {1};
    Tensor x = Tensor.randn(g, 3, 4, 9, 7).requiresGrad(true);
    Tensor w = Tensor.randn(g, 5, 4, 3, 3).requiresGrad(true);
    Tensor b = Tensor.randn(g, 5).requiresGrad(true);
    Tensor fused = NeuralOpsWithArgs.conv2d(x, w, b, one, pad, one, 1);
    Tensor[] leaves = {x.detach().requiresGrad(true), w.detach().requiresGrad(true)};
    Tensor bb = b.detach().requiresGrad(true);
    Tensor apart =
        NeuralOpsWithArgs.conv2d(leaves[0], leaves[1], null, one, pad, one, 1)
            .add(bb.reshape(1, 5, 1, 1));
    assertArrayEquals(apart.toFloatArray(), fused.toFloatArray());
    Tensor gy = Tensor.randn(g, fused.shape());
    fused.backward(gy);
    apart.backward(gy);
    assertArrayEquals(leaves[0].grad().toFloatArray(), x.grad().toFloatArray());
    assertArrayEquals(leaves[1].grad().toFloatArray(), w.grad().toFloatArray());
    assertArrayEquals(bb.grad().toFloatArray(), b.grad().toFloatArray());
    // A constant bias: no gradient asked for it, the others unchanged.
    Tensor x2 = x.detach().requiresGrad(true), c = b.detach();
    NeuralOpsWithArgs.conv2d(x2, w.detach(), c, one, pad, one, 1).backward(gy);
    assertArrayEquals(x.grad().toFloatArray(), x2.grad().toFloatArray());
    assertEquals(null, c.grad());
  }

  @Test
  void convInputPathIsTwiceDifferentiable() {
    Generator g = new Generator(8);
    Tensor x = rand64(g, 1, 2, 5, 5);
    Tensor w = Tensor.randn(g, 3, 2, 3, 3).to(DType.FLOAT64);
    GradCheck.checkGradGrad(
        in ->
            NeuralOpsWithArgs.conv2d(in[0], w, null, new int[] {1}, new int[] {1}, new int[] {1}, 1)
                .square(),
        x);
  }

  @Test
  void poolingGradientsMatchFiniteDifferences() {
    Generator g = new Generator(9);
    Tensor x = rand64(g, 2, 2, 7, 6);
    GradCheck.check(
        in ->
            NeuralOpsWithArgs.maxPool2d(
                in[0], new int[] {3, 2}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}),
        x);
    GradCheck.check(
        in ->
            NeuralOpsWithArgs.avgPool2d(
                in[0], new int[] {3, 3}, new int[] {2, 1}, new int[] {1, 1}),
        x);
    GradCheck.check(in -> NeuralOpsWithArgs.adaptiveAvgPool2d(in[0], 3, 4), x);
  }

  @Test
  void crossEntropyGradientsIncludingSecondOrder() {
    Generator g = new Generator(10);
    Tensor logits = rand64(g, 5, 4);
    Tensor target = Tensor.ofLongs(new long[] {0, 3, -100, 2, 1});
    GradCheck.check(in -> NeuralOpsWithArgs.logSoftmaxNll(in[0], target, -100), logits);
    GradCheck.checkGradGrad(in -> NeuralOpsWithArgs.logSoftmaxNll(in[0], target, -100), logits);
  }

  @Test
  void batchNormGradientsMatchFiniteDifferences() {
    Generator g = new Generator(11);
    Tensor x = rand64(g, 3, 2, 4, 3), w = rand64(g, 2), b = rand64(g, 2);
    GradCheck.check(
        in -> NeuralOpsWithArgs.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5),
        x,
        w,
        b);
    Tensor x1 = rand64(g, 5, 3);
    GradCheck.check(
        in -> NeuralOpsWithArgs.batchNorm(in[0], null, null, null, null, true, 0.1, 1e-5), x1);
  }

  @Test
  void maxPoolIndicesAreInPlanePositions() {
    Tensor x = Tensor.of(new float[] {1, 5, 2, 0, 3, 4, 9, 8, 7, 6, 1, 2, 0, 0, 0, 1}, 1, 1, 4, 4);
    Tensor.ValuesIndices vi =
        NeuralOpsWithArgs.maxPool2dWithIndices(
            x, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1});
    assertEquals(
        "[5.0, 9.0, 7.0, 2.0]",
        java.util.Arrays.toString(vi.values().toFloatArray()).replace("f", ""));
    assertEquals("[1, 6, 8, 11]", java.util.Arrays.toString(vi.indices().toLongArray()));
  }

  @Test
  void badArgumentsNameTheOpAndShapes() {
    Tensor x = Tensor.zeros(1, 3, 5, 5);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NeuralOpsWithArgs.conv2d(
                    x,
                    Tensor.zeros(4, 2, 3, 3),
                    null,
                    new int[] {1},
                    new int[] {0},
                    new int[] {1},
                    1));
    assertTrue(
        e.getMessage().contains("conv2d")
            && e.getMessage().contains("[4, 2, 3, 3]")
            && e.getMessage().contains("[1, 3, 5, 5]"),
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NeuralOpsWithArgs.conv2d(
                    Tensor.zeros(3, 5, 5),
                    Tensor.zeros(4, 3, 3, 3),
                    null,
                    new int[] {1},
                    new int[] {0},
                    new int[] {1},
                    1));
    assertTrue(e.getMessage().startsWith("conv2d: expected a 4-D input"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NeuralOpsWithArgs.conv2d(
                    x,
                    Tensor.zeros(4, 3, 7, 7),
                    null,
                    new int[] {1},
                    new int[] {0},
                    new int[] {1},
                    1));
    assertTrue(e.getMessage().contains("smaller than the effective kernel"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NeuralOpsWithArgs.maxPool2d(
                    x, new int[] {2}, new int[] {0}, new int[] {0}, new int[] {1}));
    assertTrue(e.getMessage().startsWith("maxPool2d: stride"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NeuralOpsWithArgs.logSoftmaxNll(
                    Tensor.zeros(2, 3), Tensor.ofLongs(new long[] {0, 5}), -100));
    assertTrue(e.getMessage().contains("5") && e.getMessage().contains("out of"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NeuralOpsWithArgs.logSoftmaxNll(
                    Tensor.zeros(2, 3), Tensor.ofLongs(new long[] {0, 1, 2}), -100));
    assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2, 3]"), e.getMessage());
  }
}
