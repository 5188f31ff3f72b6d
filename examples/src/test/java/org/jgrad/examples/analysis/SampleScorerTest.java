package org.jgrad.examples.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jgrad.backend.DType;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The Fréchet distance against closed forms: for b = 2a + c (rows), μb = 2μa + c and Cb = 4Ca, so
 * (Ca^½ Cb Ca^½)^½ = 2Ca and the distance is |μa + c|² + tr(Ca), whatever the sample a.
 */
class SampleScorerTest {
  @Test
  void frechetDistanceOfAnAffineCopyHasItsClosedForm() {
    int n = 200, d = 6;
    Tensor a = Tensor.randn(new Generator(1), n, d).to(DType.FLOAT64).mul(0.7);
    a = a.add(a.narrow(1, 0, 1).mul(0.5)); // correlated columns
    double[] cv = {0.5, -1, 2, 0, 0.25, 3};
    Tensor c = Tensor.of(cv, d);
    Tensor b = a.mul(2).add(c);
    double[] av = a.toDoubleArray();
    double[] mu = new double[d];
    for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mu[j] += av[i * d + j] / n;
    double expected = 0, trace = 0;
    for (int j = 0; j < d; j++) {
      expected += (mu[j] + cv[j]) * (mu[j] + cv[j]);
      double v = 0;
      for (int i = 0; i < n; i++) v += (av[i * d + j] - mu[j]) * (av[i * d + j] - mu[j]);
      trace += v / (n - 1);
    }
    expected += trace;
    assertEquals(expected, SampleScorer.frechet(a, b), 1e-8 * expected);
    assertEquals(0, SampleScorer.frechet(a, a), 1e-8);
  }

  @Test
  void frechetRejectsDifferentFeatureSizes() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SampleScorer.frechet(Tensor.zeros(4, 3), Tensor.zeros(4, 2)));
    assertEquals("SampleScorer.frechet: feature sizes differ, 3 and 2", e.getMessage());
  }
}
