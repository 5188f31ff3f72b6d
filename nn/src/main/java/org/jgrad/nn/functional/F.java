package org.jgrad.nn.functional;

import java.util.Arrays;
import java.util.function.Supplier;
import org.jgrad.backend.ConvGeometry;
import org.jgrad.backend.DType;
import org.jgrad.nn.Reduction;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.NeuralOps;
import org.jgrad.tensor.Tensor;

/**
 * The functional namespace and the one public functional entry: every layer's computation as a
 * static function (PyTorch's {@code torch.nn.functional}). Layers hold parameters and call these.
 *
 * <p>Convolution, pooling, batch norm and the log-softmax + NLL part of cross-entropy are thin: the
 * arguments are validated once (the geometry by {@link ConvGeometry}'s factories, dtypes and bias
 * shapes here), then {@code dispatch} runs the backend's fused kernels (core's internal {@code
 * NeuralOps} Functions) when it has them, and otherwise the composites of Tensor operations in the
 * package-private {@code Composites} (im2col + matmul, zero insertion, window slices, averaging
 * matrices, batch moments). Everything else is a composite of {@link Tensor} operations, so
 * gradients come from the core engine with no gradient code here.
 *
 * <pre>{@code
 * Tensor h = F.relu(F.conv2d(images, weight, bias, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1));
 * Tensor p = F.maxPool2d(h, 2);
 * Tensor loss = F.crossEntropy(F.linear(p.flatten(1, -1), w2, b2), labels);
 * }</pre>
 */
public final class F {
  private F() {}

  // ---------------------------------------------------------------- helpers

  private static void checkFloat(String op, Tensor x) {
    if (!x.dtype().isFloatingPoint()) {
      throw new IllegalArgumentException(
          op + ": expected a floating point input, got " + x.dtype());
    }
  }

  private static void checkSameDtype(String op, String what, Tensor x, Tensor other) {
    if (other != null && other.dtype() != x.dtype()) {
      throw new IllegalArgumentException(
          op
              + ": input is "
              + x.dtype()
              + " but "
              + what
              + " is "
              + other.dtype()
              + " (convert the input or the module with .to(DType))");
    }
  }

  private static String str(int[] s) {
    return Arrays.toString(s);
  }

  private static int[] pair(String op, String what, int[] v, int min) {
    return ConvGeometry.pair(op, what, v, min);
  }

  /** A constant tensor with {@code like}'s dtype and device. */
  static Tensor constant(double[] values, Tensor like, int... shape) {
    Tensor t =
        like.dtype() == DType.FLOAT64
            ? Tensor.of(values, shape)
            : Tensor.of(toFloat(values), shape);
    return t.to(like.device());
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return f;
  }

  // ---------------------------------------------------------------- activations

  public static Tensor relu(Tensor x) {
    return x.relu();
  }

  /** max(0, x) + slope·min(0, x) (PyTorch's default slope is 0.01). */
  public static Tensor leakyRelu(Tensor x, double negativeSlope) {
    return x.leakyRelu(negativeSlope);
  }

  public static Tensor elu(Tensor x, double alpha) {
    return x.elu(alpha);
  }

  /** Exact GELU, x·Φ(x). */
  public static Tensor gelu(Tensor x) {
    return x.gelu();
  }

  /**
   * GELU with {@code approximate} "none" (exact) or "tanh" (0.5x(1 + tanh(√(2/π)(x +
   * 0.044715x³)))).
   */
  public static Tensor gelu(Tensor x, String approximate) {
    return switch (approximate) {
      case "none" -> x.gelu();
      case "tanh" -> {
        Tensor inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        yield x.mul(inner.tanh().add(1)).mul(0.5);
      }
      default ->
          throw new IllegalArgumentException(
              "gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
    };
  }

  public static Tensor silu(Tensor x) {
    return x.silu();
  }

  public static Tensor sigmoid(Tensor x) {
    return x.sigmoid();
  }

  public static Tensor tanh(Tensor x) {
    return x.tanh();
  }

  public static Tensor softmax(Tensor x, int dim) {
    return x.softmax(dim);
  }

  public static Tensor logSoftmax(Tensor x, int dim) {
    return x.logSoftmax(dim);
  }

  /**
   * log(1 + exp(βx))/β, and x itself where βx > threshold (PyTorch's defaults: β = 1, threshold =
   * 20).
   */
  public static Tensor softplus(Tensor x, double beta, double threshold) {
    return x.softplus(beta, threshold);
  }

  public static Tensor softplus(Tensor x) {
    return x.softplus(1, 20);
  }

  // ---------------------------------------------------------------- linear

  /** x·Wᵀ + b over the last dim of x; W is [out, in], b is [out] or null. */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    if (weight.dim() != 2)
      throw new IllegalArgumentException(
          "linear: weight must be 2-D [out, in], got " + str(weight.shape()));
    if (x.dim() == 0 || x.size(-1) != weight.size(1)) {
      throw new IllegalArgumentException(
          "linear: input "
              + str(x.shape())
              + " has "
              + (x.dim() == 0 ? 0 : x.size(-1))
              + " features in its last dim, but the weight "
              + str(weight.shape())
              + " expects "
              + weight.size(1));
    }
    checkSameDtype("linear", "the weight", x, weight);
    Tensor y = x.matmul(weight.t());
    if (bias != null) y = y.add(bias);
    return y;
  }

  /**
   * x1ᵀ·W·x2 + b: W is [out, in1, in2]; x1 is [..., in1], x2 is [..., in2] with the same leading
   * dims.
   */
  public static Tensor bilinear(Tensor x1, Tensor x2, Tensor weight, Tensor bias) {
    if (weight.dim() != 3)
      throw new IllegalArgumentException(
          "bilinear: weight must be 3-D [out, in1, in2], got " + str(weight.shape()));
    int out = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
    if (x1.dim() == 0
        || x2.dim() == 0
        || x1.size(-1) != in1
        || x2.size(-1) != in2
        || !Arrays.equals(
            Arrays.copyOf(x1.shape(), x1.dim() - 1), Arrays.copyOf(x2.shape(), x2.dim() - 1))) {
      throw new IllegalArgumentException(
          "bilinear: inputs "
              + str(x1.shape())
              + " and "
              + str(x2.shape())
              + " do not match weight "
              + str(weight.shape())
              + " (expected [..., "
              + in1
              + "] and [..., "
              + in2
              + "] with equal leading dims)");
    }
    checkSameDtype("bilinear", "the weight", x1, weight);
    int[] lead = Arrays.copyOf(x1.shape(), x1.dim() - 1);
    Tensor a = x1.reshape(-1, in1), b = x2.reshape(-1, in2);
    // (x1 · W viewed as [in1, out·in2]) then a dot with x2 per output.
    Tensor t = a.matmul(weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2);
    Tensor y = t.mul(b.unsqueeze(1)).sum(2, false);
    if (bias != null) y = y.add(bias);
    int[] shape = Arrays.copyOf(lead, lead.length + 1);
    shape[lead.length] = out;
    return y.reshape(shape);
  }

  // ---------------------------------------------------------------- convolution

  /**
   * The one place that chooses an implementation: the backend's fused kernels (through {@link
   * NeuralOps}) when it has them, else the composite of Tensor operations. Tests ask for the
   * composite explicitly with {@code composite}.
   */
  private static Tensor dispatch(
      Tensor x, boolean composite, Supplier<Tensor> fused, Supplier<Tensor> fallback) {
    return composite || !NeuralOps.hasFusedKernels(x) ? fallback.get() : fused.get();
  }

  /** x as 4-D [N, C, H, W] (a 3-D unbatched input gets N = 1), after the rank and float checks. */
  private static Tensor batched(String op, Tensor x) {
    if (x.dim() != 4 && x.dim() != 3) {
      throw new IllegalArgumentException(
          op + ": expected a 4-D input [N, C, H, W] (or 3-D unbatched), got " + str(x.shape()));
    }
    checkFloat(op, x);
    return x.dim() == 3 ? x.unsqueeze(0) : x;
  }

  private static Tensor unbatched(Tensor x, Tensor y) {
    return x.dim() == 3 ? y.squeeze(0) : y;
  }

  private static void checkBias(String op, Tensor bias, int channels) {
    if (bias != null && (bias.dim() != 1 || bias.size(0) != channels)) {
      throw new IllegalArgumentException(
          op + ": bias must be [" + channels + "], got " + str(bias.shape()));
    }
  }

  /** 2-D convolution with stride 1, no padding, dilation 1, one group. */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
    return conv2d(x, weight, bias, new int[] {1}, new int[] {0}, new int[] {1}, 1);
  }

  /**
   * 2-D convolution (cross-correlation, as PyTorch). x is [N, C, H, W] (or unbatched [C, H, W]),
   * weight [O, C/groups, KH, KW], bias [O] or null; stride, padding and dilation take one value for
   * both dims or two (height, width).
   */
  public static Tensor conv2d(
      Tensor x,
      Tensor weight,
      Tensor bias,
      int[] stride,
      int[] padding,
      int[] dilation,
      int groups) {
    return conv2d("conv2d", x, weight, bias, stride, padding, dilation, groups, false);
  }

  /**
   * 2-D convolution with padding "valid" (none) or "same" (output as large as the input; stride
   * must be 1; odd total padding puts the extra row/column at the bottom/right, as PyTorch).
   */
  public static Tensor conv2d(
      Tensor x,
      Tensor weight,
      Tensor bias,
      int[] stride,
      String padding,
      int[] dilation,
      int groups) {
    return conv2dSame("conv2d", x, weight, bias, stride, padding, dilation, groups);
  }

  private static Tensor conv2dSame(
      String op,
      Tensor x,
      Tensor weight,
      Tensor bias,
      int[] stride,
      String padding,
      int[] dilation,
      int groups) {
    int[] s = ConvGeometry.pair(op, "stride", stride, 1),
        d = ConvGeometry.pair(op, "dilation", dilation, 1);
    if (padding.equals("valid"))
      return conv2d(op, x, weight, bias, s, new int[] {0}, d, groups, false);
    if (!padding.equals("same")) {
      throw new IllegalArgumentException(
          op + ": padding must be \"valid\", \"same\" or numbers, got \"" + padding + "\"");
    }
    if (s[0] != 1 || s[1] != 1) {
      throw new IllegalArgumentException(
          op + ": padding=\"same\" is not supported for strided convolutions, stride " + str(s));
    }
    if (weight.dim() != 4)
      throw new IllegalArgumentException(op + ": weight must be 4-D, got " + str(weight.shape()));
    int th = d[0] * (weight.size(2) - 1), tw = d[1] * (weight.size(3) - 1);
    // An odd total puts the extra row/column at the bottom/right: pad that much first, the rest
    // symmetrically.
    if ((th | tw) % 2 != 0 && (x.dim() == 3 || x.dim() == 4))
      x = x.pad(new int[] {0, tw % 2, 0, th % 2}, 0);
    return conv2d(op, x, weight, bias, s, new int[] {th / 2, tw / 2}, d, groups, false);
  }

  /**
   * Validation (rank, dtypes, the geometry, the bias), then the fused kernel or the im2col
   * composite.
   */
  static Tensor conv2d(
      String op,
      Tensor x,
      Tensor w,
      Tensor b,
      int[] stride,
      int[] padding,
      int[] dilation,
      int groups,
      boolean composite) {
    Tensor x4 = batched(op, x);
    checkSameDtype(op, "the weight", x4, w);
    ConvGeometry g =
        ConvGeometry.conv2d(op, x4.shape(), w.shape(), stride, padding, dilation, groups);
    checkBias(op, b, g.outChannels());
    checkSameDtype(op, "the bias", x4, b);
    return unbatched(
        x,
        dispatch(
            x4,
            composite,
            () -> NeuralOps.conv2d(x4, w, b, g),
            () -> Composites.conv2dIm2col(x4, w, b, g)));
  }

  /**
   * 1-D convolution: x [N, C, L] (or [C, L]), weight [O, C/groups, K]; computed as a 2-D
   * convolution of unit height.
   */
  public static Tensor conv1d(
      Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
    check1d(x, weight);
    return squeeze1d(
        conv2d(
            "conv1d",
            unsqueeze1d(x),
            weight.unsqueeze(2),
            bias,
            new int[] {1, stride},
            new int[] {0, padding},
            new int[] {1, dilation},
            groups,
            false));
  }

  /** 1-D convolution with padding "valid" or "same". */
  public static Tensor conv1d(
      Tensor x, Tensor weight, Tensor bias, int stride, String padding, int dilation, int groups) {
    check1d(x, weight);
    return squeeze1d(
        conv2dSame(
            "conv1d",
            unsqueeze1d(x),
            weight.unsqueeze(2),
            bias,
            new int[] {1, stride},
            padding,
            new int[] {1, dilation},
            groups));
  }

  private static void check1d(Tensor x, Tensor weight) {
    if (x.dim() != 3 && x.dim() != 2) {
      throw new IllegalArgumentException(
          "conv1d: expected a 3-D input [N, C, L] (or 2-D unbatched), got " + str(x.shape()));
    }
    if (weight.dim() != 3)
      throw new IllegalArgumentException(
          "conv1d: weight must be 3-D [O, C/groups, K], got " + str(weight.shape()));
  }

  private static Tensor unsqueeze1d(Tensor x) {
    return x.unsqueeze(x.dim() - 1);
  }

  private static Tensor squeeze1d(Tensor y) {
    return y.squeeze(y.dim() - 2);
  }

  /**
   * Transposed 2-D convolution (the gradient of conv2d with respect to its input). x is [N, Cin, H,
   * W], weight [Cin, Cout/groups, KH, KW]; the output is (H − 1)·stride − 2·padding + dilation·(KH
   * − 1) + outputPadding + 1 high.
   *
   * <p>The composite version inserts zeros between input pixels, pads the result by dilation·(K −
   * 1) − padding (cropping where that is negative), then convolves with the flipped, transposed
   * kernel.
   */
  public static Tensor convTranspose2d(
      Tensor x,
      Tensor weight,
      Tensor bias,
      int[] stride,
      int[] padding,
      int[] outputPadding,
      int groups,
      int[] dilation) {
    return convTranspose2d(
        x, weight, bias, stride, padding, outputPadding, groups, dilation, false);
  }

  static Tensor convTranspose2d(
      Tensor x,
      Tensor weight,
      Tensor bias,
      int[] stride,
      int[] padding,
      int[] outputPadding,
      int groups,
      int[] dilation,
      boolean composite) {
    String op = "convTranspose2d";
    Tensor x4 = batched(op, x);
    checkSameDtype(op, "the weight", x4, weight);
    ConvGeometry g =
        ConvGeometry.convTranspose2d(
            op, x4.shape(), weight.shape(), stride, padding, outputPadding, dilation, groups);
    checkBias(op, bias, g.inChannels());
    checkSameDtype(op, "the bias", x, bias);
    return unbatched(
        x,
        dispatch(
            x4,
            composite,
            () -> NeuralOps.convTranspose2d(x4, weight, bias, g),
            () -> Composites.convTranspose2dZeroInsertion(x4, weight, bias, g)));
  }

  // ---------------------------------------------------------------- pooling

  /** Max pooling with a square window and stride equal to it. */
  public static Tensor maxPool2d(Tensor x, int kernel) {
    return maxPool2d(x, new int[] {kernel}, null, new int[] {0}, new int[] {1}, false);
  }

  /**
   * Max pooling. {@code stride} null means the kernel size; padding (at most half the kernel)
   * counts as −∞; {@code ceilMode} lets the last window hang over the edge. The gradient goes to
   * the first maximum of each window.
   */
  public static Tensor maxPool2d(
      Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
    return maxPool2d(x, kernel, stride, padding, dilation, ceilMode, false);
  }

  static Tensor maxPool2d(
      Tensor x,
      int[] kernel,
      int[] stride,
      int[] padding,
      int[] dilation,
      boolean ceilMode,
      boolean composite) {
    String op = "maxPool2d";
    Tensor x4 = batched(op, x);
    ConvGeometry g =
        ConvGeometry.pool2d(op, x4.shape(), kernel, stride, padding, dilation, ceilMode);
    return unbatched(
        x,
        dispatch(
            x4,
            composite,
            () -> NeuralOps.maxPool2d(x4, g),
            () -> Composites.maxPool2dSlices(x4, g)));
  }

  /** Average pooling with a square window and stride equal to it. */
  public static Tensor avgPool2d(Tensor x, int kernel) {
    return avgPool2d(x, new int[] {kernel}, null, new int[] {0}, true);
  }

  /**
   * Average pooling with zero padding (at most half the kernel). With {@code countIncludePad} the
   * padding counts in the divisor; otherwise only the input elements in each window do.
   */
  public static Tensor avgPool2d(
      Tensor x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
    return avgPool2d(x, kernel, stride, padding, countIncludePad, false);
  }

  static Tensor avgPool2d(
      Tensor x,
      int[] kernel,
      int[] stride,
      int[] padding,
      boolean countIncludePad,
      boolean composite) {
    String op = "avgPool2d";
    Tensor x4 = batched(op, x);
    ConvGeometry g =
        ConvGeometry.pool2d(op, x4.shape(), kernel, stride, padding, new int[] {1}, false);
    // The window means, padding counted.
    Tensor y =
        dispatch(
            x4,
            composite,
            () -> NeuralOps.avgPool2d(x4, g),
            () -> Composites.avgPool2dSlices(x4, g));
    if (!countIncludePad && g.padH() + g.padW() > 0) {
      int oh = g.outH(), ow = g.outW();
      double[] scale = new double[oh * ow]; // kernel area / elements inside the input
      for (int a = 0; a < oh; a++) {
        int hs = a * g.strideH() - g.padH(), he = Math.min(hs + g.kH(), g.inH());
        hs = Math.max(hs, 0);
        for (int b = 0; b < ow; b++) {
          int ws = b * g.strideW() - g.padW(), we = Math.min(ws + g.kW(), g.inW());
          ws = Math.max(ws, 0);
          scale[a * ow + b] = (double) (g.kH() * g.kW()) / ((he - hs) * (we - ws));
        }
      }
      y = y.mul(constant(scale, x4, oh, ow));
    }
    return unbatched(x, y);
  }

  /**
   * Adaptive average pooling to {@code outH × outW}: output cell i averages input rows ⌊i·H/outH⌋
   * to ⌈(i+1)·H/outH⌉ (likewise for columns). When the sizes divide evenly this is the fused
   * average pooling; otherwise two products with averaging matrices.
   */
  public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
    return adaptiveAvgPool2d(x, outH, outW, false);
  }

  static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW, boolean composite) {
    String op = "adaptiveAvgPool2d";
    if (outH <= 0 || outW <= 0) {
      throw new IllegalArgumentException(
          op + ": output size must be positive, got " + outH + " x " + outW);
    }
    Tensor x4 = batched(op, x);
    int h = x4.size(2), w = x4.size(3);
    boolean even = h % outH == 0 && w % outW == 0;
    Tensor y =
        dispatch(
            x4,
            composite || !even,
            () -> {
              int[] k = {h / outH, w / outW};
              return NeuralOps.avgPool2d(
                  x4,
                  ConvGeometry.pool2d(op, x4.shape(), k, k, new int[] {0}, new int[] {1}, false));
            },
            () -> Composites.adaptiveAvgPool2dMatmul(x4, outH, outW));
    return unbatched(x, y);
  }

  // ---------------------------------------------------------------- normalisation

  /**
   * Batch normalisation over dim 1 of x ([N, C], [N, C, L] or [N, C, H, W]). In training, the batch
   * statistics normalise x and, when running buffers are given, update them in place: running = (1
   * − momentum)·running + momentum·batch (unbiased variance). Otherwise the running statistics are
   * used. weight and bias may be null. With fused kernels the training backward is fused (not
   * differentiable again); the composite used without them is.
   */
  public static Tensor batchNorm(
      Tensor x,
      Tensor runningMean,
      Tensor runningVar,
      Tensor weight,
      Tensor bias,
      boolean training,
      double momentum,
      double eps) {
    return batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps, false);
  }

  static Tensor batchNorm(
      Tensor x,
      Tensor runningMean,
      Tensor runningVar,
      Tensor weight,
      Tensor bias,
      boolean training,
      double momentum,
      double eps,
      boolean composite) {
    String op = "batchNorm";
    if (x.dim() < 2)
      throw new IllegalArgumentException(
          op + ": expected at least 2-D input [N, C, ...], got " + str(x.shape()));
    checkFloat(op, x);
    int c = x.size(1);
    for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias}) {
      if (t != null && (t.dim() != 1 || t.size(0) != c)) {
        throw new IllegalArgumentException(
            op
                + ": expected per-channel tensors of shape ["
                + c
                + "] for input "
                + str(x.shape())
                + ", got "
                + str(t.shape()));
      }
    }
    checkSameDtype(op, "the weight", x, weight);
    boolean useBatch = training || runningMean == null || runningVar == null;
    if (useBatch && training && x.numel() / Math.max(1, c) <= 1) {
      throw new IllegalArgumentException(
          op
              + ": expected more than 1 value per channel when training, got input "
              + str(x.shape()));
    }
    // With batch statistics the fused primitive updates the running buffers only in training.
    return dispatch(
        x,
        composite,
        () ->
            useBatch
                ? NeuralOps.batchNorm(
                    x,
                    training ? runningMean : null,
                    training ? runningVar : null,
                    weight,
                    bias,
                    true,
                    momentum,
                    eps)
                : NeuralOps.batchNorm(
                    x, runningMean, runningVar, weight, bias, false, momentum, eps),
        () ->
            Composites.batchNormFromMoments(
                x, runningMean, runningVar, weight, bias, training, momentum, eps));
  }

  /**
   * Layer normalisation over the trailing {@code normalizedShape} dims; weight and bias may be
   * null.
   */
  public static Tensor layerNorm(
      Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    String op = "layerNorm";
    checkFloat(op, x);
    int k = normalizedShape.length;
    int[] s = x.shape();
    if (k == 0
        || k > s.length
        || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
      throw new IllegalArgumentException(
          op + ": expected input with trailing shape " + str(normalizedShape) + ", got " + str(s));
    }
    checkSameDtype(op, "the weight", x, weight);
    int[] dims = new int[k];
    for (int i = 0; i < k; i++) dims[i] = s.length - k + i;
    Tensor mean = x.mean(dims, true);
    Tensor var = x.var(dims, false, true);
    Tensor y = x.sub(mean).div(var.add(eps).sqrt());
    if (weight != null) y = y.mul(weight);
    if (bias != null) y = y.add(bias);
    return y;
  }

  // ---------------------------------------------------------------- dropout

  /** Zeroes each element with probability p in training and scales the rest by 1/(1 − p). */
  public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
    checkP("dropout", p);
    if (!training || p == 0) return x;
    if (p == 1) return x.mul(0);
    Tensor keep = Tensor.rand(generator, x.shape()).ge(p).to(x.dtype()).to(x.device());
    return x.mul(keep).div(1 - p);
  }

  /** {@link #dropout(Tensor, double, boolean, Generator)} with the default generator. */
  public static Tensor dropout(Tensor x, double p, boolean training) {
    return dropout(x, p, training, Generator.defaultGenerator());
  }

  /** Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p in training. */
  public static Tensor dropout2d(Tensor x, double p, boolean training, Generator generator) {
    checkP("dropout2d", p);
    if (x.dim() != 4 && x.dim() != 3) {
      throw new IllegalArgumentException(
          "dropout2d: expected a 4-D input [N, C, H, W] (or 3-D [C, H, W]), got " + str(x.shape()));
    }
    if (!training || p == 0) return x;
    if (p == 1) return x.mul(0);
    int[] mshape = x.shape();
    for (int i = mshape.length - 2; i < mshape.length; i++) mshape[i] = 1;
    Tensor keep = Tensor.rand(generator, mshape).ge(p).to(x.dtype()).to(x.device());
    return x.mul(keep).div(1 - p);
  }

  /** {@link #dropout2d(Tensor, double, boolean, Generator)} with the default generator. */
  public static Tensor dropout2d(Tensor x, double p, boolean training) {
    return dropout2d(x, p, training, Generator.defaultGenerator());
  }

  private static void checkP(String op, double p) {
    if (!(p >= 0 && p <= 1))
      throw new IllegalArgumentException(op + ": probability must be in [0, 1], got " + p);
  }

  // ---------------------------------------------------------------- embedding

  /**
   * Rows of {@code weight} [num, dim] picked by int64 {@code indices} of any shape; the output has
   * shape indices.shape + [dim]. Rows at {@code paddingIdx} (null for none) get no gradient.
   */
  public static Tensor embedding(Tensor indices, Tensor weight, Integer paddingIdx) {
    String op = "embedding";
    if (indices.dtype() != DType.INT64) {
      throw new IllegalArgumentException(op + ": indices must be int64, got " + indices.dtype());
    }
    if (weight.dim() != 2)
      throw new IllegalArgumentException(
          op + ": weight must be 2-D [num, dim], got " + str(weight.shape()));
    int num = weight.size(0);
    for (long v : indices.toLongArray()) {
      if (v < 0 || v >= num) {
        throw new IllegalArgumentException(
            op + ": index " + v + " is out of range for " + num + " embeddings");
      }
    }
    int[] shape = Arrays.copyOf(indices.shape(), indices.dim() + 1);
    shape[indices.dim()] = weight.size(1);
    Tensor out = weight.indexSelect(0, indices.reshape(-1)).reshape(shape);
    if (paddingIdx != null && out.requiresGrad()) {
      int pad = paddingIdx < 0 ? paddingIdx + num : paddingIdx;
      Tensor mask = indices.eq(pad).unsqueeze(-1);
      out = Tensor.where(mask, out.detach(), out);
    }
    return out;
  }

  // ---------------------------------------------------------------- resampling

  /**
   * Resizes [N, C, H, W] to {@code size} (height, width) or by {@code scaleFactor} (exactly one of
   * them non-null), with mode "nearest" or "bilinear" ({@code alignCorners} applies to bilinear).
   * Index arithmetic follows PyTorch, including its use of 1/scaleFactor when a factor is given.
   */
  public static Tensor interpolate(
      Tensor x, int[] size, double[] scaleFactor, String mode, boolean alignCorners) {
    String op = "interpolate";
    if ((size == null) == (scaleFactor == null)) {
      throw new IllegalArgumentException(
          op + ": exactly one of size and scaleFactor must be given");
    }
    if (x.dim() != 4)
      throw new IllegalArgumentException(
          op + ": expected a 4-D input [N, C, H, W], got " + str(x.shape()));
    checkFloat(op, x);
    int[] in = {x.size(2), x.size(3)};
    int[] out = new int[2];
    double[] sf = null;
    if (size != null) {
      int[] sz = pair(op, "size", size, 1);
      out = sz;
    } else {
      if (scaleFactor.length != 1 && scaleFactor.length != 2) {
        throw new IllegalArgumentException(
            op + ": scaleFactor must have 1 or 2 values, got " + Arrays.toString(scaleFactor));
      }
      sf =
          scaleFactor.length == 1
              ? new double[] {scaleFactor[0], scaleFactor[0]}
              : scaleFactor.clone();
      for (int i = 0; i < 2; i++) {
        if (!(sf[i] > 0))
          throw new IllegalArgumentException(
              op + ": scaleFactor must be positive, got " + Arrays.toString(scaleFactor));
        out[i] = (int) Math.floor(in[i] * sf[i]);
        if (out[i] <= 0)
          throw new IllegalArgumentException(op + ": output size " + out[i] + " is too small");
      }
    }
    boolean f64 = x.dtype() == DType.FLOAT64;
    switch (mode) {
      case "nearest":
        {
          Tensor y = x;
          for (int i = 0; i < 2; i++) {
            long[] idx = new long[out[i]];
            // PyTorch computes nearest indices in float for every dtype.
            float scaleF = (float) (sf != null ? 1.0 / sf[i] : (double) in[i] / out[i]);
            for (int o = 0; o < out[i]; o++) {
              long src = (long) Math.floor(o * scaleF);
              if (out[i] == in[i]) src = o;
              idx[o] = Math.min(src, in[i] - 1);
            }
            y = y.indexSelect(2 + i, Tensor.ofLongs(idx, out[i]).to(x.device()));
          }
          return y;
        }
      case "bilinear":
        {
          Tensor mh =
              constant(
                  linearMatrix(in[0], out[0], sf == null ? 0 : sf[0], alignCorners, f64),
                  x,
                  out[0],
                  in[0]);
          Tensor mw =
              constant(
                  linearMatrix(in[1], out[1], sf == null ? 0 : sf[1], alignCorners, f64),
                  x,
                  out[1],
                  in[1]);
          return mh.matmul(x).matmul(mw.t());
        }
      default:
        throw new IllegalArgumentException(
            op + ": mode must be \"nearest\" or \"bilinear\", got \"" + mode + "\"");
    }
  }

  /** The [out, in] matrix of linear interpolation weights along one axis. */
  private static double[] linearMatrix(
      int in, int out, double factor, boolean alignCorners, boolean f64) {
    double[] m = new double[out * in];
    double scale;
    if (alignCorners) scale = out > 1 ? (double) (in - 1) / (out - 1) : 0;
    else scale = factor > 0 ? 1.0 / factor : (double) in / out;
    float scaleF = (float) scale;
    for (int o = 0; o < out; o++) {
      double src;
      if (f64) {
        src = alignCorners ? scale * o : Math.max(0, scale * (o + 0.5) - 0.5);
      } else { // PyTorch does this arithmetic in float for float32 tensors
        float sF = alignCorners ? scaleF * o : scaleF * (o + 0.5f) - 0.5f;
        src = Math.max(0f, sF);
      }
      int i0 = Math.min((int) Math.floor(src), in - 1);
      int i1 = i0 + (i0 < in - 1 ? 1 : 0);
      double l1 = Math.min(Math.max(f64 ? src - i0 : (float) ((float) src - i0), 0), 1);
      double l0 = f64 ? 1 - l1 : (float) (1 - (float) l1);
      m[o * in + i0] += l0;
      m[o * in + i1] += l1;
    }
    return m;
  }

  // ---------------------------------------------------------------- recurrent cells

  /**
   * One LSTM cell update from its gate pre-activations, PyTorch's formulation (gate order i, f, g,
   * o, as in {@code nn.LSTM}'s stacked weights): gates [B, 4H] = W_ih·x + b_ih + W_hh·h + b_hh and
   * the cell state c [B, H] give {h', c'} with c' = σ(f)·c + σ(i)·tanh(g) and h' = σ(o)·tanh(c').
   * On a backend with fused kernels this is one pass forward and one backward (h' and c' are views
   * of one [2, B, H] result); elsewhere the composite of element-wise operations, with the same
   * values.
   *
   * <pre>{@code
   * Tensor gates = F.linear(x, wIh, bIh).add(F.linear(h, wHh, bHh)); // [B, 4H]
   * Tensor[] next = F.lstmCellFromGates(gates, c);                    // {h', c'}
   * }</pre>
   */
  public static Tensor[] lstmCellFromGates(Tensor gates, Tensor c) {
    return lstmCellFromGates(gates, c, false);
  }

  static Tensor[] lstmCellFromGates(Tensor gates, Tensor c, boolean composite) {
    String op = "lstmCellFromGates";
    if (gates.dim() != 2 || c.dim() != 2) {
      throw new IllegalArgumentException(
          op
              + ": expected gates [B, 4H] and c [B, H], got "
              + str(gates.shape())
              + " and "
              + str(c.shape()));
    }
    if (gates.size(0) != c.size(0) || gates.size(1) != 4 * c.size(1)) {
      throw new IllegalArgumentException(
          op
              + ": gates "
              + str(gates.shape())
              + " must be [B, 4H] for c "
              + str(c.shape())
              + " = [B, H]");
    }
    checkFloat(op, gates);
    checkSameDtype(op, "the cell state", gates, c);
    if (!gates.device().equals(c.device())) {
      throw new IllegalArgumentException(
          op + ": gates are on " + gates.device() + " but the cell state is on " + c.device());
    }
    if (composite || !NeuralOps.hasFusedKernels(gates)) {
      int h = c.size(1);
      Tensor i = gates.narrow(1, 0, h).sigmoid(), f = gates.narrow(1, h, h).sigmoid();
      Tensor g = gates.narrow(1, 2 * h, h).tanh(), o = gates.narrow(1, 3 * h, h).sigmoid();
      Tensor next = f.mul(c).add(i.mul(g));
      return new Tensor[] {o.mul(next.tanh()), next};
    }
    Tensor out = NeuralOps.lstmCell(gates, c);
    return new Tensor[] {out.select(0, 0), out.select(0, 1)};
  }

  /**
   * One GRU cell update from its two gate projections, PyTorch's formulation (gate order r, z, n,
   * as in {@code nn.GRU}'s stacked weights): xGates [B, 3H] = W_ih·x + b_ih, hGates [B, 3H] =
   * W_hh·h + b_hh and the hidden state h [B, H] give h' = (h − n)·z + n, with r = σ(x_r + h_r), z =
   * σ(x_z + h_z), n = tanh(x_n + r·h_n). On a backend with fused kernels this is one pass forward
   * and one backward; elsewhere the composite of element-wise operations, with the same values.
   *
   * <pre>{@code
   * Tensor next = F.gruCellFromGates(F.linear(x, wIh, bIh), F.linear(h, wHh, bHh), h);
   * }</pre>
   */
  public static Tensor gruCellFromGates(Tensor xGates, Tensor hGates, Tensor h) {
    return gruCellFromGates(xGates, hGates, h, false);
  }

  static Tensor gruCellFromGates(Tensor xGates, Tensor hGates, Tensor h, boolean composite) {
    String op = "gruCellFromGates";
    if (xGates.dim() != 2 || hGates.dim() != 2 || h.dim() != 2) {
      throw new IllegalArgumentException(
          op
              + ": expected xGates and hGates [B, 3H] and h [B, H], got "
              + str(xGates.shape())
              + ", "
              + str(hGates.shape())
              + " and "
              + str(h.shape()));
    }
    int batch = h.size(0), w = h.size(1);
    if (!Arrays.equals(xGates.shape(), new int[] {batch, 3 * w})
        || !Arrays.equals(hGates.shape(), xGates.shape())) {
      throw new IllegalArgumentException(
          op
              + ": xGates "
              + str(xGates.shape())
              + " and hGates "
              + str(hGates.shape())
              + " must both be [B, 3H] for h "
              + str(h.shape())
              + " = [B, H]");
    }
    checkFloat(op, xGates);
    checkSameDtype(op, "hGates", xGates, hGates);
    checkSameDtype(op, "the hidden state", xGates, h);
    if (!xGates.device().equals(hGates.device()) || !xGates.device().equals(h.device())) {
      throw new IllegalArgumentException(
          op
              + ": xGates, hGates and h must be on one device, got "
              + xGates.device()
              + ", "
              + hGates.device()
              + " and "
              + h.device());
    }
    if (composite || !NeuralOps.hasFusedKernels(xGates)) {
      Tensor r = xGates.narrow(1, 0, w).add(hGates.narrow(1, 0, w)).sigmoid();
      Tensor z = xGates.narrow(1, w, w).add(hGates.narrow(1, w, w)).sigmoid();
      Tensor n = xGates.narrow(1, 2 * w, w).add(r.mul(hGates.narrow(1, 2 * w, w))).tanh();
      return h.sub(n).mul(z).add(n); // PyTorch's (h − n)·z + n
    }
    return NeuralOps.gruCell(xGates, hGates, h);
  }

  // ---------------------------------------------------------------- attention

  /** Output and attention weights of {@link #scaledDotProductAttention}. */
  public record Attention(Tensor output, Tensor weights) {}

  /**
   * softmax(q·kᵀ/√d + mask)·v over the last two dims. {@code mask} (broadcastable to [..., L, S])
   * is boolean (true = not allowed) or additive float; null for none. Dropout with probability
   * {@code dropoutP} applies to the weights in training; the returned weights are those before
   * dropout.
   */
  public static Attention scaledDotProductAttention(
      Tensor q,
      Tensor k,
      Tensor v,
      Tensor mask,
      double dropoutP,
      boolean training,
      Generator generator) {
    String op = "scaledDotProductAttention";
    if (q.dim() < 2
        || k.dim() < 2
        || v.dim() < 2
        || q.size(-1) != k.size(-1)
        || k.size(-2) != v.size(-2)) {
      throw new IllegalArgumentException(
          op
              + ": incompatible shapes q "
              + str(q.shape())
              + ", k "
              + str(k.shape())
              + ", v "
              + str(v.shape()));
    }
    Tensor scores = q.div(Math.sqrt(q.size(-1))).matmul(k.transpose(-2, -1));
    if (mask != null) scores = scores.add(additiveMask(mask, scores));
    Tensor w = scores.softmax(-1);
    Tensor wd = dropout(w, dropoutP, training, generator);
    return new Attention(wd.matmul(v), w);
  }

  /** A boolean mask (true = masked) as 0/−∞ in {@code like}'s dtype; float masks pass through. */
  public static Tensor additiveMask(Tensor mask, Tensor like) {
    if (mask.dtype() == DType.BOOL) {
      Tensor zero = Tensor.zeros(like.dtype()).to(like.device());
      Tensor ninf = Tensor.full(like.dtype(), Double.NEGATIVE_INFINITY).to(like.device());
      return Tensor.where(mask, ninf, zero);
    }
    checkSameDtype("attention mask", "the mask", like, mask);
    return mask;
  }

  // ---------------------------------------------------------------- losses

  private static Tensor reduce(String op, Tensor loss, Reduction r) {
    return switch (r) {
      case NONE -> loss;
      case MEAN -> loss.mean();
      case SUM -> loss.sum();
      case BATCHMEAN ->
          throw new IllegalArgumentException(op + ": reduction BATCHMEAN is only valid for klDiv");
    };
  }

  private static void checkSameShape(String op, Tensor input, Tensor target) {
    if (!Arrays.equals(input.shape(), target.shape())) {
      throw new IllegalArgumentException(
          op
              + ": target shape "
              + str(target.shape())
              + " must match input shape "
              + str(input.shape()));
    }
    checkFloat(op, input);
  }

  private static Tensor asFloat(String op, Tensor target, Tensor like) {
    if (target.dtype() == like.dtype()) return target;
    if (target.dtype().isFloatingPoint()) {
      throw new IllegalArgumentException(
          op + ": input is " + like.dtype() + " but target is " + target.dtype());
    }
    return target.to(like.dtype());
  }

  /** Mean squared error; input and target must have the same shape. */
  public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
    checkSameShape("mseLoss", input, target);
    return reduce("mseLoss", input.sub(asFloat("mseLoss", target, input)).square(), reduction);
  }

  public static Tensor mseLoss(Tensor input, Tensor target) {
    return mseLoss(input, target, Reduction.MEAN);
  }

  /** Mean absolute error. */
  public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
    checkSameShape("l1Loss", input, target);
    return reduce("l1Loss", input.sub(asFloat("l1Loss", target, input)).abs(), reduction);
  }

  /** 0.5·d²/β where |d| &lt; β, |d| − 0.5·β elsewhere (β = 0 gives L1). */
  public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, double beta) {
    checkSameShape("smoothL1Loss", input, target);
    if (beta < 0)
      throw new IllegalArgumentException("smoothL1Loss: beta must be non-negative, got " + beta);
    Tensor d = input.sub(asFloat("smoothL1Loss", target, input)).abs();
    if (beta == 0) return reduce("smoothL1Loss", d, reduction);
    Tensor loss = Tensor.where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta));
    return reduce("smoothL1Loss", loss, reduction);
  }

  /** 0.5·d² where |d| &lt; δ, δ·(|d| − 0.5·δ) elsewhere. */
  public static Tensor huberLoss(Tensor input, Tensor target, Reduction reduction, double delta) {
    checkSameShape("huberLoss", input, target);
    if (!(delta > 0))
      throw new IllegalArgumentException("huberLoss: delta must be positive, got " + delta);
    Tensor d = input.sub(asFloat("huberLoss", target, input)).abs();
    Tensor loss = Tensor.where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta));
    return reduce("huberLoss", loss, reduction);
  }

  /**
   * Binary cross-entropy of probabilities {@code input} in [0, 1]: −w·(t·log x + (1 − t)·log(1 −
   * x)), each log clamped at −100 as PyTorch does, with PyTorch's gradient (finite at x = 0 and x =
   * 1: see {@link NeuralOps#binaryCrossEntropy}). {@code weight} (broadcastable) may be null.
   */
  public static Tensor binaryCrossEntropy(
      Tensor input, Tensor target, Tensor weight, Reduction reduction) {
    String op = "binaryCrossEntropy";
    checkSameShape(op, input, target);
    Tensor t = asFloat(op, target, input);
    if (input.numel() > 0 && (input.detach().min().item() < 0 || input.detach().max().item() > 1)) {
      throw new IllegalArgumentException(op + ": all elements of input should be between 0 and 1");
    }
    Tensor loss = NeuralOps.binaryCrossEntropy(input, t);
    if (weight != null) loss = loss.mul(weight);
    return reduce(op, loss, reduction);
  }

  /**
   * Binary cross-entropy on logits, computed stably as (1 − t)·x + (1 + (p − 1)·t)·softplus(−x)
   * with p = {@code posWeight} (broadcast over the last dim; null means 1). {@code weight} may be
   * null.
   */
  public static Tensor binaryCrossEntropyWithLogits(
      Tensor input, Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
    String op = "binaryCrossEntropyWithLogits";
    checkSameShape(op, input, target);
    Tensor t = asFloat(op, target, input);
    // softplus(-x) = max(-x, 0) + log(1 + exp(-|x|)) never overflows.
    Tensor sp = input.neg().relu().add(input.abs().neg().exp().add(1).log());
    Tensor logWeight = posWeight == null ? null : posWeight.sub(1).mul(t).add(1);
    Tensor loss = t.neg().add(1).mul(input).add(logWeight == null ? sp : logWeight.mul(sp));
    if (weight != null) loss = loss.mul(weight);
    return reduce(op, loss, reduction);
  }

  /** Negative log-likelihood of log-probabilities [N, C, ...] (or [C]) at int64 class targets. */
  public static Tensor nllLoss(
      Tensor input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
    return nllComposite(input, target, weight, ignoreIndex, reduction);
  }

  public static Tensor nllLoss(Tensor input, Tensor target) {
    return nllLoss(input, target, null, -100, Reduction.MEAN);
  }

  /**
   * Class-index targets, checked and flattened: input [N, C, d...] (or [C]) as [M, C] rows, the
   * targets as [M] (ignored entries replaced by class 0 in {@code safe}), a 0/1 mask of the entries
   * that count, and each entry's class weight times that mask.
   */
  private record Targets(
      Tensor rows, Tensor raw, Tensor safe, Tensor valid, Tensor weight, int[] shape) {}

  private static Targets targets(
      String op, Tensor input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
    checkFloat(op, input);
    if (target.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          op + ": target must hold int64 class indices, got " + target.dtype());
    }
    if (input.dim() < 1)
      throw new IllegalArgumentException(op + ": input must be at least 1-D, got a scalar");
    int classDim = input.dim() == 1 ? 0 : 1;
    int c = input.size(classDim);
    int[] expected = new int[input.dim() - 1];
    for (int i = 0, k = 0; i < input.dim(); i++) if (i != classDim) expected[k++] = input.size(i);
    if (!Arrays.equals(target.shape(), expected)) {
      throw new IllegalArgumentException(
          op
              + ": target shape "
              + str(target.shape())
              + " does not match input "
              + str(input.shape())
              + " (expected "
              + str(expected)
              + ")");
    }
    if (weight != null && (weight.dim() != 1 || weight.size(0) != c)) {
      throw new IllegalArgumentException(
          op + ": weight must be [" + c + "] (one per class), got " + str(weight.shape()));
    }
    checkSameDtype(op, "the class weight", input, weight);
    if (reduction == Reduction.BATCHMEAN)
      throw new IllegalArgumentException(op + ": reduction BATCHMEAN is only valid for klDiv");
    Tensor x = classDim == 0 ? input.unsqueeze(0) : input;
    if (x.dim() > 2) { // move classes last: [N, d..., C]
      int[] perm = new int[x.dim()];
      perm[0] = 0;
      for (int i = 2; i < x.dim(); i++) perm[i - 1] = i;
      perm[x.dim() - 1] = 1;
      x = x.permute(perm);
    }
    Tensor rows = x.reshape(-1, c);
    long[] tv = target.toLongArray();
    long[] safe = new long[tv.length];
    double[] validV = new double[tv.length];
    for (int i = 0; i < tv.length; i++) {
      if (tv[i] == ignoreIndex) continue;
      if (tv[i] < 0 || tv[i] >= c) {
        throw new IllegalArgumentException(
            op + ": target " + tv[i] + " is out of bounds for " + c + " classes");
      }
      safe[i] = tv[i];
      validV[i] = 1;
    }
    Tensor idx = Tensor.ofLongs(safe, tv.length).to(input.device());
    Tensor valid = constant(validV, input, tv.length);
    Tensor w = weight == null ? valid : weight.indexSelect(0, idx).mul(valid);
    return new Targets(rows, target.reshape(-1), idx, valid, w, target.shape());
  }

  /**
   * Reduces per-entry losses as PyTorch: the mean divides by the total weight of the counted
   * entries.
   */
  private static Tensor reduceWeighted(Tensor perEntry, Targets t, Reduction reduction) {
    return switch (reduction) {
      case NONE -> perEntry.reshape(t.shape);
      case SUM -> perEntry.sum();
      default -> perEntry.sum().div(t.weight.sum());
    };
  }

  /** −w[t]·x[t] per entry, from log-probabilities. */
  private static Tensor nllComposite(
      Tensor input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
    Targets t = targets("nllLoss", input, target, weight, ignoreIndex, reduction);
    Tensor picked = t.rows.gather(1, t.safe.unsqueeze(1)).squeeze(1);
    return reduceWeighted(picked.mul(t.weight).neg(), t, reduction);
  }

  /** Cross-entropy of logits and class indices, mean over the batch. */
  public static Tensor crossEntropy(Tensor input, Tensor target) {
    return crossEntropy(input, target, null, -100, Reduction.MEAN, 0);
  }

  public static Tensor crossEntropy(Tensor input, Tensor target, Reduction reduction) {
    return crossEntropy(input, target, null, -100, reduction, 0);
  }

  /**
   * Cross-entropy of logits [N, C, ...] (or [C]) with either int64 class indices [N, ...] or class
   * probabilities of the input's shape. {@code weight} (per class, may be null) rescales each
   * class; targets equal to {@code ignoreIndex} are skipped (indices only); {@code labelSmoothing}
   * in [0, 1] mixes the target with the uniform distribution. Means are weighted as in PyTorch.
   * With class indices the log-softmax + NLL part runs on the fused kernel when the backend has
   * one.
   */
  public static Tensor crossEntropy(
      Tensor input,
      Tensor target,
      Tensor weight,
      int ignoreIndex,
      Reduction reduction,
      double labelSmoothing) {
    String op = "crossEntropy";
    checkFloat(op, input);
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException(
          op + ": labelSmoothing must be in [0, 1], got " + labelSmoothing);
    }
    if (input.dim() < 1)
      throw new IllegalArgumentException(op + ": input must be at least 1-D, got a scalar");
    int classDim = input.dim() == 1 ? 0 : 1;
    int c = input.size(classDim);
    if (target.dtype().isFloatingPoint()) {
      checkSameShape(op + " (probability targets)", input, target);
      checkSameDtype(op, "the target", input, target);
      if (weight != null && (weight.dim() != 1 || weight.size(0) != c)) {
        throw new IllegalArgumentException(
            op + ": weight must be [" + c + "] (one per class), got " + str(weight.shape()));
      }
      Tensor logp = input.logSoftmax(classDim);
      Tensor t =
          labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / c) : target;
      Tensor prod = logp.mul(t);
      if (weight != null)
        prod = prod.mul(classDim == 0 ? weight : weight.reshape(classShape(input.dim(), c)));
      Tensor perSample = prod.sum(classDim, false).neg();
      return switch (reduction) {
        case NONE -> perSample;
        case SUM -> perSample.sum();
        case MEAN -> perSample.sum().div(input.numel() / Math.max(1, c));
        case BATCHMEAN ->
            throw new IllegalArgumentException(
                op + ": reduction BATCHMEAN is only valid for klDiv");
      };
    }
    Targets t = targets(op, input, target, weight, ignoreIndex, reduction);
    // The fused primitive gives logsumexp(x) − x[t] per row (0 for ignored rows); without fused
    // kernels the same comes from the log-softmax composite.
    Tensor perEntry =
        dispatch(
            input,
            false,
            () -> NeuralOps.logSoftmaxNll(t.rows, t.raw, ignoreIndex),
            () ->
                t.rows.logSoftmax(1).gather(1, t.safe.unsqueeze(1)).squeeze(1).mul(t.valid).neg());
    if (weight != null) perEntry = perEntry.mul(t.weight);
    Tensor loss = reduceWeighted(perEntry, t, reduction);
    if (labelSmoothing == 0) return loss;
    Tensor lp = t.rows.logSoftmax(1);
    Tensor smooth = (weight == null ? lp : lp.mul(weight)).sum(1, false).neg().mul(t.valid);
    Tensor smoothRed =
        switch (reduction) {
          case NONE -> smooth.reshape(t.shape);
          case SUM -> smooth.sum();
          default -> smooth.sum().div(weight == null ? t.valid.sum() : t.weight.sum());
        };
    return loss.mul(1 - labelSmoothing).add(smoothRed.mul(labelSmoothing / c));
  }

  private static int[] classShape(int rank, int c) {
    int[] s = new int[rank];
    Arrays.fill(s, 1);
    s[1] = c;
    return s;
  }

  /**
   * Kullback–Leibler divergence with {@code input} as log-probabilities: t·(log t − x) pointwise (0
   * where t = 0), or exp(t)·(t − x) with {@code logTarget}. BATCHMEAN divides the sum by the batch
   * size (the mathematically correct KL); MEAN divides by the number of elements, as PyTorch.
   */
  public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
    String op = "klDiv";
    checkSameShape(op, input, target);
    Tensor t = asFloat(op, target, input);
    Tensor loss;
    if (logTarget) {
      loss = t.exp().mul(t.sub(input));
    } else {
      Tensor positive = t.gt(0);
      Tensor safeT = Tensor.where(positive, t, Tensor.onesLike(t));
      loss = t.mul(safeT.log()).sub(t.mul(input));
    }
    return switch (reduction) {
      case NONE -> loss;
      case SUM -> loss.sum();
      case MEAN -> loss.mean();
      case BATCHMEAN -> loss.sum().div(input.dim() == 0 ? 1 : input.size(0));
    };
  }
}
