package org.jgrad.backend.cpu.kernels;

import java.util.Arrays;
import org.jgrad.backend.ConvGeometry;

/**
 * float32 2-D pooling on contiguous NCHW arrays, forward and backward, with PyTorch's semantics:
 * max pooling with argmax indices, average pooling ({@code count_include_pad}, {@code
 * divisor_override}) and adaptive average pooling. Planes ({@code batch*channels}) are spread over
 * {@link Parallel}; every method overwrites its output and is deterministic for any thread count.
 *
 * <pre>{@code
 * ConvGeometry s = ConvGeometry.pool2d("maxPool2d", new int[] {64, 32, 26, 26}, new int[] {2}, null, new int[] {0},
 *     new int[] {1}, false);
 * int[] idx = new int[s.outputSize()];
 * PoolKernels.maxPool2d(s, x, 0, y, 0, idx, 0);
 * PoolKernels.maxPool2dBackward(s, dy, 0, idx, 0, dx, 0);
 * }</pre>
 */
public final class PoolKernels {
  private PoolKernels() {}

  /** A vectorised row of the plain 2x2 max pool (same values and indices as the scalar loop). */
  interface RowKernel {
    /**
     * Outputs {@code [0, outW)} of one output row: the windows' top row starts at {@code x[at]}
     * (plane-relative index {@code argBase}), the bottom row {@code inW} later; values to {@code
     * y[yo..]}, indices (nullable) to {@code idx[io..]}. The {@code room} elements after the row
     * (in both {@code y} and {@code idx}) may be overwritten with garbage: the caller writes them
     * later in the same thread. Returns false, writing nothing, when it cannot (reads would leave
     * {@code x}, or the last vector would not fit in the row and its room).
     */
    boolean maxPool2x2Row(
        float[] x,
        int at,
        int inW,
        int outW,
        float[] y,
        int yo,
        int[] idx,
        int io,
        int argBase,
        int room);

    /**
     * The gradient of one output row's windows, recomputed from the input: for outputs {@code [0,
     * outW)} (inputs as in {@link #maxPool2x2Row}, gradients {@code g[go..]}), writes both input
     * rows of the windows into {@code dx} from {@code d} (the top row) and {@code d + inW}: each
     * window's gradient {@code 0 + g} at the position the forward scan keeps, zeros at the other
     * three. May write zeros anywhere after those positions up to {@code limit} (the caller writes
     * everything after them later in the same thread, or wants zeros there), but never before.
     * Returns false, writing nothing, when it cannot (reads would leave {@code x} or {@code g},
     * writes would reach {@code limit}).
     */
    boolean maxPool2x2BackwardRow(
        float[] x, int at, int inW, int outW, float[] g, int go, float[] dx, int d, int limit);
  }

  /** The Vector API row kernel when the module is present and SIMD is not switched off. */
  static final RowKernel VECTOR_ROWS = loadVectorRows();

  private static RowKernel loadVectorRows() {
    if ("false".equalsIgnoreCase(System.getProperty(Gemm.SIMD_PROPERTY, "true"))) {
      return null;
    }
    return VectorClasses.create("org.jgrad.backend.cpu.kernels.VectorPoolKernels", RowKernel.class);
  }

  /**
   * Max pooling. Padding counts as -infinity; a NaN in a window wins (as in PyTorch). {@code
   * indices} (nullable) receives the flat position {@code ih*inW + iw} of each maximum within its
   * input plane.
   */
  public static void maxPool2d(
      ConvGeometry s, float[] x, int xOff, float[] y, int yOff, int[] indices, int idxOff) {
    String op = "max_pool2d";
    Conv2dKernels.fits(op, "input", x, xOff, s.inputSize());
    Conv2dKernels.fits(op, "output", y, yOff, s.outputSize());
    if (indices != null) {
      checkIdx(op, indices, idxOff, s.outputSize());
    }
    int inPlane = s.inH() * s.inW();
    int outPlane = s.outH() * s.outW();
    if (isPlain2x2(s)) {
      Parallel.forChunks(
          s.batch() * s.channels(),
          plainChunks(s),
          (p0, p1) -> maxPool2x2(s, p0, p1, x, xOff, y, yOff, indices, idxOff));
      return;
    }
    Parallel.forRange(
        s.batch() * s.channels(),
        grain(inPlane),
        (p0, p1) -> {
          for (int pl = p0; pl < p1; pl++) {
            int xb = xOff + pl * inPlane;
            int ob = pl * outPlane;
            for (int oh = 0; oh < s.outH(); oh++) {
              int ih0 = oh * s.strideH() - s.padH();
              for (int ow = 0; ow < s.outW(); ow++) {
                int iw0 = ow * s.strideW() - s.padW();
                float max = Float.NEGATIVE_INFINITY;
                int arg = -1;
                for (int kh = 0; kh < s.kH(); kh++) {
                  int ih = ih0 + kh * s.dilationH();
                  if (ih < 0 || ih >= s.inH()) {
                    continue;
                  }
                  for (int kw = 0; kw < s.kW(); kw++) {
                    int iw = iw0 + kw * s.dilationW();
                    if (iw < 0 || iw >= s.inW()) {
                      continue;
                    }
                    int at = ih * s.inW() + iw;
                    float v = x[xb + at];
                    if (arg < 0 || v > max || Float.isNaN(v)) {
                      max = v;
                      arg = at;
                    }
                  }
                }
                int o = ob + oh * s.outW() + ow;
                y[yOff + o] = max;
                if (indices != null) {
                  indices[idxOff + o] = arg;
                }
              }
            }
          }
        });
  }

  /**
   * Chunks of planes for the plain 2x2 kernels: several per thread, claimed dynamically, each at
   * least one grain.
   */
  private static int plainChunks(ConvGeometry s) {
    int planes = s.batch() * s.channels();
    return Math.max(1, Math.min(8 * Parallel.threads(), planes / grain(s.inH() * s.inW())));
  }

  /**
   * A 2x2 window with stride 2, no padding, no dilation, every window inside the input (the usual
   * {@code MaxPool2d(2)}).
   */
  static boolean isPlain2x2(ConvGeometry s) {
    return s.kH() == 2
        && s.kW() == 2
        && s.strideH() == 2
        && s.strideW() == 2
        && s.padH() == 0
        && s.padW() == 0
        && s.dilationH() == 1
        && s.dilationW() == 1
        && 2 * s.outH() <= s.inH()
        && 2 * s.outW() <= s.inW();
  }

  /**
   * {@link #maxPool2d} of planes [p0, p1) for {@link #isPlain2x2} geometry: the general loop's scan
   * order and comparisons (first maximum wins, a later NaN replaces it) without its bounds checks
   * and per-window loops, written so that the selects can compile to conditional moves (the general
   * loop's branches mispredict on data like ReLU outputs).
   */
  private static void maxPool2x2(
      ConvGeometry s,
      int p0,
      int p1,
      float[] x,
      int xOff,
      float[] y,
      int yOff,
      int[] indices,
      int idxOff) {
    int inW = s.inW();
    int outH = s.outH();
    int outW = s.outW();
    int inPlane = s.inH() * inW;
    int outPlane = outH * outW;
    // Rows run in increasing order, so a row may spill full-vector stores into the rows after
    // it up to the end of this chunk (masked stores of short rows cost several times more).
    int chunkEnd = p1 * outPlane;
    for (int pl = p0; pl < p1; pl++) {
      int xb = xOff + pl * inPlane;
      int ob = pl * outPlane;
      for (int oh = 0; oh < outH; oh++) {
        int top = 2 * oh * inW;
        int o = ob + oh * outW;
        int room = chunkEnd - (o + outW);
        if (VECTOR_ROWS != null
            && VECTOR_ROWS.maxPool2x2Row(
                x, xb + top, inW, outW, y, yOff + o, indices, idxOff + o, top, room)) {
          continue;
        }
        for (int ow = 0; ow < outW; ow++, o++) {
          int at = xb + top + 2 * ow;
          int pos = windowMax(x, at, inW);
          float max = x[at + pos];
          int arg = at - xb + pos;
          y[yOff + o] = max;
          if (indices != null) {
            indices[idxOff + o] = arg;
          }
        }
      }
    }
  }

  /**
   * Where the scan keeps the maximum of the 2x2 window whose top-left input is {@code x[at]}: 0, 1,
   * {@code inW} or {@code inW + 1} (the first of equal values; a later NaN replaces the maximum).
   */
  private static int windowMax(float[] x, int at, int inW) {
    float a = x[at];
    float b = x[at + 1];
    float c = x[at + inW];
    float d = x[at + inW + 1];
    float m = Math.max(Math.max(a, b), Math.max(c, d));
    if ((Float.floatToRawIntBits(m) & 0x7f800000) != 0x7f800000) {
      // Finite maximum: the first position equal to it, found without branches (m - v is +-0
      // exactly when v == m; the caller takes the value from x, so -0 vs +0 ties keep the first,
      // as the comparisons do).
      int na = notZero(Float.floatToRawIntBits(m - a) << 1);
      int nb = notZero(Float.floatToRawIntBits(m - b) << 1);
      int nc = notZero(Float.floatToRawIntBits(m - c) << 1);
      return na * (1 + nb * (inW - 1 + nc));
    }
    // NaN or an infinity: the comparisons themselves (rare).
    int pos = 0;
    float max = a;
    if (b > max || b != b) {
      max = b;
      pos = 1;
    }
    if (c > max || c != c) {
      max = c;
      pos = inW;
    }
    if (d > max || d != d) {
      pos = inW + 1;
    }
    return pos;
  }

  /** 1 when {@code v != 0}, else 0, without a branch. */
  private static int notZero(int v) {
    return (v | -v) >>> 31;
  }

  /**
   * Gradient of {@link #maxPool2d} without stored indices: each window's maximum is found again in
   * the input {@code x}, by the forward's own scan, so the gradient goes to the very positions the
   * indices would record (the same bits as {@link #maxPool2dBackward} with them). {@code dx} is
   * written in full. The plain 2x2 pool writes each window's four gradients directly (no zeroing
   * pass, no scatter); other windows record the indices in a temporary and scatter.
   */
  public static void maxPool2dBackwardFromInput(
      ConvGeometry s, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    String op = "max_pool2d backward";
    Conv2dKernels.fits(op, "input", x, xOff, s.inputSize());
    Conv2dKernels.fits(op, "grad output", dy, dyOff, s.outputSize());
    Conv2dKernels.fits(op, "grad input", dx, dxOff, s.inputSize());
    if (isPlain2x2(s)) {
      Parallel.forChunks(
          s.batch() * s.channels(),
          plainChunks(s),
          (p0, p1) -> maxPool2x2Backward(s, p0, p1, x, xOff, dy, dyOff, dx, dxOff));
      return;
    }
    int[] idx = new int[s.outputSize()];
    maxPool2d(s, x, xOff, new float[s.outputSize()], 0, idx, 0);
    maxPool2dBackward(s, dy, dyOff, idx, 0, dx, dxOff);
  }

  /**
   * Planes {@code [p0, p1)} of the plain 2x2 backward. Writes only go forward from each row (zeros
   * spilled by vector rows land in later rows of this chunk, which are written after them), so each
   * row may spill up to the chunk's end; the input rows no window covers are zeroed.
   */
  private static void maxPool2x2Backward(
      ConvGeometry s,
      int p0,
      int p1,
      float[] x,
      int xOff,
      float[] dy,
      int dyOff,
      float[] dx,
      int dxOff) {
    int inW = s.inW();
    int outH = s.outH();
    int outW = s.outW();
    int inPlane = s.inH() * inW;
    int outPlane = outH * outW;
    int limit = dxOff + p1 * inPlane;
    for (int pl = p0; pl < p1; pl++) {
      int xb = xOff + pl * inPlane;
      int db = dxOff + pl * inPlane;
      for (int oh = 0; oh < outH; oh++) {
        int top = 2 * oh * inW;
        int go = dyOff + pl * outPlane + oh * outW;
        if (VECTOR_ROWS == null
            || !VECTOR_ROWS.maxPool2x2BackwardRow(
                x, xb + top, inW, outW, dy, go, dx, db + top, limit)) {
          for (int ow = 0; ow < outW; ow++) {
            int at = top + 2 * ow;
            int pos = windowMax(x, xb + at, inW);
            // Zeros, then the gradient over one of them: a select per position ran at 22 ns per
            // window on ReLU-like data, this at 6 (measured; likely mispredicted branches).
            dx[db + at] = 0f;
            dx[db + at + 1] = 0f;
            dx[db + at + inW] = 0f;
            dx[db + at + inW + 1] = 0f;
            dx[db + at + pos] = 0f + dy[go + ow];
          }
        }
        // A column past the last window (odd widths).
        for (int c = 2 * outW; c < inW; c++) {
          dx[db + top + c] = 0f;
          dx[db + top + inW + c] = 0f;
        }
      }
      // Rows past the last window (odd heights).
      Arrays.fill(dx, db + 2 * outH * inW, db + inPlane, 0f);
    }
  }

  /**
   * Gradient of {@link #maxPool2d}: routes each {@code dy} to its recorded maximum (summing ties of
   * windows).
   */
  public static void maxPool2dBackward(
      ConvGeometry s, float[] dy, int dyOff, int[] indices, int idxOff, float[] dx, int dxOff) {
    String op = "max_pool2d backward";
    Conv2dKernels.fits(op, "grad output", dy, dyOff, s.outputSize());
    checkIdx(op, indices, idxOff, s.outputSize());
    Conv2dKernels.fits(op, "grad input", dx, dxOff, s.inputSize());
    int inPlane = s.inH() * s.inW();
    int outPlane = s.outH() * s.outW();
    Parallel.forRange(
        s.batch() * s.channels(),
        grain(inPlane),
        (p0, p1) -> {
          for (int pl = p0; pl < p1; pl++) {
            int xb = dxOff + pl * inPlane;
            Arrays.fill(dx, xb, xb + inPlane, 0f);
            int ob = pl * outPlane;
            for (int o = 0; o < outPlane; o++) {
              int at = indices[idxOff + ob + o];
              if (at < 0 || at >= inPlane) {
                throw new IllegalArgumentException(
                    op
                        + ": index "
                        + at
                        + " at output "
                        + (ob + o)
                        + " is outside the input plane of "
                        + inPlane);
              }
              dx[xb + at] += dy[dyOff + ob + o];
            }
          }
        });
  }

  /**
   * Average pooling (dilation must be 1, as in PyTorch). The divisor is {@code divisorOverride}
   * when positive, else the window size clipped to the padded input ({@code countIncludePad},
   * PyTorch's default) or to the input itself.
   */
  public static void avgPool2d(
      ConvGeometry s,
      boolean countIncludePad,
      int divisorOverride,
      float[] x,
      int xOff,
      float[] y,
      int yOff) {
    String op = "avg_pool2d";
    checkAvg(op, s, divisorOverride);
    Conv2dKernels.fits(op, "input", x, xOff, s.inputSize());
    Conv2dKernels.fits(op, "output", y, yOff, s.outputSize());
    int inPlane = s.inH() * s.inW();
    int outPlane = s.outH() * s.outW();
    Parallel.forRange(
        s.batch() * s.channels(),
        grain(inPlane),
        (p0, p1) -> {
          int[] win = new int[5];
          for (int pl = p0; pl < p1; pl++) {
            int xb = xOff + pl * inPlane;
            int ob = yOff + pl * outPlane;
            for (int oh = 0; oh < s.outH(); oh++) {
              for (int ow = 0; ow < s.outW(); ow++) {
                avgWindow(s, oh, ow, countIncludePad, divisorOverride, win);
                double sum = 0;
                for (int ih = win[0]; ih < win[1]; ih++) {
                  for (int iw = win[2]; iw < win[3]; iw++) {
                    sum += x[xb + ih * s.inW() + iw];
                  }
                }
                y[ob + oh * s.outW() + ow] = win[4] == 0 ? 0f : (float) (sum / win[4]);
              }
            }
          }
        });
  }

  /** Gradient of {@link #avgPool2d}; dx is overwritten. */
  public static void avgPool2dBackward(
      ConvGeometry s,
      boolean countIncludePad,
      int divisorOverride,
      float[] dy,
      int dyOff,
      float[] dx,
      int dxOff) {
    String op = "avg_pool2d backward";
    checkAvg(op, s, divisorOverride);
    Conv2dKernels.fits(op, "grad output", dy, dyOff, s.outputSize());
    Conv2dKernels.fits(op, "grad input", dx, dxOff, s.inputSize());
    int inPlane = s.inH() * s.inW();
    int outPlane = s.outH() * s.outW();
    Parallel.forRange(
        s.batch() * s.channels(),
        grain(inPlane),
        (p0, p1) -> {
          int[] win = new int[5];
          for (int pl = p0; pl < p1; pl++) {
            int xb = dxOff + pl * inPlane;
            Arrays.fill(dx, xb, xb + inPlane, 0f);
            int ob = dyOff + pl * outPlane;
            for (int oh = 0; oh < s.outH(); oh++) {
              for (int ow = 0; ow < s.outW(); ow++) {
                avgWindow(s, oh, ow, countIncludePad, divisorOverride, win);
                if (win[4] == 0) {
                  continue;
                }
                float g = dy[ob + oh * s.outW() + ow] / win[4];
                for (int ih = win[0]; ih < win[1]; ih++) {
                  for (int iw = win[2]; iw < win[3]; iw++) {
                    dx[xb + ih * s.inW() + iw] += g;
                  }
                }
              }
            }
          }
        });
  }

  /** Window [h0, h1) x [w0, w1) inside the input and its divisor, into win[0..4]. */
  private static void avgWindow(
      ConvGeometry s, int oh, int ow, boolean countIncludePad, int divisorOverride, int[] win) {
    int h0 = oh * s.strideH() - s.padH();
    int w0 = ow * s.strideW() - s.padW();
    int h1 = Math.min(h0 + s.kH(), s.inH() + s.padH());
    int w1 = Math.min(w0 + s.kW(), s.inW() + s.padW());
    int padded = (h1 - h0) * (w1 - w0);
    h0 = Math.max(h0, 0);
    w0 = Math.max(w0, 0);
    h1 = Math.min(h1, s.inH());
    w1 = Math.min(w1, s.inW());
    win[0] = h0;
    win[1] = h1;
    win[2] = w0;
    win[3] = w1;
    if (h0 >= h1 || w0 >= w1) {
      win[4] = 0;
    } else if (divisorOverride > 0) {
      win[4] = divisorOverride;
    } else {
      win[4] = countIncludePad ? padded : (h1 - h0) * (w1 - w0);
    }
  }

  /**
   * Adaptive average pooling to {@code outH x outW}: output cell i averages input rows {@code
   * floor(i*inH/outH)} to {@code ceil((i+1)*inH/outH)} (exclusive), likewise columns.
   */
  public static void adaptiveAvgPool2d(
      int batch,
      int channels,
      int inH,
      int inW,
      int outH,
      int outW,
      float[] x,
      int xOff,
      float[] y,
      int yOff) {
    String op = "adaptive_avg_pool2d";
    checkAdaptive(op, batch, channels, inH, inW, outH, outW);
    int inPlane = inH * inW;
    int outPlane = outH * outW;
    Conv2dKernels.check(op, "input", x, xOff, (long) batch * channels * inPlane);
    Conv2dKernels.check(op, "output", y, yOff, (long) batch * channels * outPlane);
    Parallel.forRange(
        batch * channels,
        grain(inPlane),
        (p0, p1) -> {
          for (int pl = p0; pl < p1; pl++) {
            int xb = xOff + pl * inPlane;
            int ob = yOff + pl * outPlane;
            for (int oh = 0; oh < outH; oh++) {
              int h0 = adaptiveStart(oh, inH, outH);
              int h1 = adaptiveEnd(oh, inH, outH);
              for (int ow = 0; ow < outW; ow++) {
                int w0 = adaptiveStart(ow, inW, outW);
                int w1 = adaptiveEnd(ow, inW, outW);
                double sum = 0;
                for (int ih = h0; ih < h1; ih++) {
                  for (int iw = w0; iw < w1; iw++) {
                    sum += x[xb + ih * inW + iw];
                  }
                }
                y[ob + oh * outW + ow] = (float) (sum / ((h1 - h0) * (w1 - w0)));
              }
            }
          }
        });
  }

  /** Gradient of {@link #adaptiveAvgPool2d}; dx is overwritten. */
  public static void adaptiveAvgPool2dBackward(
      int batch,
      int channels,
      int inH,
      int inW,
      int outH,
      int outW,
      float[] dy,
      int dyOff,
      float[] dx,
      int dxOff) {
    String op = "adaptive_avg_pool2d backward";
    checkAdaptive(op, batch, channels, inH, inW, outH, outW);
    int inPlane = inH * inW;
    int outPlane = outH * outW;
    Conv2dKernels.check(op, "grad output", dy, dyOff, (long) batch * channels * outPlane);
    Conv2dKernels.check(op, "grad input", dx, dxOff, (long) batch * channels * inPlane);
    Parallel.forRange(
        batch * channels,
        grain(inPlane),
        (p0, p1) -> {
          for (int pl = p0; pl < p1; pl++) {
            int xb = dxOff + pl * inPlane;
            Arrays.fill(dx, xb, xb + inPlane, 0f);
            int ob = dyOff + pl * outPlane;
            for (int oh = 0; oh < outH; oh++) {
              int h0 = adaptiveStart(oh, inH, outH);
              int h1 = adaptiveEnd(oh, inH, outH);
              for (int ow = 0; ow < outW; ow++) {
                int w0 = adaptiveStart(ow, inW, outW);
                int w1 = adaptiveEnd(ow, inW, outW);
                float g = dy[ob + oh * outW + ow] / ((h1 - h0) * (w1 - w0));
                for (int ih = h0; ih < h1; ih++) {
                  for (int iw = w0; iw < w1; iw++) {
                    dx[xb + ih * inW + iw] += g;
                  }
                }
              }
            }
          }
        });
  }

  static int adaptiveStart(int i, int in, int out) {
    return (int) ((long) i * in / out);
  }

  static int adaptiveEnd(int i, int in, int out) {
    return (int) (((long) (i + 1) * in + out - 1) / out);
  }

  private static int grain(int planeSize) {
    return Math.max(1, 16384 / Math.max(1, planeSize));
  }

  private static void checkAvg(String op, ConvGeometry s, int divisorOverride) {
    assert s.dilationH() == 1 && s.dilationW() == 1
        : op + ": dilation must be 1, got " + s.dilationH() + "x" + s.dilationW();
    if (divisorOverride < 0) {
      throw new IllegalArgumentException(
          op + ": divisor override must be positive (0 for none), got " + divisorOverride);
    }
  }

  private static void checkAdaptive(
      String op, int batch, int channels, int inH, int inW, int outH, int outW) {
    if (batch < 0 || channels < 0 || inH < 1 || inW < 1 || outH < 1 || outW < 1) {
      throw new IllegalArgumentException(
          op
              + ": need positive sizes, got input ["
              + batch
              + ", "
              + channels
              + ", "
              + inH
              + ", "
              + inW
              + "] and output "
              + outH
              + "x"
              + outW);
    }
    if ((long) batch * channels * Math.max((long) inH * inW, (long) outH * outW)
        > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(op + ": too large for int-indexed arrays");
    }
  }

  private static void checkIdx(String op, int[] a, int off, int size) {
    assert a != null : op + ": indices array is null";
    assert off >= 0 && (long) off + size <= a.length
        : op
            + ": indices need "
            + size
            + " elements from offset "
            + off
            + " but the array has length "
            + a.length;
  }
}
