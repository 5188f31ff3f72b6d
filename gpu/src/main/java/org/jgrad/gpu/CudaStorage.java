package org.jgrad.gpu;

import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.backend.Storage;

/**
 * Elements in CUDA device memory: FLOAT32 as float, FLOAT64, INT64 and BOOL as double (as on the
 * host). The memory is a block of the device's {@link CachingAllocator}; it returns to the cache
 * when the storage becomes unreachable (through a {@link Cleaner}) or at {@link #close()},
 * whichever comes first.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(1024, 1024).to(Device.of("cuda"));
 * ...
 * ((CudaStorage) x.raw().storage()).close();   // optional: give the memory back now
 * }</pre>
 *
 * <p>Elements cannot be read one by one from the host ({@link #get} throws): move the tensor to the
 * CPU with {@code tensor.to(Device.CPU)}.
 */
public final class CudaStorage extends Storage implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  private final CudaDevice device;
  private final CachingAllocator.Block<CUdeviceptr> block;
  private final int length;
  private final Cleaner.Cleanable cleanable;
  private volatile boolean closed;

  /** Releases a block without referring to the storage (so the storage can become unreachable). */
  private record Release(
      CachingAllocator<CUdeviceptr> allocator, CachingAllocator.Block<CUdeviceptr> block)
      implements Runnable {
    @Override
    public void run() {
      allocator.release(block);
    }
  }

  CudaStorage(CudaDevice device, DType dtype, int length) {
    super(dtype);
    if (length < 0) throw new IllegalArgumentException("negative storage length " + length);
    this.device = device;
    this.length = length;
    this.block = allocate(device.allocator, (long) length * elementBytes(dtype));
    this.cleanable = CLEANER.register(this, new Release(device.allocator, block));
  }

  /**
   * A block from the allocator; on out of memory, once: a garbage collection (storages that are
   * unreachable but not yet collected hold device memory the JVM does not know about), a short wait
   * for their cleaners, and a retry.
   */
  private static CachingAllocator.Block<CUdeviceptr> allocate(
      CachingAllocator<CUdeviceptr> allocator, long bytes) {
    try {
      return allocator.allocate(bytes);
    } catch (CudaOutOfMemoryException e) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw e;
      }
      return allocator.allocate(bytes);
    }
  }

  /** Bytes per element on the device: 4 for FLOAT32, 8 for the others (held as double). */
  static int elementBytes(DType t) {
    return t == DType.FLOAT32 ? 4 : 8;
  }

  /** The device address of element {@code index}. */
  CUdeviceptr at(long index) {
    if (closed) throw new IllegalStateException(device.device + ": storage used after close()");
    return index == 0
        ? block.handle()
        : block.handle().withByteOffset(index * elementBytes(dtype()));
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public Device device() {
    return device.device;
  }

  @Override
  public double get(int i) {
    throw new UnsupportedOperationException(
        device.device + ": elements live on the GPU; copy the tensor with to(Device.CPU) first");
  }

  @Override
  public void set(int i, double v) {
    throw new UnsupportedOperationException(
        device.device + ": elements live on the GPU; copy the tensor with to(Device.CPU) first");
  }

  /**
   * Returns the memory to the device's cache now instead of when the storage is collected; the
   * storage must not be used afterwards (no tensor may still view it). Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    cleanable.clean();
  }
}
