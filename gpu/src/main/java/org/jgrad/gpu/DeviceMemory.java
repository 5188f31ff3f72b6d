package org.jgrad.gpu;

/**
 * The driver calls a {@link CachingAllocator} makes, behind an interface so that the allocator's
 * bookkeeping can be tested on a machine without a GPU (with a fake memory) and the driver
 * implementation stays a few lines.
 *
 * @param <H> the handle of one device allocation ({@code CUdeviceptr} on a real device)
 */
interface DeviceMemory<H> {
  /**
   * Allocates {@code bytes} on the device.
   *
   * @return the handle, or {@code null} when the device is out of memory (any other failure throws)
   */
  H allocate(long bytes);

  /** Returns an allocation made by {@link #allocate} to the device. */
  void free(H handle);

  /** {free, total} bytes of the device as the driver reports them (for error messages). */
  long[] info();
}
