package org.jgrad.examples.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Checks the RBM against brute-force enumeration of a tiny model (4 visible, 3 hidden units): the
 * free energy against −log Σ_h exp(−E(v, h)), the conditionals against Bayes' rule on the joint,
 * the pseudo-likelihood's expectation against Σᵢ log p(vᵢ | v₋ᵢ), and CD-1 against the exact
 * log-likelihood it should raise.
 */
class RbmTest {
  private static final int V = 4, H = 3;

  private static double[] bits(int code, int n) {
    double[] b = new double[n];
    for (int i = 0; i < n; i++) b[i] = (code >> i) & 1;
    return b;
  }

  // E(v, h) = −bᵀv − cᵀh − vᵀWh in double precision
  private static double energy(double[] w, double[] b, double[] c, double[] v, double[] h) {
    double e = 0;
    for (int i = 0; i < V; i++) e -= b[i] * v[i];
    for (int j = 0; j < H; j++) e -= c[j] * h[j];
    for (int i = 0; i < V; i++) for (int j = 0; j < H; j++) e -= v[i] * w[i * H + j] * h[j];
    return e;
  }

  private static double unnormalised(double[] w, double[] b, double[] c, double[] v) {
    double s = 0;
    for (int hc = 0; hc < (1 << H); hc++) s += Math.exp(-energy(w, b, c, v, bits(hc, H)));
    return s;
  }

  private static Rbm tiny(double[] w, double[] b, double[] c) {
    return Rbm.of(Tensor.of(w, V, H), Tensor.of(b, V), Tensor.of(c, H));
  }

  private static double[] params(Generator g, int n, double scale) {
    double[] p = new double[n];
    for (int i = 0; i < n; i++) p[i] = scale * g.nextGaussian();
    return p;
  }

  @Test
  void freeEnergyAndConditionalsMatchEnumeration() {
    Generator g = new Generator(3);
    double[] w = params(g, V * H, 1), b = params(g, V, 1), c = params(g, H, 1);
    Rbm rbm = tiny(w, b, c);
    double[] all = new double[(1 << V) * V];
    for (int vc = 0; vc < (1 << V); vc++) System.arraycopy(bits(vc, V), 0, all, vc * V, V);
    Tensor vs = Tensor.of(all, 1 << V, V).to(org.jgrad.backend.DType.FLOAT32);
    double[] f = rbm.freeEnergy(vs).toDoubleArray();
    double[] ph = rbm.hiddenProb(vs).toDoubleArray();
    for (int vc = 0; vc < (1 << V); vc++) {
      double[] v = bits(vc, V);
      assertEquals(-Math.log(unnormalised(w, b, c, v)), f[vc], 1e-5, "F(v) at " + vc);
      for (int j = 0; j < H; j++) {
        double num = 0, den = 0;
        for (int hc = 0; hc < (1 << H); hc++) {
          double[] h = bits(hc, H);
          double p = Math.exp(-energy(w, b, c, v, h));
          den += p;
          if (h[j] == 1) num += p;
        }
        assertEquals(num / den, ph[vc * H + j], 1e-6, "p(h" + j + " | v) at " + vc);
      }
    }
  }

  @Test
  void pseudoLikelihoodEstimatesTheSumOfLogConditionals() {
    Generator g = new Generator(5);
    double[] w = params(g, V * H, 1), b = params(g, V, 1), c = params(g, H, 1);
    Rbm rbm = tiny(w, b, c);
    double[] v = {1, 0, 1, 1};
    double exact = 0;
    for (int i = 0; i < V; i++) {
      double[] flipped = v.clone();
      flipped[i] = 1 - flipped[i];
      double pv = unnormalised(w, b, c, v), pf = unnormalised(w, b, c, flipped);
      exact += Math.log(pv / (pv + pf));
    }
    int n = 40_000;
    double[] rows = new double[n * V];
    for (int r = 0; r < n; r++) System.arraycopy(v, 0, rows, r * V, V);
    double estimate =
        rbm.pseudoLikelihood(
            Tensor.of(rows, n, V).to(org.jgrad.backend.DType.FLOAT32), new Generator(9));
    // one random pixel per row: the mean over 40000 rows has a standard error well below 0.05
    assertEquals(exact, estimate, 0.05);
  }

  @Test
  void cdRaisesTheExactLogLikelihoodOfTheData() {
    double[] data = {1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1};
    Tensor x = Tensor.of(data, 4, V).to(org.jgrad.backend.DType.FLOAT32);
    Generator g = new Generator(1);
    Rbm rbm = new Rbm(V, H, g);
    double before = logLikelihood(rbm, data);
    for (int it = 0; it < 3000; it++) rbm.cd(x, 1, 0.1, 0.5, 0, g);
    double after = logLikelihood(rbm, data);
    // the data are two patterns, each half the mass: the best possible mean is log(1/2)
    assertTrue(after > before + 1, "log-likelihood " + before + " -> " + after);
    assertTrue(after > -1.0 && after <= Math.log(0.5) + 1e-9, "after " + after);
  }

  private static double logLikelihood(Rbm rbm, double[] data) {
    double[] w = rbm.weight().toDoubleArray(),
        b = rbm.visibleBias().toDoubleArray(),
        c = rbm.hiddenBias().toDoubleArray();
    double z = 0;
    for (int vc = 0; vc < (1 << V); vc++) z += unnormalised(w, b, c, bits(vc, V));
    double ll = 0;
    int n = data.length / V;
    for (int r = 0; r < n; r++) {
      double[] v = new double[V];
      System.arraycopy(data, r * V, v, 0, V);
      ll += Math.log(unnormalised(w, b, c, v) / z);
    }
    return ll / n;
  }

  @Test
  void inpaintingKeepsTheKnownPixelsAndRejectsBadShapes() {
    Generator g = new Generator(2);
    Rbm rbm = new Rbm(V, H, g);
    Tensor v = Tensor.of(new float[] {1, 0, 1, 0}, 1, V);
    Tensor known = Tensor.of(new float[] {1, 1, 0, 0}, V);
    float[] out = rbm.inpaint(v, known, 10, g).toFloatArray();
    assertEquals(1f, out[0]);
    assertEquals(0f, out[1]);
    assertTrue(out[2] > 0 && out[2] < 1 && out[3] > 0 && out[3] < 1);
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> rbm.cd(Tensor.zeros(2, 5), 1, 0.1, 0, 0, g));
    assertTrue(
        e.getMessage().contains("Rbm.cd") && e.getMessage().contains("[2, 5]"), e.getMessage());
  }
}
