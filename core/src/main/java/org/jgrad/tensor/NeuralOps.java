package org.jgrad.tensor;

import java.util.Arrays;
import org.jgrad.autograd.Function;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.Conv2dParams;
import org.jgrad.backend.DType;
import org.jgrad.backend.FusedKernels;
import org.jgrad.backend.RawTensor;

/**
 * Fused neural-network primitives with their gradients: convolution, transposed convolution,
 * pooling and log-softmax + NLL. They are primitives (not composites) because they dominate
 * training time; each backend implements them, and {@code ReferenceBackend} defines them with
 * naive loops. {@code org.jgrad.nn.functional.F} exposes them with PyTorch's argument style.
 *
 * <pre>{@code
 * Tensor y = NeuralOps.conv2d(x, w, b, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
 * Tensor p = NeuralOps.maxPool2d(y, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1});
 * Tensor loss = NeuralOps.logSoftmaxNll(logits, labels, -100).mean();
 * }</pre>
 *
 * <p>Second derivatives: the input path of conv2d and convTranspose2d and the whole of
 * logSoftmaxNll are differentiable again; weight gradients and pooling backwards are computed by
 * fused kernels and are not (use the composites in tests if you need Hessians through them).
 */
public final class NeuralOps {
  private NeuralOps() {}

  /**
   * The fused kernels of {@code t}'s backend. The Functions below run only on backends that have
   * them; {@code org.jgrad.nn.functional.F} checks {@link #hasFusedKernels} first and uses the
   * composites otherwise.
   */
  static FusedKernels fused(Tensor t) {
    return t.backend().fused().orElseThrow(() -> new UnsupportedOperationException("backend '" + t.backend().name()
        + "' of device " + t.device() + " has no fused kernels; use org.jgrad.nn.functional.F, which falls back to"
        + " the composites"));
  }

  /** Whether {@code t}'s backend offers fused kernels; when not, callers use the composites. */
  public static boolean hasFusedKernels(Tensor t) {
    return t.backend().fused().isPresent();
  }

  private static int[] pair(String op, String what, int[] v) {
    if (v == null || (v.length != 1 && v.length != 2)) {
      throw new IllegalArgumentException(op + ": " + what + " must have 1 or 2 values, got " + Arrays.toString(v));
    }
    return v.length == 1 ? new int[] {v[0], v[0]} : v;
  }

  private static void checkRank4(String op, String what, Tensor t) {
    if (t.dim() != 4) {
      throw new IllegalArgumentException(op + ": expected a 4-D " + what + " [N, C, H, W], got " + Shapes.str(t.shape()));
    }
  }

  static Conv2dParams params(String op, int[] stride, int[] padding, int[] dilation, int groups) {
    int[] s = pair(op, "stride", stride), p = pair(op, "padding", padding), d = pair(op, "dilation", dilation);
    try {
      return new Conv2dParams(s[0], s[1], p[0], p[1], d[0], d[1], groups);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(op + ": " + e.getMessage().replaceFirst("^conv2d: ", ""));
    }
  }

  /** 2-D cross-correlation, PyTorch's {@code conv2d}: x [N, C, H, W], w [O, C/groups, kh, kw], bias [O] or null. */
  public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
    Conv2dParams p = params("conv2d", stride, padding, dilation, groups);
    checkRank4("conv2d", "input", x);
    if (w.dim() != 4) throw new IllegalArgumentException("conv2d: expected a 4-D weight [O, C/groups, kh, kw], got " + Shapes.str(w.shape()));
    int c = x.size(1), o = w.size(0);
    if (c % groups != 0 || o % groups != 0) {
      throw new IllegalArgumentException("conv2d: in channels " + c + " and out channels " + o + " must be divisible by groups " + groups);
    }
    if (w.size(1) * groups != c) {
      throw new IllegalArgumentException("conv2d: weight " + Shapes.str(w.shape()) + " expects " + w.size(1) * groups
          + " input channels, but input " + Shapes.str(x.shape()) + " has " + c);
    }
    int ho = p.outH(x.size(2), w.size(2)), wo = p.outW(x.size(3), w.size(3));
    if (ho <= 0 || wo <= 0) {
      throw new IllegalArgumentException("conv2d: input " + Shapes.str(x.shape()) + " is too small for kernel "
          + w.size(2) + "x" + w.size(3) + " with " + p + " (output would be " + ho + "x" + wo + ")");
    }
    Tensor y = Function.apply(new Conv2dFn(p), floatCheck("conv2d", x, w), w);
    return bias == null ? y : y.add(bias.reshape(1, o, 1, 1));
  }

  private static Tensor floatCheck(String op, Tensor x, Tensor w) {
    if (x.dtype() != w.dtype()) {
      throw new IllegalArgumentException(op + ": input dtype " + x.dtype() + " and weight dtype " + w.dtype() + " differ");
    }
    if (!x.dtype().isFloatingPoint()) throw new IllegalArgumentException(op + ": expected floating point input, got " + x.dtype());
    return x;
  }

  /**
   * Transposed convolution, PyTorch's {@code conv_transpose2d}: x [N, Cin, H, W], w [Cin, Cout/groups, kh, kw].
   * Output size {@code (H − 1)·stride − 2·pad + dilation·(k − 1) + outputPadding + 1}.
   */
  public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
                                       int groups, int[] dilation) {
    Conv2dParams p = params("convTranspose2d", stride, padding, dilation, groups);
    int[] op = pair("convTranspose2d", "outputPadding", outputPadding);
    checkRank4("convTranspose2d", "input", x);
    if (w.dim() != 4) {
      throw new IllegalArgumentException("convTranspose2d: expected a 4-D weight [Cin, Cout/groups, kh, kw], got "
          + Shapes.str(w.shape()));
    }
    if (w.size(0) != x.size(1)) {
      throw new IllegalArgumentException("convTranspose2d: weight " + Shapes.str(w.shape()) + " expects " + w.size(0)
          + " input channels, but input " + Shapes.str(x.shape()) + " has " + x.size(1));
    }
    if (x.size(1) % groups != 0) {
      throw new IllegalArgumentException("convTranspose2d: in channels " + x.size(1) + " not divisible by groups " + groups);
    }
    if (op[0] >= Math.max(p.strideH(), p.dilationH()) || op[1] >= Math.max(p.strideW(), p.dilationW()) || op[0] < 0 || op[1] < 0) {
      throw new IllegalArgumentException("convTranspose2d: outputPadding " + Arrays.toString(op)
          + " must be smaller than stride or dilation");
    }
    int kh = w.size(2), kw = w.size(3);
    // In long: a huge stride, dilation or kernel overflows int and would surface as a negative size.
    long hoL = (long) (x.size(2) - 1) * p.strideH() - 2L * p.padH() + (long) p.dilationH() * (kh - 1) + op[0] + 1;
    long woL = (long) (x.size(3) - 1) * p.strideW() - 2L * p.padW() + (long) p.dilationW() * (kw - 1) + op[1] + 1;
    int cout = w.size(1) * groups;
    long plane = Math.max(0, hoL) * Math.max(0, woL);
    if (hoL > Integer.MAX_VALUE || woL > Integer.MAX_VALUE
        || plane > 0 && (long) x.size(0) * cout > Integer.MAX_VALUE / plane) {
      throw new IllegalArgumentException("convTranspose2d: output size " + hoL + "x" + woL + " (for input "
          + Shapes.str(x.shape()) + ", weight " + Shapes.str(w.shape()) + ", stride [" + p.strideH() + ", " + p.strideW()
          + "]) is too large: a tensor holds at most " + Integer.MAX_VALUE + " elements");
    }
    int ho = (int) hoL, wo = (int) woL;
    if (ho <= 0 || wo <= 0) throw new IllegalArgumentException("convTranspose2d: output size " + ho + "x" + wo + " is not positive");
    Tensor y = Function.apply(new ConvTranspose2dFn(p, new int[] {x.size(0), cout, ho, wo}), floatCheck("convTranspose2d", x, w), w);
    return bias == null ? y : y.add(bias.reshape(1, cout, 1, 1));
  }

  /** Max pooling; the gradient goes to the (first) maximum of each window. */
  public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
    return maxPool2dWithIndices(x, kernel, stride, padding, dilation).values();
  }

  /** Max pooling returning values and the flat in-plane indices of the maxima (PyTorch's return_indices). */
  public static Tensor.ValuesIndices maxPool2dWithIndices(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
    int[] k = pair("maxPool2d", "kernel", kernel);
    Conv2dParams p = params("maxPool2d", stride == null || stride.length == 0 ? k : stride, padding, dilation, 1);
    checkPool("maxPool2d", x, k, p);
    MaxPool2dFn f = new MaxPool2dFn(k, p);
    Tensor values = Function.apply(f, x);
    return new Tensor.ValuesIndices(values, f.indices);
  }

  private static void checkPool(String op, Tensor x, int[] k, Conv2dParams p) {
    checkRank4(op, "input", x);
    if (k[0] < 1 || k[1] < 1) throw new IllegalArgumentException(op + ": kernel must be positive, got " + Arrays.toString(k));
    if (p.padH() * 2 > k[0] || p.padW() * 2 > k[1]) {
      throw new IllegalArgumentException(op + ": padding should be at most half of the kernel, got padding "
          + p.padH() + "x" + p.padW() + " for kernel " + k[0] + "x" + k[1]);
    }
    int ho = p.outH(x.size(2), k[0]), wo = p.outW(x.size(3), k[1]);
    if (ho <= 0 || wo <= 0) {
      throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape()) + " is too small for kernel " + k[0] + "x" + k[1]);
    }
  }

  /** Average pooling (padding counted in the divisor, as PyTorch's default). */
  public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
    int[] k = pair("avgPool2d", "kernel", kernel);
    Conv2dParams p = params("avgPool2d", stride == null || stride.length == 0 ? k : stride, padding, new int[] {1}, 1);
    checkPool("avgPool2d", x, k, p);
    return Function.apply(new AvgPool2dFn(k, p), x);
  }

  /**
   * Adaptive average pooling to {@code outH × outW}: cell (i, j) averages rows
   * floor(i·H/outH) … ceil((i+1)·H/outH) − 1 and likewise for columns, as PyTorch.
   */
  public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
    checkRank4("adaptiveAvgPool2d", "input", x);
    if (outH < 1 || outW < 1) {
      throw new IllegalArgumentException("adaptiveAvgPool2d: output size must be positive, got " + outH + "x" + outW);
    }
    int h = x.size(2), w = x.size(3);
    if (h % outH == 0 && w % outW == 0) {
      int kh = h / outH, kw = w / outW;
      return avgPool2d(x, new int[] {kh, kw}, new int[] {kh, kw}, new int[] {0, 0});
    }
    java.util.List<Tensor> rows = new java.util.ArrayList<>();
    for (int i = 0; i < outH; i++) {
      int h0 = (int) Math.floor((double) i * h / outH), h1 = (int) Math.ceil((double) (i + 1) * h / outH);
      java.util.List<Tensor> cells = new java.util.ArrayList<>();
      for (int j = 0; j < outW; j++) {
        int w0 = (int) Math.floor((double) j * w / outW), w1 = (int) Math.ceil((double) (j + 1) * w / outW);
        cells.add(x.narrow(2, h0, h1 - h0).narrow(3, w0, w1 - w0).mean(new int[] {2, 3}, false));
      }
      rows.add(Tensor.stack(cells, 2));
    }
    return Tensor.stack(rows, 2);
  }

  /**
   * Fused log-softmax + negative log-likelihood per row: logits [N, C], target int64 [N] →
   * loss [N] (0 where target == ignoreIndex). Numerically stable; differentiable twice.
   */
  public static Tensor logSoftmaxNll(Tensor logits, Tensor target, long ignoreIndex) {
    if (logits.dim() != 2) throw new IllegalArgumentException("logSoftmaxNll: expected logits [N, C], got " + Shapes.str(logits.shape()));
    if (target.dtype() != DType.INT64) throw new IllegalArgumentException("logSoftmaxNll: target must be int64, got " + target.dtype());
    if (target.dim() != 1 || target.size(0) != logits.size(0)) {
      throw new IllegalArgumentException("logSoftmaxNll: target " + Shapes.str(target.shape()) + " does not match logits "
          + Shapes.str(logits.shape()));
    }
    return Function.apply(new LogSoftmaxNllFn(ignoreIndex), logits, target);
  }

  /**
   * Batch normalisation over x [N, C, *] as PyTorch's {@code F.batch_norm}. In training mode the batch
   * statistics normalise x and update runningMean / runningVar in place (momentum as PyTorch:
   * {@code running = (1 − momentum)·running + momentum·batch}, the variance unbiased); in evaluation
   * mode the running statistics are used. weight, bias and the running buffers may be null.
   */
  public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                 boolean training, double momentum, double eps) {
    if (x.dim() < 2) throw new IllegalArgumentException("batchNorm: expected input [N, C, *], got " + Shapes.str(x.shape()));
    int c = x.size(1);
    for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias}) {
      if (t != null && (t.dim() != 1 || t.size(0) != c)) {
        throw new IllegalArgumentException("batchNorm: per-channel tensors must have shape [" + c + "], got "
            + Shapes.str(t.shape()) + " for input " + Shapes.str(x.shape()));
      }
    }
    int[] bshape = new int[x.dim()];
    java.util.Arrays.fill(bshape, 1);
    bshape[1] = c;
    if (!training) {
      if (runningMean == null || runningVar == null) {
        throw new IllegalArgumentException("batchNorm: evaluation mode needs running mean and variance");
      }
      Tensor y = x.sub(runningMean.reshape(bshape)).div(runningVar.reshape(bshape).add(eps).sqrt());
      if (weight != null) y = y.mul(weight.reshape(bshape));
      if (bias != null) y = y.add(bias.reshape(bshape));
      return y;
    }
    int m = x.numel() / c;
    if (m <= 1) {
      throw new IllegalArgumentException("batchNorm: expected more than 1 value per channel when training, got input "
          + Shapes.str(x.shape()));
    }
    BatchNormFn f = new BatchNormFn(eps, weight != null, bias != null);
    Tensor w = weight != null ? weight : Tensor.ones(x.dtype(), c).to(x.device());
    Tensor b = bias != null ? bias : Tensor.zeros(x.dtype(), c).to(x.device());
    Tensor y = Function.apply(f, x, w, b);
    if (runningMean != null && runningVar != null) {
      try (var ng = GradMode.noGrad()) {
        Tensor var = f.invstd.square().reciprocal().sub(eps).mul((double) m / (m - 1));
        runningMean.mulInPlace(1 - momentum).addInPlace(f.mean, momentum);
        runningVar.mulInPlace(1 - momentum).addInPlace(var, momentum);
      }
    }
    return y;
  }

  // ------------------------------------------------------------------ Functions

  /** y = conv2d(x, w); dx = convTranspose(g, w) (differentiable), dw = fused weight gradient. */
  static final class Conv2dFn extends Function {
    private final Conv2dParams p;
    private Tensor x, w;

    Conv2dFn(Conv2dParams p) {
      this.p = p;
    }

    @Override
    public String name() {
      return "ConvolutionBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      x = save(in[0]);
      w = save(in[1]);
      return fused(in[0]).conv2d(in[0].raw(), in[1].raw(), p);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor gx = needsInputGrad(0) ? Function.apply(new ConvTranspose2dFn(p, x.shape()), g, w) : null;
      Tensor gw = needsInputGrad(1)
          ? Tensor.fromRaw(fused(g).conv2dBackwardWeight(g.raw(), x.raw(), w.shape(), p)) : null;
      return new Tensor[] {gx, gw};
    }
  }

  /** z = convTranspose(u, w) = conv2d's input gradient; du = conv2d(g, w), dw = fused weight gradient. */
  static final class ConvTranspose2dFn extends Function {
    private final Conv2dParams p;
    private final int[] outShape;
    private Tensor u, w;

    ConvTranspose2dFn(Conv2dParams p, int[] outShape) {
      this.p = p;
      this.outShape = outShape;
    }

    @Override
    public String name() {
      return "ConvolutionTransposeBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      u = save(in[0]);
      w = save(in[1]);
      return fused(in[0]).conv2dBackwardInput(in[0].raw(), in[1].raw(), outShape, p);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor gu = needsInputGrad(0) ? Function.apply(new Conv2dFn(p), g, w) : null;
      // With outputPadding >= stride (allowed when below dilation) the convolution yields extra trailing rows/columns.
      if (gu != null) gu = gu.narrow(2, 0, u.size(2)).narrow(3, 0, u.size(3));
      Tensor gw = needsInputGrad(1)
          ? Tensor.fromRaw(fused(g).conv2dBackwardWeight(u.raw(), g.raw(), w.shape(), p)) : null;
      return new Tensor[] {gu, gw};
    }
  }

  static final class MaxPool2dFn extends Function {
    private final int[] k;
    private final Conv2dParams p;
    Tensor indices;
    private int[] xShape;

    MaxPool2dFn(int[] k, Conv2dParams p) {
      this.k = k;
      this.p = p;
    }

    @Override
    public String name() {
      return "MaxPool2DBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      xShape = in[0].shape();
      RawTensor[] out = fused(in[0]).maxPool2d(in[0].raw(), k[0], k[1], p);
      indices = Tensor.fromRaw(out[1]);
      return out[0];
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {Tensor.fromRaw(fused(g).maxPool2dBackward(g.raw(), indices.raw(), xShape))};
    }
  }

  static final class AvgPool2dFn extends Function {
    private final int[] k;
    private final Conv2dParams p;
    private int[] xShape;

    AvgPool2dFn(int[] k, Conv2dParams p) {
      this.k = k;
      this.p = p;
    }

    @Override
    public String name() {
      return "AvgPool2DBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      xShape = in[0].shape();
      return fused(in[0]).avgPool2d(in[0].raw(), k[0], k[1], p);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {Tensor.fromRaw(fused(g).avgPool2dBackward(g.raw(), xShape, k[0], k[1], p))};
    }
  }

  /** loss_i = logsumexp(x_i) − x_i[t_i]; dx_i = g_i·(softmax(x_i) − onehot(t_i)), zero for ignored rows. */
  static final class LogSoftmaxNllFn extends Function {
    private final long ignoreIndex;
    private Tensor logits, lse, target;

    LogSoftmaxNllFn(long ignoreIndex) {
      this.ignoreIndex = ignoreIndex;
    }

    @Override
    public String name() {
      return "NllLossBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      RawTensor[] out = fused(in[0]).logSoftmaxNll(in[0].raw(), in[1].raw(), ignoreIndex);
      logits = save(in[0]);
      target = save(in[1]);
      lse = Tensor.fromRaw(out[1]);
      return out[0];
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      int c = logits.size(1);
      Tensor keep = target.ne(ignoreIndex);
      Tensor safeTarget = Tensor.where(keep, target, Tensor.zerosLike(target));
      Tensor onehot = safeTarget.oneHot(c).to(logits.dtype());
      // With createGraph the saved logsumexp would hide its own dependence on the logits.
      Tensor softmax = GradMode.isEnabled() ? logits.softmax(1) : logits.sub(lse.unsqueeze(1)).exp();
      Tensor scale = g.mul(keep.to(g.dtype())).unsqueeze(1);
      return new Tensor[] {softmax.sub(onehot).mul(scale), null};
    }
  }

  /** Training batch norm in one fused pass; backward also fused (not differentiable again). */
  static final class BatchNormFn extends Function {
    private final double eps;
    private final boolean hasWeight, hasBias;
    private Tensor x, w;
    Tensor mean, invstd;

    BatchNormFn(double eps, boolean hasWeight, boolean hasBias) {
      this.eps = eps;
      this.hasWeight = hasWeight;
      this.hasBias = hasBias;
    }

    @Override
    public String name() {
      return "NativeBatchNormBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      x = save(in[0]);
      w = save(in[1]);
      RawTensor[] out = fused(in[0]).batchNorm(in[0].raw(), in[1].raw(), in[2].raw(), eps);
      mean = Tensor.fromRaw(out[1]);
      invstd = Tensor.fromRaw(out[2]);
      return out[0];
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      RawTensor[] gr = fused(g).batchNormBackward(g.raw(), x.raw(), w.raw(), mean.raw(), invstd.raw());
      return new Tensor[] {
        Tensor.fromRaw(gr[0]),
        hasWeight ? Tensor.fromRaw(gr[1]) : null,
        hasBias ? Tensor.fromRaw(gr[2]) : null
      };
    }
  }
}
