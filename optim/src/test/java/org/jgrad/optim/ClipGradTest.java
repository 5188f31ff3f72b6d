package org.jgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jgrad.backend.DType;
import org.jgrad.json.Json;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.TorchCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * clipGradNorm / clipGradValue against torch.nn.utils.clip_grad_norm_ / clip_grad_value_
 * (clip.json).
 */
class ClipGradTest {

  @TestFactory
  Stream<DynamicTest> againstTorch() {
    Map<String, Object> ref = Json.map(TorchCases.json("/torch/clip.json"));
    return Json.list(ref.get("cases")).stream()
        .map(Json::map)
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.get("kind")
                        + " "
                        + (c.containsKey("normType")
                            ? "p=" + c.get("normType") + " max=" + c.get("maxNorm")
                            : "value=" + c.get("clipValue")),
                    () -> {
                      List<Object> grads = Json.list(c.get("grads"));
                      List<Tensor> ps =
                          grads.stream()
                              .map(
                                  g -> {
                                    Tensor p =
                                        Tensor.zerosLike(Problems.tensor(g, DType.FLOAT64))
                                            .requiresGrad(true);
                                    p.setGrad(Problems.tensor(g, DType.FLOAT64));
                                    return p;
                                  })
                              .toList();
                      if ("norm".equals(c.get("kind"))) {
                        double p =
                            "inf".equals(c.get("normType"))
                                ? Double.POSITIVE_INFINITY
                                : ((Number) c.get("normType")).doubleValue();
                        double total =
                            ClipGrad.clipGradNorm(
                                ps, ((Number) c.get("maxNorm")).doubleValue(), p, true);
                        assertEquals(
                            ((Number) c.get("totalNorm")).doubleValue(), total, 1e-12 * total);
                      } else {
                        ClipGrad.clipGradValue(ps, ((Number) c.get("clipValue")).doubleValue());
                      }
                      List<Object> clipped = Json.list(c.get("clipped"));
                      for (int i = 0; i < ps.size(); i++) {
                        assertArrayEquals(
                            TorchCases.nd(clipped.get(i)).data(),
                            ps.get(i).grad().toDoubleArray(),
                            1e-12);
                      }
                    }));
  }

  @Test
  void globalNormIsOverAllParametersAndSkipsMissingGrads() {
    Tensor a = Tensor.zeros(2).requiresGrad(true), b = Tensor.zeros(1).requiresGrad(true);
    Tensor none = Tensor.zeros(3).requiresGrad(true);
    a.setGrad(Tensor.of(new float[] {3, 0}));
    b.setGrad(Tensor.of(new float[] {4}));
    double total = ClipGrad.clipGradNorm(List.of(a, b, none), 1.0);
    assertEquals(5.0, total, 1e-6);
    assertArrayEquals(new double[] {0.6, 0}, a.grad().toDoubleArray(), 1e-6);
    assertArrayEquals(new double[] {0.8}, b.grad().toDoubleArray(), 1e-6);
    assertEquals(null, none.grad());
    assertEquals(0.0, ClipGrad.clipGradNorm(List.of(none), 1.0));
  }

  @Test
  void nonFiniteNormsCanBeRefused() {
    Tensor a = Tensor.zeros(2).requiresGrad(true);
    a.setGrad(Tensor.of(new float[] {Float.NaN, 1}));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClipGrad.clipGradNorm(List.of(a), 1.0, 2.0, true));
    assertEquals(true, e.getMessage().contains("non-finite"));
    assertEquals(Double.NaN, ClipGrad.clipGradNorm(List.of(a), 1.0, 2.0, false));
    assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradValue(List.of(a), -1));
  }
}
