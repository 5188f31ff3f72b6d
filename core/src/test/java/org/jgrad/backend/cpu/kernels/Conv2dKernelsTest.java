package org.jgrad.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.jgrad.backend.ConvGeometry;
import org.junit.jupiter.api.Test;

/**
 * Convolution kernels against direct loops written here in double. Each expected value carries the
 * sum of the absolute values of its terms, and the tolerance is the rigorous bound for summing that
 * many float terms in any order, (terms + 4) u sum|terms|, so a misplaced index shows up as an O(1)
 * error.
 */
class Conv2dKernelsTest {
  private static final double U = Math.scalb(1.0, -24);

  /** {N, C, H, W, O, kH, kW, sH, sW, pH, pW, dH, dW, groups}. */
  static final int[][] SHAPES = {
    {2, 3, 7, 7, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1},
    {3, 4, 9, 8, 6, 3, 2, 2, 2, 1, 1, 1, 1, 2}, // stride 2, padding, groups 2, non-square kernel
    {2, 2, 10, 10, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1}, // dilation 2
    {1, 4, 6, 6, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2}, // pointwise, groups 2 (no im2col)
    {9, 3, 5, 6, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1}, // more images than weight-grad blocks
    {2, 4, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 4}, // depthwise-style, groups = channels
    {2, 2, 11, 9, 3, 3, 2, 3, 2, 3, 1, 2, 3, 1}, // stride 3x2, dilation 2x3, uneven padding
    {3, 6, 8, 7, 4, 2, 3, 2, 1, 0, 1, 1, 2, 2}, // mixed everything, groups 2
    {10, 2, 7, 7, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // 18 im2col rows < 24 outputs: dw^T product
    {4, 4, 6, 6, 40, 3, 3, 1, 1, 1, 1, 1, 1, 2}, // the same per group (18 rows < 20), groups 2
  };

  static ConvGeometry shape(int[] v) {
    return ConvGeometry.of(
        v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]);
  }

  static float[] random(Random rnd, int n) {
    return GemmTest.random(rnd, n);
  }

  /** Expected values and their absolute-term sums and term counts. */
  record Expect(double[] value, double[] abs, int[] terms) {
    Expect(int n) {
      this(new double[n], new double[n], new int[n]);
    }

    void add(int i, double term) {
      value[i] += term;
      abs[i] += Math.abs(term);
      terms[i]++;
    }

    void check(String what, float[] got, int off) {
      check(what, got, off, 1);
    }

    /**
     * Largest error of {@code got} relative to the bound of {@link #check(String, float[], int)}.
     */
    double worstRatio(float[] got, int off) {
      double worst = 0;
      for (int i = 0; i < value.length; i++) {
        double bound = (terms[i] + 4) * U * abs[i] + 1e-30;
        worst = Math.max(worst, Math.abs(got[off + i] - value[i]) / bound);
      }
      return worst;
    }

    /**
     * As {@link #check(String, float[], int)} with the error bound multiplied by {@code factor}.
     */
    void check(String what, float[] got, int off, double factor) {
      for (int i = 0; i < value.length; i++) {
        double bound = factor * (terms[i] + 4) * U * abs[i] + 1e-30;
        double g = got[off + i];
        if (!(Math.abs(g - value[i]) <= bound)) {
          fail(what + ": element " + i + " = " + g + ", expected " + value[i] + " +- " + bound);
        }
      }
    }
  }

  /**
   * Direct double-precision expectations {y (with bias), dx, dw} of a convolution whose operands
   * sit at the offsets the Winograd tests use: x at 3, w at 2, bias at 1, dy at 5.
   */
  static Expect[] directPasses(ConvGeometry s, float[] x, float[] w, float[] bias, float[] dy) {
    Expect y = new Expect(s.outputSize());
    Expect dx = new Expect(s.inputSize());
    Expect dw = new Expect(s.weightSize());
    forEachTerm(
        s,
        (n, o, oh, ow, c, ci, kh, kw, ih, iw) -> {
          double wv = w[2 + wi(s, o, ci, kh, kw)];
          double xv = x[3 + xi(s, n, c, ih, iw)];
          double gv = dy[5 + yi(s, n, o, oh, ow)];
          y.add(yi(s, n, o, oh, ow), xv * wv);
          dx.add(xi(s, n, c, ih, iw), gv * wv);
          dw.add(wi(s, o, ci, kh, kw), gv * xv);
        });
    int plane = s.outH() * s.outW();
    for (int i = 0; i < s.outputSize(); i++) {
      y.add(i, bias[1 + (i / plane) % s.outChannels()]);
    }
    return new Expect[] {y, dx, dw};
  }

  static int xi(ConvGeometry s, int n, int c, int h, int w) {
    return ((n * s.inChannels() + c) * s.inH() + h) * s.inW() + w;
  }

  static int yi(ConvGeometry s, int n, int o, int h, int w) {
    return ((n * s.outChannels() + o) * s.outH() + h) * s.outW() + w;
  }

  static int wi(ConvGeometry s, int o, int ci, int kh, int kw) {
    return ((o * (s.inChannels() / s.groups()) + ci) * s.kH() + kh) * s.kW() + kw;
  }

  /**
   * Calls {@code f(n, o, oh, ow, c, ci, kh, kw, ih, iw)} for every valid (output, weight, input)
   * triple.
   */
  interface Visit {
    void at(int n, int o, int oh, int ow, int c, int ci, int kh, int kw, int ih, int iw);
  }

  static void forEachTerm(ConvGeometry s, Visit f) {
    int cg = s.inChannels() / s.groups();
    int og = s.outChannels() / s.groups();
    for (int n = 0; n < s.batch(); n++) {
      for (int o = 0; o < s.outChannels(); o++) {
        int g = o / og;
        for (int oh = 0; oh < s.outH(); oh++) {
          for (int ow = 0; ow < s.outW(); ow++) {
            for (int ci = 0; ci < cg; ci++) {
              for (int kh = 0; kh < s.kH(); kh++) {
                int ih = oh * s.strideH() - s.padH() + kh * s.dilationH();
                if (ih < 0 || ih >= s.inH()) {
                  continue;
                }
                for (int kw = 0; kw < s.kW(); kw++) {
                  int iw = ow * s.strideW() - s.padW() + kw * s.dilationW();
                  if (iw < 0 || iw >= s.inW()) {
                    continue;
                  }
                  f.at(n, o, oh, ow, g * cg + ci, ci, kh, kw, ih, iw);
                }
              }
            }
          }
        }
      }
    }
  }

  @Test
  void forwardInputGradWeightGradBiasGradMatchDirectLoops() {
    Random rnd = new Random(21);
    for (int[] v : SHAPES) {
      ConvGeometry s = shape(v);
      String name = java.util.Arrays.toString(v);
      float[] x = random(rnd, s.inputSize() + 3);
      float[] w = random(rnd, s.weightSize() + 2);
      float[] bias = random(rnd, s.outChannels() + 1);
      float[] dy = random(rnd, s.outputSize() + 5);

      Expect y = new Expect(s.outputSize());
      Expect dx = new Expect(s.inputSize());
      Expect dw = new Expect(s.weightSize());
      forEachTerm(
          s,
          (n, o, oh, ow, c, ci, kh, kw, ih, iw) -> {
            y.add(
                yi(s, n, o, oh, ow),
                (double) x[3 + xi(s, n, c, ih, iw)] * w[2 + wi(s, o, ci, kh, kw)]);
            dx.add(
                xi(s, n, c, ih, iw),
                (double) dy[5 + yi(s, n, o, oh, ow)] * w[2 + wi(s, o, ci, kh, kw)]);
            dw.add(
                wi(s, o, ci, kh, kw),
                (double) dy[5 + yi(s, n, o, oh, ow)] * x[3 + xi(s, n, c, ih, iw)]);
          });
      Expect yb = new Expect(s.outputSize());
      Expect db = new Expect(s.outChannels());
      for (int n = 0; n < s.batch(); n++) {
        for (int o = 0; o < s.outChannels(); o++) {
          for (int p = 0; p < s.outH() * s.outW(); p++) {
            int i = (n * s.outChannels() + o) * s.outH() * s.outW() + p;
            yb.add(i, bias[1 + o]);
            yb.value[i] += y.value[i];
            yb.abs[i] += y.abs[i];
            yb.terms[i] += y.terms[i];
            db.add(o, dy[5 + i]);
          }
        }
      }

      for (int threads : new int[] {1, 2}) {
        String what = name + " threads=" + threads;
        float[][] out =
            Parallel.withThreads(
                threads,
                () -> {
                  float[] yOut = new float[s.outputSize() + 1];
                  Conv2dKernels.forward(s, x, 3, w, 2, null, 0, yOut, 1);
                  float[] ybOut = new float[s.outputSize()];
                  java.util.Arrays.fill(ybOut, Float.NaN);
                  Conv2dKernels.forward(s, x, 3, w, 2, bias, 1, ybOut, 0);
                  float[] dxOut = new float[s.inputSize()];
                  java.util.Arrays.fill(dxOut, Float.NaN);
                  Conv2dKernels.inputGrad(s, dy, 5, w, 2, dxOut, 0);
                  float[] dwOut = new float[s.weightSize() + 4];
                  java.util.Arrays.fill(dwOut, Float.NaN);
                  Conv2dKernels.weightGrad(s, x, 3, dy, 5, dwOut, 4);
                  float[] dbOut = new float[s.outChannels()];
                  Conv2dKernels.biasGrad(
                      s.batch(), s.outChannels(), s.outH() * s.outW(), dy, 5, dbOut, 0);
                  return new float[][] {yOut, ybOut, dxOut, dwOut, dbOut};
                });
        y.check(what + " forward", out[0], 1);
        assertEquals(0f, out[0][0], what + " wrote before the output");
        yb.check(what + " forward+bias", out[1], 0);
        dx.check(what + " inputGrad", out[2], 0);
        dw.check(what + " weightGrad", out[3], 4);
        db.check(what + " biasGrad", out[4], 0);
      }
    }
  }

  @Test
  void rowDotsMatchTheirDefinitionWithEveryKernel() {
    Random rnd = new Random(24);
    java.util.List<SgemmKernel> kernels =
        new java.util.ArrayList<>(java.util.Arrays.asList(Gemm.vectorKernelVariants()));
    kernels.add(Gemm.scalarKernel());
    for (SgemmKernel k : kernels) {
      for (int len : new int[] {1, 15, 16, 37, 676}) {
        for (int bRows : new int[] {1, 4, 5, 9}) {
          for (boolean acc : new boolean[] {false, true}) {
            int aRows = 3;
            int lda = len + 2;
            int ldb = len + 3;
            float[] a = random(rnd, 1 + aRows * lda);
            float[] b = random(rnd, 2 + bRows * ldb);
            float[] c = random(rnd, 3 + aRows * bRows);
            float[] before = c.clone();
            k.rowDots(a, 1, aRows, lda, b, 2, bRows, ldb, len, acc, c, 3);
            Expect e = new Expect(aRows * bRows);
            for (int r = 0; r < aRows; r++) {
              for (int q = 0; q < bRows; q++) {
                for (int j = 0; j < len; j++) {
                  e.add(r * bRows + q, (double) a[1 + r * lda + j] * b[2 + q * ldb + j]);
                }
                if (acc) {
                  e.add(r * bRows + q, before[3 + r * bRows + q]);
                }
              }
            }
            e.check(k + " len " + len + " bRows " + bRows + " acc " + acc, c, 3);
            assertEquals(before[2], c[2], "wrote before c");
          }
        }
      }
    }
  }

  @Test
  void resultsAreBitIdenticalAcrossThreadCounts() {
    Random rnd = new Random(22);
    ConvGeometry s = ConvGeometry.of(10, 6, 12, 12, 8, 3, 3, 1, 1, 1, 1, 1, 1, 2);
    float[] x = random(rnd, s.inputSize());
    float[] w = random(rnd, s.weightSize());
    float[] dy = random(rnd, s.outputSize());
    float[][] ref = null;
    for (int threads : new int[] {1, 2, 3, 2, 1}) {
      float[][] got =
          Parallel.withThreads(
              threads,
              () -> {
                float[] y = new float[s.outputSize()];
                float[] dx = new float[s.inputSize()];
                float[] dw = new float[s.weightSize()];
                Conv2dKernels.forward(s, x, 0, w, 0, null, 0, y, 0);
                Conv2dKernels.inputGrad(s, dy, 0, w, 0, dx, 0);
                Conv2dKernels.weightGrad(s, x, 0, dy, 0, dw, 0);
                return new float[][] {y, dx, dw};
              });
      if (ref == null) {
        ref = got;
      } else {
        for (int i = 0; i < 3; i++) {
          assertArrayEquals(ref[i], got[i], "output " + i + " with " + threads + " threads");
        }
      }
    }
  }

  /** {N, Cin, H, W, Cout, kH, kW, s, p, outputPadding, dilation, groups} for conv_transpose2d. */
  static final int[][] TRANSPOSE_SHAPES = {
    {2, 3, 4, 5, 2, 3, 3, 2, 1, 1, 1, 1},
    {2, 4, 3, 3, 6, 2, 3, 1, 0, 1, 2, 2}, // output padding >= stride (allowed because < dilation)
    {1, 2, 5, 4, 4, 3, 2, 3, 1, 2, 1, 2},
    {3, 2, 4, 4, 3, 1, 1, 1, 0, 0, 1, 1},
  };

  @Test
  void convTransposeMatchesDirectScatterLoops() {
    Random rnd = new Random(23);
    for (int[] v : TRANSPOSE_SHAPES) {
      int batch = v[0], cin = v[1], h = v[2], wd = v[3], cout = v[4], kh = v[5], kw = v[6];
      int st = v[7], pad = v[8], op = v[9], dil = v[10], groups = v[11];
      ConvGeometry s =
          ConvGeometry.convTranspose2d(
              "conv_transpose2d",
              new int[] {batch, cin, h, wd},
              new int[] {cin, cout / groups, kh, kw},
              new int[] {st},
              new int[] {pad},
              new int[] {op},
              new int[] {dil},
              groups);
      int oh = (h - 1) * st - 2 * pad + dil * (kh - 1) + op + 1;
      int ow = (wd - 1) * st - 2 * pad + dil * (kw - 1) + op + 1;
      assertEquals(oh, s.inH());
      assertEquals(ow, s.inW());
      int cinG = cin / groups, coutG = cout / groups;
      float[] x = random(rnd, batch * cin * h * wd);
      float[] w = random(rnd, cin * coutG * kh * kw);
      float[] bias = random(rnd, cout);
      float[] dy = random(rnd, batch * cout * oh * ow);
      Expect y = new Expect(batch * cout * oh * ow);
      Expect dx = new Expect(x.length);
      Expect dw = new Expect(w.length);
      for (int n = 0; n < batch; n++) {
        for (int ci = 0; ci < cin; ci++) {
          int g = ci / cinG;
          for (int ih = 0; ih < h; ih++) {
            for (int iw = 0; iw < wd; iw++) {
              for (int col = 0; col < coutG; col++) {
                int co = g * coutG + col;
                for (int a = 0; a < kh; a++) {
                  int yh = ih * st - pad + a * dil;
                  if (yh < 0 || yh >= oh) continue;
                  for (int b = 0; b < kw; b++) {
                    int yw = iw * st - pad + b * dil;
                    if (yw < 0 || yw >= ow) continue;
                    int xIdx = ((n * cin + ci) * h + ih) * wd + iw;
                    int wIdx = ((ci * coutG + col) * kh + a) * kw + b;
                    int yIdx = ((n * cout + co) * oh + yh) * ow + yw;
                    y.add(yIdx, (double) x[xIdx] * w[wIdx]);
                    dx.add(xIdx, (double) dy[yIdx] * w[wIdx]);
                    dw.add(wIdx, (double) dy[yIdx] * x[xIdx]);
                  }
                }
              }
            }
          }
        }
      }
      for (int i = 0; i < y.value.length; i++) {
        y.add(i, bias[(i / (oh * ow)) % cout]);
      }
      String name = "conv_transpose2d " + java.util.Arrays.toString(v);
      for (int threads : new int[] {1, 2}) {
        Parallel.withThreads(
            threads,
            () -> {
              float[] yOut = new float[y.value.length];
              Conv2dKernels.convTranspose2d(s, x, 0, w, 0, bias, 0, yOut, 0);
              y.check(name, yOut, 0);
              float[] dxOut = new float[x.length];
              Conv2dKernels.convTranspose2dInputGrad(s, dy, 0, w, 0, dxOut, 0);
              dx.check(name + " input grad", dxOut, 0);
              float[] dwOut = new float[w.length];
              Conv2dKernels.convTranspose2dWeightGrad(s, x, 0, dy, 0, dwOut, 0);
              dw.check(name + " weight grad", dwOut, 0);
            });
      }
    }
  }

  @Test
  void shapeValidation() {
    // The geometry record validates; the same cases the kernels used to reject.
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConvGeometry.of(1, 3, 4, 4, 4, 5, 5, 1, 1, 0, 0, 1, 1, 1));
    assertTrue(e.getMessage().contains("smaller than the effective kernel"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConvGeometry.of(1, 3, 8, 8, 4, 3, 3, 1, 1, 0, 0, 1, 1, 2));
    assertTrue(e.getMessage().contains("divisible by groups"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConvGeometry.of(1, 3, 8, 8, 4, 3, 3, 0, 1, 0, 0, 1, 1, 1));
    assertTrue(e.getMessage().startsWith("conv2d: stride must be at least 1"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ConvGeometry.convTranspose2d(
                    "conv_transpose2d",
                    new int[] {1, 2, 3, 3},
                    new int[] {2, 2, 3, 3},
                    new int[] {2},
                    new int[] {0},
                    new int[] {2},
                    new int[] {1},
                    1));
    assertTrue(e.getMessage().contains("output padding must be smaller"), e.getMessage());
    // The canonical constructor keeps its invariants too: no output larger than the natural one.
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ConvGeometry(2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, false, 9, 8));
    assertTrue(e.getMessage().contains("must be between 1x1 and 8x8"), e.getMessage());
    ConvGeometry s = ConvGeometry.of(2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    assertEquals(8, s.outH());
    // Arrays that do not match a (valid) geometry are a caller bug: the kernels assert (surefire
    // runs with -ea).
    AssertionError a =
        assertThrows(
            AssertionError.class,
            () ->
                Conv2dKernels.forward(
                    s,
                    new float[s.inputSize() - 1],
                    0,
                    new float[s.weightSize()],
                    0,
                    null,
                    0,
                    new float[s.outputSize()],
                    0));
    assertTrue(a.getMessage().startsWith("conv2d: input needs " + s.inputSize()), a.getMessage());
    assertThrows(
        AssertionError.class,
        () ->
            Conv2dKernels.weightGrad(
                s,
                new float[s.inputSize()],
                0,
                new float[s.outputSize()],
                0,
                new float[s.weightSize()],
                1));
  }
}
