package org.jgrad.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jgrad.backend.DType;
import org.jgrad.backend.FloatStorage;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.NeuralOpsWithArgs;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The autograd engine hands gradients that died within a backward pass back to the CPU backend,
 * which reuses their arrays. The oracle for "nothing still in use was handed back": after backward,
 * every pooled array is taken and filled with NaN; every gradient the user can reach must still
 * hold the values a run without reuse gives (computed before, on copies).
 */
class RecyclingTest {
  private static final int N = 64 * 1024; // above FloatArrayPool.MIN_LENGTH

  @BeforeEach
  @AfterEach
  void emptyPool() {
    FloatArrayPool.clear();
  }

  /** Takes every pooled array of {@code length} and writes NaN into it. */
  private static List<Tensor> poison(int... lengths) {
    List<Tensor> held = new ArrayList<>();
    for (int length : lengths) {
      for (int i = 0; i < FloatArrayPool.MAX_PER_LENGTH; i++) {
        Tensor t = Tensor.zeros(length);
        java.util.Arrays.fill(((FloatStorage) t.raw().storage()).data, Float.NaN);
        held.add(t);
      }
    }
    return held;
  }

  private static Tensor leaf(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape).requiresGrad(true);
  }

  @Test
  void deadGradientsAreReusedAndLiveOnesAreNot() {
    Tensor x = leaf(1, N), w = leaf(2, N);
    // Chain of element-wise ops: each intermediate gradient dies as soon as its node is done.
    Tensor h = x.mul(w).relu();
    h.retainGrad();
    Tensor loss = h.mul(3).tanh().sum();
    loss.backward();
    assertTrue(FloatArrayPool.size() > 0, "some dead gradient was handed back");
    float[] gx = x.grad().toFloatArray(), gw = w.grad().toFloatArray();
    float[] gh = h.grad().toFloatArray();
    List<Tensor> held = poison(N);
    assertArrayEquals(gx, x.grad().toFloatArray(), "leaf gradient intact");
    assertArrayEquals(gw, w.grad().toFloatArray(), "leaf gradient intact");
    assertArrayEquals(gh, h.grad().toFloatArray(), "retained gradient intact");
    assertTrue(held.size() > 0);
  }

  @Test
  void gradientsPassedOnUnchangedOrAsViewsStayAlive() {
    // add returns its incoming gradient for both inputs; reshape returns a view of it; the
    // leaf x receives the same gradient along two paths, y along one (the view).
    Tensor x = leaf(3, N), y = leaf(4, 256, 256);
    Tensor a = x.mul(2), b = y.reshape(N).mul(x);
    Tensor s = a.add(b).add(a.exp());
    s.mul(s).sum().backward();
    float[] gx = x.grad().toFloatArray(), gy = y.grad().toFloatArray();
    // Against the formula, in double: s = 2x + xy + exp(2x), dL/ds = 2s,
    // dL/dx = 2s (2 + y + 2 exp(2x)), dL/dy = 2s x.
    float[] xv = x.toFloatArray(), yv = y.toFloatArray();
    for (int i = 0; i < N; i++) {
      double e = Math.exp(2.0 * xv[i]), sv = 2.0 * xv[i] + (double) xv[i] * yv[i] + e;
      double ex = 2 * sv * (2 + yv[i] + 2 * e), ey = 2 * sv * xv[i];
      assertEquals(ex, gx[i], 1e-4 * (1 + Math.abs(ex)), "dx " + i);
      assertEquals(ey, gy[i], 1e-4 * (1 + Math.abs(ey)), "dy " + i);
    }
    poison(N);
    assertArrayEquals(gx, x.grad().toFloatArray(), "leaf gradient intact");
    assertArrayEquals(gy, y.grad().toFloatArray(), "leaf gradient intact");
  }

  @Test
  void forwardTensorsAndTheSeedAreNeverReused() {
    Tensor x = leaf(5, N);
    Tensor y = x.sigmoid(); // saved by sigmoid's backward, and kept by the user
    float[] before = y.toFloatArray();
    Tensor seed = Tensor.ones(N);
    y.mul(y).backward(seed);
    poison(N);
    assertArrayEquals(before, y.toFloatArray(), "forward output intact");
    assertArrayEquals(Tensor.ones(N).toFloatArray(), seed.toFloatArray(), "seed intact");
  }

  /**
   * Runs {@code op} on fresh arrays, then again with every pooled array of its output's length
   * filled with NaN (the kernels that skip zeroing a reused output must write every element); the
   * bits must agree.
   */
  private static void overwritesEveryElement(String what, Supplier<Tensor> op) {
    FloatArrayPool.clear();
    float[] want = op.get().toFloatArray();
    assertTrue(want.length >= FloatArrayPool.MIN_LENGTH, what + ": output too small to be pooled");
    for (int i = 0; i < FloatArrayPool.MAX_PER_LENGTH; i++) {
      float[] nan = new float[want.length];
      java.util.Arrays.fill(nan, Float.NaN);
      FloatArrayPool.give(nan);
    }
    float[] got = op.get().toFloatArray();
    assertTrue(FloatArrayPool.size() < FloatArrayPool.MAX_PER_LENGTH, what + ": pool not used");
    for (int i = 0; i < want.length; i++) {
      assertEquals(
          Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + " at " + i);
    }
  }

  @Test
  void kernelsThatSkipZeroingWriteEveryElement() {
    Generator g = new Generator(9);
    Tensor a = Tensor.randn(g, 96, 80), b = Tensor.randn(g, 96, 80), row = Tensor.randn(g, 80);
    overwritesEveryElement("double to float", () -> a.to(DType.FLOAT64).to(DType.FLOAT32));
    overwritesEveryElement("strided copy", () -> a.t().contiguous());
    overwritesEveryElement("unary strided", () -> a.t().sigmoid());
    overwritesEveryElement("unary", () -> a.relu());
    overwritesEveryElement("binary", () -> a.add(b));
    overwritesEveryElement("binary broadcast", () -> a.mul(row));
    overwritesEveryElement("where", () -> Tensor.where(a.gt(b), a, b));
    Tensor m1 = Tensor.randn(g, 70, 33), m2 = Tensor.randn(g, 33, 90);
    overwritesEveryElement("matmul", () -> m1.matmul(m2));
    overwritesEveryElement("matmul transposed", () -> m2.t().matmul(m1.t()).t().contiguous());
    Tensor b1 = Tensor.randn(g, 3, 40, 20), b2 = Tensor.randn(g, 20, 50);
    overwritesEveryElement("matmul batched", () -> b1.matmul(b2));
    overwritesEveryElement("matmul k=0", () -> Tensor.zeros(70, 0).matmul(Tensor.zeros(0, 90)));
    int[] one = {1}, two = {2}, zero = {0};
    Tensor x4 = Tensor.randn(g, 16, 16, 12, 12), w4 = Tensor.randn(g, 16, 16, 3, 3);
    overwritesEveryElement(
        "conv2d Winograd F(4x4)", () -> NeuralOpsWithArgs.conv2d(x4, w4, null, one, one, one, 1));
    Tensor x3 = Tensor.randn(g, 2, 16, 40, 40);
    overwritesEveryElement(
        "conv2d Winograd F(2x2)", () -> NeuralOpsWithArgs.conv2d(x3, w4, null, one, zero, one, 1));
    Tensor xs = Tensor.randn(g, 4, 4, 40, 40), ws = Tensor.randn(g, 8, 2, 5, 5);
    overwritesEveryElement(
        "conv2d strided grouped", () -> NeuralOpsWithArgs.conv2d(xs, ws, null, two, one, one, 2));
    Tensor x1 = Tensor.randn(g, 8, 1, 28, 28), w1 = Tensor.randn(g, 32, 1, 3, 3);
    overwritesEveryElement(
        "conv2d one input channel",
        () -> NeuralOpsWithArgs.conv2d(x1, w1, null, one, zero, one, 1));
    // The gradients of the same convolutions (input and weight; the weights' are pooled only
    // when large enough).
    Tensor w16 = Tensor.randn(g, 128, 16, 3, 3);
    Tensor xg = Tensor.randn(g, 4, 64, 20, 20), wg = Tensor.randn(g, 64, 32, 3, 3);
    Tensor[][] convs = {
      {x4, w4}, {x3, w16}, {xs, ws}, {x1, w1}, {xg, wg}, {x4, w16.narrow(1, 0, 16)}
    };
    int[][] conf = {{1, 1, 1}, {1, 0, 1}, {2, 1, 2}, {1, 0, 1}, {2, 1, 2}, {1, 1, 1}};
    for (int c = 0; c < convs.length; c++) {
      Tensor cx = convs[c][0], cw = convs[c][1];
      int[] st = {conf[c][0]}, pd = {conf[c][1]};
      int groups = conf[c][2];
      for (int which = 0; which < 2; which++) {
        int wh = which;
        if (wh == 1 && cw.numel() < FloatArrayPool.MIN_LENGTH) continue;
        overwritesEveryElement(
            "conv2d " + c + (wh == 0 ? " input grad" : " weight grad"),
            () -> {
              Tensor xi = cx.detach().requiresGrad(wh == 0), wi = cw.detach().requiresGrad(wh == 1);
              Tensor y = NeuralOpsWithArgs.conv2d(xi, wi, null, st, pd, one, groups);
              y.backward(Tensor.onesLike(y));
              return wh == 0 ? xi.grad() : wi.grad();
            });
      }
    }
    Tensor p = Tensor.randn(g, 8, 16, 32, 32);
    overwritesEveryElement("max pool", () -> NeuralOpsWithArgs.maxPool2d(p, two, two, zero, one));
    overwritesEveryElement(
        "max pool backward",
        () -> {
          Tensor x = p.detach().requiresGrad(true);
          NeuralOpsWithArgs.maxPool2d(x, two, two, zero, one).sum().backward();
          return x.grad();
        });
    // The LSTM cell kernels (H = 1024: a [2, B, H] output and [B, 5H] activations forward, [B, 4H]
    // and [B, H] gradients backward), called directly: through autograd a leaf's gradient is
    // copied out of the kernel's array, which then goes back to the pool.
    Tensor gates = Tensor.randn(g, 4, 4096), cs = Tensor.randn(g, 4, 1024);
    Tensor gy = Tensor.randn(g, 2, 4, 1024);
    CpuBackend cpu = CpuBackend.INSTANCE;
    for (int k = 0; k < 2; k++) {
      int kk = k;
      overwritesEveryElement(
          "lstm cell " + (k == 0 ? "output" : "activations"),
          () -> Tensor.fromRaw(cpu.lstmCell(gates.raw(), cs.raw())[kk]));
      overwritesEveryElement(
          "lstm cell " + (k == 0 ? "gates grad" : "state grad"),
          () -> {
            org.jgrad.backend.RawTensor acts = cpu.lstmCell(gates.raw(), cs.raw())[1];
            return Tensor.fromRaw(cpu.lstmCellBackward(gy.raw(), acts, cs.raw())[kk]);
          });
    }
    // The GRU cell kernels, H = 1024: next [B, H] and acts [B, 3H] forward; the two [B, 3H] gate
    // gradients and the [B, H] state gradient backward.
    Tensor gx = Tensor.randn(g, 4, 3072), gh3 = Tensor.randn(g, 4, 3072);
    Tensor hs = Tensor.randn(g, 4, 1024), gyg = Tensor.randn(g, 4, 1024);
    for (int k = 0; k < 2; k++) {
      int kk = k;
      overwritesEveryElement(
          "gru cell " + (k == 0 ? "next" : "activations"),
          () -> Tensor.fromRaw(cpu.gruCell(gx.raw(), gh3.raw(), hs.raw())[kk]));
    }
    for (int k = 0; k < 3; k++) {
      int kk = k;
      overwritesEveryElement(
          "gru cell gradient " + k,
          () -> {
            org.jgrad.backend.RawTensor acts = cpu.gruCell(gx.raw(), gh3.raw(), hs.raw())[1];
            return Tensor.fromRaw(cpu.gruCellBackward(gyg.raw(), acts, gh3.raw(), hs.raw())[kk]);
          });
    }
    overwritesEveryElement(
        "relu backward",
        () -> {
          Tensor x = p.detach().requiresGrad(true);
          x.relu().backward(Tensor.onesLike(p));
          return x.grad();
        });
  }

  @Test
  void aReusedArrayComesBackZeroed() {
    float[] a = new float[N];
    a[5] = 3f;
    FloatArrayPool.give(a);
    float[] b = FloatArrayPool.take(N);
    assertSame(a, b);
    assertTrue(b[5] == 0f, "zeroed");
  }

  @Test
  void createGraphKeepsEveryGradient() {
    Tensor x = leaf(6, N);
    Tensor y = x.mul(x).mul(x).sum();
    y.backward(Tensor.ones(), true, true);
    assertTrue(FloatArrayPool.size() == 0, "no reuse when the gradients are graph nodes");
  }
}
