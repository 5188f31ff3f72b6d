package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.DType;
import org.jgrad.nn.functional.CompositeOps;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Train/eval behaviour, randomness, default initialisation and error messages of the layers. */
class LayerBehaviourTest {
  interface Code {
    void run();
  }

  static void fails(String expectedFragment, Code code) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, code::run);
    assertTrue(
        e.getMessage().contains(expectedFragment),
        "expected '" + expectedFragment + "' in: " + e.getMessage());
  }

  @Test
  void dropoutZeroesAboutPAndScalesTheRestInTrainingOnly() {
    Dropout d = new Dropout(0.3, new Generator(11));
    Tensor x = Tensor.ones(200, 100);
    double[] y = d.call(x).toDoubleArray();
    int zeros = 0;
    for (double v : y) {
      if (v == 0) zeros++;
      else assertEquals(1 / 0.7, v, 1e-6);
    }
    assertEquals(0.3, zeros / 20000.0, 0.015); // 5 standard deviations
    d.eval();
    assertTrue(d.call(x) == x, "identity in eval mode");
    Dropout a = new Dropout(0.5, new Generator(3)), b = new Dropout(0.5, new Generator(3));
    Check.equal("same seed, same mask", a.call(x), b.call(x));
    Check.equal(
        "p = 1 zeroes everything", Tensor.zeros(3, 3), F.dropout(Tensor.ones(3, 3), 1, true));
    fails("probability", () -> new Dropout(1.5));
  }

  @Test
  void dropoutGradientUsesTheSameMask() {
    Tensor x = Tensor.ones(10, 10).requiresGrad(true);
    Tensor y = F.dropout(x, 0.5, true, new Generator(5));
    y.sum().backward();
    Check.equal("grad equals mask/(1-p)", y.detach(), x.grad());
  }

  @Test
  void dropout2dZeroesWholeChannels() {
    Dropout2d d = new Dropout2d(0.5, new Generator(8));
    Tensor y = d.call(Tensor.ones(4, 8, 3, 3));
    int dropped = 0;
    for (int n = 0; n < 4; n++) {
      for (int c = 0; c < 8; c++) {
        Tensor ch = y.select(0, n).select(0, c);
        double first = ch.get(0, 0);
        assertTrue(first == 0 || first == 2.0);
        Check.equal("channel is constant", Tensor.full(first, 3, 3), ch);
        if (first == 0) dropped++;
      }
    }
    assertTrue(dropped > 4 && dropped < 28, "dropped " + dropped + " of 32 channels");
    d.eval();
    Check.equal("eval", Tensor.ones(1, 2, 2, 2), d.call(Tensor.ones(1, 2, 2, 2)));
    fails("4-D", () -> F.dropout2d(Tensor.ones(2, 2), 0.5, true));
  }

  @Test
  void batchNormUsesBatchStatisticsInTrainingAndRunningStatisticsInEval() {
    Tensor.manualSeed(3);
    BatchNorm1d bn = new BatchNorm1d(3);
    Tensor x = Tensor.randn(64, 3).mul(3).add(2);
    Tensor y = bn.call(x);
    Check.close(
        "training output has zero mean", Tensor.zeros(3), y.mean(0, false).add(1).sub(1), 1e-5);
    Check.close(
        "and unit (biased) variance", Tensor.ones(3), y.var(new int[] {0}, false, false), 1e-4);
    // running = 0.9 * init + 0.1 * batch (unbiased variance)
    Check.close("running mean", x.mean(0, false).mul(0.1), bn.runningMean());
    Check.close(
        "running var", x.var(new int[] {0}, true, false).mul(0.1).add(0.9), bn.runningVar());
    assertEquals(1, bn.stateDict().get("num_batches_tracked").item());
    bn.eval();
    Tensor before = bn.runningMean().clone();
    Tensor z = bn.call(x);
    Check.close(
        "eval uses running statistics",
        x.sub(bn.runningMean()).div(bn.runningVar().add(1e-5).sqrt()),
        z);
    Check.equal("eval does not update the statistics", before, bn.runningMean());
    assertEquals(1, bn.stateDict().get("num_batches_tracked").item());
    bn.resetRunningStats();
    Check.equal("reset", Tensor.ones(3), bn.runningVar());
  }

  @Test
  void batchNormCumulativeMomentumAveragesAllBatches() {
    BatchNorm2d bn = new BatchNorm2d(2, 1e-5, null, false, true);
    Tensor sum = Tensor.zeros(2);
    for (int i = 0; i < 4; i++) {
      Tensor x = Tensor.randn(new Generator(i), 3, 2, 2, 2).add(i);
      bn.call(x);
      sum = sum.add(x.mean(new int[] {0, 2, 3}, false));
    }
    Check.close("cumulative average", sum.div(4), bn.runningMean());
    fails("more than 1 value per channel", () -> bn.call(Tensor.randn(1, 2, 1, 1)));
    fails("expected 4-D input", () -> bn.call(Tensor.randn(3, 2)));
    fails("expected 2 channels", () -> bn.call(Tensor.randn(3, 4, 2, 2)));
  }

  @Test
  void defaultInitialisationFollowsPyTorch() {
    Tensor.manualSeed(42);
    Linear l = new Linear(400, 50);
    double bound = 1 / Math.sqrt(400);
    assertTrue(l.weight().abs().max().item() <= bound);
    assertTrue(l.weight().abs().max().item() > 0.95 * bound, "spans the whole range");
    assertTrue(l.bias().abs().max().item() <= bound);
    // U(-b, b) has variance b²/3.
    assertEquals(bound * bound / 3, l.weight().var().item(), 0.1 * bound * bound / 3);
    Conv2d c =
        new Conv2d(
            8, 4, new int[] {3, 5}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2, true);
    double cb = 1 / Math.sqrt(4 * 3 * 5);
    assertTrue(c.weight().abs().max().item() <= cb && c.weight().abs().max().item() > 0.9 * cb);
    ConvTranspose2d ct = new ConvTranspose2d(6, 4, 3);
    double tb = 1 / Math.sqrt(4 * 9); // fan_in from weight dim 1 (out channels), as PyTorch
    assertTrue(ct.weight().abs().max().item() <= tb && ct.weight().abs().max().item() > 0.9 * tb);
    Embedding e = new Embedding(1000, 20, 3);
    assertEquals(1.0, e.weight().std().item(), 0.05);
    Check.equal("padding row is zero", Tensor.zeros(20), e.weight().select(0, 3));
    LSTM lstm = new LSTM(5, 10);
    assertTrue(lstm.parameter("weight_hh_l0").abs().max().item() <= 1 / Math.sqrt(10));
    MultiheadAttention mha = new MultiheadAttention(8, 2);
    assertTrue(mha.parameter("in_proj_weight").abs().max().item() <= Math.sqrt(6.0 / (8 + 24)));
    Check.equal("in_proj_bias", Tensor.zeros(24), mha.parameter("in_proj_bias"));
    Check.equal("out_proj.bias", Tensor.zeros(8), mha.outProj().bias());
    // Same seed, same model.
    Tensor.manualSeed(9);
    Tensor w1 = new Linear(3, 3).weight().detach().clone();
    Tensor.manualSeed(9);
    Check.equal("reproducible", w1, new Linear(3, 3).weight());
  }

  @Test
  void embeddingPaddingRowGetsNoGradient() {
    Embedding e = new Embedding(4, 2, 0);
    Tensor out = e.call(Tensor.ofLongs(new long[] {0, 1, 0, 3}, 4));
    out.sum().backward();
    Check.equal("grad", Tensor.of(new float[] {0, 0, 1, 1, 0, 0, 1, 1}, 4, 2), e.weight().grad());
    fails("out of range", () -> e.call(Tensor.ofLongs(new long[] {4}, 1)));
    fails("int64", () -> e.call(Tensor.zeros(2)));
  }

  @Test
  void shapeAndDtypeErrorsNameTheOpAndShapes() {
    fails("linear: input [2, 5] has 5 features", () -> new Linear(3, 2).call(Tensor.zeros(2, 5)));
    fails("float64", () -> new Linear(3, 2).call(Tensor.zeros(DType.FLOAT64, 2, 3)));
    fails(
        "expects input to have 3 channels, but got 2",
        () -> new Conv2d(3, 4, 3).call(Tensor.zeros(1, 2, 5, 5)));
    fails("4-D input", () -> new Conv2d(3, 4, 3).call(Tensor.zeros(3, 5)));
    fails(
        "smaller than the effective kernel",
        () -> new Conv2d(1, 1, 5).call(Tensor.zeros(1, 1, 3, 3)));
    fails(
        "not supported for strided",
        () ->
            new Conv2d(
                1, 1, new int[] {3, 3}, new int[] {2, 2}, "same", new int[] {1, 1}, 1, true));
    fails(
        "divisible by groups",
        () ->
            new Conv2d(
                3,
                4,
                new int[] {3, 3},
                new int[] {1, 1},
                new int[] {0, 0},
                new int[] {1, 1},
                2,
                true));
    fails(
        "output padding must be smaller",
        () -> new ConvTranspose2d(1, 1, 3, 1, 0, 1).call(Tensor.zeros(1, 1, 3, 3)));
    // A stride so large that the output size overflows int (3 * 2^30 + 3), or whose plane overflows
    // the
    // element count, is named as such rather than failing later with a negative size.
    fails(
        "convTranspose2d: output size 3221225475 x 3221225475 (for input [1, 1, 4, 4], weight [1, 1, 3, 3], stride"
            + " [1073741824, 1073741824], padding [0, 0], dilation [1, 1]) is too large: a tensor holds at most 2147483647"
            + " elements",
        () -> new ConvTranspose2d(1, 1, 3, 1 << 30, 0, 0).call(Tensor.zeros(1, 1, 4, 4)));
    fails(
        "output size 4128771 x 4128771",
        () -> new ConvTranspose2d(1, 1, 3, 1 << 16, 0, 0).call(Tensor.zeros(1, 1, 64, 64)));
    fails(
        "is too large",
        () ->
            CompositeOps.convTranspose2d(
                Tensor.zeros(1, 1, 64, 64),
                Tensor.zeros(1, 1, 3, 3),
                null,
                new int[] {1 << 16},
                new int[] {0},
                new int[] {0},
                1,
                new int[] {1}));
    fails("conv1d: expected a 3-D input", () -> new Conv1d(1, 1, 3).call(Tensor.zeros(1, 1, 1, 5)));
    fails("should be at most half", () -> new MaxPool2d(2, 2, 2).call(Tensor.zeros(1, 1, 4, 4)));
    fails("output size is too small", () -> new AvgPool2d(3).call(Tensor.zeros(1, 1, 2, 2)));
    fails("trailing shape [4]", () -> new LayerNorm(4).call(Tensor.zeros(2, 3)));
    fails("expected a 4-D input", () -> new Upsample(2.0, "nearest").call(Tensor.zeros(2, 3)));
    fails("mode must be", () -> new Upsample(2.0, "bicubic"));
    fails("must have 3 features", () -> new GRU(3, 4).call(Tensor.zeros(5, 2, 2)));
    fails(
        "initial state of shape [1, 2, 4]",
        () -> new RNN(3, 4).forward(Tensor.zeros(5, 2, 3), Tensor.zeros(1, 3, 4)));
    fails("must be divisible by numHeads", () -> new MultiheadAttention(6, 4));
    fails(
        "keyPaddingMask must be [2, 3]",
        () ->
            new MultiheadAttention(4, 2)
                .forward(
                    Tensor.zeros(3, 2, 4),
                    Tensor.zeros(3, 2, 4),
                    Tensor.zeros(3, 2, 4),
                    Tensor.zeros(3, 2).eq(0),
                    false,
                    null,
                    true));
    fails(
        "Unflatten: sizes [3, 5] do not multiply",
        () -> new Unflatten(1, 3, 5).call(Tensor.zeros(2, 12)));
    fails(
        "mseLoss: target shape [3] must match input shape [2]",
        () -> F.mseLoss(Tensor.zeros(2), Tensor.zeros(3)));
    fails(
        "crossEntropy: target 4 is out of bounds for 4 classes",
        () -> F.crossEntropy(Tensor.zeros(2, 4), Tensor.ofLongs(new long[] {1, 4}, 2)));
    fails(
        "target shape [3] does not match input [2, 4]",
        () -> F.crossEntropy(Tensor.zeros(2, 4), Tensor.ofLongs(new long[] {1, 2, 3}, 3)));
    fails(
        "target must hold int64",
        () -> F.nllLoss(Tensor.zeros(2, 4), Tensor.ofLongs(new long[] {1, 2}, 2).ne(0)));
    fails(
        "between 0 and 1",
        () -> F.binaryCrossEntropy(Tensor.full(1.5, 2), Tensor.zeros(2), null, Reduction.MEAN));
    fails(
        "BATCHMEAN is only valid",
        () -> F.mseLoss(Tensor.zeros(2), Tensor.zeros(2), Reduction.BATCHMEAN));
    fails(
        "labelSmoothing must be in [0, 1]",
        () -> new CrossEntropyLoss(null, -100, Reduction.MEAN, 2));
    fails(
        "bilinear: inputs [5, 2] and [4, 3]",
        () -> new Bilinear(2, 3, 4).forward(Tensor.zeros(5, 2), Tensor.zeros(4, 3)));
  }

  @Test
  void lossReductionsAgree() {
    Tensor x = Tensor.randn(new Generator(1), 4, 3), t = Tensor.randn(new Generator(2), 4, 3);
    Tensor none = F.huberLoss(x, t, Reduction.NONE, 0.5);
    assertArrayEquals(new int[] {4, 3}, none.shape());
    assertEquals(none.sum().item(), F.huberLoss(x, t, Reduction.SUM, 0.5).item(), 1e-6);
    assertEquals(none.mean().item(), F.huberLoss(x, t, Reduction.MEAN, 0.5).item(), 1e-6);
    Tensor logits = Tensor.randn(new Generator(3), 5, 4);
    Tensor y = Tensor.ofLongs(new long[] {0, 1, 2, 3, 0}, 5);
    // Class indices and their one-hot probabilities give the same cross-entropy.
    assertEquals(
        F.crossEntropy(logits, y).item(),
        F.crossEntropy(logits, y.oneHot(4).to(DType.FLOAT32)).item(),
        1e-6);
    // Cross-entropy is log-softmax plus NLL.
    assertEquals(F.crossEntropy(logits, y).item(), F.nllLoss(logits.logSoftmax(1), y).item(), 1e-6);
    // Stable BCE with logits at extreme values.
    Tensor big = Tensor.of(new float[] {100f, -100f}, 2);
    Tensor bce =
        F.binaryCrossEntropyWithLogits(
            big, Tensor.of(new float[] {0f, 1f}, 2), null, null, Reduction.NONE);
    Check.close("finite at ±100", Tensor.of(new float[] {100f, 100f}, 2), bce);
    // A float32 sigmoid saturates to exactly 0 and 1: the gradient there must stay finite (it was
    // 0·∞ = NaN through the clamped logs) and be 0 where the prediction equals the target.
    Tensor z = Tensor.of(new float[] {120f, -120f, 120f, -120f}, 4).requiresGrad(true);
    Tensor tz = Tensor.of(new float[] {1f, 0f, 0f, 1f}, 4);
    F.binaryCrossEntropy(z.sigmoid(), tz, null, Reduction.SUM).backward();
    float[] gz = z.grad().toFloatArray();
    assertEquals(0f, gz[0]);
    assertEquals(0f, gz[1]);
    assertTrue(Float.isFinite(gz[2]) && Float.isFinite(gz[3]), Arrays.toString(gz));
  }

  @Test
  void modulesWorkWithoutRecordingAGraph() {
    Sequential m = new Sequential(new Linear(3, 4), new GELU(), new LayerNorm(4));
    try (var ng = GradMode.noGrad()) {
      Tensor y = m.call(Tensor.randn(2, 3));
      assertTrue(!y.requiresGrad() && y.gradFn() == null);
    }
    Tensor y = m.call(Tensor.randn(2, 3));
    assertTrue(y.requiresGrad());
    assertNotEquals(null, y.gradFn());
  }
}
