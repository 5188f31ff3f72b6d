package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.DType;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Central-difference gradient check for modules, in float64 with PyTorch's gradcheck tolerance
 * (|analytic − numeric| ≤ atol + rtol·|numeric|, eps 1e-6, atol 1e-5, rtol 1e-3).
 *
 * <p>Core's {@link org.jgrad.testing.GradCheck} perturbs copies of explicit function inputs; a
 * module's parameters live inside the module, so this helper perturbs the given leaves (inputs or
 * parameters) in place instead. The output is reduced with a fixed random projection, so every
 * output element's gradient contributes.
 */
final class ParamGradCheck {
  static final double EPS = 1e-6, ATOL = 1e-5, RTOL = 1e-3;

  private ParamGradCheck() {}

  static void check(String what, Supplier<Tensor> f, List<? extends Tensor> leaves) {
    for (Tensor t : leaves) {
      assertEquals(DType.FLOAT64, t.dtype(), what + ": gradcheck needs float64 leaves");
      t.zeroGrad();
    }
    Tensor out = f.get();
    assertEquals(DType.FLOAT64, out.dtype(), what + ": output must be float64");
    Tensor proj = Tensor.randn(new Generator(99), out.shape()).to(DType.FLOAT64);
    Tensor loss = out.mul(proj).sum();
    loss.backward();
    for (int li = 0; li < leaves.size(); li++) {
      Tensor leaf = leaves.get(li);
      double[] analytic =
          leaf.grad() == null ? new double[leaf.numel()] : leaf.grad().toDoubleArray();
      double[] base = leaf.toDoubleArray();
      for (int i = 0; i < base.length; i++) {
        double plus = perturbed(f, proj, leaf, base, i, EPS);
        double minus = perturbed(f, proj, leaf, base, i, -EPS);
        double numeric = (plus - minus) / (2 * EPS);
        if (!(Math.abs(analytic[i] - numeric) <= ATOL + RTOL * Math.abs(numeric))) {
          fail(
              String.format(
                  "%s: gradient of leaf %d (shape %s) at flat index %d: analytic %.8g, numeric %.8g",
                  what, li, Arrays.toString(leaf.shape()), i, analytic[i], numeric));
        }
      }
      set(leaf, base);
    }
  }

  static void check(String what, Supplier<Tensor> f, Tensor... leaves) {
    check(what, f, Arrays.asList(leaves));
  }

  private static double perturbed(
      Supplier<Tensor> f, Tensor proj, Tensor leaf, double[] base, int i, double delta) {
    double[] v = base.clone();
    v[i] += delta;
    set(leaf, v);
    try (var ng = GradMode.noGrad()) {
      Tensor out = f.get();
      assertNotNull(out);
      return out.mul(proj).sum().item();
    }
  }

  private static void set(Tensor leaf, double[] values) {
    try (var ng = GradMode.noGrad()) {
      leaf.copyFrom(Tensor.of(values, leaf.numel()).reshape(leaf.shape()));
    }
  }

  /** A float64 leaf with standard normal values from {@code seed}. */
  static Tensor leaf(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape)
        .to(DType.FLOAT64)
        .contiguous()
        .detach()
        .requiresGrad(true);
  }
}
