package org.jgrad.tensor;

import java.util.Arrays;
import org.jgrad.autograd.Function;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.ConvGeometry;
import org.jgrad.backend.DType;
import org.jgrad.backend.FusedKernels;
import org.jgrad.backend.RawTensor;

/**
 * <b>Internal: use {@code org.jgrad.nn.functional.F}.</b> The autograd Functions over a backend's
 * {@link FusedKernels} (convolution, transposed convolution, pooling, log-softmax + NLL, batch
 * norm), forward beside backward. {@code F} is the one public functional entry: it validates the
 * arguments (the geometry through {@link ConvGeometry}'s factories, dtypes and bias shapes itself),
 * then calls these when the tensor's backend has fused kernels and its composites otherwise. This
 * class stays public only because {@code F} lives in another module; it takes a validated {@link
 * ConvGeometry} and only asserts that the tensors match it.
 *
 * <pre>{@code
 * ConvGeometry g = ConvGeometry.conv2d("conv2d", x.shape(), w.shape(), new int[] {1}, new int[] {1}, new int[] {1}, 1);
 * Tensor y = NeuralOps.conv2d(x, w, b, g);   // what F.conv2d does on a backend with fused kernels
 * }</pre>
 *
 * <p>Second derivatives: the input path of conv2d and convTranspose2d and the whole of
 * logSoftmaxNll are differentiable again; weight gradients and pooling backwards are computed by
 * fused kernels and are not (F's composites are, to any order).
 */
public final class NeuralOps {
  private NeuralOps() {}

  /**
   * The fused kernels of {@code t}'s backend. The Functions below run only on backends that have
   * them; {@code org.jgrad.nn.functional.F} checks {@link #hasFusedKernels} first and uses the
   * composites otherwise.
   */
  static FusedKernels fused(Tensor t) {
    return t.backend()
        .fused()
        .orElseThrow(
            () ->
                new UnsupportedOperationException(
                    "backend '"
                        + t.backend().name()
                        + "' of device "
                        + t.device()
                        + " has no fused kernels; use org.jgrad.nn.functional.F, which falls back to"
                        + " the composites"));
  }

  /** Whether {@code t}'s backend offers fused kernels; when not, callers use the composites. */
  public static boolean hasFusedKernels(Tensor t) {
    return t.backend().fused().isPresent();
  }

  /**
   * 2-D cross-correlation: x {@code g.inputShape()}, w {@code g.weightShape()}, bias [O] or null.
   */
  public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g) {
    assert Arrays.equals(x.shape(), g.inputShape()) && Arrays.equals(w.shape(), g.weightShape())
        : g;
    assert x.dtype() == w.dtype() && x.dtype().isFloatingPoint() : x.dtype() + " / " + w.dtype();
    return bias == null
        ? Function.apply(new Conv2dFn(g), x, w)
        : Function.apply(new Conv2dFn(g), x, w, bias.reshape(1, g.outChannels(), 1, 1));
  }

  /**
   * Transposed convolution of x {@code g.outputShape()} with w {@code g.weightShape()} into {@code
   * g.inputShape()} ({@code g} from {@link ConvGeometry#convTranspose2d}, roles swapped); bias
   * [Cout] or null.
   */
  public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g) {
    assert Arrays.equals(x.shape(), g.outputShape()) && Arrays.equals(w.shape(), g.weightShape())
        : g;
    assert x.dtype() == w.dtype() && x.dtype().isFloatingPoint() : x.dtype() + " / " + w.dtype();
    return bias == null
        ? Function.apply(new ConvTranspose2dFn(g), x, w)
        : Function.apply(new ConvTranspose2dFn(g), x, w, bias.reshape(1, g.inChannels(), 1, 1));
  }

  /**
   * Adds the bias [1, C, 1, 1] (an optional third input) to a convolution's fresh output in place:
   * the very sums of {@code y.add(bias)} (one float addition per element), without a second
   * output-sized tensor (the conv outputs are a training step's largest allocations). Its gradient
   * is the incoming one, which the engine sums back to [1, C, 1, 1] as for the add.
   */
  private static RawTensor withBias(RawTensor y, Tensor[] in) {
    if (in.length > 2) {
      fused(in[0]).accumulate(y, 1.0, Shapes.expandRaw(in[2].raw(), y.shape()), null, null);
    }
    return y;
  }

  /**
   * Max pooling; the gradient goes to the (first) maximum of each window. Without a caller for the
   * indices, none are stored: backward finds the maxima again in the saved input (which the layer
   * before usually keeps anyway), instead of holding int64 indices for every output.
   */
  public static Tensor maxPool2d(Tensor x, ConvGeometry g) {
    assert Arrays.equals(x.shape(), g.inputShape()) : g;
    return Function.apply(new MaxPool2dFn(g, false), x);
  }

  /**
   * Max pooling returning values and the flat in-plane indices of the maxima (PyTorch's
   * return_indices).
   */
  public static Tensor.ValuesIndices maxPool2dWithIndices(Tensor x, ConvGeometry g) {
    assert Arrays.equals(x.shape(), g.inputShape()) : g;
    MaxPool2dFn f = new MaxPool2dFn(g, true);
    Tensor values = Function.apply(f, x);
    return new Tensor.ValuesIndices(values, f.indices);
  }

  /**
   * Average pooling (padding counted in the divisor, as PyTorch's default; dilation 1, no ceil
   * mode).
   */
  public static Tensor avgPool2d(Tensor x, ConvGeometry g) {
    assert Arrays.equals(x.shape(), g.inputShape())
            && g.dilationH() == 1
            && g.dilationW() == 1
            && !g.ceilMode()
        : g;
    return Function.apply(new AvgPool2dFn(g), x);
  }

  /**
   * Fused log-softmax + negative log-likelihood per row: logits [N, C], target int64 [N] → loss [N]
   * (0 where target == ignoreIndex). Numerically stable; differentiable twice.
   */
  public static Tensor logSoftmaxNll(Tensor logits, Tensor target, long ignoreIndex) {
    if (logits.dim() != 2)
      throw new IllegalArgumentException(
          "logSoftmaxNll: expected logits [N, C], got " + Shapes.str(logits.shape()));
    if (target.dtype() != DType.INT64)
      throw new IllegalArgumentException(
          "logSoftmaxNll: target must be int64, got " + target.dtype());
    if (target.dim() != 1 || target.size(0) != logits.size(0)) {
      throw new IllegalArgumentException(
          "logSoftmaxNll: target "
              + Shapes.str(target.shape())
              + " does not match logits "
              + Shapes.str(logits.shape()));
    }
    return Function.apply(new LogSoftmaxNllFn(ignoreIndex), logits, target);
  }

  /**
   * One LSTM cell update from its gate pre-activations (PyTorch's gate order i, f, g, o): gates [B,
   * 4H] and the cell state c [B, H] (one floating dtype, checked by the caller) give [2, B, H]
   * holding h' = σ(o)·tanh(c') and c' = σ(f)·c + σ(i)·tanh(g). One fused pass forward and one
   * backward, instead of a dozen element-wise nodes per time step; the backward is differentiable
   * again (through Tensor operations) when a graph is recorded.
   */
  public static Tensor lstmCell(Tensor gates, Tensor c) {
    assert gates.dim() == 2 && c.dim() == 2 && gates.size(1) == 4 * c.size(1)
        : Shapes.str(gates.shape()) + " / " + Shapes.str(c.shape());
    return Function.apply(new LstmCellFn(), gates, c);
  }

  /**
   * One GRU cell update from the two gate projections (PyTorch's gate order r, z, n): xGates and
   * hGates [B, 3H] and the hidden state h [B, H] (one floating dtype, checked by the caller) give
   * h' = (h − n)·z + n with r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n). One fused
   * pass forward and one backward; the backward is differentiable again when a graph is recorded.
   */
  public static Tensor gruCell(Tensor xGates, Tensor hGates, Tensor h) {
    assert xGates.dim() == 2 && h.dim() == 2 && xGates.size(1) == 3 * h.size(1)
        : Shapes.str(xGates.shape()) + " / " + Shapes.str(h.shape());
    return Function.apply(new GruCellFn(), xGates, hGates, h);
  }

  /**
   * Element-wise binary cross-entropy of probabilities x in [0, 1] against targets t (same shape,
   * no reduction): −(t·log x + (1 − t)·log(1 − x)), each log clamped at −100, as PyTorch's {@code
   * F.binary_cross_entropy(..., reduction='none')}. Its gradient is PyTorch's (x − t) / max(x·(1 −
   * x), 1e-12), finite where a sigmoid output has saturated to exactly 0 or 1; differentiating the
   * clamped logs instead gives 0·∞ = NaN there. The caller checks the shapes and the range.
   */
  public static Tensor binaryCrossEntropy(Tensor x, Tensor t) {
    return Function.apply(new BinaryCrossEntropyFn(), x, t);
  }

  /**
   * Batch normalisation over x [N, C, *] as PyTorch's {@code F.batch_norm}. In training mode the
   * batch statistics normalise x and update runningMean / runningVar in place (momentum as PyTorch:
   * {@code running = (1 − momentum)·running + momentum·batch}, the variance unbiased); in
   * evaluation mode the running statistics are used. weight, bias and the running buffers may be
   * null.
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
    if (x.dim() < 2)
      throw new IllegalArgumentException(
          "batchNorm: expected input [N, C, *], got " + Shapes.str(x.shape()));
    int c = x.size(1);
    for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias}) {
      if (t != null && (t.dim() != 1 || t.size(0) != c)) {
        throw new IllegalArgumentException(
            "batchNorm: per-channel tensors must have shape ["
                + c
                + "], got "
                + Shapes.str(t.shape())
                + " for input "
                + Shapes.str(x.shape()));
      }
    }
    int[] bshape = new int[x.dim()];
    java.util.Arrays.fill(bshape, 1);
    bshape[1] = c;
    if (!training) {
      if (runningMean == null || runningVar == null) {
        throw new IllegalArgumentException(
            "batchNorm: evaluation mode needs running mean and variance");
      }
      Tensor y = x.sub(runningMean.reshape(bshape)).div(runningVar.reshape(bshape).add(eps).sqrt());
      if (weight != null) y = y.mul(weight.reshape(bshape));
      if (bias != null) y = y.add(bias.reshape(bshape));
      return y;
    }
    int m = x.numel() / c;
    if (m <= 1) {
      throw new IllegalArgumentException(
          "batchNorm: expected more than 1 value per channel when training, got input "
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
    private final ConvGeometry geom;
    private Tensor x, w;
    private boolean hasBias;

    Conv2dFn(ConvGeometry geom) {
      this.geom = geom;
    }

    @Override
    public String name() {
      return "ConvolutionBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      x = save(in[0]);
      w = save(in[1]);
      hasBias = in.length > 2;
      return withBias(fused(in[0]).conv2d(in[0].raw(), in[1].raw(), geom), in);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor gx = needsInputGrad(0) ? Function.apply(new ConvTranspose2dFn(geom), g, w) : null;
      Tensor gw =
          needsInputGrad(1)
              ? Tensor.fromRaw(fused(g).conv2dBackwardWeight(g.raw(), x.raw(), geom))
              : null;
      return hasBias ? new Tensor[] {gx, gw, needsInputGrad(2) ? g : null} : new Tensor[] {gx, gw};
    }
  }

  /**
   * z = convTranspose(u, w) = conv2d's input gradient; du = conv2d(g, w), dw = fused weight
   * gradient. The geometry's output is u's size even when outputPadding >= stride made z longer
   * than u strictly needs.
   */
  static final class ConvTranspose2dFn extends Function {
    private final ConvGeometry geom;
    private Tensor u, w;
    private boolean hasBias;

    ConvTranspose2dFn(ConvGeometry geom) {
      this.geom = geom;
    }

    @Override
    public String name() {
      return "ConvolutionTransposeBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      u = save(in[0]);
      w = save(in[1]);
      hasBias = in.length > 2;
      return withBias(fused(in[0]).conv2dBackwardInput(in[0].raw(), in[1].raw(), geom), in);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor gu = needsInputGrad(0) ? Function.apply(new Conv2dFn(geom), g, w) : null;
      Tensor gw =
          needsInputGrad(1)
              ? Tensor.fromRaw(fused(g).conv2dBackwardWeight(u.raw(), g.raw(), geom))
              : null;
      return hasBias ? new Tensor[] {gu, gw, needsInputGrad(2) ? g : null} : new Tensor[] {gu, gw};
    }
  }

  /** Stores the indices when the caller wants them, else the input to find the maxima again. */
  static final class MaxPool2dFn extends Function {
    private final ConvGeometry geom;
    private final boolean withIndices;
    Tensor indices;
    private Tensor input;

    MaxPool2dFn(ConvGeometry geom, boolean withIndices) {
      this.geom = geom;
      this.withIndices = withIndices;
    }

    @Override
    public String name() {
      return "MaxPool2DBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      if (!withIndices) {
        input = save(in[0]);
        return fused(in[0]).maxPool2dValues(in[0].raw(), geom);
      }
      RawTensor[] out = fused(in[0]).maxPool2d(in[0].raw(), geom);
      indices = Tensor.fromRaw(out[1]);
      return out[0];
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      RawTensor gx =
          withIndices
              ? fused(g).maxPool2dBackward(g.raw(), indices.raw(), geom)
              : fused(g).maxPool2dBackwardFromInput(g.raw(), input.raw(), geom);
      return new Tensor[] {Tensor.fromRaw(gx)};
    }
  }

  static final class AvgPool2dFn extends Function {
    private final ConvGeometry geom;

    AvgPool2dFn(ConvGeometry geom) {
      this.geom = geom;
    }

    @Override
    public String name() {
      return "AvgPool2DBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      return fused(in[0]).avgPool2d(in[0].raw(), geom);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {Tensor.fromRaw(fused(g).avgPool2dBackward(g.raw(), geom))};
    }
  }

  /**
   * loss_i = logsumexp(x_i) − x_i[t_i]; dx_i = g_i·(softmax(x_i) − onehot(t_i)), zero for ignored
   * rows.
   */
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
      Tensor softmax =
          GradMode.isEnabled() ? logits.softmax(1) : logits.sub(lse.unsqueeze(1)).exp();
      Tensor scale = g.mul(keep.to(g.dtype())).unsqueeze(1);
      return new Tensor[] {softmax.sub(onehot).mul(scale), null};
    }
  }

  /**
   * loss = −(t·log x + (1 − t)·log(1 − x)) with clamped logs; dx = g·(x − t) / max(x(1 − x), ε), dt
   * = g·(log(1 − x) − log x). Backward uses only saved inputs, so it is differentiable again.
   */
  static final class BinaryCrossEntropyFn extends Function {
    /** PyTorch's EPSILON in binary_cross_entropy_backward. */
    private static final double EPS = 1e-12;

    private Tensor x, t;

    @Override
    public String name() {
      return "BinaryCrossEntropyBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      x = save(in[0]);
      t = save(in[1]);
      return t.mul(logX(x)).add(t.neg().add(1).mul(log1mX(x))).neg().raw();
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor gx = null, gt = null;
      if (needsInputGrad(0)) gx = g.mul(x.sub(t)).div(x.mul(x.neg().add(1)).clampMin(EPS));
      if (needsInputGrad(1)) gt = g.mul(log1mX(x).sub(logX(x)));
      return new Tensor[] {gx, gt};
    }

    private static Tensor logX(Tensor x) {
      return x.log().clampMin(-100);
    }

    private static Tensor log1mX(Tensor x) {
      return x.neg().add(1).log().clampMin(-100);
    }
  }

  /** See {@link #lstmCell}; the forward's activations are kept for the backward pass. */
  static final class LstmCellFn extends Function {
    private Tensor gates, c;
    private RawTensor acts;

    @Override
    public String name() {
      return "LstmCellBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      gates = save(in[0]);
      c = save(in[1]);
      RawTensor[] r = fused(in[0]).lstmCell(in[0].raw(), in[1].raw());
      acts = r[1];
      return r[0];
    }

    @Override
    protected Tensor[] backward(Tensor gy) {
      if (!GradMode.isEnabled()) {
        RawTensor[] r = fused(gy).lstmCellBackward(gy.raw(), acts, c.raw());
        return new Tensor[] {Tensor.fromRaw(r[0]), needsInputGrad(1) ? Tensor.fromRaw(r[1]) : null};
      }
      // A graph is being recorded (create_graph): the same formulas as Tensor operations on the
      // saved inputs, so that this gradient can be differentiated again.
      int h = c.size(1);
      Tensor i = gates.narrow(1, 0, h).sigmoid(), f = gates.narrow(1, h, h).sigmoid();
      Tensor g = gates.narrow(1, 2 * h, h).tanh(), o = gates.narrow(1, 3 * h, h).sigmoid();
      Tensor tc = f.mul(c).add(i.mul(g)).tanh();
      Tensor gh = gy.select(0, 0), gc = gy.select(0, 1);
      Tensor dc = gc.add(gh.mul(o).mul(tc.mul(tc).neg().add(1)));
      Tensor di = dc.mul(g).mul(i).mul(i.neg().add(1));
      Tensor df = dc.mul(c).mul(f).mul(f.neg().add(1));
      Tensor dg = dc.mul(i).mul(g.mul(g).neg().add(1));
      Tensor dO = gh.mul(tc).mul(o).mul(o.neg().add(1));
      return new Tensor[] {Tensor.cat(java.util.List.of(di, df, dg, dO), 1), dc.mul(f)};
    }
  }

  /** See {@link #gruCell}; the forward's activations are kept for the backward pass. */
  static final class GruCellFn extends Function {
    private Tensor xGates, hGates, h;
    private RawTensor acts;

    @Override
    public String name() {
      return "GruCellBackward";
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      xGates = save(in[0]);
      hGates = save(in[1]);
      h = save(in[2]);
      RawTensor[] r = fused(in[0]).gruCell(in[0].raw(), in[1].raw(), in[2].raw());
      acts = r[1];
      return r[0];
    }

    @Override
    protected Tensor[] backward(Tensor gy) {
      if (!GradMode.isEnabled()) {
        RawTensor[] r = fused(gy).gruCellBackward(gy.raw(), acts, hGates.raw(), h.raw());
        return new Tensor[] {
          needsInputGrad(0) ? Tensor.fromRaw(r[0]) : null,
          needsInputGrad(1) ? Tensor.fromRaw(r[1]) : null,
          needsInputGrad(2) ? Tensor.fromRaw(r[2]) : null
        };
      }
      // A graph is being recorded (create_graph): the same formulas as Tensor operations on the
      // saved inputs, so that this gradient can be differentiated again.
      int w = h.size(1);
      Tensor hn = hGates.narrow(1, 2 * w, w);
      Tensor r = xGates.narrow(1, 0, w).add(hGates.narrow(1, 0, w)).sigmoid();
      Tensor z = xGates.narrow(1, w, w).add(hGates.narrow(1, w, w)).sigmoid();
      Tensor n = xGates.narrow(1, 2 * w, w).add(r.mul(hn)).tanh();
      Tensor dn = gy.mul(z.neg().add(1)).mul(n.mul(n).neg().add(1));
      Tensor dz = gy.mul(h.sub(n)).mul(z).mul(z.neg().add(1));
      Tensor dr = dn.mul(hn).mul(r).mul(r.neg().add(1));
      return new Tensor[] {
        Tensor.cat(java.util.List.of(dr, dz, dn), 1),
        Tensor.cat(java.util.List.of(dr, dz, dn.mul(r)), 1),
        gy.mul(z)
      };
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
      RawTensor[] gr =
          fused(g).batchNormBackward(g.raw(), x.raw(), w.raw(), mean.raw(), invstd.raw());
      return new Tensor[] {
        Tensor.fromRaw(gr[0]),
        hasWeight ? Tensor.fromRaw(gr[1]) : null,
        hasBias ? Tensor.fromRaw(gr[2]) : null
      };
    }
  }
}
