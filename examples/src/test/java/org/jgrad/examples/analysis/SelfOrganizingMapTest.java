package org.jgrad.examples.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgrad.examples.analysis.SelfOrganizingMap.Neighbourhood;
import org.jgrad.examples.analysis.SelfOrganizingMap.Schedule;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SelfOrganizingMapTest {
  /** A 1×3 map at 0, 1, 2 on a line; one sample at 0.4 whose winner is unit 0. */
  private static SelfOrganizingMap line() {
    return SelfOrganizingMap.of(1, 3, Tensor.of(new float[] {0, 1, 2}, 3, 1));
  }

  @Test
  void oneGaussianStepMovesEachUnitByLrTimesTheNeighbourhood() {
    SelfOrganizingMap som = line();
    Tensor x = Tensor.of(new float[] {0.4f}, 1, 1);
    // A one-step schedule uses the start values: σ = 1, lr = 0.5.
    som.train(x, 1, Schedule.of(1, 0.1, 0.5, 0.01), Neighbourhood.GAUSSIAN, new Generator(0), null);
    double[][] w = som.weights();
    double[] h = {1, Math.exp(-0.5), Math.exp(-2)};
    double[] start = {0, 1, 2};
    for (int u = 0; u < 3; u++)
      assertEquals(start[u] + 0.5 * h[u] * (0.4 - start[u]), w[u][0], 1e-6, "unit " + u);
  }

  @Test
  void theTriangleNeighbourhoodLeavesUnitsBeyondSigmaAlone() {
    SelfOrganizingMap som = line();
    Tensor x = Tensor.of(new float[] {0.4f}, 1, 1);
    som.train(x, 1, Schedule.of(2, 0.1, 0.5, 0.01), Neighbourhood.TRIANGLE, new Generator(0), null);
    double[][] w = som.weights();
    // h = max(0, 1 − d/2): 1, 0.5, 0 for grid distances 0, 1, 2.
    assertEquals(0 + 0.5 * 1 * 0.4, w[0][0], 1e-6);
    assertEquals(1 + 0.5 * 0.5 * (0.4 - 1), w[1][0], 1e-6);
    assertEquals(2, w[2][0], 1e-6);
  }

  @Test
  void scheduleDecaysExponentiallyFromStartToEnd() {
    Schedule s = Schedule.of(4, 1, 0.8, 0.2);
    assertEquals(4, s.sigma(0, 3), 1e-12);
    assertEquals(2, s.sigma(1, 3), 1e-12);
    assertEquals(1, s.sigma(2, 3), 1e-12);
    assertEquals(0.4, s.lr(1, 3), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Schedule.of(0, 1, 0.1, 0.1));
  }

  @Test
  void bestUnitsErrorsAndUMatrixOfAKnownMap() {
    // 2×2 map: units 0..3 at (0,0), (0,1), (1,0), (5,5).
    SelfOrganizingMap som =
        SelfOrganizingMap.of(2, 2, Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 5, 5}, 4, 2));
    Tensor x = Tensor.of(new float[] {0.1f, 0f, 4f, 4f, 0f, 0.9f}, 3, 2);
    assertArrayEquals(new int[] {0, 3, 1}, som.bestMatchingUnits(x));
    double qe = (0.1 + Math.sqrt(2) + 0.1) / 3;
    assertEquals(qe, som.quantizationError(x), 1e-4);
    // Sample 2 (4,4): best unit 3, second best unit 1 or 2, both diagonal/adjacent neighbours of 3.
    assertEquals(0, som.topographicError(x), 1e-12);
    double[][] u = som.uMatrix();
    // Unit 0's neighbours are units 1 and 2, both at distance 1.
    assertEquals(1, u[0][0], 1e-6);
    double d13 = Math.hypot(5, 4), d23 = Math.hypot(4, 5);
    assertEquals((d13 + d23) / 2, u[1][1], 1e-5);
  }

  @Test
  void trainingOnTwoClustersPutsUnitsOnBoth() {
    float[] v = new float[200];
    Generator g = new Generator(3);
    for (int i = 0; i < 100; i++) {
      float c = i < 50 ? -3 : 3;
      v[2 * i] = c + 0.1f * (float) g.nextGaussian();
      v[2 * i + 1] = 0.1f * (float) g.nextGaussian();
    }
    Tensor x = Tensor.of(v, 100, 2);
    SelfOrganizingMap som = SelfOrganizingMap.initFromSamples(1, 2, x, new Generator(1));
    som.train(
        x, 500, Schedule.of(1, 0.1, 0.5, 0.01), Neighbourhood.GAUSSIAN, new Generator(2), null);
    double[][] w = som.weights();
    assertTrue(Math.min(w[0][0], w[1][0]) < -2.5 && Math.max(w[0][0], w[1][0]) > 2.5);
    assertTrue(som.quantizationError(x) < 0.3, "QE " + som.quantizationError(x));
  }

  @Test
  void badShapesAreRefusedWithTheShape() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SelfOrganizingMap.of(2, 2, Tensor.zeros(3, 2)));
    assertTrue(
        e.getMessage().contains("[4, d]") && e.getMessage().contains("[3, 2]"), e.getMessage());
    SelfOrganizingMap som = line();
    e =
        assertThrows(
            IllegalArgumentException.class, () -> som.bestMatchingUnits(Tensor.zeros(2, 2)));
    assertTrue(e.getMessage().contains("1-D weights"), e.getMessage());
  }
}
