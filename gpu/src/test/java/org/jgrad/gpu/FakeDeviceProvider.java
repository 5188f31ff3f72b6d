package org.jgrad.gpu;

import org.jgrad.backend.Backend;
import org.jgrad.backend.BackendProvider;
import org.jgrad.backend.Device;
import org.jgrad.backend.reference.ReferenceBackend;

/**
 * A test-only device type "fakegpu": the reference backend with storages tagged as another device.
 * It lets {@link DeviceScenarios} check the device plumbing of tensors, modules, optimizers and the
 * trainer (everything but the CUDA kernels) on machines without a GPU.
 */
public final class FakeDeviceProvider implements BackendProvider {
  /** The fake device of index 0. */
  static final Device FAKE = new Device("fakegpu", 0);

  @Override
  public String name() {
    return "fakegpu";
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public String unavailableReason() {
    return null;
  }

  @Override
  public Backend backend(int index) {
    return ReferenceBackend.on(new Device("fakegpu", index));
  }
}
