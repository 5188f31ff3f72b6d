package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgrad.backend.DType;
import org.jgrad.nn.init.Init;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Distribution checks of torch.nn.init's counterparts (sample sizes give several-sigma margins).
 */
class InitTest {
  static Generator g() {
    return new Generator(2024);
  }

  static double mean(Tensor t) {
    return t.mean().item();
  }

  static double std(Tensor t) {
    return t.std().item();
  }

  @Test
  void gainsAndFansMatchPyTorch() {
    assertEquals(1, Init.calculateGain("linear"));
    assertEquals(1, Init.calculateGain("conv2d"));
    assertEquals(1, Init.calculateGain("sigmoid"));
    assertEquals(5.0 / 3, Init.calculateGain("tanh"));
    assertEquals(Math.sqrt(2), Init.calculateGain("relu"));
    assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.calculateGain("leaky_relu"));
    assertEquals(Math.sqrt(2 / (1 + 0.2 * 0.2)), Init.calculateGain("leaky_relu", 0.2));
    assertEquals(0.75, Init.calculateGain("selu"));
    assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swish"));
    assertArrayEquals(
        new int[] {3 * 5 * 7, 4 * 5 * 7}, Init.calculateFanInAndFanOut(Tensor.zeros(4, 3, 5, 7)));
    assertArrayEquals(new int[] {3, 4}, Init.calculateFanInAndFanOut(Tensor.zeros(4, 3)));
    assertThrows(
        IllegalArgumentException.class, () -> Init.calculateFanInAndFanOut(Tensor.zeros(4)));
  }

  @Test
  void simpleFills() {
    Tensor t = Init.uniform(Tensor.zeros(100, 100), -2, 3, g());
    assertTrue(t.min().item() >= -2 && t.max().item() < 3);
    assertEquals(0.5, mean(t), 0.05);
    assertEquals(5 / Math.sqrt(12), std(t), 0.03);
    Tensor n = Init.normal(Tensor.zeros(DType.FLOAT64, 100, 100), 1.5, 0.5, g());
    assertEquals(DType.FLOAT64, n.dtype());
    assertEquals(1.5, mean(n), 0.01);
    assertEquals(0.5, std(n), 0.01);
    Check.equal("constant", Tensor.full(0.25, 2, 2), Init.constant(Tensor.zeros(2, 2), 0.25));
    Check.equal("ones", Tensor.ones(3), Init.ones(Tensor.zeros(3)));
    Check.equal("zeros", Tensor.zeros(3), Init.zeros(Tensor.ones(3)));
    Parameter p = new Parameter(Tensor.zeros(3, 3));
    Init.uniform(p, -1, 1); // parameters are filled without recording a graph
    assertTrue(p.isLeaf() && p.requiresGrad());
    assertThrows(
        IllegalArgumentException.class, () -> Init.uniform(Tensor.ofLongs(new long[] {1}), 0, 1));
  }

  @Test
  void xavierAndKaiming() {
    Tensor w = Tensor.zeros(200, 300);
    double a = Math.sqrt(6.0 / 500);
    Init.xavierUniform(w, 1.0, g());
    assertTrue(w.abs().max().item() <= a && w.abs().max().item() > 0.99 * a);
    Init.xavierNormal(w, 2.0, g());
    assertEquals(2 * Math.sqrt(2.0 / 500), std(w), 0.01 * std(w) + 1e-3);
    Tensor c = Tensor.zeros(64, 32, 3, 3); // fan_in 288, fan_out 576
    Init.kaimingNormal(c, 0, Init.Mode.FAN_OUT, "relu", g());
    assertEquals(Math.sqrt(2.0 / 576), std(c), 0.02 * Math.sqrt(2.0 / 576));
    Init.kaimingUniform(c, 0, Init.Mode.FAN_IN, "relu", g());
    double b = Math.sqrt(2) * Math.sqrt(3.0 / 288);
    assertTrue(c.abs().max().item() <= b && c.abs().max().item() > 0.99 * b);
    Init.kaimingUniform(c, Math.sqrt(5), Init.Mode.FAN_IN, "leaky_relu", g());
    assertTrue(
        c.abs().max().item() <= 1 / Math.sqrt(288), "the Linear/Conv default bound 1/sqrt(fan_in)");
  }

  @Test
  void orthogonalGivesOrthonormalRowsOrColumns() {
    for (int[] shape : new int[][] {{6, 4}, {4, 6}, {3, 2, 2}}) {
      Tensor q = Init.orthogonal(Tensor.zeros(DType.FLOAT64, shape), 1.5, g());
      Tensor m = q.reshape(shape[0], -1);
      Tensor gram = shape[0] >= m.size(1) ? m.t().matmul(m) : m.matmul(m.t());
      int n = gram.size(0);
      Check.close(
          "Q^T Q = gain^2 I for " + java.util.Arrays.toString(shape),
          Tensor.eye(n).to(DType.FLOAT64).mul(2.25),
          gram,
          1e-9);
    }
  }

  @Test
  void truncatedNormalStaysInBoundsWithTheTruncatedMoments() {
    Tensor t = Init.truncNormal(Tensor.zeros(DType.FLOAT64, 200, 200), 0, 1, -2, 2, g());
    assertTrue(t.min().item() >= -2 && t.max().item() <= 2);
    double phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI), z = 0.9544997361036416;
    assertEquals(0, mean(t), 0.01);
    assertEquals(Math.sqrt(1 - 4 * phi2 / z), std(t), 0.01);
    // One-sided: N(1, 2²) on [0, 3]; alpha = -0.5, beta = 1.
    Tensor u = Init.truncNormal(Tensor.zeros(DType.FLOAT64, 200, 200), 1, 2, 0, 3, g());
    assertTrue(u.min().item() >= 0 && u.max().item() <= 3);
    double pa = Math.exp(-0.125) / Math.sqrt(2 * Math.PI),
        pb = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
    double zz = 0.8413447460685429 - 0.3085375387259869;
    assertEquals(1 + 2 * (pa - pb) / zz, mean(u), 0.02);
    assertThrows(
        IllegalArgumentException.class, () -> Init.truncNormal(Tensor.zeros(2), 0, 1, 1, -1));
  }

  @Test
  void sameGeneratorSeedSameValues() {
    Tensor a =
        Init.kaimingNormal(Tensor.zeros(5, 5), 0, Init.Mode.FAN_IN, "relu", new Generator(1));
    Tensor b =
        Init.kaimingNormal(Tensor.zeros(5, 5), 0, Init.Mode.FAN_IN, "relu", new Generator(1));
    Check.equal("reproducible", a, b);
  }
}
