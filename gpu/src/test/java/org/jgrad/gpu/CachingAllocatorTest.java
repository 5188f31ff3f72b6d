package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The caching allocator's bookkeeping on a fake device memory with a fixed capacity: size classes,
 * reuse, statistics, the empty-and-retry on out of memory and its message. Needs no GPU.
 */
class CachingAllocatorTest {

  /** A device of {@code capacity} bytes whose handles are serial numbers. */
  static final class FakeMemory implements DeviceMemory<Long> {
    final long capacity;
    long used;
    long next = 1;
    final Set<Long> live = new HashSet<>();
    final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();
    int allocateCalls, freeCalls;

    FakeMemory(long capacity) {
      this.capacity = capacity;
    }

    @Override
    public Long allocate(long bytes) {
      allocateCalls++;
      if (used + bytes > capacity) return null;
      used += bytes;
      long h = next++;
      live.add(h);
      sizes.put(h, bytes);
      return h;
    }

    @Override
    public void free(Long handle) {
      freeCalls++;
      assertTrue(live.remove(handle), "double free of " + handle);
      used -= sizes.remove(handle);
    }

    @Override
    public long[] info() {
      return new long[] {capacity - used, capacity};
    }
  }

  @Test
  void sizeClassesRoundSmallRequestsTo512AndLargeOnesToQuarterPowersOfTwo() {
    assertEquals(512, CachingAllocator.sizeClass(0));
    assertEquals(512, CachingAllocator.sizeClass(1));
    assertEquals(512, CachingAllocator.sizeClass(512));
    assertEquals(1024, CachingAllocator.sizeClass(513));
    assertEquals(1L << 20, CachingAllocator.sizeClass(1L << 20));
    assertEquals(5L << 18, CachingAllocator.sizeClass((1L << 20) + 1)); // 1.25 MiB
    assertEquals(2L << 20, CachingAllocator.sizeClass(2L << 20));
    assertEquals(5L << 19, CachingAllocator.sizeClass((2L << 20) + 1)); // 2.5 MiB
    assertEquals(7L << 28, CachingAllocator.sizeClass((3L << 29) + 1)); // 1.75 GiB
    for (long b = 0; b < (64L << 20); b = b * 3 / 2 + 7) {
      long c = CachingAllocator.sizeClass(b);
      long bound = b <= CachingAllocator.SMALL_LIMIT ? Math.max(512, b + 511) : b + b / 4;
      assertTrue(c >= b && c <= bound && c % 512 == 0, b + " -> " + c);
    }
    assertThrows(IllegalArgumentException.class, () -> CachingAllocator.sizeClass(-1));
  }

  @Test
  void aReleasedBlockIsReusedForTheSameSizeClassOnly() {
    FakeMemory mem = new FakeMemory(1L << 30);
    CachingAllocator<Long> a = new CachingAllocator<>(mem, "fake:0");
    CachingAllocator.Block<Long> b1 = a.allocate(1000);
    assertEquals(1024, b1.size());
    a.release(b1);
    CachingAllocator.Block<Long> b2 = a.allocate(900); // same class 1024
    assertSame(b1.handle(), b2.handle());
    CachingAllocator.Block<Long> b3 = a.allocate(2000); // another class: a new device block
    assertNotSame(b1.handle(), b3.handle());
    assertEquals(2, mem.allocateCalls);
    MemoryStats s = a.stats();
    assertEquals(1024 + 2048, s.allocatedBytes());
    assertEquals(900 + 2000, s.requestedBytes());
    assertEquals(0, s.cachedBytes());
    assertEquals(2, s.liveBlocks());
    assertEquals(2, s.deviceAllocations());
    assertEquals(1, s.cacheHits());
    assertEquals(3072, s.peakAllocatedBytes());
  }

  @Test
  void releaseIsIdempotentAndStatisticsBalance() {
    FakeMemory mem = new FakeMemory(1L << 30);
    CachingAllocator<Long> a = new CachingAllocator<>(mem, "fake:0");
    CachingAllocator.Block<Long> b = a.allocate(3L << 20);
    a.release(b);
    a.release(b); // close() then the Cleaner: counted once
    MemoryStats s = a.stats();
    assertEquals(0, s.allocatedBytes());
    assertEquals(0, s.requestedBytes());
    assertEquals(3L << 20, s.cachedBytes());
    assertEquals(1, s.cachedBlocks());
    assertEquals(s.allocatedBytes() + s.cachedBytes(), s.reservedBytes());
    assertEquals(Map.of(3L << 20, 1), a.cachedBySize());
    assertEquals(3L << 20, a.emptyCache());
    assertEquals(0, mem.used);
    assertEquals(1, a.stats().deviceFrees());
  }

  @Test
  void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
    FakeMemory mem = new FakeMemory(4096);
    CachingAllocator<Long> a = new CachingAllocator<>(mem, "fake:0");
    CachingAllocator.Block<Long> small = a.allocate(2048);
    a.release(small); // cached, still counted as used by the device
    assertEquals(2048, mem.used);
    CachingAllocator.Block<Long> big = a.allocate(4096); // fits only after the cache is emptied
    assertEquals(4096, big.size());
    assertEquals(0, a.stats().cachedBytes());
    assertEquals(1, a.stats().deviceFrees());
  }

  @Test
  void outOfMemoryNamesTheRequestTheCacheAndTheDevice() {
    FakeMemory mem = new FakeMemory(8192);
    CachingAllocator<Long> a = new CachingAllocator<>(mem, "fake:0");
    CachingAllocator.Block<Long> held = a.allocate(4096);
    CachingAllocator.Block<Long> c = a.allocate(1024);
    a.release(c);
    CudaOutOfMemoryException e =
        assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(6000));
    String m = e.getMessage();
    assertTrue(m.startsWith("fake:0: out of memory allocating 5.9 KiB (6000 bytes"), m);
    assertTrue(m.contains("size class 6144"), m);
    assertTrue(m.contains("tensors hold 4.0 KiB in 1 blocks"), m);
    assertTrue(m.contains("the cache held 1.0 KiB and was emptied before the retry"), m);
    assertTrue(m.contains("4.0 KiB free of 8.0 KiB on the device"), m);
    assertEquals(4096, e.stats().allocatedBytes());
    assertEquals(0, e.stats().cachedBytes());
    a.release(held);
  }

  @Test
  void closeFreesTheCacheAndLaterReleasesGoToTheDevice() {
    FakeMemory mem = new FakeMemory(1L << 20);
    CachingAllocator<Long> a = new CachingAllocator<>(mem, "fake:0");
    CachingAllocator.Block<Long> live = a.allocate(100);
    a.release(a.allocate(5000));
    a.close();
    assertEquals(512, mem.used, "only the live block is left");
    assertThrows(IllegalStateException.class, () -> a.allocate(1));
    a.release(live);
    assertEquals(0, mem.used);
    assertTrue(mem.live.isEmpty());
  }

  @Test
  void aTrainingLikeLoopStopsAllocatingAfterTheFirstStep() {
    FakeMemory mem = new FakeMemory(1L << 30);
    CachingAllocator<Long> a = new CachingAllocator<>(mem, "fake:0");
    long[] shapes = {4 * 128 * 784, 4 * 784 * 300, 4 * 128 * 300, 4 * 300, 4 * 128 * 10, 40};
    for (int step = 0; step < 5; step++) {
      var blocks = new java.util.ArrayList<CachingAllocator.Block<Long>>();
      for (long s : shapes) blocks.add(a.allocate(s));
      blocks.forEach(a::release);
    }
    MemoryStats s = a.stats();
    assertEquals(shapes.length, s.deviceAllocations());
    assertEquals(4L * shapes.length, s.cacheHits());
    assertEquals(0, s.allocatedBytes());
  }
}
