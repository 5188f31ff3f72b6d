package org.jgrad.backend.cpu.kernels;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.jgrad.backend.ConvGeometry;

/**
 * float32 2-D convolution on contiguous NCHW arrays by im2col + {@link Gemm}: forward, the
 * gradients with respect to input and weight, and transposed convolution (which is the input
 * gradient run forwards). Geometry and PyTorch semantics are in {@link ConvGeometry}; weights are
 * {@code [outChannels, inChannels/groups, kH, kW]}. Every method overwrites its output.
 *
 * <p>Small images are multiplied several at a time (their im2col side by side, about {@value
 * #TARGET_POSITIONS} output positions per GEMM) so the products stay large enough for the packed
 * GEMM. Groups of images are spread over {@link Parallel}'s threads, each with its own reusable
 * buffers; with fewer groups than threads the GEMMs split instead. How images are grouped, and the
 * fixed number of blocks in which the weight gradient sums the batch, depend only on the shape, so
 * all results are bit-for-bit the same for any thread count. A 1x1 kernel with stride 1 and no
 * padding skips im2col. 3x3 stride-1 layers with enough channels go to the package's Winograd
 * kernels instead: F(4x4,3x3) for output planes up to 32x32 ({@code Winograd4x4.applies}), else
 * F(2x2,3x3) ({@code Winograd3x3.applies}).
 *
 * <pre>{@code
 * ConvGeometry s = ConvGeometry.of(64, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1);
 * Conv2dKernels.forward(s, x, 0, w, 0, null, 0, y, 0);
 * Conv2dKernels.inputGrad(s, dy, 0, w, 0, dx, 0);
 * Conv2dKernels.weightGrad(s, x, 0, dy, 0, dw, 0);
 * Conv2dKernels.biasGrad(s.batch(), s.outChannels(), s.outH() * s.outW(), dy, 0, db, 0);
 * }</pre>
 */
public final class Conv2dKernels {
  /**
   * The weight gradient sums the batch in at most this many image blocks (fixed, for
   * reproducibility).
   */
  static final int WEIGHT_GRAD_BLOCKS = 8;

  private static final ThreadLocal<float[][]> COLUMNS =
      ThreadLocal.withInitial(() -> new float[][] {new float[0]});
  private static final ThreadLocal<float[][]> RESULTS =
      ThreadLocal.withInitial(() -> new float[][] {new float[0]});
  private static final ThreadLocal<float[][]> PARTIALS =
      ThreadLocal.withInitial(() -> new float[][] {new float[0]});

  private Conv2dKernels() {}

  /**
   * {@code y = conv2d(x, w) + bias}.
   *
   * @param bias {@code [outChannels]} or null
   */
  public static void forward(
      ConvGeometry s,
      float[] x,
      int xOff,
      float[] w,
      int wOff,
      float[] bias,
      int biasOff,
      float[] y,
      int yOff) {
    String op = "conv2d";
    fits(op, "input", x, xOff, s.inputSize());
    fits(op, "weight", w, wOff, s.weightSize());
    fits(op, "output", y, yOff, s.outputSize());
    if (bias != null) {
      fits(op, "bias", bias, biasOff, s.outChannels());
    }
    if (Winograd4x4.applies(s)) {
      Winograd4x4.forward(s, x, xOff, w, wOff, bias, biasOff, y, yOff);
      return;
    }
    if (Winograd3x3.applies(s)) {
      Winograd3x3.forward(s, x, xOff, w, wOff, bias, biasOff, y, yOff);
      return;
    }
    int group = imagesPerGemm(s, s.batch());
    perGroup(
        s.batch(),
        group,
        (n0, n1) -> forwardImages(s, n0, n1, x, xOff, w, wOff, bias, biasOff, y, yOff));
  }

  /** {@code dx = d conv2d / d x} applied to {@code dy}; dx is overwritten. */
  public static void inputGrad(
      ConvGeometry s, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
    String op = "conv2d input grad";
    fits(op, "grad output", dy, dyOff, s.outputSize());
    fits(op, "weight", w, wOff, s.weightSize());
    fits(op, "grad input", dx, dxOff, s.inputSize());
    if (Winograd4x4.applies(s)) {
      Winograd4x4.inputGrad(s, dy, dyOff, w, wOff, dx, dxOff);
      return;
    }
    if (Winograd3x3.applies(s)) {
      Winograd3x3.inputGrad(s, dy, dyOff, w, wOff, dx, dxOff);
      return;
    }
    int group = imagesPerGemm(s, s.batch());
    perGroup(
        s.batch(), group, (n0, n1) -> inputGradImages(s, n0, n1, dy, dyOff, w, wOff, dx, dxOff));
  }

  /**
   * {@code dw = d conv2d / d w} applied to {@code dy}, summed over the batch; dw is overwritten.
   */
  public static void weightGrad(
      ConvGeometry s, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
    String op = "conv2d weight grad";
    fits(op, "input", x, xOff, s.inputSize());
    fits(op, "grad output", dy, dyOff, s.outputSize());
    fits(op, "grad weight", dw, dwOff, s.weightSize());
    if (Winograd4x4.applies(s)) {
      Winograd4x4.weightGrad(s, x, xOff, dy, dyOff, dw, dwOff);
      return;
    }
    if (Winograd3x3.appliesToWeightGrad(s)) {
      Winograd3x3.weightGrad(s, x, xOff, dy, dyOff, dw, dwOff);
      return;
    }
    int wsz = s.weightSize();
    int batch = s.batch();
    if (batch == 0) {
      Arrays.fill(dw, dwOff, dwOff + wsz, 0f);
      return;
    }
    int blocks = Math.min(batch, WEIGHT_GRAD_BLOCKS);
    float[] target;
    int targetOff;
    if (blocks == 1) {
      target = dw;
      targetOff = dwOff;
    } else {
      float[][] holder = PARTIALS.get();
      if (holder[0].length < blocks * wsz) {
        holder[0] = new float[blocks * wsz];
      }
      target = holder[0];
      targetOff = 0;
    }
    IntConsumer block =
        bI -> {
          int n0 = Parallel.chunkStart(batch, blocks, bI);
          int n1 = Parallel.chunkStart(batch, blocks, bI + 1);
          // Sub-groups depend only on the shape, so the summation order never depends on the thread
          // count.
          int group = imagesPerGemm(s, n1 - n0);
          for (int n = n0; n < n1; n += group) {
            weightGradImages(
                s,
                n,
                Math.min(n1, n + group),
                x,
                xOff,
                dy,
                dyOff,
                n == n0 ? 0f : 1f,
                target,
                targetOff + bI * wsz);
          }
        };
    if (blocks > 1 && Parallel.threads() > 1 && !Parallel.inParallelRegion()) {
      // One block per chunk, claimed dynamically: a helper that starts late takes fewer blocks.
      Parallel.forChunks(
          blocks,
          blocks,
          (b0, b1) -> {
            for (int bI = b0; bI < b1; bI++) {
              block.accept(bI);
            }
          });
    } else {
      for (int bI = 0; bI < blocks; bI++) {
        block.accept(bI);
      }
    }
    if (blocks > 1) {
      float[] part = target;
      Parallel.forRange(
          wsz,
          8192,
          (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
              float sum = part[i];
              for (int bI = 1; bI < blocks; bI++) {
                sum += part[bI * wsz + i];
              }
              dw[dwOff + i] = sum;
            }
          });
    }
  }

  /**
   * Bias gradient: {@code db[c] = sum over n and positions of dy[n][c][.]} for {@code dy} of shape
   * {@code [batch, channels, spatial]}; db is overwritten. Sums in double.
   */
  public static void biasGrad(
      int batch, int channels, int spatial, float[] dy, int dyOff, float[] db, int dbOff) {
    String op = "conv2d bias grad";
    if (batch < 0 || channels < 0 || spatial < 0) {
      throw new IllegalArgumentException(
          op + ": sizes must be >= 0, got [" + batch + ", " + channels + ", " + spatial + "]");
    }
    check(op, "grad output", dy, dyOff, (long) batch * channels * spatial);
    check(op, "grad bias", db, dbOff, channels);
    Parallel.forRange(
        channels,
        Math.max(1, 32768 / Math.max(1, batch * spatial)),
        (c0, c1) -> {
          for (int c = c0; c < c1; c++) {
            double sum = 0;
            for (int n = 0; n < batch; n++) {
              int base = dyOff + (n * channels + c) * spatial;
              for (int i = 0; i < spatial; i++) {
                sum += dy[base + i];
              }
            }
            db[dbOff + c] = (float) sum;
          }
        });
  }

  /**
   * Transposed convolution ({@code conv_transpose2d}) of {@code x [batch, s.outChannels, s.outH,
   * s.outW]} with weight {@code [s.outChannels, s.inChannels/groups, kH, kW]} into {@code y [batch,
   * s.inChannels, s.inH, s.inW]}, plus {@code bias [s.inChannels]} (nullable), where {@code s}
   * comes from {@link ConvGeometry#convTranspose2d}. It equals {@link #inputGrad} with x in the
   * role of dy.
   */
  public static void convTranspose2d(
      ConvGeometry s,
      float[] x,
      int xOff,
      float[] w,
      int wOff,
      float[] bias,
      int biasOff,
      float[] y,
      int yOff) {
    if (bias != null) {
      fits("conv_transpose2d", "bias", bias, biasOff, s.inChannels());
    }
    inputGrad(s, x, xOff, w, wOff, y, yOff);
    if (bias != null) {
      int plane = s.inH() * s.inW();
      int channels = s.inChannels();
      Parallel.forRange(
          s.batch() * channels,
          Math.max(1, 16384 / plane),
          (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
              float b = bias[biasOff + p % channels];
              int base = yOff + p * plane;
              for (int i = 0; i < plane; i++) {
                y[base + i] += b;
              }
            }
          });
    }
  }

  /**
   * Gradient of {@link #convTranspose2d} with respect to its input x: a plain convolution of dy.
   */
  public static void convTranspose2dInputGrad(
      ConvGeometry s, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
    forward(s, dy, dyOff, w, wOff, null, 0, dx, dxOff);
  }

  /** Gradient of {@link #convTranspose2d} with respect to its weight; dw is overwritten. */
  public static void convTranspose2dWeightGrad(
      ConvGeometry s, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
    weightGrad(s, dy, dyOff, x, xOff, dw, dwOff);
  }

  // ---------------------------------------------------------------- per group of images

  /**
   * Output positions one GEMM should cover; fewer make the products small and the packing dominate.
   */
  static final int TARGET_POSITIONS = 1024;

  /** Images per GEMM for groups drawn from {@code available} images: fixed by the shape alone. */
  static int imagesPerGemm(ConvGeometry s, int available) {
    int p = s.outH() * s.outW();
    if (s.isPointwise() || available <= 1 || 2 * p > TARGET_POSITIONS) {
      return 1;
    }
    int want = Math.min(available, (TARGET_POSITIONS + p - 1) / p);
    int groups = (available + want - 1) / want;
    return (available + groups - 1) / groups; // even out the groups
  }

  /**
   * The im2col matrix of images [n0, n1) side by side (row stride {@code images * P}), and where it
   * starts.
   */
  private record Columns(float[] data, int offset) {}

  /**
   * Builds {@link Columns} in the thread's reusable buffer; a pointwise conv reads the single image
   * directly.
   */
  private static Columns imagesToColumns(ConvGeometry s, int n0, int n1, float[] x, int xOff) {
    int p = s.outH() * s.outW();
    int inImg = s.inChannels() * s.inH() * s.inW();
    if (s.isPointwise()) {
      return new Columns(x, xOff + n0 * inImg); // images == 1 here
    }
    int width = (n1 - n0) * p;
    float[] col = columns(s.inChannels() * s.kH() * s.kW() * width);
    for (int n = n0; n < n1; n++) {
      im2col(s, x, xOff + n * inImg, col, (n - n0) * p, width);
    }
    return new Columns(col, 0);
  }

  /**
   * Images [n0, n1) as one product per conv group: {@code Y[:, n0..n1) = W col}, where {@code col}
   * holds the images' im2col side by side (row stride {@code width = images * P}). A single image
   * writes straight into y.
   */
  private static void forwardImages(
      ConvGeometry s,
      int n0,
      int n1,
      float[] x,
      int xOff,
      float[] w,
      int wOff,
      float[] bias,
      int biasOff,
      float[] y,
      int yOff) {
    int groups = s.groups();
    int cg = s.inChannels() / groups;
    int og = s.outChannels() / groups;
    int kk = s.kH() * s.kW();
    int p = s.outH() * s.outW();
    int outImg = s.outChannels() * p;
    int images = n1 - n0;
    int width = images * p;
    Columns cols = imagesToColumns(s, n0, n1, x, xOff);
    float[] col = cols.data();
    int colOff = cols.offset();
    float[] out;
    int outOff;
    if (images == 1) {
      out = y;
      outOff = yOff + n0 * outImg;
    } else {
      out = results(s.outChannels() * width);
      outOff = 0;
    }
    float beta = 0f;
    if (bias != null && images == 1) {
      for (int o = 0; o < s.outChannels(); o++) {
        Arrays.fill(out, outOff + o * p, outOff + (o + 1) * p, bias[biasOff + o]);
      }
      beta = 1f;
    }
    for (int g = 0; g < groups; g++) {
      Gemm.sgemm(
          false,
          false,
          og,
          width,
          cg * kk,
          1f,
          w,
          wOff + g * og * cg * kk,
          cg * kk,
          col,
          colOff + g * cg * kk * width,
          width,
          beta,
          out,
          outOff + g * og * width,
          width);
    }
    if (images > 1) {
      for (int n = n0; n < n1; n++) {
        for (int o = 0; o < s.outChannels(); o++) {
          int src = o * width + (n - n0) * p;
          int dst = yOff + n * outImg + o * p;
          if (bias == null) {
            System.arraycopy(out, src, y, dst, p);
          } else {
            float b = bias[biasOff + o];
            for (int i = 0; i < p; i++) {
              y[dst + i] = out[src + i] + b;
            }
          }
        }
      }
    }
  }

  /**
   * Copies dy of images [n0, n1) into {@code [outChannels, images*P]} (side by side), unless it is
   * one image.
   */
  private static float[] gatherGrad(
      ConvGeometry s, int n0, int n1, float[] dy, int dyOff, int width) {
    int p = s.outH() * s.outW();
    int outImg = s.outChannels() * p;
    float[] buf = results(s.outChannels() * width);
    for (int n = n0; n < n1; n++) {
      for (int o = 0; o < s.outChannels(); o++) {
        System.arraycopy(dy, dyOff + n * outImg + o * p, buf, o * width + (n - n0) * p, p);
      }
    }
    return buf;
  }

  private static void inputGradImages(
      ConvGeometry s,
      int n0,
      int n1,
      float[] dy,
      int dyOff,
      float[] w,
      int wOff,
      float[] dx,
      int dxOff) {
    int groups = s.groups();
    int cg = s.inChannels() / groups;
    int og = s.outChannels() / groups;
    int kk = s.kH() * s.kW();
    int p = s.outH() * s.outW();
    int inImg = s.inChannels() * s.inH() * s.inW();
    int outImg = s.outChannels() * p;
    int images = n1 - n0;
    int width = images * p;
    float[] g2 = images == 1 ? dy : gatherGrad(s, n0, n1, dy, dyOff, width);
    int g2Off = images == 1 ? dyOff + n0 * outImg : 0;
    if (s.isPointwise()) {
      for (int g = 0; g < groups; g++) {
        Gemm.sgemm(
            true,
            false,
            cg,
            p,
            og,
            1f,
            w,
            wOff + g * og * cg,
            cg,
            g2,
            g2Off + g * og * p,
            p,
            0f,
            dx,
            dxOff + n0 * inImg + g * cg * p,
            p);
      }
      return;
    }
    float[] dcol = columns(s.inChannels() * kk * width);
    for (int g = 0; g < groups; g++) {
      Gemm.sgemm(
          true,
          false,
          cg * kk,
          width,
          og,
          1f,
          w,
          wOff + g * og * cg * kk,
          cg * kk,
          g2,
          g2Off + g * og * width,
          width,
          0f,
          dcol,
          g * cg * kk * width,
          width);
    }
    for (int n = n0; n < n1; n++) {
      int dxImg = dxOff + n * inImg;
      Arrays.fill(dx, dxImg, dxImg + inImg, 0f);
      col2im(s, dcol, (n - n0) * p, width, dx, dxImg);
    }
  }

  /** At most this many im2col rows per group: the weight gradient uses row dot products. */
  static final int TINY_DEPTH = 16;

  /**
   * {@code dw (+)= dY[n0..n1) col^T} over the images' positions side by side; beta 0 overwrites dw.
   */
  private static void weightGradImages(
      ConvGeometry s,
      int n0,
      int n1,
      float[] x,
      int xOff,
      float[] dy,
      int dyOff,
      float beta,
      float[] dw,
      int dwOff) {
    int groups = s.groups();
    int cg = s.inChannels() / groups;
    int og = s.outChannels() / groups;
    int kk = s.kH() * s.kW();
    int p = s.outH() * s.outW();
    int outImg = s.outChannels() * p;
    int images = n1 - n0;
    int width = images * p;
    Columns cols = imagesToColumns(s, n0, n1, x, xOff);
    float[] col = cols.data();
    int colOff = cols.offset();
    float[] g2 = images == 1 ? dy : gatherGrad(s, n0, n1, dy, dyOff, width);
    int g2Off = images == 1 ? dyOff + n0 * outImg : 0;
    if (cg * kk <= TINY_DEPTH) {
      // A handful of im2col rows (first layers: 1 channel x 3x3): dot products of whole rows; the
      // GEMM would pad them to a full tile and pack them element by element.
      SgemmKernel simd = Gemm.defaultKernel();
      for (int g = 0; g < groups; g++) {
        simd.rowDots(
            g2,
            g2Off + g * og * width,
            og,
            width,
            col,
            colOff + g * cg * kk * width,
            cg * kk,
            width,
            width,
            beta != 0f,
            dw,
            dwOff + g * og * cg * kk);
      }
      return;
    }
    int rows = cg * kk;
    for (int g = 0; g < groups; g++) {
      if (rows < og) {
        // dw^T = col . g2^T into a contiguous temporary, then added transposed into dw. The GEMM
        // packs its B operand with a register transpose only when a panel is full: with few
        // im2col rows (3 channels x 3x3 = 27) against 64 output channels, packing g2 as A and
        // 27-column panels of col as B took two thirds of the pass (64x3x32x32->64; measured while
        // A was still packed by a scalar loop). (Written through dw's strides instead, Gemm turns
        // the
        // product back to that orientation, which pads the same and keeps C's rows contiguous.)
        float[] t = new float[rows * og];
        Gemm.sgemm(
            false,
            true,
            rows,
            og,
            width,
            1f,
            col,
            colOff + g * rows * width,
            width,
            g2,
            g2Off + g * og * width,
            width,
            0f,
            t,
            0,
            og);
        int d = dwOff + g * og * rows;
        for (int o = 0; o < og; o++) {
          for (int j = 0; j < rows; j++) {
            dw[d + o * rows + j] =
                beta == 0f ? t[j * og + o] : t[j * og + o] + dw[d + o * rows + j];
          }
        }
      } else {
        Gemm.sgemm(
            false,
            true,
            og,
            rows,
            width,
            1f,
            g2,
            g2Off + g * og * width,
            width,
            col,
            colOff + g * rows * width,
            width,
            beta,
            dw,
            dwOff + g * og * rows,
            rows);
      }
    }
  }

  // ---------------------------------------------------------------- im2col / col2im

  /**
   * Unfolds one image into columns {@code [colOff, colOff + outH*outW)} of {@code col
   * [inChannels*kH*kW, ld]}: row {@code (c*kH + kh)*kW + kw}, column {@code colOff + oh*outW + ow}
   * holds {@code x[c][oh*strideH - padH + kh*dilationH][ow*strideW - padW + kw*dilationW]} or 0 in
   * the padding.
   */
  static void im2col(ConvGeometry s, float[] x, int xImg, float[] col, int colOff, int ld) {
    SgemmKernel simd = Gemm.defaultKernel();
    int inH = s.inH();
    int inW = s.inW();
    int outH = s.outH();
    int outW = s.outW();
    int sH = s.strideH();
    int sW = s.strideW();
    int row = 0;
    for (int c = 0; c < s.inChannels(); c++) {
      int plane = xImg + c * inH * inW;
      for (int kh = 0; kh < s.kH(); kh++) {
        int ihBase = kh * s.dilationH() - s.padH();
        for (int kw = 0; kw < s.kW(); kw++, row++) {
          int iwBase = kw * s.dilationW() - s.padW();
          int owLo = validLo(iwBase, sW, outW);
          int owHi = Math.max(owLo, validHi(iwBase, sW, inW, outW));
          int dst = row * ld + colOff;
          for (int oh = 0; oh < outH; oh++, dst += outW) {
            int ih = oh * sH + ihBase;
            if (ih < 0 || ih >= inH) {
              Arrays.fill(col, dst, dst + outW, 0f);
              continue;
            }
            // Padding runs are a few elements: plain loops beat Arrays.fill's call here.
            for (int ow = 0; ow < owLo; ow++) {
              col[dst + ow] = 0f;
            }
            int src = plane + ih * inW + owLo * sW + iwBase;
            if (sW == 1) {
              simd.copy(x, src, col, dst + owLo, owHi - owLo);
            } else {
              for (int ow = owLo; ow < owHi; ow++, src += sW) {
                col[dst + ow] = x[src];
              }
            }
            for (int ow = owHi; ow < outW; ow++) {
              col[dst + ow] = 0f;
            }
          }
        }
      }
    }
  }

  /** Adds one image's columns of {@code col} (layout of {@link #im2col}) back into {@code dx}. */
  static void col2im(ConvGeometry s, float[] col, int colOff, int ld, float[] dx, int dxImg) {
    int inH = s.inH();
    int inW = s.inW();
    int outH = s.outH();
    int outW = s.outW();
    int sH = s.strideH();
    int sW = s.strideW();
    SgemmKernel simd = Gemm.defaultKernel();
    int row = 0;
    for (int c = 0; c < s.inChannels(); c++) {
      int plane = dxImg + c * inH * inW;
      for (int kh = 0; kh < s.kH(); kh++) {
        int ihBase = kh * s.dilationH() - s.padH();
        for (int kw = 0; kw < s.kW(); kw++, row++) {
          int iwBase = kw * s.dilationW() - s.padW();
          int owLo = validLo(iwBase, sW, outW);
          int owHi = validHi(iwBase, sW, inW, outW);
          int srcRow = row * ld + colOff;
          for (int oh = 0; oh < outH; oh++, srcRow += outW) {
            int ih = oh * sH + ihBase;
            if (ih < 0 || ih >= inH) {
              continue;
            }
            int d = plane + ih * inW + owLo * sW + iwBase;
            if (sW == 1) {
              if (owHi > owLo) {
                simd.addInto(dx, d, col, srcRow + owLo, owHi - owLo);
              }
            } else {
              for (int ow = owLo; ow < owHi; ow++, d += sW) {
                dx[d] += col[srcRow + ow];
              }
            }
          }
        }
      }
    }
  }

  /** First ow with {@code ow*stride + base >= 0}, capped at outW. */
  private static int validLo(int base, int stride, int outW) {
    return base >= 0 ? 0 : Math.min(outW, (-base + stride - 1) / stride);
  }

  /** One past the last ow with {@code ow*stride + base < in}, capped at outW. */
  private static int validHi(int base, int stride, int in, int outW) {
    int last = in - 1 - base;
    return last < 0 ? 0 : Math.min(outW, last / stride + 1);
  }

  // ---------------------------------------------------------------- helpers

  private static float[] columns(int size) {
    float[][] holder = COLUMNS.get();
    if (holder[0].length < size) {
      holder[0] = new float[size];
    }
    return holder[0];
  }

  private static float[] results(int size) {
    float[][] holder = RESULTS.get();
    if (holder[0].length < size) {
      holder[0] = new float[size];
    }
    return holder[0];
  }

  /**
   * Runs {@code task(n0, n1)} over groups of {@code group} images (the last may be smaller), over
   * the pool in dynamically claimed chunks when there are at least as many groups as threads;
   * otherwise one group at a time, the GEMMs splitting.
   */
  private static void perGroup(int batch, int group, IntRangeBody task) {
    int groups = (batch + group - 1) / group;
    IntRangeBody byGroup =
        (g0, g1) -> {
          for (int gi = g0; gi < g1; gi++) {
            task.run(gi * group, Math.min(batch, (gi + 1) * group));
          }
        };
    if (groups > 1
        && Parallel.threads() > 1
        && !Parallel.inParallelRegion()
        && groups >= Parallel.threads()) {
      // Several groups per thread, claimed dynamically (each writes only its own images).
      Parallel.forChunks(groups, Math.min(groups, 8 * Parallel.threads()), byGroup);
    } else {
      byGroup.run(0, groups);
    }
  }

  static void check(String op, String what, float[] a, int off, long size) {
    if (a == null) {
      throw new IllegalArgumentException(op + ": " + what + " array is null");
    }
    if (off < 0 || off + size > a.length) {
      throw new IllegalArgumentException(
          op
              + ": "
              + what
              + " needs "
              + size
              + " elements from offset "
              + off
              + " but its array has length "
              + a.length);
    }
  }

  /**
   * Asserts that {@code a} holds {@code size} elements from {@code off}: the geometry was validated
   * when it was built, so a mismatch here is a caller bug, caught with -ea (the tests) and free
   * without.
   */
  static void fits(String op, String what, float[] a, int off, long size) {
    assert a != null : op + ": " + what + " array is null";
    assert off >= 0 && off + size <= a.length
        : op
            + ": "
            + what
            + " needs "
            + size
            + " elements from offset "
            + off
            + " but its array has length "
            + a.length;
  }
}
