package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.autograd.Function;
import org.jgrad.backend.DType;
import org.jgrad.backend.RawTensor;
import org.jgrad.nn.functional.CompositeOps;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference gradient checks in float64: every function of F (fused and composite paths)
 * with core's {@link GradCheck} (full Jacobian), second derivatives through the composites, and the
 * recurrent/attention layers with respect to inputs and parameters ({@link ParamGradCheck}).
 */
class GradCheckTest {
  static final int[] ONE = {1}, TWO = {2};

  static int[] a(int... v) {
    return v;
  }

  static Tensor leaf(long seed, int... shape) {
    return ParamGradCheck.leaf(seed, shape);
  }

  static void check(GradCheck.Fn f, Tensor... xs) {
    GradCheck.check(f, xs);
  }

  @Test
  void linearAndBilinear() {
    check(x -> F.linear(x[0], x[1], x[2]), leaf(1, 2, 3), leaf(2, 4, 3), leaf(3, 4));
    check(
        x -> F.bilinear(x[0], x[1], x[2], x[3]),
        leaf(4, 2, 2),
        leaf(5, 2, 3),
        leaf(6, 2, 2, 3),
        leaf(7, 2));
  }

  @Test
  void conv2dWithStridePaddingDilationGroups() {
    Tensor x = leaf(1, 1, 2, 5, 6), w = leaf(2, 4, 1, 3, 2), b = leaf(3, 4);
    check(t -> F.conv2d(t[0], t[1], t[2], a(2, 1), a(1, 0), a(1, 2), 2), x, w, b);
    check(t -> CompositeOps.conv2d(t[0], t[1], t[2], a(2, 1), a(1, 0), a(1, 2), 2), x, w, b);
    Tensor w2 = leaf(4, 2, 2, 2, 3);
    check(t -> F.conv2d(t[0], t[1], null, ONE, "same", ONE, 1), x, w2);
  }

  @Test
  void conv1d() {
    check(
        t -> F.conv1d(t[0], t[1], t[2], 2, 1, 2, 1),
        leaf(1, 2, 2, 7),
        leaf(2, 3, 2, 3),
        leaf(3, 3));
    check(t -> F.conv1d(t[0], t[1], null, 1, "same", 1, 2), leaf(4, 1, 2, 6), leaf(5, 4, 1, 4));
  }

  @Test
  void convTranspose2d() {
    Tensor x = leaf(1, 1, 2, 3, 3), w = leaf(2, 2, 2, 3, 2), b = leaf(3, 2);
    check(t -> F.convTranspose2d(t[0], t[1], t[2], a(2, 1), a(1, 0), a(1, 0), 1, ONE), x, w, b);
    check(
        t -> CompositeOps.convTranspose2d(t[0], t[1], t[2], a(2, 1), a(1, 0), a(1, 0), 1, ONE),
        x,
        w,
        b);
    Tensor wg = leaf(4, 2, 1, 2, 2);
    check(t -> F.convTranspose2d(t[0], t[1], null, a(2, 3), a(1, 2), a(0, 2), 2, ONE), x, wg);
    check(
        t -> F.convTranspose2d(t[0], t[1], null, ONE, a(0, 1), a(1, 0), 2, a(2, 1)),
        x,
        wg); // outputPadding >= stride
  }

  @Test
  void pooling() {
    Tensor x = leaf(1, 1, 2, 5, 6);
    check(t -> F.maxPool2d(t[0], a(3, 2), a(2, 1), a(1, 0), a(1, 2), true), x);
    check(t -> CompositeOps.maxPool2d(t[0], a(3, 2), a(2, 1), a(1, 0), a(1, 2), true), x);
    check(t -> F.avgPool2d(t[0], a(3, 3), TWO, ONE, true), x);
    check(t -> F.avgPool2d(t[0], a(3, 2), a(1, 2), a(1, 1), false), x);
    check(t -> CompositeOps.avgPool2d(t[0], a(3, 2), a(1, 2), a(1, 1), false), x);
    check(t -> F.adaptiveAvgPool2d(t[0], 3, 4), x);
    check(t -> F.adaptiveAvgPool2d(t[0], 5, 2), x);
  }

  @Test
  void interpolation() {
    Tensor x = leaf(1, 1, 2, 3, 4);
    check(t -> F.interpolate(t[0], a(5, 7), null, "nearest", false), x);
    check(t -> F.interpolate(t[0], null, new double[] {1.7}, "bilinear", false), x);
    check(t -> F.interpolate(t[0], a(2, 6), null, "bilinear", true), x);
  }

  @Test
  void normalisation() {
    Tensor rm = Tensor.zeros(DType.FLOAT64, 3), rv = Tensor.ones(DType.FLOAT64, 3);
    Tensor x = leaf(1, 4, 3, 2), w = leaf(2, 3), b = leaf(3, 3);
    check(t -> F.batchNorm(t[0], rm, rv, t[1], t[2], true, 0.1, 1e-5), x, w, b);
    check(t -> F.batchNorm(t[0], rm, rv, t[1], t[2], false, 0.1, 1e-5), x, w, b);
    check(t -> CompositeOps.batchNorm(t[0], rm, rv, t[1], t[2], true, 0.1, 1e-5), x, w, b);
    check(t -> F.layerNorm(t[0], a(3, 2), t[1], t[2], 1e-5), x, leaf(4, 3, 2), leaf(5, 3, 2));
  }

  @Test
  void embeddingAndDropout() {
    Tensor idx = Tensor.ofLongs(new long[] {1, 4, 1, 0}, 2, 2);
    check(t -> F.embedding(idx, t[0], null), leaf(1, 5, 3));
    check(
        t -> F.dropout(t[0], 0.4, true, new Generator(3)),
        leaf(2, 4, 5)); // same mask on every call
    check(t -> F.dropout2d(t[0], 0.5, true, new Generator(4)), leaf(3, 2, 3, 2, 2));
  }

  @Test
  void activations() {
    Tensor x = leaf(1, 3, 4);
    check(t -> F.gelu(t[0], "tanh"), x);
    check(t -> F.softplus(t[0], 2, 1.5), x);
    check(t -> F.logSoftmax(t[0], 0), x);
    check(t -> F.elu(t[0], 0.7), x);
  }

  @Test
  void attention() {
    Tensor mask =
        Tensor.ofLongs(new long[] {0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0}, 3, 5).ne(0);
    check(
        t -> F.scaledDotProductAttention(t[0], t[1], t[2], mask, 0, false, null).output(),
        leaf(1, 2, 3, 4),
        leaf(2, 2, 5, 4),
        leaf(3, 2, 5, 2));
  }

  @Test
  void regressionLosses() {
    Tensor x = leaf(1, 3, 4), t = leaf(2, 3, 4);
    check(v -> F.mseLoss(v[0], v[1]), x, t);
    check(v -> F.l1Loss(v[0], v[1], Reduction.SUM), x, t);
    check(v -> F.smoothL1Loss(v[0], v[1], Reduction.MEAN, 0.8), x, t);
    check(v -> F.huberLoss(v[0], v[1], Reduction.NONE, 1.2), x, t);
  }

  @Test
  void binaryLosses() {
    Tensor t = Tensor.rand(new Generator(2), 3, 4).gt(0.5).to(DType.FLOAT64);
    Tensor z = leaf(1, 3, 4), w = leaf(3, 3, 4), pw = leaf(4, 4);
    check(v -> F.binaryCrossEntropy(v[0].sigmoid(), t, v[1], Reduction.MEAN), z, w);
    check(v -> F.binaryCrossEntropyWithLogits(v[0], t, v[1], v[2], Reduction.SUM), z, w, pw);
    // Soft targets: the gradient reaches the target too, and backward is itself differentiable.
    Tensor soft = leaf(5, 3, 4);
    check(v -> F.binaryCrossEntropy(v[0].sigmoid(), v[1].sigmoid(), null, Reduction.SUM), z, soft);
    GradCheck.checkGradGrad(
        v -> F.binaryCrossEntropy(v[0].sigmoid(), v[1].sigmoid(), null, Reduction.MEAN), z, soft);
  }

  @Test
  void classificationLosses() {
    Tensor x = leaf(1, 5, 4), cw = leaf(2, 4).abs().add(0.5).detach().requiresGrad(true);
    Tensor y = Tensor.ofLongs(new long[] {1, 3, -100, 0, 3}, 5);
    check(v -> F.crossEntropy(v[0], y, v[1], -100, Reduction.MEAN, 0.2), x, cw);
    check(v -> F.crossEntropy(v[0], y, null, -100, Reduction.NONE, 0), x);
    check(
        v -> F.crossEntropy(v[0], v[1].softmax(1), v[2], -100, Reduction.MEAN, 0.1),
        x,
        leaf(3, 5, 4),
        cw);
    Tensor yk = Tensor.ofLongs(new long[] {0, 2, 1, 1, 2, 0, -100, 1}, 2, 2, 2);
    check(v -> F.nllLoss(v[0].logSoftmax(1), yk, null, -100, Reduction.NONE), leaf(4, 2, 3, 2, 2));
    check(v -> F.crossEntropy(v[0], yk, null, -100, Reduction.SUM, 0), leaf(4, 2, 3, 2, 2));
    Tensor q = leaf(5, 3, 4), tq = leaf(6, 3, 4);
    check(v -> F.klDiv(v[0].logSoftmax(1), v[1].softmax(1), Reduction.BATCHMEAN, false), q, tq);
    check(v -> F.klDiv(v[0].logSoftmax(1), v[1].logSoftmax(1), Reduction.MEAN, true), q, tq);
  }

  /**
   * The composites are differentiable twice (the fused kernels' weight and pooling gradients are
   * not).
   */
  @Test
  void secondDerivativesThroughTheComposites() {
    Tensor x = leaf(1, 1, 2, 4, 4), w = leaf(2, 2, 2, 2, 2);
    GradCheck.checkGradGrad(
        t -> CompositeOps.conv2d(t[0], t[1], null, ONE, ONE, ONE, 1).tanh(), x, w);
    GradCheck.checkGradGrad(
        t -> CompositeOps.convTranspose2d(t[0], t[1], null, TWO, ONE, ONE, 1, ONE).tanh(), x, w);
    GradCheck.checkGradGrad(
        t -> CompositeOps.maxPool2d(t[0].mul(t[0]), TWO, null, a(0), ONE, false), x);
    GradCheck.checkGradGrad(
        t -> CompositeOps.batchNorm(t[0], null, null, null, null, true, 0.1, 1e-5),
        leaf(3, 3, 2, 2));
  }

  private static List<Tensor> leaves(Module m, Tensor... inputs) {
    List<Tensor> out = new ArrayList<>(List.of(inputs));
    out.addAll(m.parameters());
    return out;
  }

  @Test
  void recurrentLayers() {
    Tensor.manualSeed(5);
    Tensor x = leaf(1, 3, 2, 2), h0 = leaf(2, 2, 2, 3), c0 = leaf(3, 2, 2, 3);
    RNN rnn = new RNN(2, 3, 2, "tanh", true, false, 0);
    rnn.to(DType.FLOAT64);
    ParamGradCheck.check(
        "RNN",
        () -> {
          RNNBase.Output o = rnn.forward(x, h0);
          return o.output().sum().add(o.hN().square().sum());
        },
        leaves(rnn, x, h0));
    LSTM lstm = new LSTM(2, 3, 2, true, true, 0);
    lstm.to(DType.FLOAT64);
    Tensor xb = leaf(5, 2, 3, 2); // batch first: [N, L, in]
    ParamGradCheck.check(
        "LSTM",
        () -> {
          LSTM.Output o = lstm.forward(xb, h0, c0);
          return o.output().sum().add(o.cN().mul(o.hN()).sum());
        },
        leaves(lstm, xb, h0, c0));
    GRU gru = new GRU(2, 3, 1, true, false, 0);
    gru.to(DType.FLOAT64);
    Tensor g0 = leaf(4, 1, 2, 3);
    ParamGradCheck.check("GRU", () -> gru.forward(x, g0).output(), leaves(gru, x, g0));
  }

  @Test
  void attentionLayers() {
    Tensor.manualSeed(6);
    MultiheadAttention mha = new MultiheadAttention(4, 2);
    mha.to(DType.FLOAT64);
    Tensor q = leaf(1, 2, 2, 4), kv = leaf(2, 3, 2, 4);
    Tensor kpm = Tensor.ofLongs(new long[] {0, 0, 1, 0, 1, 0}, 2, 3).ne(0);
    ParamGradCheck.check(
        "MultiheadAttention",
        () -> {
          MultiheadAttention.Output o = mha.forward(q, kv, kv, kpm, true, null, true);
          return o.output().sum().add(o.weights().mul(o.weights()).sum());
        },
        leaves(mha, q, kv));
    TransformerEncoderLayer enc = new TransformerEncoderLayer(4, 2, 6, 0, "gelu", 1e-5, true, true);
    enc.to(DType.FLOAT64);
    Tensor src = leaf(3, 2, 3, 4);
    ParamGradCheck.check(
        "TransformerEncoderLayer pre-norm", () -> enc.forward(src, null, kpm), leaves(enc, src));
    TransformerEncoderLayer post =
        new TransformerEncoderLayer(4, 2, 6, 0, "relu", 1e-5, false, false);
    post.to(DType.FLOAT64);
    ParamGradCheck.check(
        "TransformerEncoderLayer post-norm", () -> post.call(src), leaves(post, src));
    TransformerEncoder stack =
        new TransformerEncoder(
            i -> new TransformerEncoderLayer(4, 2, 6, 0, "gelu", 1e-5, true, true),
            2,
            new LayerNorm(4));
    stack.to(DType.FLOAT64);
    ParamGradCheck.check(
        "TransformerEncoder pre-norm, final norm",
        () -> stack.forward(src, null, kpm),
        leaves(stack, src));
  }

  @Test
  void convolutionalLayersWithTheirParameters() {
    Tensor.manualSeed(8);
    Sequential net =
        new Sequential(
            new Conv2d(2, 3, 3, 1, 1),
            new BatchNorm2d(3),
            new ELU(),
            new MaxPool2d(2),
            new ConvTranspose2d(3, 2, 2, 2, 0, 0),
            new Flatten(),
            new Linear(32, 3));
    net.to(DType.FLOAT64);
    Tensor x = leaf(1, 2, 2, 4, 4);
    ParamGradCheck.check("conv net", () -> net.call(x), leaves(net, x));
  }

  /** The module checker itself catches a wrong backward (here d(x³)/dx written as 2x²). */
  @Test
  void detectsAWrongGradient() {
    final class WrongCube extends Function {
      private Tensor x;

      @Override
      protected RawTensor forward(Tensor... in) {
        x = save(in[0]);
        return in[0].mul(in[0]).mul(in[0]).raw();
      }

      @Override
      protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.mul(x.square()).mul(2)};
      }
    }
    Tensor x = leaf(1, 3);
    assertThrows(
        AssertionError.class,
        () -> ParamGradCheck.check("wrong cube", () -> Function.apply(new WrongCube(), x), x));
  }
}
