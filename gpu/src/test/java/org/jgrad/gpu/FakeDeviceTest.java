package org.jgrad.gpu;

import org.junit.jupiter.api.Test;

/**
 * {@link DeviceScenarios} on the test-only "fakegpu" device ({@link FakeDeviceProvider}): tensors,
 * modules, optimizers and gradients moved off the CPU behave as on it, and mixed devices are
 * refused. Runs everywhere; {@link CudaTensorTest} runs the same on CUDA.
 */
class FakeDeviceTest {
  private final DeviceScenarios s = new DeviceScenarios(FakeDeviceProvider.FAKE, 1e-12);

  @Test
  void transfersKeepValuesAndDtypes() {
    s.transfersKeepValuesAndDtypes();
  }

  @Test
  void mixedDevicesAreRefusedNamingBoth() {
    s.mixedDevicesAreRefusedNamingBoth();
  }

  @Test
  void gradientsMatchTheCpu() {
    s.gradientsMatchTheCpu();
  }

  @Test
  void trainingStepsMatchTheCpu() {
    s.trainingStepsMatchTheCpu();
  }
}
