package org.jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgrad.backend.DType;
import org.junit.jupiter.api.Test;

/** Edge cases of issue 10 item 8, each checked against what PyTorch 1.13 does. */
class HardeningTest {

  @Test
  void backwardWithNullGradientOnAScalarSeedsOnes() {
    // torch: s = tensor(2., requires_grad=True); (s*3).backward(None, True, False) -> s.grad == 3
    Tensor s = Tensor.of(new float[] {2f}).reshape().requiresGrad(true);
    Tensor y = s.mul(3.0).mul(s); // 3 s^2, dy/ds = 6 s = 12
    y.backward(null, true, false);
    assertEquals(12.0, s.grad().item(), 0.0);
    y.backward(null, false, false); // the graph was retained: a second pass works and accumulates
    assertEquals(24.0, s.grad().item(), 0.0);
    // One element of any rank counts as a scalar, as in PyTorch.
    Tensor v = Tensor.of(new float[] {5f}, 1, 1).requiresGrad(true);
    v.mul(2.0).backward(null, false, false);
    assertArrayEquals(new float[] {2f}, v.grad().toFloatArray());
    // createGraph with a null seed gives a differentiable gradient (second derivative of s^3 is 6
    // s).
    Tensor x = Tensor.of(new double[] {2.0}).reshape().requiresGrad(true);
    x.mul(x).mul(x).backward(null, false, true);
    Tensor g = x.grad();
    x.setGrad(null);
    g.backward();
    assertEquals(12.0, x.grad().item(), 1e-12);
  }

  @Test
  void backwardWithNullGradientOnANonScalarSaysWhatToDo() {
    Tensor v = Tensor.ones(2, 3).requiresGrad(true);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> v.mul(2.0).backward(null, false, false));
    assertEquals(
        "backward: grad can be implicitly created only for scalar outputs, got shape [2, 3]; pass a gradient",
        e.getMessage());
  }

  @Test
  void softmaxAndLogSoftmaxOfZeroSizeTensorsAreEmptyOfTheSameShape() {
    // torch.softmax(torch.zeros(0, 3), d).shape == (0, 3) for d in (0, 1); same for log_softmax.
    for (int[] shape : new int[][] {{0, 3}, {3, 0}, {0}, {2, 0, 4}}) {
      for (int d = 0; d < shape.length; d++) {
        Tensor x = Tensor.zeros(shape).requiresGrad(true);
        Tensor sm = x.softmax(d);
        Tensor lsm = x.logSoftmax(d);
        assertArrayEquals(shape, sm.shape());
        assertArrayEquals(shape, lsm.shape());
        assertEquals(DType.FLOAT32, sm.dtype());
        assertEquals(0, lsm.numel());
        // Still differentiable: the gradient is empty of the input's shape.
        sm.sum().add(lsm.sum()).backward();
        assertArrayEquals(shape, x.grad().shape());
      }
    }
    Tensor d64 = Tensor.zeros(DType.FLOAT64, 0, 5);
    assertEquals(DType.FLOAT64, d64.logSoftmax(-1).dtype());
    assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).softmax(2));
  }

  @Test
  void int64ToANegativeIntegerPowerIsRefusedAsInPyTorch() {
    Tensor t = Tensor.zeros(DType.INT64, 2).add(Tensor.of(new double[] {2, 3}).to(DType.INT64));
    for (double p : new double[] {-1, -2, -10}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.pow(p));
      assertTrue(
          e.getMessage().startsWith("pow: Integers to negative integer powers are not allowed."),
          e.getMessage());
    }
    // Still allowed, as in PyTorch: non-negative integer powers stay int64; fractional ones and
    // float tensors.
    Tensor sq = t.pow(3);
    assertArrayEquals(new double[] {8, 27}, sq.toDoubleArray());
    assertArrayEquals(
        new double[] {0.5, 1.0 / 3}, t.to(DType.FLOAT64).pow(-1).toDoubleArray(), 1e-15);
  }

  @Test
  void convTranspose2dOutputSizeOverflowSaysSo() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NeuralOpsWithArgs.convTranspose2d(
                    Tensor.zeros(1, 1, 4, 4),
                    Tensor.zeros(1, 1, 3, 3),
                    null,
                    new int[] {1 << 30, 1 << 30},
                    new int[] {0, 0},
                    new int[] {0, 0},
                    1,
                    new int[] {1, 1}));
    assertEquals(
        "convTranspose2d: output size 3221225475 x 3221225475 (for input [1, 1, 4, 4], weight [1, 1, 3, 3],"
            + " stride [1073741824, 1073741824], padding [0, 0], dilation [1, 1]) is too large: a tensor holds at most"
            + " 2147483647 elements",
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NeuralOpsWithArgs.convTranspose2d(
                    Tensor.zeros(2, 1, 64, 64),
                    Tensor.zeros(1, 1, 3, 3),
                    null,
                    new int[] {1 << 16, 1 << 16},
                    new int[] {0, 0},
                    new int[] {0, 0},
                    1,
                    new int[] {1, 1}));
    assertTrue(
        e.getMessage().startsWith("convTranspose2d: output size 4128771 x 4128771"),
        e.getMessage());
  }
}
