package org.jgrad.gpu;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Device memory for tensors, cached like PyTorch's CUDA caching allocator: a freed block goes into
 * a free list of its size class instead of back to the driver, and the next request of that class
 * reuses it. Training allocates the same shapes every step, so after the first step nearly every
 * request is a cache hit and {@code cuMemAlloc}/{@code cuMemFree} (which synchronise the device)
 * drop out of the loop.
 *
 * <p>Size classes: requests up to 1 MiB round up to a multiple of 512 bytes; larger ones to a
 * quarter of their power of two (1.25, 1.5, 1.75 or 2 × 2^k), so at most 25% is wasted. A request
 * takes a cached block of exactly its class. When the driver reports out of memory the allocator
 * frees every cached block and tries once more; if that fails too it throws {@link
 * CudaOutOfMemoryException} naming the request and its own state.
 *
 * <p>Thread-safe (one lock). Stream safety: jgrad issues all work of a device on one stream, so a
 * block freed here (even by the {@code Cleaner} thread) can only be reused by work queued after
 * everything that used it.
 *
 * <pre>{@code
 * CachingAllocator<CUdeviceptr> a = new CachingAllocator<>(driverMemory, "cuda:0");
 * CachingAllocator.Block<CUdeviceptr> b = a.allocate(4096);
 * ...
 * a.release(b);   // cached: the next allocate(4096) gets it back
 * }</pre>
 *
 * @param <H> the device handle type ({@code CUdeviceptr}; a fake in tests)
 */
final class CachingAllocator<H> {
  /**
   * Requests up to this size round to {@link #SMALL_STEP}; larger ones to quarter powers of two.
   */
  static final long SMALL_LIMIT = 1L << 20;

  static final long SMALL_STEP = 512;

  /** One device allocation, held by a tensor's storage or waiting in a free list. */
  static final class Block<H> {
    final H handle;
    final long size;
    long requested;
    boolean live;

    Block(H handle, long size) {
      this.handle = handle;
      this.size = size;
    }

    /** The size class this block belongs to, in bytes. */
    long size() {
      return size;
    }

    H handle() {
      return handle;
    }
  }

  private final DeviceMemory<H> memory;
  private final String deviceName;
  private final TreeMap<Long, ArrayDeque<Block<H>>> free = new TreeMap<>();
  private long allocated, requested, cached, peak, liveBlocks, cachedBlocks;
  private long deviceAllocations, deviceFrees, cacheHits;
  private boolean closed;

  CachingAllocator(DeviceMemory<H> memory, String deviceName) {
    this.memory = memory;
    this.deviceName = deviceName;
  }

  /** The size class of a request of {@code bytes} (at least {@link #SMALL_STEP}). */
  static long sizeClass(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("negative allocation size " + bytes);
    if (bytes <= SMALL_LIMIT)
      return Math.max(1, (bytes + SMALL_STEP - 1) / SMALL_STEP) * SMALL_STEP;
    long step = Long.highestOneBit(bytes - 1) / 4;
    return (bytes + step - 1) / step * step;
  }

  /**
   * A block of at least {@code bytes}, from the cache when one of its class is free.
   *
   * @throws CudaOutOfMemoryException when the device has no room even after the cache is emptied
   * @throws IllegalStateException after {@link #close()}
   */
  synchronized Block<H> allocate(long bytes) {
    if (closed) throw new IllegalStateException(deviceName + ": the allocator is closed");
    long size = sizeClass(bytes);
    ArrayDeque<Block<H>> list = free.get(size);
    Block<H> b;
    if (list != null && !list.isEmpty()) {
      b = list.pop();
      cached -= size;
      cachedBlocks--;
      cacheHits++;
    } else {
      H h = memory.allocate(size);
      if (h == null) {
        long before = cached;
        emptyCache();
        h = memory.allocate(size);
        if (h == null) throw outOfMemory(bytes, size, before);
      }
      deviceAllocations++;
      b = new Block<>(h, size);
    }
    b.live = true;
    b.requested = bytes;
    allocated += size;
    requested += bytes;
    liveBlocks++;
    peak = Math.max(peak, allocated);
    return b;
  }

  private CudaOutOfMemoryException outOfMemory(long bytes, long size, long cachedBefore) {
    long[] info;
    String device;
    try {
      info = memory.info();
      device =
          MemoryStats.bytes(info[0]) + " free of " + MemoryStats.bytes(info[1]) + " on the device";
    } catch (RuntimeException e) {
      device = "device memory info unavailable (" + e.getMessage() + ")";
    }
    return new CudaOutOfMemoryException(
        deviceName
            + ": out of memory allocating "
            + MemoryStats.bytes(bytes)
            + " ("
            + bytes
            + " bytes, size class "
            + size
            + "); tensors hold "
            + MemoryStats.bytes(allocated)
            + " in "
            + liveBlocks
            + " blocks (peak "
            + MemoryStats.bytes(peak)
            + "), the cache held "
            + MemoryStats.bytes(cachedBefore)
            + " and was emptied before the retry; "
            + device,
        stats());
  }

  /**
   * Returns a block to the cache; a second release of the same block is ignored (explicit {@code
   * close()} followed by the {@code Cleaner}). After {@link #close()} the block goes to the driver.
   */
  synchronized void release(Block<H> b) {
    if (!b.live) return;
    b.live = false;
    allocated -= b.size;
    requested -= b.requested;
    liveBlocks--;
    if (closed) {
      memory.free(b.handle);
      deviceFrees++;
      return;
    }
    free.computeIfAbsent(b.size, k -> new ArrayDeque<>()).push(b);
    cached += b.size;
    cachedBlocks++;
  }

  /** Gives every cached block back to the driver; returns the bytes freed. */
  synchronized long emptyCache() {
    long freed = 0;
    List<ArrayDeque<Block<H>>> lists = new ArrayList<>(free.values());
    free.clear();
    for (ArrayDeque<Block<H>> list : lists) {
      for (Block<H> b : list) {
        memory.free(b.handle);
        deviceFrees++;
        freed += b.size;
      }
    }
    cached = 0;
    cachedBlocks = 0;
    return freed;
  }

  /**
   * Empties the cache and refuses further allocations; blocks still held by tensors go to the
   * driver when they are released.
   */
  synchronized void close() {
    emptyCache();
    closed = true;
  }

  synchronized MemoryStats stats() {
    return new MemoryStats(
        allocated,
        requested,
        cached,
        peak,
        liveBlocks,
        cachedBlocks,
        deviceAllocations,
        deviceFrees,
        cacheHits);
  }

  /** Cached blocks per size class (for tests and diagnostics). */
  synchronized Map<Long, Integer> cachedBySize() {
    TreeMap<Long, Integer> m = new TreeMap<>();
    free.forEach((k, v) -> m.put(k, v.size()));
    return m;
  }
}
