package org.jgrad.gpu;

/**
 * A snapshot of one device's caching allocator ({@link Cuda#memoryStats()}), like PyTorch's {@code
 * torch.cuda.memory_stats()} reduced to its main counters. Sizes are in bytes; "allocated" counts
 * blocks held by live tensors (rounded up to the allocator's size classes), "cached" counts freed
 * blocks kept for reuse, and "reserved" is their sum: what the device gave this process.
 *
 * <pre>{@code
 * MemoryStats s = Cuda.memoryStats();
 * System.out.printf("%d MiB in tensors, %d MiB cached%n", s.allocatedBytes() >> 20, s.cachedBytes() >> 20);
 * }</pre>
 *
 * @param allocatedBytes bytes in blocks that tensors hold now (size-class bytes)
 * @param requestedBytes bytes those tensors asked for (at most {@code allocatedBytes})
 * @param cachedBytes bytes in freed blocks kept for reuse
 * @param peakAllocatedBytes the largest {@code allocatedBytes} seen
 * @param liveBlocks blocks that tensors hold now
 * @param cachedBlocks freed blocks kept for reuse
 * @param deviceAllocations how many times the allocator asked the driver for memory
 * @param deviceFrees how many blocks it gave back to the driver
 * @param cacheHits how many requests a cached block served
 */
public record MemoryStats(
    long allocatedBytes,
    long requestedBytes,
    long cachedBytes,
    long peakAllocatedBytes,
    long liveBlocks,
    long cachedBlocks,
    long deviceAllocations,
    long deviceFrees,
    long cacheHits) {

  /** Bytes the device gave this process: allocated plus cached. */
  public long reservedBytes() {
    return allocatedBytes + cachedBytes;
  }

  @Override
  public String toString() {
    return String.format(
        "allocated %s in %d blocks (requested %s), cached %s in %d blocks, peak %s;"
            + " %d device allocations, %d device frees, %d cache hits",
        bytes(allocatedBytes),
        liveBlocks,
        bytes(requestedBytes),
        bytes(cachedBytes),
        cachedBlocks,
        bytes(peakAllocatedBytes),
        deviceAllocations,
        deviceFrees,
        cacheHits);
  }

  /** "1536 B", "12.0 KiB", "3.5 MiB", "2.25 GiB". */
  static String bytes(long b) {
    if (b < 1024) return b + " B";
    if (b < 1L << 20) return String.format("%.1f KiB", b / 1024.0);
    if (b < 1L << 30) return String.format("%.1f MiB", b / (double) (1L << 20));
    return String.format("%.2f GiB", b / (double) (1L << 30));
  }
}
