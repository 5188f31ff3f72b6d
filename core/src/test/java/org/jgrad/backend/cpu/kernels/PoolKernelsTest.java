package org.jgrad.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.jgrad.backend.ConvGeometry;
import org.junit.jupiter.api.Test;

/**
 * Pooling kernels against direct loops written from PyTorch's definitions, plus a few hand-worked
 * cases.
 */
class PoolKernelsTest {

  /** {N, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, ceil}. */
  static final int[][] MAX_SHAPES = {
    {2, 3, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1, 0},
    {1, 2, 7, 9, 3, 3, 2, 2, 1, 1, 1, 1, 0},
    {2, 2, 7, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1}, // ceil mode
    {1, 3, 10, 11, 3, 2, 1, 2, 1, 1, 2, 2, 0}, // dilation 2
    {3, 1, 5, 5, 2, 3, 3, 2, 1, 1, 1, 1, 1},
    {2, 2, 13, 13, 2, 2, 2, 2, 0, 0, 1, 1, 1}, // Keras CNN's odd-size pool in ceil mode
    {2, 3, 13, 11, 2, 2, 2, 2, 0, 0, 1, 1, 0}, // plain 2x2 fast path, last row/column unused
  };

  static ConvGeometry shape(int[] v) {
    return pool(
        v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12] == 1);
  }

  /** A pooling geometry from plain sizes, through the one validating factory. */
  static ConvGeometry pool(
      int batch,
      int channels,
      int inH,
      int inW,
      int kH,
      int kW,
      int strideH,
      int strideW,
      int padH,
      int padW,
      int dilationH,
      int dilationW,
      boolean ceilMode) {
    return ConvGeometry.pool2d(
        "pool2d",
        new int[] {batch, channels, inH, inW},
        new int[] {kH, kW},
        new int[] {strideH, strideW},
        new int[] {padH, padW},
        new int[] {dilationH, dilationW},
        ceilMode);
  }

  @Test
  void outputSizesFollowPyTorch() {
    // Worked by hand from PyTorch's pooling_output_shape and checked against torch 1.13's
    // max_pool2d.
    assertEquals(2, ConvGeometry.outSize(4, 3, 2, 1, 1, false));
    assertEquals(3, ConvGeometry.outSize(4, 3, 2, 1, 1, true));
    assertEquals(6, ConvGeometry.outSize(13, 2, 2, 0, 1, false));
    assertEquals(7, ConvGeometry.outSize(13, 2, 2, 0, 1, true));
    assertEquals(2, ConvGeometry.outSize(5, 2, 2, 0, 1, false));
    assertEquals(3, ConvGeometry.outSize(5, 2, 2, 0, 1, true));
    assertEquals(4, ConvGeometry.outSize(6, 3, 2, 1, 1, true));
    // ceil mode drops a window that would start in the right padding: ceil(3/2)+1 = 3, but 2*2 >=
    // 3+1 -> 2
    assertEquals(2, ConvGeometry.outSize(3, 2, 2, 1, 1, true));
    // ... also without padding (PyTorch 1.13 gives width 2 for width 5, kernel 1, stride 3, ceil
    // mode)
    assertEquals(2, ConvGeometry.outSize(5, 1, 3, 0, 1, true));
    assertEquals(3, ConvGeometry.outSize(5, 3, 2, 1, 1, true));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> pool(1, 1, 4, 4, 2, 2, 2, 2, 2, 0, 1, 1, false));
    assertTrue(e.getMessage().contains("at most half"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> pool(1, 1, 2, 2, 5, 5, 1, 1, 0, 0, 1, 1, false));
  }

  @Test
  void maxPoolHandWorked() {
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i] = i;
    }
    x[6] = 100f;
    ConvGeometry s = pool(1, 1, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, false);
    float[] y = new float[4];
    int[] idx = new int[4];
    PoolKernels.maxPool2d(s, x, 0, y, 0, idx, 0);
    assertArrayEquals(new float[] {5, 100, 13, 15}, y);
    assertArrayEquals(new int[] {5, 6, 13, 15}, idx);
    float[] dx = new float[16];
    PoolKernels.maxPool2dBackward(s, new float[] {1, 2, 3, 4}, 0, idx, 0, dx, 0);
    float[] expect = new float[16];
    expect[5] = 1;
    expect[6] = 2;
    expect[13] = 3;
    expect[15] = 4;
    assertArrayEquals(expect, dx);
    // NaN wins, as in PyTorch.
    x[0] = Float.NaN;
    PoolKernels.maxPool2d(s, x, 0, y, 0, idx, 0);
    assertTrue(Float.isNaN(y[0]));
    assertEquals(0, idx[0]);
    // Scan order kh, kw; a NaN replaces the maximum, and a later NaN replaces that one.
    assertTrue(PoolKernels.isPlain2x2(s));
    x[0] = 0;
    x[1] = Float.NaN;
    x[5] = Float.NaN;
    x[7] = Float.NaN;
    PoolKernels.maxPool2d(s, x, 0, y, 0, idx, 0);
    assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[1]));
    assertEquals(5, idx[0]);
    assertEquals(7, idx[1]);
    // Ties of -0 and +0 keep the first (its sign too); infinities compare as numbers.
    Arrays.fill(x, -1f);
    x[0] = -0f;
    x[4] = 0f;
    x[3] = Float.POSITIVE_INFINITY;
    x[7] = Float.POSITIVE_INFINITY;
    x[10] = Float.NEGATIVE_INFINITY;
    PoolKernels.maxPool2d(s, x, 0, y, 0, idx, 0);
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(y[0]));
    assertEquals(0, idx[0]);
    assertEquals(Float.POSITIVE_INFINITY, y[1]);
    assertEquals(3, idx[1]);
    assertEquals(-1f, y[2]);
    assertEquals(8, idx[2]);
    assertEquals(-1f, y[3]);
    assertEquals(11, idx[3]);
  }

  /**
   * The plain 2x2 path (vector rows where the module is present, the scalar loop otherwise or where
   * a row's reads would leave the array) against the general loop's scan, written out here: the
   * first value of the window, replaced by each later value that is greater or NaN. Values with
   * NaN, infinities, -0/+0 and ties; rows shorter and longer than a vector.
   */
  @Test
  void plainTwoByTwoMatchesTheScanDefinitionWithSpecials() {
    if (Gemm.simdEnabled() && !"false".equals(System.getProperty("jgrad.test.expectSimd"))) {
      assertTrue(PoolKernels.VECTOR_ROWS != null, "vector rows expected with the vector module");
    }
    Random rnd = new Random(41);
    float[] specials = {
      Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, -1f, 1f
    };
    int[][] shapes = {{2, 3, 26, 26}, {1, 2, 22, 22}, {2, 2, 40, 37}, {3, 1, 11, 11}, {1, 1, 4, 5}};
    for (int[] sh : shapes) {
      ConvGeometry s = pool(sh[0], sh[1], sh[2], sh[3], 2, 2, 2, 2, 0, 0, 1, 1, false);
      assertTrue(PoolKernels.isPlain2x2(s));
      for (int variant = 0; variant < 3; variant++) {
        float[] x = GemmTest.random(rnd, s.inputSize() + 3);
        for (int i = 0; i < x.length; i++) {
          int r = rnd.nextInt(10);
          if (variant == 1 && r < 4) x[i] = specials[rnd.nextInt(specials.length)];
          if (variant == 2 && r < 7) x[i] = Math.max(0f, x[i]) * 0f; // ReLU-like ties of zero
        }
        int planes = sh[0] * sh[1], inW = sh[3], inPlane = sh[2] * inW;
        float[] ey = new float[s.outputSize()];
        int[] ei = new int[s.outputSize()];
        int o = 0;
        for (int pl = 0; pl < planes; pl++) {
          for (int oh = 0; oh < s.outH(); oh++) {
            for (int ow = 0; ow < s.outW(); ow++, o++) {
              float best = 0;
              int arg = -1;
              for (int kh = 0; kh < 2; kh++) {
                for (int kw = 0; kw < 2; kw++) {
                  int at = (2 * oh + kh) * inW + 2 * ow + kw;
                  float v = x[3 + pl * inPlane + at];
                  if (arg < 0 || v > best || v != v) {
                    best = v;
                    arg = at;
                  }
                }
              }
              ey[o] = best;
              ei[o] = arg;
            }
          }
        }
        for (int threads : new int[] {1, 2}) {
          // Room after the output: rows spill full vectors into later rows of their own chunk,
          // never past the output (the sentinels after it must survive).
          float[] y = new float[s.outputSize() + 1 + 20];
          int[] idx = new int[s.outputSize() + 2 + 20];
          Arrays.fill(y, 1 + s.outputSize(), y.length, 7f);
          Arrays.fill(idx, 2 + s.outputSize(), idx.length, 7);
          Parallel.withThreads(threads, () -> PoolKernels.maxPool2d(s, x, 3, y, 1, idx, 2));
          for (int i = 1 + s.outputSize(); i < y.length; i++) assertEquals(7f, y[i], "after " + i);
          for (int i = 2 + s.outputSize(); i < idx.length; i++) assertEquals(7, idx[i], "idx " + i);
          String what = Arrays.toString(sh) + " variant " + variant + " threads " + threads;
          for (int i = 0; i < ey.length; i++) {
            assertEquals(
                Float.floatToRawIntBits(ey[i]),
                Float.floatToRawIntBits(y[1 + i]),
                what + " value " + i + ": " + ey[i] + " vs " + y[1 + i]);
            assertEquals(ei[i], idx[2 + i], what + " index " + i);
          }
          assertEquals(0f, y[0], what);
          assertEquals(0, idx[0] | idx[1], what);
        }
      }
    }
  }

  /**
   * The gradient found again from the input (vector rows where the module is present, the scalar
   * rows otherwise) against the indexed scatter: same bits, NaN, infinities, -0/+0 ties and -0 or
   * NaN gradients included; written in full over a NaN-filled array (a reused output is not zeroed)
   * and never past its end (sentinels), at 1 and 2 threads. Also a 3x3 stride-2 geometry (the
   * general path).
   */
  @Test
  void maxPoolBackwardFromTheInputMatchesTheIndexedScatter() {
    Random rnd = new Random(43);
    float[] specials = {
      Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, -1f, 1f
    };
    int[][] shapes = {
      {2, 3, 26, 26}, {1, 2, 22, 22}, {2, 2, 40, 37}, {3, 1, 11, 11}, {1, 1, 4, 5}, {2, 2, 70, 68}
    };
    for (int[] sh : shapes) {
      for (boolean plain : new boolean[] {true, false}) {
        ConvGeometry s =
            plain
                ? pool(sh[0], sh[1], sh[2], sh[3], 2, 2, 2, 2, 0, 0, 1, 1, false)
                : pool(sh[0], sh[1], sh[2], sh[3], 3, 3, 2, 2, 1, 1, 1, 1, false);
        assertEquals(plain, PoolKernels.isPlain2x2(s));
        for (int variant = 0; variant < 3; variant++) {
          float[] x = GemmTest.random(rnd, s.inputSize() + 3);
          float[] dy = GemmTest.random(rnd, s.outputSize() + 1);
          for (int i = 0; i < x.length; i++) {
            int r = rnd.nextInt(10);
            if (variant == 1 && r < 4) x[i] = specials[rnd.nextInt(specials.length)];
            if (variant == 2 && r < 7) x[i] = Math.max(0f, x[i]) * 0f;
          }
          for (int i = 0; i < dy.length; i++) {
            if (variant == 1 && rnd.nextInt(10) < 2) dy[i] = specials[rnd.nextInt(3)];
          }
          float[] y = new float[s.outputSize()];
          int[] idx = new int[s.outputSize()];
          PoolKernels.maxPool2d(s, x, 3, y, 0, idx, 0);
          float[] expected = new float[s.inputSize()];
          PoolKernels.maxPool2dBackward(s, dy, 1, idx, 0, expected, 0);
          for (int threads : new int[] {1, 2}) {
            float[] dx = new float[2 + s.inputSize() + 40];
            Arrays.fill(dx, Float.NaN);
            Arrays.fill(dx, 2 + s.inputSize(), dx.length, 7f);
            Parallel.withThreads(
                threads, () -> PoolKernels.maxPool2dBackwardFromInput(s, x, 3, dy, 1, dx, 2));
            String what = Arrays.toString(sh) + (plain ? " 2x2" : " 3x3/2") + " variant " + variant;
            for (int i = 0; i < expected.length; i++) {
              assertEquals(
                  Float.floatToRawIntBits(expected[i]),
                  Float.floatToRawIntBits(dx[2 + i]),
                  what
                      + " threads "
                      + threads
                      + " at "
                      + i
                      + ": "
                      + expected[i]
                      + " vs "
                      + dx[2 + i]);
            }
            for (int i = 2 + s.inputSize(); i < dx.length; i++)
              assertEquals(7f, dx[i], "after " + i);
            assertTrue(Float.isNaN(dx[0]) && Float.isNaN(dx[1]), what + ": before the output");
          }
        }
      }
    }
  }

  @Test
  void maxPoolMatchesDirectLoops() {
    Random rnd = new Random(31);
    for (int[] v : MAX_SHAPES) {
      ConvGeometry s = shape(v);
      float[] x = GemmTest.random(rnd, s.inputSize() + 2);
      // Duplicate values so ties occur: the first maximum in window order must win.
      for (int i = 0; i < x.length; i += 3) {
        x[i] = Math.round(x[i] * 2) / 2f;
      }
      float[] dy = GemmTest.random(rnd, s.outputSize());
      float[] ey = new float[s.outputSize()];
      int[] ei = new int[s.outputSize()];
      double[] edx = new double[s.inputSize()];
      int o = 0;
      for (int pl = 0; pl < s.batch() * s.channels(); pl++) {
        for (int oh = 0; oh < s.outH(); oh++) {
          for (int ow = 0; ow < s.outW(); ow++, o++) {
            float best = Float.NEGATIVE_INFINITY;
            int arg = -1;
            for (int a = 0; a < s.kH(); a++) {
              for (int b = 0; b < s.kW(); b++) {
                int ih = oh * s.strideH() - s.padH() + a * s.dilationH();
                int iw = ow * s.strideW() - s.padW() + b * s.dilationW();
                if (ih >= 0 && ih < s.inH() && iw >= 0 && iw < s.inW()) {
                  float val = x[2 + pl * s.inH() * s.inW() + ih * s.inW() + iw];
                  if (arg < 0 || val > best) {
                    best = val;
                    arg = ih * s.inW() + iw;
                  }
                }
              }
            }
            ey[o] = best;
            ei[o] = arg;
            edx[pl * s.inH() * s.inW() + arg] += dy[o];
          }
        }
      }
      for (int threads : new int[] {1, 2}) {
        Parallel.withThreads(
            threads,
            () -> {
              float[] y = new float[s.outputSize()];
              int[] idx = new int[s.outputSize() + 1];
              PoolKernels.maxPool2d(s, x, 2, y, 0, idx, 1);
              assertArrayEquals(ey, y, Arrays.toString(v));
              assertArrayEquals(ei, Arrays.copyOfRange(idx, 1, idx.length), Arrays.toString(v));
              float[] dx = new float[s.inputSize()];
              Arrays.fill(dx, Float.NaN);
              PoolKernels.maxPool2dBackward(s, dy, 0, idx, 1, dx, 0);
              for (int i = 0; i < dx.length; i++) {
                // at most a few windows overlap one input: float sums of <= 9 terms
                assertEquals(
                    edx[i], dx[i], 1e-6 * (1 + Math.abs(edx[i])), Arrays.toString(v) + " dx " + i);
              }
            });
      }
    }
    int[] bad = {7};
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PoolKernels.maxPool2dBackward(
                    pool(1, 1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1, false),
                    new float[1],
                    0,
                    bad,
                    0,
                    new float[4],
                    0));
    assertTrue(e.getMessage().contains("outside the input plane"), e.getMessage());
  }

  @Test
  void avgPoolHandWorked() {
    // 3x3 of ones, kernel 2, stride 2, padding 1: corner windows hold 1, 2, 2 and 4 real cells.
    float[] x = new float[9];
    Arrays.fill(x, 1f);
    ConvGeometry s = pool(1, 1, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, false);
    float[] y = new float[4];
    PoolKernels.avgPool2d(s, true, 0, x, 0, y, 0);
    assertArrayEquals(new float[] {0.25f, 0.5f, 0.5f, 1f}, y);
    PoolKernels.avgPool2d(s, false, 0, x, 0, y, 0);
    assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, y);
    PoolKernels.avgPool2d(s, true, 2, x, 0, y, 0);
    assertArrayEquals(new float[] {0.5f, 1f, 1f, 2f}, y);
    float[] dx = new float[9];
    PoolKernels.avgPool2dBackward(s, true, 0, new float[] {4, 4, 4, 4}, 0, dx, 0);
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, dx);
    PoolKernels.avgPool2dBackward(s, false, 0, new float[] {4, 4, 4, 4}, 0, dx, 0);
    assertArrayEquals(new float[] {4, 2, 2, 2, 1, 1, 2, 1, 1}, dx);
  }

  /** {N, C, H, W, kH, kW, sH, sW, pH, pW, ceil}. */
  static final int[][] AVG_SHAPES = {
    {2, 3, 8, 8, 2, 2, 2, 2, 0, 0, 0},
    {1, 2, 7, 9, 3, 3, 2, 2, 1, 1, 0},
    {2, 2, 7, 9, 3, 3, 2, 2, 1, 1, 1},
    {1, 2, 6, 5, 3, 2, 2, 1, 1, 1, 1},
    {1, 1, 5, 5, 2, 2, 3, 3, 1, 1, 1},
  };

  @Test
  void avgPoolMatchesDirectLoops() {
    Random rnd = new Random(32);
    for (int[] v : AVG_SHAPES) {
      ConvGeometry s =
          pool(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], 1, 1, v[10] == 1);
      float[] x = GemmTest.random(rnd, s.inputSize());
      float[] dy = GemmTest.random(rnd, s.outputSize());
      for (boolean include : new boolean[] {true, false}) {
        for (int divisor : new int[] {0, 3}) {
          double[] ey = new double[s.outputSize()];
          double[] edx = new double[s.inputSize()];
          int o = 0;
          for (int pl = 0; pl < s.batch() * s.channels(); pl++) {
            for (int oh = 0; oh < s.outH(); oh++) {
              for (int ow = 0; ow < s.outW(); ow++, o++) {
                // PyTorch: the window clipped to the padded input sets count_include_pad's divisor.
                int h0 = oh * s.strideH() - s.padH();
                int w0 = ow * s.strideW() - s.padW();
                int h1 = Math.min(h0 + s.kH(), s.inH() + s.padH());
                int w1 = Math.min(w0 + s.kW(), s.inW() + s.padW());
                int padded = (h1 - h0) * (w1 - w0);
                double sum = 0;
                int real = 0;
                for (int ih = h0; ih < h1; ih++) {
                  for (int iw = w0; iw < w1; iw++) {
                    if (ih >= 0 && ih < s.inH() && iw >= 0 && iw < s.inW()) {
                      sum += x[pl * s.inH() * s.inW() + ih * s.inW() + iw];
                      real++;
                    }
                  }
                }
                int div = divisor > 0 ? divisor : include ? padded : real;
                ey[o] = sum / div;
                for (int ih = h0; ih < h1; ih++) {
                  for (int iw = w0; iw < w1; iw++) {
                    if (ih >= 0 && ih < s.inH() && iw >= 0 && iw < s.inW()) {
                      edx[pl * s.inH() * s.inW() + ih * s.inW() + iw] += (double) dy[o] / div;
                    }
                  }
                }
              }
            }
          }
          for (int threads : new int[] {1, 2}) {
            int dv = divisor;
            boolean inc = include;
            Parallel.withThreads(
                threads,
                () -> {
                  float[] y = new float[s.outputSize()];
                  PoolKernels.avgPool2d(s, inc, dv, x, 0, y, 0);
                  for (int i = 0; i < y.length; i++) {
                    assertEquals(
                        ey[i], y[i], 1e-6 * (1 + Math.abs(ey[i])), Arrays.toString(v) + " y " + i);
                  }
                  float[] dx = new float[s.inputSize()];
                  Arrays.fill(dx, Float.NaN);
                  PoolKernels.avgPool2dBackward(s, inc, dv, dy, 0, dx, 0);
                  for (int i = 0; i < dx.length; i++) {
                    assertEquals(
                        edx[i],
                        dx[i],
                        1e-6 * (1 + Math.abs(edx[i])),
                        Arrays.toString(v) + " dx " + i);
                  }
                });
          }
        }
      }
    }
    // Average pooling has no dilation: the geometry allows it (max pooling does), the kernel
    // asserts.
    assertThrows(
        AssertionError.class,
        () ->
            PoolKernels.avgPool2d(
                pool(1, 1, 5, 5, 2, 2, 1, 1, 0, 0, 2, 2, false),
                true,
                0,
                new float[25],
                0,
                new float[9],
                0));
  }

  @Test
  void adaptiveAvgPoolHandWorkedAndDirect() {
    // 5 -> 3 cells: rows [0,2), [1,4), [3,5) (start floor(i*5/3), end ceil((i+1)*5/3)).
    float[] x = {0, 1, 2, 3, 4};
    float[] y = new float[3];
    PoolKernels.adaptiveAvgPool2d(1, 1, 1, 5, 1, 3, x, 0, y, 0);
    assertArrayEquals(new float[] {0.5f, 2f, 3.5f}, y);
    float[] dx = new float[5];
    PoolKernels.adaptiveAvgPool2dBackward(1, 1, 1, 5, 1, 3, new float[] {2, 3, 4}, 0, dx, 0);
    assertArrayEquals(new float[] {1, 2, 1, 3, 2}, dx, 1e-6f);

    Random rnd = new Random(33);
    int[][] cases = {
      {2, 3, 7, 9, 3, 4}, {1, 2, 5, 5, 5, 5}, {2, 1, 6, 4, 1, 1}, {1, 2, 3, 4, 6, 7}
    };
    for (int[] c : cases) {
      int n = c[0], ch = c[1], ih = c[2], iw = c[3], oh = c[4], ow = c[5];
      float[] in = GemmTest.random(rnd, n * ch * ih * iw);
      float[] dy = GemmTest.random(rnd, n * ch * oh * ow);
      double[] ey = new double[n * ch * oh * ow];
      double[] edx = new double[in.length];
      for (int pl = 0; pl < n * ch; pl++) {
        for (int a = 0; a < oh; a++) {
          int h0 = (int) Math.floor((double) a * ih / oh);
          int h1 = (int) Math.ceil((double) (a + 1) * ih / oh);
          for (int b = 0; b < ow; b++) {
            int w0 = (int) Math.floor((double) b * iw / ow);
            int w1 = (int) Math.ceil((double) (b + 1) * iw / ow);
            int o = (pl * oh + a) * ow + b;
            int cnt = (h1 - h0) * (w1 - w0);
            for (int r = h0; r < h1; r++) {
              for (int q = w0; q < w1; q++) {
                ey[o] += in[pl * ih * iw + r * iw + q] / (double) cnt;
                edx[pl * ih * iw + r * iw + q] += dy[o] / (double) cnt;
              }
            }
          }
        }
      }
      float[] out = new float[ey.length];
      PoolKernels.adaptiveAvgPool2d(n, ch, ih, iw, oh, ow, in, 0, out, 0);
      for (int i = 0; i < out.length; i++) {
        assertEquals(ey[i], out[i], 1e-6 * (1 + Math.abs(ey[i])), Arrays.toString(c) + " y " + i);
      }
      float[] g = new float[in.length];
      PoolKernels.adaptiveAvgPool2dBackward(n, ch, ih, iw, oh, ow, dy, 0, g, 0);
      for (int i = 0; i < g.length; i++) {
        assertEquals(edx[i], g[i], 1e-6 * (1 + Math.abs(edx[i])), Arrays.toString(c) + " dx " + i);
      }
    }
  }
}
