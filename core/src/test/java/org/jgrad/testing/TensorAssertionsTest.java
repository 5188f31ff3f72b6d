package org.jgrad.testing;

import static org.jgrad.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jgrad.backend.DType;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TensorAssertionsTest {
  @Test
  void withinAtolPlusRtolTimesExpectedPasses() {
    Tensor e = Tensor.of(new double[] {1, 100, 0}, 3);
    // Allowed: 1e-3 + 1e-2*|e| = 0.011, 1.001, 0.001.
    assertClose(e, Tensor.of(new double[] {1.0109, 100.999, -0.0009}, 3), 1e-2, 1e-3);
  }

  @Test
  void failureNamesShapeWorstIndexAndValues() {
    Tensor e = Tensor.of(new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
    Tensor a = Tensor.of(new double[] {0, 1.5, 2, 3, 4, 9}, 2, 3);
    AssertionError err = assertThrows(AssertionError.class, () -> assertClose(e, a, 1e-5, 1e-8));
    String m = err.getMessage();
    assertTrue(m.contains("shape [2, 3]"), m);
    assertTrue(m.contains("2 of 6 elements"), m);
    assertTrue(m.contains("worst at index [1, 2]"), m);
    assertTrue(m.contains("expected 5.00000000 but got 9.00000000"), m);
  }

  @Test
  void shapeAndDtypeMismatchesAreNamed() {
    Tensor e = Tensor.of(new float[] {1, 2}, 2);
    String shape =
        assertThrows(
                AssertionError.class,
                () -> assertClose(e, Tensor.of(new float[] {1, 2}, 1, 2), 0, 0))
            .getMessage();
    assertTrue(shape.contains("expected [2] but got [1, 2]"), shape);
    String dtype =
        assertThrows(
                AssertionError.class, () -> assertClose(e, Tensor.of(new double[] {1, 2}, 2), 0, 0))
            .getMessage();
    assertTrue(dtype.contains("expected float32 but got float64"), dtype);
  }

  @Test
  void nanAndInfinityFollowTorch() {
    Tensor nan = Tensor.of(new double[] {Double.NaN}, 1);
    assertThrows(AssertionError.class, () -> assertClose(nan, nan, 0, 0));
    assertClose(nan, nan, 0, 0, true);
    Tensor inf = Tensor.of(new double[] {Double.POSITIVE_INFINITY}, 1);
    assertClose(inf, inf, 0, 0);
    assertThrows(
        AssertionError.class, () -> assertClose(inf, Tensor.of(new double[] {1e308}, 1), 1, 1));
  }

  @Test
  void tensorJsonRoundTrip() {
    Tensor t =
        TorchCases.tensor(
            Map.of(
                "shape",
                List.of(2.0, 2.0),
                "dtype",
                "float32",
                "data",
                List.of(1.0, "NaN", "-Infinity", 4.0)));
    assertEquals(DType.FLOAT32, t.dtype());
    assertArrayEquals(new int[] {2, 2}, t.shape());
    assertClose(
        Tensor.of(new float[] {1, Float.NaN, Float.NEGATIVE_INFINITY, 4}, 2, 2), t, 0, 0, true);
    TorchCases.Nd nd = TorchCases.nd(List.of(List.of(1.0, 2.0, 3.0), List.of(4.0, 5.0, 6.0)));
    assertArrayEquals(new int[] {2, 3}, nd.shape());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, nd.data());
  }

  @Test
  void missingResourceSaysHowToGenerateIt() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> TorchCases.json("/torch/nope.json"));
    assertTrue(
        e.getMessage().contains("/torch/nope.json") && e.getMessage().contains("tools/"),
        e.getMessage());
  }
}
