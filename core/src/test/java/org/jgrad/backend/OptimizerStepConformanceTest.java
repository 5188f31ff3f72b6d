package org.jgrad.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.jgrad.backend.FusedKernels.AdamStep;
import org.jgrad.backend.FusedKernels.SgdStep;
import org.jgrad.backend.cpu.CpuBackend;
import org.jgrad.backend.cpu.kernels.Parallel;
import org.jgrad.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * The fused optimizer steps ({@link FusedKernels#adamStep}, {@link FusedKernels#sgdStep}): the CPU
 * kernel equals, bit for bit, the composite of element-wise primitives that optim's Adam and SGD
 * run on a backend without the fused kernel (so turning fusion on changes no training result); it
 * agrees with the reference backend's definition (double arithmetic, one rounding per stored value)
 * within float rounding; and it gives the same bits at 1 and 2 threads.
 */
class OptimizerStepConformanceTest {
  private static final Backend CPU = CpuBackend.INSTANCE;
  private static final Backend REF = ReferenceBackend.INSTANCE;
  private static final FusedKernels CPU_FUSED = CPU.fused().orElseThrow();
  private static final FusedKernels REF_FUSED = REF.fused().orElseThrow();

  private static float[] random(Random r, int n, double scale, boolean positive) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double x = r.nextGaussian() * scale;
      v[i] = (float) (positive ? x * x : x);
    }
    return v;
  }

  private static RawTensor cpu(float[] v) {
    return RawTensor.dense(CPU.fromHost(v.clone()), new int[] {v.length});
  }

  private static RawTensor ref(float[] v) {
    return RawTensor.dense(REF.fromHost(v.clone()), new int[] {v.length});
  }

  /** A float scalar broadcast (stride 0) to {@code n}, as Tensor's scalar operands are. */
  private static RawTensor scalar(double v, int n) {
    return new RawTensor(CPU.fromHost(new float[] {(float) v}), new int[] {n}, new int[] {0}, 0);
  }

  private static RawTensor bin(BinaryOp op, RawTensor a, RawTensor b) {
    return CPU.binary(op, a, b);
  }

  /** a + alpha·b, as Tensor's accumulate composite computes it. */
  private static RawTensor axpy(RawTensor a, double alpha, RawTensor b) {
    return bin(BinaryOp.ADD, a, bin(BinaryOp.MUL, b, scalar(alpha, a.numel())));
  }

  /** optim.Adam's composite (non-AMSGrad) with CPU primitives: returns {p, m, v}. */
  private static RawTensor[] adamComposite(
      RawTensor p, RawTensor grad, RawTensor m, RawTensor v, AdamStep h) {
    int n = p.numel();
    RawTensor g = h.maximize() ? CPU.unary(UnaryOp.NEG, grad) : grad;
    if (!h.decoupled() && h.weightDecay() != 0) {
      g = bin(BinaryOp.ADD, g, bin(BinaryOp.MUL, p, scalar(h.weightDecay(), n)));
    }
    if (h.decoupled()) p = bin(BinaryOp.MUL, p, scalar(1 - h.lr() * h.weightDecay(), n));
    m = axpy(bin(BinaryOp.MUL, m, scalar(h.beta1(), n)), 1 - h.beta1(), g);
    v = axpy(bin(BinaryOp.MUL, v, scalar(h.beta2(), n)), 1 - h.beta2(), bin(BinaryOp.MUL, g, g));
    double bias1 = 1 - Math.pow(h.beta1(), h.step()), bias2 = 1 - Math.pow(h.beta2(), h.step());
    RawTensor denom =
        bin(
            BinaryOp.ADD,
            bin(BinaryOp.DIV, CPU.unary(UnaryOp.SQRT, v), scalar(Math.sqrt(bias2), n)),
            scalar(h.eps(), n));
    p = axpy(p, -(h.lr() / bias1), bin(BinaryOp.DIV, m, denom));
    return new RawTensor[] {p, m, v};
  }

  private static void assertBitwise(String what, RawTensor expected, RawTensor actual) {
    assertArrayEquals(CPU.toHostFloat(expected), CPU.toHostFloat(actual), what);
  }

  private static void assertClose(String what, float[] expected, float[] actual, float[] scale) {
    for (int i = 0; i < expected.length; i++) {
      double tol = 4e-6 * (Math.abs(expected[i]) + Math.abs(scale[i])) + 1e-30;
      assertTrue(
          Math.abs(expected[i] - actual[i]) <= tol,
          what + ": element " + i + " is " + actual[i] + ", reference " + expected[i]);
    }
  }

  static AdamStep[] adamCases() {
    return new AdamStep[] {
      new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, false, false, 1),
      new AdamStep(1e-2, 0.8, 0.99, 1e-6, 0.1, false, false, 7),
      new AdamStep(3e-3, 0.9, 0.999, 1e-8, 0.05, true, false, 3),
      new AdamStep(1e-3, 0.5, 0.9, 1e-4, 0.01, false, true, 120),
    };
  }

  @Test
  void adamStepEqualsTheCompositeBitwiseAndTheReferenceWithinRounding() {
    Random r = new Random(1);
    for (AdamStep h : adamCases()) {
      for (int n : new int[] {1, 17, 1000, 70_001}) {
        float[] p = random(r, n, 1, false), g = random(r, n, 0.1, false);
        float[] m = random(r, n, 0.01, false), v = random(r, n, 0.003, true);
        RawTensor cp = cpu(p), cm = cpu(m), cv = cpu(v);
        RawTensor[] comp = adamComposite(cpu(p), cpu(g), cpu(m), cpu(v), h);
        CPU_FUSED.adamStep(cp, cpu(g), cm, cv, h);
        String what = "adamStep " + h + " n=" + n;
        assertBitwise(what + " p", comp[0], cp);
        assertBitwise(what + " m", comp[1], cm);
        assertBitwise(what + " v", comp[2], cv);
        RawTensor rp = ref(p), rm = ref(m), rv = ref(v);
        REF_FUSED.adamStep(rp, ref(g), rm, rv, h);
        // Rounding is relative to the terms' magnitudes (g + wd·p and m may cancel).
        float[] ms = new float[n], vs = new float[n], ps = new float[n];
        float[] vRef = REF.toHostFloat(rv);
        double bc1 = 1 - Math.pow(h.beta1(), h.step()), bc2 = 1 - Math.pow(h.beta2(), h.step());
        for (int i = 0; i < n; i++) {
          double gs = Math.abs(g[i]) + (h.decoupled() ? 0 : Math.abs(h.weightDecay() * p[i]));
          ms[i] = (float) (h.beta1() * Math.abs(m[i]) + (1 - h.beta1()) * gs);
          vs[i] = (float) (h.beta2() * v[i] + (1 - h.beta2()) * gs * gs);
          ps[i] = (float) (h.lr() / bc1 * ms[i] / (Math.sqrt(vRef[i] / bc2) + h.eps()));
        }
        assertClose(what + " p vs reference", REF.toHostFloat(rp), CPU.toHostFloat(cp), ps);
        assertClose(what + " m vs reference", REF.toHostFloat(rm), CPU.toHostFloat(cm), ms);
        assertClose(what + " v vs reference", vRef, CPU.toHostFloat(cv), vs);
      }
    }
  }

  @Test
  void sgdStepEqualsTheCompositeBitwiseAndTheReferenceWithinRounding() {
    Random r = new Random(2);
    SgdStep[] cases = {
      new SgdStep(0.1, 0, 0, false, 0, false, false),
      new SgdStep(0.05, 0.9, 0, false, 1e-3, false, true),
      new SgdStep(0.05, 0.9, 0.1, false, 1e-3, false, false),
      new SgdStep(0.01, 0.8, 0, true, 0, true, false),
    };
    for (SgdStep h : cases) {
      for (int n : new int[] {1, 33, 70_001}) {
        float[] p = random(r, n, 1, false), g = random(r, n, 0.1, false);
        float[] b = random(r, n, 0.1, false);
        boolean mom = h.momentum() != 0;
        // The composite of optim.SGD.
        int len = n;
        RawTensor d = h.maximize() ? CPU.unary(UnaryOp.NEG, cpu(g)) : cpu(g);
        if (h.weightDecay() != 0) {
          d = bin(BinaryOp.ADD, d, bin(BinaryOp.MUL, cpu(p), scalar(h.weightDecay(), len)));
        }
        RawTensor buf = null;
        if (mom) {
          buf =
              h.firstStep()
                  ? d
                  : axpy(
                      bin(BinaryOp.MUL, cpu(b), scalar(h.momentum(), len)), 1 - h.dampening(), d);
          d =
              h.nesterov()
                  ? bin(BinaryOp.ADD, d, bin(BinaryOp.MUL, buf, scalar(h.momentum(), len)))
                  : buf;
        }
        RawTensor expected = axpy(cpu(p), -h.lr(), d);
        RawTensor cp = cpu(p), cb = mom ? cpu(b) : null;
        CPU_FUSED.sgdStep(cp, cpu(g), cb, h);
        String what = "sgdStep " + h + " n=" + n;
        assertBitwise(what + " p", expected, cp);
        if (mom) assertBitwise(what + " buf", buf, cb);
        RawTensor rp = ref(p), rb = mom ? ref(b) : null;
        REF_FUSED.sgdStep(rp, ref(g), rb, h);
        assertClose(what + " p vs reference", REF.toHostFloat(rp), CPU.toHostFloat(cp), g);
        if (mom)
          assertClose(what + " buf vs reference", REF.toHostFloat(rb), CPU.toHostFloat(cb), g);
      }
    }
  }

  @Test
  void stepsAreIdenticalAtOneAndTwoThreadsAndOnStridedViews() {
    Random r = new Random(3);
    int n = 150_001;
    float[] p = random(r, n, 1, false), g = random(r, n, 0.1, false);
    AdamStep h = adamCases()[2];
    RawTensor[] one = {cpu(p), cpu(new float[n]), cpu(new float[n])};
    RawTensor[] two = {cpu(p), cpu(new float[n]), cpu(new float[n])};
    RawTensor grad = cpu(g);
    Parallel.withThreads(1, () -> CPU_FUSED.adamStep(one[0], grad, one[1], one[2], h));
    Parallel.withThreads(2, () -> CPU_FUSED.adamStep(two[0], grad, two[1], two[2], h));
    for (int k = 0; k < 3; k++)
      assertBitwise("adamStep 1 vs 2 threads, operand " + k, one[k], two[k]);

    // A strided parameter view (every other element) goes through the definition, and writes only
    // the view.
    float[] base = random(r, 40, 1, false);
    RawTensor view = new RawTensor(CPU.fromHost(base.clone()), new int[] {20}, new int[] {2}, 0);
    float[] gv = random(r, 20, 0.1, false);
    CPU_FUSED.sgdStep(view, cpu(gv), null, new SgdStep(0.5, 0, 0, false, 0, false, false));
    float[] after = CPU.toHostFloat(RawTensor.dense(view.storage(), new int[] {40}));
    for (int i = 0; i < 40; i++) {
      float want = i % 2 == 1 ? base[i] : (float) (base[i] - 0.5 * gv[i / 2]);
      assertTrue(Math.abs(after[i] - want) <= 1e-6 * (1 + Math.abs(want)), "strided element " + i);
    }
  }
}
