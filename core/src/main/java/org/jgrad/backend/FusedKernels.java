package org.jgrad.backend;

/**
 * Optional fused kernels a {@link Backend} may offer through {@link Backend#fused()}. Each one
 * computes what a composite of the required primitives computes (the composites in {@code
 * org.jgrad.nn.functional.F} and the in-place updates of {@code Tensor}), only faster or with less
 * memory: they exist because the benchmarks say these steps dominate training time. A backend
 * without them (for example a new device under construction) still runs every model, on the
 * composites. {@link org.jgrad.backend.reference.ReferenceBackend} defines each one with naive
 * loops, and {@code BackendConformanceTest} holds the fast ones to it.
 *
 * <pre>{@code
 * Backend b = x.backend();
 * RawTensor y = b.fused().isPresent()
 *     ? b.fused().get().conv2d(x.raw(), w.raw(), geometry)   // from ConvGeometry.conv2d(...)
 *     : ...;   // the im2col composite
 * }</pre>
 */
public interface FusedKernels {
  // ------------------------------------------------------------ neural-network kernels

  // Each geometry comes from a ConvGeometry factory, which validated the user's arguments; the
  // tensors passed along match it (implementations may assert that, never re-validate).

  /**
   * Cross-correlation of x {@code g.inputShape()} with w {@code g.weightShape()} → {@code
   * g.outputShape()} (no bias).
   */
  RawTensor conv2d(RawTensor x, RawTensor w, ConvGeometry g);

  /**
   * Gradient of conv2d with respect to its input: gy {@code g.outputShape()} → {@code
   * g.inputShape()} (also convTranspose2d).
   */
  RawTensor conv2dBackwardInput(RawTensor gy, RawTensor w, ConvGeometry g);

  /** Gradient of conv2d with respect to its weight: → {@code g.weightShape()}. */
  RawTensor conv2dBackwardWeight(RawTensor gy, RawTensor x, ConvGeometry g);

  /**
   * Max pooling over kH×kW windows (padding and the ceil-mode overhang count as −∞): returns
   * {values, indices}, indices (INT64) being the flat position {@code h·W + w} of each maximum in
   * its input plane.
   */
  RawTensor[] maxPool2d(RawTensor x, ConvGeometry g);

  /** Routes gy back to the recorded maxima: → {@code g.inputShape()}. */
  RawTensor maxPool2dBackward(RawTensor gy, RawTensor indices, ConvGeometry g);

  /**
   * {@link #maxPool2d}'s values alone, for a caller that keeps no indices: exactly {@code
   * maxPool2d(x, g)[0]}, which this default computes.
   */
  default RawTensor maxPool2dValues(RawTensor x, ConvGeometry g) {
    return maxPool2d(x, g)[0];
  }

  /**
   * The gradient of {@code maxPool2d(x, g)[0]} from the pooled input instead of stored indices:
   * exactly {@code maxPool2dBackward(gy, maxPool2d(x, g)[1], g)}, the composite this default runs;
   * a backend may find each window's maximum again without materialising the indices. → {@code
   * g.inputShape()}.
   */
  default RawTensor maxPool2dBackwardFromInput(RawTensor gy, RawTensor x, ConvGeometry g) {
    return maxPool2dBackward(gy, maxPool2d(x, g)[1], g);
  }

  /**
   * ReLU's gradient from its saved output: {@code gy · sign(y)} element-wise, exactly {@code
   * binary(MUL, gy, unary(SIGN, y))} (the composite {@code ReLU}'s backward uses), in one pass
   * without the intermediate. Both have y's shape (either may be a strided or broadcast view); the
   * result is dense.
   */
  RawTensor reluBackward(RawTensor gy, RawTensor y);

  /**
   * Average pooling (dilation 1, no ceil mode); the divisor counts padding (PyTorch's
   * count_include_pad=True).
   */
  RawTensor avgPool2d(RawTensor x, ConvGeometry g);

  /**
   * Spreads each gy value evenly over its window (same divisor as {@link #avgPool2d}): → {@code
   * g.inputShape()}.
   */
  RawTensor avgPool2dBackward(RawTensor gy, ConvGeometry g);

  /**
   * Row-wise log-softmax followed by the negative log-likelihood of int64 targets, for logits [N,
   * C]: returns {loss [N], logsumexp [N]}; rows whose target is {@code ignoreIndex} get loss 0.
   */
  RawTensor[] logSoftmaxNll(RawTensor logits, RawTensor target, long ignoreIndex);

  /**
   * One LSTM cell update from its gate pre-activations, PyTorch's formulation: {@code gates} [B,
   * 4H] holds the blocks i, f, g, o (each H wide, in that order) and {@code c} [B, H] the cell
   * state. Returns {out [2, B, H], acts [B, 5H]}: out[0] = h' = σ(o)·tanh(c') and out[1] = c' =
   * σ(f)·c + σ(i)·tanh(g), each product and the sum rounded on its own (no fused multiply-add, as
   * the composite of element-wise ops rounds them); acts holds σ(i), σ(f), tanh(g), σ(o) and
   * tanh(c') for {@link #lstmCellBackward}. Both inputs are floating point of one dtype.
   */
  RawTensor[] lstmCell(RawTensor gates, RawTensor c);

  /**
   * The gradient of {@link #lstmCell}: {@code gy} [2, B, H] holds ∂L/∂h' and ∂L/∂c', {@code acts}
   * and {@code c} are the forward's. Returns {∂L/∂gates [B, 4H], ∂L/∂c [B, H]}: with dc = ∂L/∂c' +
   * ∂L/∂h'·σ(o)·(1 − tanh²(c')), the gate blocks are dc·tanh(g)·σ(i)(1 − σ(i)), dc·c·σ(f)(1 −
   * σ(f)), dc·σ(i)·(1 − tanh²(g)), ∂L/∂h'·tanh(c')·σ(o)(1 − σ(o)), and ∂L/∂c = dc·σ(f).
   */
  RawTensor[] lstmCellBackward(RawTensor gy, RawTensor acts, RawTensor c);

  /**
   * One GRU cell update, PyTorch's formulation: {@code xGates} [B, 3H] = W_ih·x + b_ih and {@code
   * hGates} [B, 3H] = W_hh·h + b_hh (blocks r, z, n, each H wide) and the hidden state h [B, H].
   * Returns {h' [B, H], acts [B, 3H]}: r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n),
   * h' = (h − n)·z + n, each sum, difference and product rounded on its own; acts holds r, z, n for
   * {@link #gruCellBackward}.
   */
  RawTensor[] gruCell(RawTensor xGates, RawTensor hGates, RawTensor h);

  /**
   * The gradient of {@link #gruCell}: {@code gy} [B, H] is ∂L/∂h'; {@code acts}, {@code hGates} and
   * {@code h} are the forward's. Returns {∂L/∂xGates [B, 3H], ∂L/∂hGates [B, 3H], ∂L/∂h [B, H]}:
   * with dn = gy·(1 − z)·(1 − n²), the x blocks are dr, gy·(h − n)·z(1 − z), dn where dr =
   * dn·h_n·r(1 − r); the h blocks are the same but dn·r for the n block; ∂L/∂h = gy·z.
   */
  RawTensor[] gruCellBackward(RawTensor gy, RawTensor acts, RawTensor hGates, RawTensor h);

  /**
   * Training-mode batch normalisation of x [N, C, *] over all dims but C, in one pass: returns {y,
   * mean [C], invstd [C]} with {@code y = (x − mean)·invstd·weight + bias} and invstd = 1/√(biased
   * var + eps). weight and bias may be null (1 and 0).
   */
  RawTensor[] batchNorm(RawTensor x, RawTensor weight, RawTensor bias, double eps);

  /**
   * Gradients of {@link #batchNorm}: returns {dx, dweight, dbias} (the last two null when weight is
   * null).
   */
  RawTensor[] batchNormBackward(
      RawTensor gy, RawTensor x, RawTensor weight, RawTensor mean, RawTensor invstd);

  // ------------------------------------------------------------ fused in-place updates
  // (optimizers)

  /**
   * {@code target ← target · factor}, in place; factor has target's shape (stride 0 where
   * broadcast).
   */
  void scaleInPlace(RawTensor target, RawTensor factor);

  /**
   * {@code target ← target + alpha · a} when {@code b} is null, else {@code target + alpha · (a ∘
   * b)} with ∘ = {@code combine} (MUL or DIV), in place; a and b have target's shape (stride 0
   * where broadcast).
   */
  void accumulate(RawTensor target, double alpha, RawTensor a, RawTensor b, BinaryOp combine);

  // ------------------------------------------------------------ fused optimizer steps

  /**
   * Hyper-parameters of one {@link #adamStep}: the learning rate, the betas, eps, the weight decay
   * (L2 added to the gradient, or decoupled as in AdamW), maximize, and the 1-based step count the
   * bias corrections use.
   */
  record AdamStep(
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean decoupled,
      boolean maximize,
      long step) {}

  /**
   * One Adam (AdamW when {@code h.decoupled()}) update of one parameter, in place, in one pass over
   * param, grad and the two moment buffers (all of one shape). Per element, with {@code bc1 = 1 −
   * β1^step} and {@code bc2 = 1 − β2^step}:
   *
   * <pre>
   * g = maximize ? −grad : grad;   g += wd·p (not decoupled)   |   p ·= 1 − lr·wd (decoupled)
   * m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²
   * p −= lr/bc1 · m / (√v / √bc2 + eps)
   * </pre>
   *
   * It replaces the eight element-wise passes (and three temporaries) of the composite that {@code
   * optim.Adam} runs on a backend without it.
   */
  void adamStep(RawTensor param, RawTensor grad, RawTensor expAvg, RawTensor expAvgSq, AdamStep h);

  /**
   * Hyper-parameters of one {@link #sgdStep}. {@code firstStep}: the momentum buffer is set to the
   * gradient (PyTorch's first step) instead of being decayed.
   */
  record SgdStep(
      double lr,
      double momentum,
      double dampening,
      boolean nesterov,
      double weightDecay,
      boolean maximize,
      boolean firstStep) {}

  /**
   * One SGD update of one parameter, in place, in one pass; {@code momentumBuffer} is null when
   * {@code h.momentum()} is 0. Per element:
   *
   * <pre>
   * d = (maximize ? −grad : grad) + wd·p
   * buf = firstStep ? d : momentum·buf + (1 − dampening)·d;   d = nesterov ? d + momentum·buf : buf
   * p −= lr·d
   * </pre>
   */
  void sgdStep(RawTensor param, RawTensor grad, RawTensor momentumBuffer, SgdStep h);
}
