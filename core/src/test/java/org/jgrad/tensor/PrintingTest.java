package org.jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jgrad.backend.Device;
import org.jgrad.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code toString()} against PyTorch's {@code str(tensor)} (recorded in ops.json by
 * tools/torch_reference.py) for small tensors, plus jgrad's documented additions: the shape of
 * summarized and empty tensors, the device, and the gradFn or requiresGrad flag.
 */
class PrintingTest {
  static Stream<Arguments> torchStrings() {
    return Json.list(TorchReferenceTest.doc().get("printing")).stream()
        .map(Json::map)
        .map(m -> Arguments.of(m.get("str"), m));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("torchStrings")
  void smallTensorsPrintExactlyLikePyTorch(String expected, Map<String, Object> spec) {
    int[] shape = Json.ints(spec.get("shape"));
    double[] data = Json.doubles(spec.get("data"));
    Tensor t =
        switch ((String) spec.get("dtype")) {
          case "float32" -> TorchReferenceTest.floats(data, shape);
          case "float64" -> shape.length == 0 ? Tensor.of(data).reshape() : Tensor.of(data, shape);
          case "int64", "bool" -> {
            long[] l = new long[data.length];
            for (int i = 0; i < l.length; i++) l[i] = (long) data[i];
            Tensor x = shape.length == 0 ? Tensor.ofLongs(l).reshape() : Tensor.ofLongs(l, shape);
            yield spec.get("dtype").equals("bool") ? x.ne(0) : x;
          }
          default -> throw new IllegalArgumentException("dtype " + spec.get("dtype"));
        };
    assertEquals(expected, t.toString());
  }

  @Test
  void bigTensorsAreSummarizedWithTheirShape() {
    String s = Tensor.arange(2000.0).reshape(2, 1000).add(0.5).toString();
    assertTrue(s.contains("..."), s);
    assertTrue(s.contains("shape=[2, 1000]"), s);
    assertTrue(s.contains("5.0000e-01") && s.contains("1.9995e+03"), s);
    assertTrue(s.length() < 400, "summarized, not printed in full: " + s.length() + " characters");
    String small = Tensor.arange(1000.0).toString();
    assertTrue(
        !small.contains("...") && small.contains("999."),
        "1000 elements are still printed in full");
    String cube = Tensor.zeros(20, 20, 20).toString();
    assertTrue(cube.contains("...") && cube.contains("shape=[20, 20, 20]"), cube);
  }

  @Test
  void emptyTensorsShowTheirShape() {
    assertEquals("tensor([], shape=[0, 3])", Tensor.zeros(0, 3).toString());
    assertEquals(
        "tensor([], shape=[0, 2], dtype=int64)", Tensor.ofLongs(new long[0], 0, 2).toString());
  }

  @Test
  void deviceAndAutogradStateAreShown() {
    Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
    assertEquals("tensor([1., 2.], requiresGrad=true)", x.toString());
    assertEquals("tensor([2., 4.], gradFn=<MulBackward>)", x.mul(2).toString());
    assertEquals(
        "tensor([1., 2.], device='ref')",
        Tensor.of(new float[] {1, 2}).to(Device.REFERENCE).toString());
    assertEquals("tensor([1., 2.], dtype=float64)", Tensor.of(new double[] {1, 2}).toString());
  }

  @Test
  void viewsPrintTheirLogicalValues() {
    Tensor t = Tensor.arange(6.0).reshape(2, 3).t();
    assertEquals("tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])", t.toString());
    assertEquals("tensor([4., 1.])", Tensor.arange(6.0).slice(0, 1, 6, 3).flip(0).toString());
  }

  @Test
  void printingDoesNotChangeAnything() {
    Tensor x = Tensor.randn(3).requiresGrad(true);
    Tensor y = x.exp();
    String before = List.of(y.version(), y.gradFn().name()).toString();
    y.toString();
    assertEquals(before, List.of(y.version(), y.gradFn().name()).toString());
  }
}
