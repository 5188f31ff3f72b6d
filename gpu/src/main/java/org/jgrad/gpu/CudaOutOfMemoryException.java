package org.jgrad.gpu;

/**
 * The device had no memory left for a request even after the allocator gave all its cached blocks
 * back (PyTorch's {@code torch.cuda.OutOfMemoryError}). The message names the request, the
 * allocator's state and the device's free and total memory.
 *
 * <pre>{@code
 * try {
 *   y = model.forward(bigBatch);
 * } catch (CudaOutOfMemoryException e) {
 *   System.err.println(e.getMessage() + "; stats: " + e.stats());
 * }
 * }</pre>
 */
public final class CudaOutOfMemoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient MemoryStats stats;

  CudaOutOfMemoryException(String message, MemoryStats stats) {
    super(message);
    this.stats = stats;
  }

  /** The allocator's counters when the request failed. */
  public MemoryStats stats() {
    return stats;
  }
}
