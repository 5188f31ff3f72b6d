package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgrad.backend.Backends;
import org.jgrad.backend.Device;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tensors, modules and optimizers on CUDA ({@link DeviceScenarios}, float64 results within 1e-9 of
 * the CPU's), the caching allocator seen through {@link Cuda#memoryStats()}, and the out-of-memory
 * message. Needs a CUDA device: skipped with the probe's reason where there is none.
 */
class CudaTensorTest {
  private final DeviceScenarios s = new DeviceScenarios(Device.cuda(0), 1e-9);

  @BeforeEach
  void requireGpu() {
    GpuTestSupport.requireCuda();
  }

  @Test
  void theProviderGivesTheCudaBackend() {
    assertInstanceOf(CudaBackend.class, Backends.backend(Device.cuda(0)));
    assertEquals("cuda:0", Backends.backend(Device.cuda(0)).name());
    System.out.println("[jgrad-gpu] " + Backends.describe());
  }

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

  @Test
  void closedStoragesGoBackToTheCacheAndAreReused() {
    Tensor a = Tensor.randn(1000, 1000).to(Device.cuda(0));
    MemoryStats before = Cuda.memoryStats();
    assertTrue(before.allocatedBytes() >= 4_000_000L, before.toString());
    ((CudaStorage) a.raw().storage()).close();
    MemoryStats closed = Cuda.memoryStats();
    assertEquals(
        before.allocatedBytes() - closed.allocatedBytes(),
        closed.cachedBytes() - before.cachedBytes());
    Tensor b = Tensor.randn(1000, 1000).to(Device.cuda(0));
    MemoryStats after = Cuda.memoryStats();
    assertEquals(closed.cacheHits() + 1, after.cacheHits(), after.toString());
    assertEquals(closed.deviceAllocations(), after.deviceAllocations(), after.toString());
    assertEquals(1000, b.shape()[0]);
  }

  @Test
  void outOfMemoryNamesTheRequestAndTheDevice() {
    CudaOutOfMemoryException e =
        assertThrows(
            CudaOutOfMemoryException.class, () -> CudaDevice.get(0).allocator.allocate(1L << 44));
    assertTrue(
        e.getMessage().startsWith("cuda:0: out of memory allocating 16384.00 GiB"), e.getMessage());
    assertTrue(e.getMessage().contains("free of"), e.getMessage());
  }
}
