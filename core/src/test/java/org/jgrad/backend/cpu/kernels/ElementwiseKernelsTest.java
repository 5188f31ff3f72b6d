package org.jgrad.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.UnaryOp;
import org.jgrad.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * {@link ElementwiseKernels}: both implementations (the Vector API one where the module is present;
 * core/pom.xml also runs this class in a JVM without it) give, bit for bit, the per-element
 * formulas of the reference backend — including NaN, ±0, ±∞, subnormals, the edges of the float
 * range, and inputs whose exp lies next to a float rounding midpoint (the lanes the vector kernel
 * must hand back to the scalar formula).
 */
class ElementwiseKernelsTest {
  private static final UnaryOp[] VECTOR_UNARY = {
    UnaryOp.NEG,
    UnaryOp.ABS,
    UnaryOp.SQRT,
    UnaryOp.RECIPROCAL,
    UnaryOp.RELU,
    UnaryOp.SIGN,
    UnaryOp.EXP,
    UnaryOp.SIGMOID,
    UnaryOp.TANH
  };

  private static List<ElementwiseKernels.Impl> impls() {
    List<ElementwiseKernels.Impl> l = new ArrayList<>();
    l.add(ElementwiseKernels.SCALAR);
    if (ElementwiseKernels.VECTOR != null) l.add(ElementwiseKernels.VECTOR);
    return l;
  }

  @Test
  void implementationMatchesTheJvm() {
    if ("false".equals(System.getProperty("jgrad.test.expectSimd"))) {
      assertEquals("scalar", ElementwiseKernels.implementation());
    } else if (Gemm.simdEnabled()) {
      assertNotNull(ElementwiseKernels.VECTOR);
      assertEquals("vector", ElementwiseKernels.implementation());
    }
  }

  /** Inputs: specials, range edges, random bit patterns, normals of several scales. */
  private static float[] inputs(Random r) {
    List<Float> v = new ArrayList<>();
    float[] specials = {
      Float.NaN,
      0f,
      -0f,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.MIN_VALUE,
      -Float.MIN_VALUE,
      Float.MIN_NORMAL,
      -Float.MIN_NORMAL,
      1e-40f,
      -1e-40f,
      Float.MAX_VALUE,
      -Float.MAX_VALUE,
      1f,
      -1f,
      87f,
      -87f,
      87.5f,
      -87.5f,
      88f,
      88.5f,
      88.7f,
      89f,
      -88f,
      -103f,
      -104f,
      80f,
      -80f,
      80.5f,
      -80.5f,
      9f,
      9.1f,
      -9.1f,
      20f,
      20.5f,
      -20.5f,
      0.17f,
      -0.17f,
      0.1f,
      1e-20f,
      -1e-20f,
      1e-38f,
      3e-4f
    };
    for (float s : specials) v.add(s);
    for (int i = 0; i < 8_000; i++) v.add(Float.intBitsToFloat(r.nextInt()));
    for (double scale : new double[] {1e-3, 0.3, 1, 5, 30, 100}) {
      for (int i = 0; i < 3_000; i++) v.add((float) (r.nextGaussian() * scale));
    }
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) out[i] = v.get(i);
    return out;
  }

  /**
   * Floats whose exact double {@code f(x)} lies within 2^10 double ulps of a float rounding
   * midpoint: the vector kernel must recompute these lanes with the scalar formula.
   */
  private static float[] nearMidpoints(UnaryOp op) {
    List<Float> v = new ArrayList<>();
    float x = op == UnaryOp.TANH ? 0.05f : -20f;
    for (int i = 0; i < (1 << 20) && v.size() < 16; i++, x = Math.nextUp(x)) {
      long bits = Double.doubleToRawLongBits(ReferenceBackend.apply(op, x));
      if (Math.abs((bits & 0x1FFFFFFFL) - 0x10000000L) < 1024) v.add(x);
    }
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) out[i] = v.get(i);
    return out;
  }

  private static void assertBits(String what, float expected, float actual) {
    if (Float.floatToIntBits(expected) != Float.floatToIntBits(actual)) {
      fail(what + ": expected " + expected + " but got " + actual);
    }
  }

  @Test
  void unaryKernelsGiveTheReferenceFormulasBits() {
    float[] x = inputs(new Random(5));
    for (ElementwiseKernels.Impl impl : impls()) {
      for (UnaryOp op : VECTOR_UNARY) {
        float[] in = x;
        if (op == UnaryOp.EXP || op == UnaryOp.SIGMOID || op == UnaryOp.TANH) {
          float[] near = nearMidpoints(op);
          assertTrue(near.length > 0, "found inputs next to a rounding midpoint for " + op);
          in = new float[x.length + near.length];
          System.arraycopy(x, 0, in, 0, x.length);
          System.arraycopy(near, 0, in, x.length, near.length);
        }
        // Offsets and a length that is no multiple of any vector length: heads and tails.
        int off = 3, n = in.length - 5;
        float[] y = new float[n + 7];
        boolean handled = impl.unary(op, in, off, y, 2, n);
        if (impl == ElementwiseKernels.SCALAR) {
          assertFalse(handled, "the scalar implementation leaves unary ops to the CPU loops");
          continue;
        }
        assertTrue(handled, impl.name() + " handles " + op);
        for (int i = 0; i < n; i++) {
          float want = (float) ReferenceBackend.apply(op, in[off + i]);
          assertBits(impl.name() + " " + op + "(" + in[off + i] + ")", want, y[2 + i]);
        }
        assertEquals(0f, y[0]);
        assertEquals(0f, y[n + 2], "nothing written past the run");
      }
    }
  }

  @Test
  void binaryKernelsGiveTheReferenceFormulasBitsDenseAndBroadcast() {
    Random r = new Random(6);
    float[] a = inputs(r), b = inputs(r);
    BinaryOp[] ops = {
      BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX, BinaryOp.MIN
    };
    int n = a.length - 9;
    for (ElementwiseKernels.Impl impl : impls()) {
      for (BinaryOp op : ops) {
        for (int[] s : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
          for (float scalar : new float[] {2.5f, -0f, Float.NaN}) {
            float[] bb = s[1] == 0 ? new float[] {0, scalar} : b;
            float[] aa = s[0] == 0 ? new float[] {0, scalar} : a;
            int ao = s[0] == 0 ? 1 : 4, bo = s[1] == 0 ? 1 : 2;
            float[] c = new float[n + 1];
            boolean handled = impl.binary(op, aa, ao, s[0], bb, bo, s[1], c, 1, n);
            if (impl == ElementwiseKernels.SCALAR) {
              assertFalse(handled);
              continue;
            }
            assertTrue(handled);
            for (int i = 0; i < n; i++) {
              float x = aa[ao + i * s[0]], y = bb[bo + i * s[1]];
              float want = (float) ReferenceBackend.apply(op, x, y);
              assertBits(impl.name() + " " + x + " " + op + " " + y, want, c[1 + i]);
            }
          }
        }
      }
    }
    assertFalse(
        ElementwiseKernels.binary(BinaryOp.ADD, a, 0, 2, b, 0, 1, new float[4], 0, 2),
        "strides other than 0 and 1 are left to the loops");
    assertFalse(
        ElementwiseKernels.binary(BinaryOp.POW, a, 0, 1, b, 0, 1, new float[4], 0, 2),
        "ops without a kernel are left to the loops");
  }

  @Test
  void comparisonsGiveTheReferenceFormulasValuesDenseAndBroadcast() {
    Random r = new Random(7);
    float[] a = inputs(r), b = inputs(r);
    // Equal pairs too (the random inputs rarely coincide), with ±0 against ∓0.
    for (int i = 0; i < a.length; i += 5) b[i] = a[i];
    for (int i = 3; i < a.length; i += 11) b[i] = -a[i];
    BinaryOp[] ops = {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE};
    int n = a.length - 9;
    for (ElementwiseKernels.Impl impl : impls()) {
      for (BinaryOp op : ops) {
        for (int[] s : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
          for (float scalar : new float[] {0.5f, -0f, Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] bb = s[1] == 0 ? new float[] {0, scalar} : b;
            float[] aa = s[0] == 0 ? new float[] {0, scalar} : a;
            int ao = s[0] == 0 ? 1 : 4, bo = s[1] == 0 ? 1 : 2;
            double[] c = new double[n + 2];
            c[n + 1] = 7;
            boolean handled = impl.compare(op, aa, ao, s[0], bb, bo, s[1], c, 1, n);
            if (impl == ElementwiseKernels.SCALAR) {
              assertFalse(handled);
              continue;
            }
            assertTrue(handled);
            for (int i = 0; i < n; i++) {
              float x = aa[ao + i * s[0]], y = bb[bo + i * s[1]];
              double want = ReferenceBackend.apply(op, x, y);
              assertEquals(want, c[1 + i], impl.name() + " " + x + " " + op + " " + y);
            }
            assertEquals(0.0, c[0], "nothing written before the run");
            assertEquals(7.0, c[n + 1], "nothing written past the run");
          }
        }
      }
    }
    assertFalse(
        ElementwiseKernels.compare(BinaryOp.GE, a, 0, 2, b, 0, 1, new double[4], 0, 2),
        "strides other than 0 and 1 are left to the loops");
    assertFalse(
        ElementwiseKernels.compare(BinaryOp.ADD, a, 0, 1, b, 0, 1, new double[4], 0, 2),
        "arithmetic ops are not comparisons");
  }

  @Test
  void columnSumsAddEachColumnsRowsInOrderOnBothImplementations() {
    Random r = new Random(8);
    // Widths around the vector blocks (4 x 8 double lanes), with huge and tiny terms so that any
    // other order of the additions would change the bits.
    for (int cols : new int[] {1, 7, 8, 31, 32, 33, 100, 784}) {
      int rows = 37, off = 3;
      float[] x = new float[off + rows * cols];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextGaussian() * (r.nextInt(8) == 0 ? 1e8 : 1e-3));
      }
      double[] want = new double[cols];
      for (int j = 0; j < cols; j++) {
        want[j] = 0.5 * j;
        for (int k = 0; k < rows; k++) want[j] += x[off + k * cols + j];
      }
      for (ElementwiseKernels.Impl impl : impls()) {
        double[] acc = new double[cols];
        for (int j = 0; j < cols; j++) acc[j] = 0.5 * j;
        impl.sumRows(x, off, rows, cols, acc);
        for (int j = 0; j < cols; j++) {
          assertEquals(
              Double.doubleToRawLongBits(want[j]),
              Double.doubleToRawLongBits(acc[j]),
              impl.name() + " cols " + cols + " column " + j);
        }
      }
    }
  }

  @Test
  void lstmBackwardRowsGiveTheWrittenOutFormulasBitsOnBothImplementations() {
    Random r = new Random(10);
    // Widths around the vector length (16 float lanes here), specials among the activations.
    for (int h : new int[] {1, 5, 15, 16, 17, 33, 128}) {
      int a = 2, gh = 1, gc = gh + h + 3, co = 4, d = 3, dco = 5;
      float[] acts = new float[a + 5 * h], gy = new float[gc + h], c = new float[co + h];
      for (int i = 0; i < acts.length; i++) {
        int k = r.nextInt(30);
        acts[i] =
            k == 0 ? Float.NaN : k == 1 ? 1f : k == 2 ? -0f : (float) (2 * r.nextDouble() - 1);
      }
      for (int i = 0; i < gy.length; i++) gy[i] = (float) (r.nextGaussian() * 3);
      for (int i = 0; i < c.length; i++) c[i] = (float) (r.nextGaussian() * 2);
      float[] wantG = new float[d + 4 * h], wantC = new float[dco + h];
      for (int j = 0; j < h; j++) {
        float i = acts[a + j], f = acts[a + h + j], g = acts[a + 2 * h + j];
        float o = acts[a + 3 * h + j], tc = acts[a + 4 * h + j];
        float dh = gy[gh + j];
        float dc = gy[gc + j] + ((dh * o) * (1 - (tc * tc)));
        wantG[d + j] = ((dc * g) * i) * (1 - i);
        wantG[d + h + j] = ((dc * c[co + j]) * f) * (1 - f);
        wantG[d + 2 * h + j] = (dc * i) * (1 - (g * g));
        wantG[d + 3 * h + j] = ((dh * tc) * o) * (1 - o);
        wantC[dco + j] = dc * f;
      }
      for (ElementwiseKernels.Impl impl : impls()) {
        float[] dG = new float[wantG.length], dC = new float[wantC.length];
        impl.lstmBackwardRow(h, acts, a, gy, gh, gc, c, co, dG, d, dC, dco);
        for (int k = 0; k < dG.length; k++)
          assertBits(impl.name() + " h " + h + " dGates " + k, wantG[k], dG[k]);
        for (int k = 0; k < dC.length; k++)
          assertBits(impl.name() + " h " + h + " dC " + k, wantC[k], dC[k]);
      }
    }
  }

  @Test
  void gruBackwardRowsGiveTheWrittenOutFormulasBitsOnBothImplementations() {
    Random r = new Random(11);
    for (int h : new int[] {1, 5, 15, 16, 17, 33, 128}) {
      int a = 2, g = 1, hn = 3, s = 4, d = 3, p = 5;
      float[] acts = new float[a + 3 * h], gy = new float[g + h], hg = new float[hn + h];
      float[] hs = new float[s + h];
      for (int i = 0; i < acts.length; i++) {
        int k = r.nextInt(30);
        acts[i] =
            k == 0 ? Float.NaN : k == 1 ? 1f : k == 2 ? -0f : (float) (2 * r.nextDouble() - 1);
      }
      for (int i = 0; i < gy.length; i++) gy[i] = (float) (r.nextGaussian() * 3);
      for (int i = 0; i < hg.length; i++) hg[i] = (float) (r.nextGaussian() * 2);
      for (int i = 0; i < hs.length; i++) hs[i] = (float) (r.nextGaussian() * 2);
      float[] wantX = new float[d + 3 * h], wantH = new float[d + 3 * h], wantP = new float[p + h];
      for (int j = 0; j < h; j++) {
        float rr = acts[a + j], z = acts[a + h + j], n = acts[a + 2 * h + j], y = gy[g + j];
        float dn = (y * (1 - z)) * (1 - (n * n));
        float dz = ((y * (hs[s + j] - n)) * z) * (1 - z);
        float dr = ((dn * hg[hn + j]) * rr) * (1 - rr);
        wantX[d + j] = dr;
        wantX[d + h + j] = dz;
        wantX[d + 2 * h + j] = dn;
        wantH[d + j] = dr;
        wantH[d + h + j] = dz;
        wantH[d + 2 * h + j] = dn * rr;
        wantP[p + j] = y * z;
      }
      for (ElementwiseKernels.Impl impl : impls()) {
        float[] dx = new float[wantX.length],
            dh = new float[wantH.length],
            dp = new float[wantP.length];
        impl.gruBackwardRow(h, acts, a, gy, g, hg, hn, hs, s, dx, dh, d, dp, p);
        String what = impl.name() + " h " + h;
        for (int k = 0; k < dx.length; k++) assertBits(what + " dx " + k, wantX[k], dx[k]);
        for (int k = 0; k < dh.length; k++) assertBits(what + " dh " + k, wantH[k], dh[k]);
        for (int k = 0; k < dp.length; k++) assertBits(what + " dPrev " + k, wantP[k], dp[k]);
      }
    }
  }

  @Test
  void runSumsFollowTheSixteenPartialOrderOnBothImplementations() {
    Random r = new Random(9);
    // Lengths around the blocks of 16, with huge and tiny terms so that another order would change
    // the bits; the definition written out: partial j mod 16 over whole blocks, p_i + p_(i+8), a
    // balanced tree of those 8, then the tail in order.
    for (int len : new int[] {0, 1, 15, 16, 17, 33, 121, 676, 1000}) {
      int off = 5;
      float[] x = new float[off + len + 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextGaussian() * (r.nextInt(8) == 0 ? 1e8 : 1e-3));
      }
      double[] p = new double[16];
      int blocks = len / 16 * 16;
      for (int j = 0; j < blocks; j++) p[j % 16] += x[off + j];
      double[] q = new double[8];
      for (int i = 0; i < 8; i++) q[i] = p[i] + p[i + 8];
      double want = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
      for (int j = blocks; j < len; j++) want += x[off + j];
      for (ElementwiseKernels.Impl impl : impls()) {
        assertEquals(
            Double.doubleToRawLongBits(want),
            Double.doubleToRawLongBits(impl.sumRun(x, off, len)),
            impl.name() + " len " + len);
      }
    }
  }

  @Test
  void optimizerStepsAreIdenticalOnBothImplementations() {
    Random r = new Random(7);
    int n = 1000 + 13;
    float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = (float) r.nextGaussian();
      g[i] = (float) (r.nextGaussian() * 0.1);
      m[i] = (float) (r.nextGaussian() * 0.01);
      v[i] = (float) Math.abs(r.nextGaussian() * 0.001);
    }
    OptimizerKernels.Adam[] adams = {
      OptimizerKernels.Adam.of(1e-3, 0.9, 0.999, 1e-8, 0, false, false, 1),
      OptimizerKernels.Adam.of(1e-2, 0.8, 0.99, 1e-6, 0.1, false, true, 5),
      OptimizerKernels.Adam.of(1e-3, 0.9, 0.999, 1e-8, 0.01, true, false, 9)
    };
    OptimizerKernels.Sgd[] sgds = {
      OptimizerKernels.Sgd.of(0.1, 0, 0, false, 0, false, false),
      OptimizerKernels.Sgd.of(0.1, 0.9, 0.1, false, 1e-3, true, false),
      OptimizerKernels.Sgd.of(0.1, 0.9, 0, true, 0, false, true)
    };
    for (OptimizerKernels.Adam h : adams) {
      float[][] first = null;
      for (ElementwiseKernels.Impl impl : impls()) {
        float[] pp = p.clone(), mm = m.clone(), vv = v.clone();
        impl.adam(n - 2, pp, 1, g, 2, mm, 1, vv, 1, h);
        assertEquals(p[0], pp[0], "outside the run");
        assertEquals(p[n - 1], pp[n - 1], "outside the run");
        if (first == null) {
          first = new float[][] {pp, mm, vv};
          // The scalar loop is the composite's formula: spot-check one element by hand.
          int i = 7;
          float gi = h.maximize() ? -g[i + 1] : g[i + 1];
          float pi = p[i];
          if (!h.decoupled() && h.weightDecay() != 0) gi = gi + pi * h.weightDecay();
          if (h.decoupled()) pi = pi * h.decay();
          float mi = m[i] * h.b1() + h.omb1() * gi, vi = v[i] * h.b2() + h.omb2() * (gi * gi);
          float want = pi + h.negStep() * (mi / ((float) Math.sqrt(vi) / h.bias2Sqrt() + h.eps()));
          assertBits("adam p[7]", want, pp[i]);
        } else {
          for (int k = 0; k < 3; k++) {
            float[] want = first[k], got = k == 0 ? pp : k == 1 ? mm : vv;
            for (int i = 0; i < n; i++)
              assertBits(impl.name() + " adam " + k + "[" + i + "]", want[i], got[i]);
          }
        }
      }
    }
    for (OptimizerKernels.Sgd h : sgds) {
      float[][] first = null;
      for (ElementwiseKernels.Impl impl : impls()) {
        float[] pp = p.clone(), bb = m.clone();
        impl.sgd(n - 1, pp, 0, g, 1, h.momentum() != 0 ? bb : null, 1, h);
        if (first == null) {
          first = new float[][] {pp, bb};
        } else {
          for (int i = 0; i < n; i++) {
            assertBits(impl.name() + " sgd p[" + i + "]", first[0][i], pp[i]);
            assertBits(impl.name() + " sgd buf[" + i + "]", first[1][i], bb[i]);
          }
        }
      }
    }
  }
}
