package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.nn.BatchNorm2d;
import org.jgrad.nn.Conv2d;
import org.jgrad.nn.CrossEntropyLoss;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.Linear;
import org.jgrad.nn.MaxPool2d;
import org.jgrad.nn.Module;
import org.jgrad.nn.Parameter;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.functional.F;
import org.jgrad.optim.Adam;
import org.jgrad.tensor.Tensor;

/**
 * What a user does with a device, run on a given one and compared with the same run on the CPU:
 * moving tensors and modules, refusing mixed devices, gradients through ops, and training steps
 * with an optimizer whose state must live on the parameters' device. {@link FakeDeviceTest} runs it
 * on a test-only device (so the plumbing is checked everywhere), {@link CudaTensorTest} on CUDA.
 */
final class DeviceScenarios {
  final Device device;
  final double tol;

  /**
   * @param tol relative tolerance of float64 results against the CPU's
   */
  DeviceScenarios(Device device, double tol) {
    this.device = device;
    this.tol = tol;
  }

  void assertClose(String what, Tensor expected, Tensor got) {
    assertEquals(Device.CPU, expected.device());
    assertArrayEquals(expected.shape(), got.shape(), what + ": shape");
    double[] e = expected.toDoubleArray(), g = got.to(Device.CPU).toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      double bound = tol * (1 + Math.abs(e[i]));
      assertTrue(
          Math.abs(e[i] - g[i]) <= bound || (Double.isNaN(e[i]) && Double.isNaN(g[i])),
          what + ": element " + i + " is " + g[i] + " on " + device + " but " + e[i] + " on cpu");
    }
  }

  void transfersKeepValuesAndDtypes() {
    Tensor.manualSeed(1);
    for (DType t : DType.values()) {
      Tensor x = Tensor.randn(3, 5).mul(3).to(t);
      Tensor d = x.to(device);
      assertEquals(device, d.device());
      assertEquals(t, d.dtype());
      assertArrayEquals(x.toDoubleArray(), d.to(Device.CPU).toDoubleArray(), "round trip " + t);
      // a strided view leaves the device in row-major order
      assertArrayEquals(
          x.transpose(0, 1).toDoubleArray(), d.transpose(0, 1).toDoubleArray(), "transposed " + t);
    }
    assertEquals(device, Tensor.zerosLike(Tensor.randn(2).to(device)).device());
  }

  void mixedDevicesAreRefusedNamingBoth() {
    Tensor a = Tensor.randn(2, 2), b = Tensor.randn(2, 2).to(device);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
    assertTrue(
        e.getMessage().contains("cpu") && e.getMessage().contains(device.toString()),
        e.getMessage());
  }

  /** Functions of one float64 input, each through several ops, with their gradients. */
  static final List<UnaryOperator<Tensor>> FUNCTIONS =
      List.of(
          x -> x.exp().mul(x.tanh()).sum(),
          x -> x.abs().add(1).log().sqrt().mean(),
          x -> x.sigmoid().relu().pow(3).sum(1, false).sum(),
          x -> x.matmul(x.transpose(0, 1)).softmax(1).max(),
          x ->
              x.logSoftmax(1)
                  .gather(1, Tensor.ofLongs(new long[] {0, 2, 1, 3}, 4, 1).to(x.device()))
                  .sum(),
          x -> x.reshape(2, 2, 4).sum(new int[] {0, 2}, false).mul(x.mean()).sum(),
          x ->
              F.crossEntropy(x, Tensor.ofLongs(new long[] {1, 0, 3, 2}, 4).to(x.device()))
                  .add(F.maxPool2d(x.reshape(1, 1, 4, 4), 2).sum()));

  void gradientsMatchTheCpu() {
    Tensor.manualSeed(2);
    for (int i = 0; i < FUNCTIONS.size(); i++) {
      UnaryOperator<Tensor> f = FUNCTIONS.get(i);
      Tensor xc = Tensor.randn(4, 4).to(DType.FLOAT64).requiresGrad(true);
      Tensor xd = xc.detach().to(device).requiresGrad(true);
      Tensor yc = f.apply(xc), yd = f.apply(xd);
      assertEquals(device, yd.device(), "function " + i + " computed on the device");
      assertClose("function " + i, yc, yd);
      yc.backward();
      yd.backward();
      assertEquals(device, xd.grad().device(), "gradient " + i + " on the device");
      assertClose("gradient of function " + i, xc.grad(), xd.grad());
    }
  }

  /** An MLP and a small CNN with batch norm, three Adam steps on each device from one init. */
  void trainingStepsMatchTheCpu() {
    for (int model = 0; model < 2; model++) {
      Tensor.manualSeed(3);
      Module cpu = model == 0 ? mlp() : cnn();
      Tensor.manualSeed(3);
      Module dev = (model == 0 ? mlp() : cnn()).to(DType.FLOAT64).to(device);
      cpu.to(DType.FLOAT64);
      for (Parameter p : dev.parameters()) assertEquals(device, p.device());
      Adam oc = new Adam(cpu.parameters(), 0.01), od = new Adam(dev.parameters(), 0.01);
      Tensor.manualSeed(4);
      Tensor x = (model == 0 ? Tensor.randn(8, 12) : Tensor.randn(4, 1, 8, 8)).to(DType.FLOAT64);
      Tensor y = Tensor.ofLongs(new long[] {0, 1, 2, 1, 0, 2, 1, 0}, 8);
      if (model == 1) y = Tensor.ofLongs(new long[] {0, 1, 2, 1}, 4);
      CrossEntropyLoss loss = new CrossEntropyLoss();
      for (int step = 0; step < 3; step++) {
        oc.zeroGrad();
        od.zeroGrad();
        Tensor lc = loss.forward(cpu.forward(x), y);
        Tensor ld = loss.forward(dev.forward(x.to(device)), y.to(device));
        assertClose("model " + model + " loss at step " + step, lc, ld);
        lc.backward();
        ld.backward();
        oc.step();
        od.step();
      }
      List<Parameter> pc = cpu.parameters(), pd = dev.parameters();
      for (int i = 0; i < pc.size(); i++) {
        assertEquals(device, pd.get(i).device(), "parameter " + i + " stays on the device");
        assertClose("model " + model + " parameter " + i + " after 3 steps", pc.get(i), pd.get(i));
      }
    }
  }

  static Module mlp() {
    return new Sequential(new Linear(12, 16), new ReLU(), new Linear(16, 3));
  }

  static Module cnn() {
    // no conv bias: batch norm cancels it, its gradient is rounding noise that Adam would amplify
    return new Sequential(
        new Conv2d(
            1, 4, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, false),
        new BatchNorm2d(4),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Linear(4 * 3 * 3, 3));
  }
}
