package org.jgrad.backend;

import java.util.Arrays;

/**
 * The one geometry record of 2-D convolution, transposed convolution and pooling over NCHW data,
 * with PyTorch's semantics: input {@code [batch, inChannels, inH, inW]}, weight {@code
 * [outChannels, inChannels/groups, kH, kW]}, output {@code [batch, outChannels, outH, outW]} with
 * {@code outH = (inH + 2 padH − dilationH (kH − 1) − 1) / strideH + 1} (rounded up in ceil mode,
 * where a last window starting inside the right padding is dropped; likewise W).
 *
 * <p>All argument checking of these ops lives here. The factories ({@link #conv2d}, {@link
 * #convTranspose2d}, {@link #pool2d}) take the user's arguments and tensor shapes, and reject bad
 * ones with a message that names the op, the shapes and the offending values; the canonical
 * constructor re-checks the invariants (so no inconsistent instance exists). {@code
 * org.jgrad.nn.functional.F} builds one geometry per call; the backends and kernels that receive it
 * only {@code assert} that their arrays match it.
 *
 * <p>The output may be smaller than the natural size (never larger): that is how {@link
 * #convTranspose2d} describes a transposed convolution whose output padding is at least its stride.
 * Pooling uses {@code inChannels == outChannels} and {@code groups == 1}.
 *
 * <pre>{@code
 * ConvGeometry g = ConvGeometry.conv2d("conv2d", new int[] {8, 3, 32, 32}, new int[] {16, 3, 3, 3},
 *     new int[] {1}, new int[] {1}, new int[] {1}, 1);           // 3x3, padding 1
 * int[] out = g.outputShape();                                   // [8, 16, 32, 32]
 * RawTensor y = backend.fused().orElseThrow().conv2d(x, w, g);
 * }</pre>
 */
public record ConvGeometry(
    int batch,
    int inChannels,
    int inH,
    int inW,
    int outChannels,
    int kH,
    int kW,
    int strideH,
    int strideW,
    int padH,
    int padW,
    int dilationH,
    int dilationW,
    int groups,
    boolean ceilMode,
    int outH,
    int outW) {

  /** Checks the invariants; the factories report bad user arguments first, with the op's name. */
  public ConvGeometry {
    if (batch < 0 || inChannels < 0 || outChannels < 0 || inH < 1 || inW < 1 || kH < 1 || kW < 1) {
      throw new IllegalArgumentException(
          "conv geometry: sizes must be positive (batch, channels >= 0): input ["
              + batch
              + ", "
              + inChannels
              + ", "
              + inH
              + ", "
              + inW
              + "], "
              + outChannels
              + " output channels, kernel "
              + kH
              + "x"
              + kW);
    }
    if (strideH < 1
        || strideW < 1
        || padH < 0
        || padW < 0
        || dilationH < 1
        || dilationW < 1
        || groups < 1) {
      throw new IllegalArgumentException(
          "conv geometry: need stride >= 1, padding >= 0, dilation >= 1, groups >= 1;"
              + " got stride "
              + strideH
              + "x"
              + strideW
              + ", padding "
              + padH
              + "x"
              + padW
              + ", dilation "
              + dilationH
              + "x"
              + dilationW
              + ", groups "
              + groups);
    }
    if (inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException(
          "conv geometry: in channels "
              + inChannels
              + " and out channels "
              + outChannels
              + " must both be divisible by groups "
              + groups);
    }
    long naturalH = outSize(inH, kH, strideH, padH, dilationH, ceilMode);
    long naturalW = outSize(inW, kW, strideW, padW, dilationW, ceilMode);
    if (outH < 1
        || outW < 1
        || outH > naturalH
        || outW > naturalW
        || ceilMode && (outH != naturalH || outW != naturalW)) {
      throw new IllegalArgumentException(
          "conv geometry: output "
              + outH
              + "x"
              + outW
              + " must be between 1x1 and "
              + naturalH
              + "x"
              + naturalW
              + (ceilMode ? " (exactly, in ceil mode)" : "")
              + " for input "
              + inH
              + "x"
              + inW);
    }
    long elems = elements(batch, inChannels, inH, inW, outChannels, kH, kW, groups, outH, outW);
    if (elems > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "conv geometry: problem too large for int-indexed arrays (" + elems + " elements)");
    }
  }

  // ------------------------------------------------------------------ factories (the validation)

  /**
   * The geometry of {@code conv2d(x, w)} with symmetric padding: x {@code [N, C, H, W]}, w {@code
   * [O, C/groups, KH, KW]}; stride, padding and dilation take 1 value (both axes) or 2 (height,
   * width).
   *
   * @throws IllegalArgumentException naming {@code op} and the shapes, for any bad argument
   */
  public static ConvGeometry conv2d(
      String op,
      int[] xShape,
      int[] wShape,
      int[] stride,
      int[] padding,
      int[] dilation,
      int groups) {
    rank4(op, "input [N, C, H, W]", xShape);
    if (wShape.length != 4)
      throw new IllegalArgumentException(
          op + ": weight must be 4-D [O, C/groups, KH, KW], got " + str(wShape));
    int[] s = pair(op, "stride", stride, 1),
        p = pair(op, "padding", padding, 0),
        d = pair(op, "dilation", dilation, 1);
    if (groups < 1)
      throw new IllegalArgumentException(op + ": groups must be positive, got " + groups);
    int c = xShape[1], o = wShape[0];
    positiveSizes(op, xShape, wShape);
    checkChannels(op, c, o, groups);
    if (c != wShape[1] * groups) {
      throw new IllegalArgumentException(
          op
              + ": weight "
              + str(wShape)
              + " with groups="
              + groups
              + " expects input to have "
              + wShape[1] * groups
              + " channels, but got "
              + c
              + " channels (input "
              + str(xShape)
              + ")");
    }
    long hp = xShape[2] + 2L * p[0], wp = xShape[3] + 2L * p[1];
    long eh = (long) d[0] * (wShape[2] - 1) + 1, ew = (long) d[1] * (wShape[3] - 1) + 1;
    if (hp < eh || wp < ew) {
      throw new IllegalArgumentException(
          op
              + ": padded input size ("
              + hp
              + " x "
              + wp
              + ") is smaller than the"
              + " effective kernel size ("
              + eh
              + " x "
              + ew
              + "), input "
              + str(xShape)
              + ", weight "
              + str(wShape));
    }
    int oh = (int) outSize(xShape[2], wShape[2], s[0], p[0], d[0], false);
    int ow = (int) outSize(xShape[3], wShape[3], s[1], p[1], d[1], false);
    tooLarge(op, xShape[0], c, xShape[2], xShape[3], o, wShape[2], wShape[3], groups, oh, ow);
    return new ConvGeometry(
        xShape[0], c, xShape[2], xShape[3], o, wShape[2], wShape[3], s[0], s[1], p[0], p[1], d[0],
        d[1], groups, false, oh, ow);
  }

  /**
   * The geometry of {@code conv_transpose2d(x, w)}: x {@code [N, Cin, H, W]}, w {@code [Cin,
   * Cout/groups, KH, KW]}, output {@code (H − 1)·stride − 2·padding + dilation·(KH − 1) +
   * outputPadding + 1} high. It is returned as the convolution that the transposed one transposes,
   * so the roles swap: {@code inChannels/inH/inW} describe the transposed <em>output</em> and
   * {@code outChannels/outH/outW} its input x.
   */
  public static ConvGeometry convTranspose2d(
      String op,
      int[] xShape,
      int[] wShape,
      int[] stride,
      int[] padding,
      int[] outputPadding,
      int[] dilation,
      int groups) {
    rank4(op, "input [N, C, H, W]", xShape);
    if (wShape.length != 4) {
      throw new IllegalArgumentException(
          op + ": weight must be 4-D [Cin, Cout/groups, KH, KW], got " + str(wShape));
    }
    int[] s = pair(op, "stride", stride, 1), p = pair(op, "padding", padding, 0);
    int[] op2 = pair(op, "outputPadding", outputPadding, 0), d = pair(op, "dilation", dilation, 1);
    if (groups < 1)
      throw new IllegalArgumentException(op + ": groups must be positive, got " + groups);
    int cin = xShape[1], kh = wShape[2], kw = wShape[3];
    positiveSizes(op, xShape, wShape);
    if (wShape[0] != cin || cin % groups != 0) {
      throw new IllegalArgumentException(
          op
              + ": weight "
              + str(wShape)
              + " expects "
              + wShape[0]
              + " input channels divisible by groups="
              + groups
              + ", but got input "
              + str(xShape));
    }
    for (int i = 0; i < 2; i++) {
      if (op2[i] >= s[i] && op2[i] >= d[i]) {
        throw new IllegalArgumentException(
            op
                + ": output padding must be smaller than either stride or dilation, got"
                + " outputPadding "
                + str(op2)
                + ", stride "
                + str(s)
                + ", dilation "
                + str(d));
      }
    }
    long cout = (long) wShape[1] * groups;
    // In long: a huge stride, dilation or kernel overflows int and would surface as a negative
    // size.
    long outHL = (long) (xShape[2] - 1) * s[0] - 2L * p[0] + (long) d[0] * (kh - 1) + op2[0] + 1;
    long outWL = (long) (xShape[3] - 1) * s[1] - 2L * p[1] + (long) d[1] * (kw - 1) + op2[1] + 1;
    long plane = Math.max(0, outHL) * Math.max(0, outWL);
    if (outHL > Integer.MAX_VALUE
        || outWL > Integer.MAX_VALUE
        || plane > 0 && xShape[0] * cout > Integer.MAX_VALUE / plane) {
      throw new IllegalArgumentException(
          op
              + ": output size "
              + outHL
              + " x "
              + outWL
              + " (for input "
              + str(xShape)
              + ", weight "
              + str(wShape)
              + ", stride "
              + str(s)
              + ", padding "
              + str(p)
              + ", dilation "
              + str(d)
              + ") is too large: a tensor holds at most "
              + Integer.MAX_VALUE
              + " elements");
    }
    int outH = (int) outHL, outW = (int) outWL;
    if (outH <= 0 || outW <= 0) {
      throw new IllegalArgumentException(
          op
              + ": output size "
              + outH
              + " x "
              + outW
              + " is too small (input "
              + str(xShape)
              + ", weight "
              + str(wShape)
              + ")");
    }
    tooLarge(op, xShape[0], (int) cout, outH, outW, cin, kh, kw, groups, xShape[2], xShape[3]);
    return new ConvGeometry(
        xShape[0],
        (int) cout,
        outH,
        outW,
        cin,
        kh,
        kw,
        s[0],
        s[1],
        p[0],
        p[1],
        d[0],
        d[1],
        groups,
        false,
        xShape[2],
        xShape[3]);
  }

  /**
   * The geometry of max or average pooling of x {@code [N, C, H, W]}: {@code stride} null (or
   * empty) means the kernel size; padding may be at most half the kernel.
   */
  public static ConvGeometry pool2d(
      String op,
      int[] xShape,
      int[] kernel,
      int[] stride,
      int[] padding,
      int[] dilation,
      boolean ceilMode) {
    int[] k = pair(op, "kernel", kernel, 1);
    int[] s = stride == null || stride.length == 0 ? k : pair(op, "stride", stride, 1);
    int[] p = pair(op, "padding", padding, 0), d = pair(op, "dilation", dilation, 1);
    if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
      throw new IllegalArgumentException(
          op + ": padding " + str(p) + " should be at most half of the kernel " + str(k));
    }
    rank4(op, "input [N, C, H, W]", xShape);
    int[] out = new int[2];
    for (int i = 0; i < 2; i++) {
      long o = outSize(xShape[2 + i], k[i], s[i], p[i], d[i], ceilMode);
      if (o <= 0 || xShape[2 + i] < 1) {
        throw new IllegalArgumentException(
            op
                + ": output size is too small (input size "
                + xShape[2 + i]
                + ", kernel "
                + k[i]
                + ", stride "
                + s[i]
                + ", padding "
                + p[i]
                + ", dilation "
                + d[i]
                + ")");
      }
      out[i] = (int) o;
    }
    return new ConvGeometry(
        xShape[0], xShape[1], xShape[2], xShape[3], xShape[1], k[0], k[1], s[0], s[1], p[0], p[1],
        d[0], d[1], 1, ceilMode, out[0], out[1]);
  }

  /**
   * {@link #conv2d} from plain sizes (weight {@code [outChannels, inChannels/groups, kH, kW]}), for
   * kernels and tests.
   */
  public static ConvGeometry of(
      int batch,
      int inChannels,
      int inH,
      int inW,
      int outChannels,
      int kH,
      int kW,
      int strideH,
      int strideW,
      int padH,
      int padW,
      int dilationH,
      int dilationW,
      int groups) {
    if (groups >= 1) checkChannels("conv2d", inChannels, outChannels, groups);
    return conv2d(
        "conv2d",
        new int[] {batch, inChannels, inH, inW},
        new int[] {outChannels, groups >= 1 ? inChannels / groups : inChannels, kH, kW},
        new int[] {strideH, strideW},
        new int[] {padH, padW},
        new int[] {dilationH, dilationW},
        groups);
  }

  // ------------------------------------------------------------------ shared argument checks

  /**
   * One value for both axes or two (height, width), each at least {@code min}: the form every conv
   * and pool argument takes. Layers use it too, so their constructors report what F would.
   */
  public static int[] pair(String op, String what, int[] v, int min) {
    if (v == null || (v.length != 1 && v.length != 2)) {
      throw new IllegalArgumentException(
          op + ": " + what + " must have 1 or 2 values, got " + (v == null ? "null" : str(v)));
    }
    int[] p = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
    for (int x : p) {
      if (x < min)
        throw new IllegalArgumentException(
            op + ": " + what + " must be at least " + min + ", got " + str(v));
    }
    return p;
  }

  /**
   * Channel counts positive and divisible by a positive group count (conv layers check it at
   * construction).
   */
  public static void checkChannels(String op, int in, int out, int groups) {
    if (in < 1 || out < 1 || groups < 1) {
      throw new IllegalArgumentException(
          op
              + ": in channels "
              + in
              + ", out channels "
              + out
              + " and groups "
              + groups
              + " must be positive");
    }
    if (in % groups != 0 || out % groups != 0) {
      throw new IllegalArgumentException(
          op
              + ": in channels "
              + in
              + " and out channels "
              + out
              + " must both be divisible by groups "
              + groups);
    }
  }

  private static void rank4(String op, String what, int[] shape) {
    if (shape.length != 4)
      throw new IllegalArgumentException(op + ": expected a 4-D " + what + ", got " + str(shape));
  }

  private static void positiveSizes(String op, int[] xShape, int[] wShape) {
    if (xShape[2] < 1
        || xShape[3] < 1
        || wShape[2] < 1
        || wShape[3] < 1
        || wShape[0] < 1
        || wShape[1] < 1) {
      throw new IllegalArgumentException(
          op + ": sizes must be positive: input " + str(xShape) + ", weight " + str(wShape));
    }
  }

  private static void tooLarge(
      String op, int n, int c, int h, int w, int o, int kh, int kw, int groups, int oh, int ow) {
    long elems = elements(n, c, h, w, o, kh, kw, groups, oh, ow);
    if (elems > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          op + ": problem too large for int-indexed arrays (" + elems + " elements)");
    }
  }

  /** The largest array the kernels index: input, output or one image's im2col columns. */
  private static long elements(
      int n, int c, int h, int w, int o, int kh, int kw, int groups, int oh, int ow) {
    return Math.max(
        Math.max((long) n * c * h * w, (long) n * o * oh * ow),
        (long) c / groups * kh * kw * oh * ow);
  }

  /** Output size along one axis (0 when no window fits), in long so huge arguments cannot wrap. */
  public static long outSize(long in, long k, long stride, long pad, long dilation, boolean ceil) {
    long span = in + 2 * pad - dilation * (k - 1) - 1;
    if (span < 0) return 0;
    long out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
    if (ceil && (out - 1) * stride >= in + pad) out--;
    return out;
  }

  private static String str(int[] v) {
    return Arrays.toString(v);
  }

  // ------------------------------------------------------------------ derived sizes

  /** {@code [batch, inChannels, inH, inW]}. */
  public int[] inputShape() {
    return new int[] {batch, inChannels, inH, inW};
  }

  /** {@code [batch, outChannels, outH, outW]}. */
  public int[] outputShape() {
    return new int[] {batch, outChannels, outH, outW};
  }

  /** {@code [outChannels, inChannels/groups, kH, kW]}. */
  public int[] weightShape() {
    return new int[] {outChannels, inChannels / groups, kH, kW};
  }

  /** Pooling's channel count (= inChannels = outChannels). */
  public int channels() {
    return inChannels;
  }

  /** Number of input elements. */
  public int inputSize() {
    return batch * inChannels * inH * inW;
  }

  /** Number of output elements. */
  public int outputSize() {
    return batch * outChannels * outH * outW;
  }

  /** Number of weight elements. */
  public int weightSize() {
    return outChannels * (inChannels / groups) * kH * kW;
  }

  /** True when im2col would only copy the input (1x1 kernel, stride 1, no padding). */
  public boolean isPointwise() {
    return kH == 1
        && kW == 1
        && strideH == 1
        && strideW == 1
        && padH == 0
        && padW == 0
        && outH == inH
        && outW == inW;
  }
}
