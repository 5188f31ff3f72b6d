package org.jgrad.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelTest {

  @Test
  void chunksCoverTheRangeExactlyOnceWithFixedBoundaries() {
    for (int threads : new int[] {1, 2, 3, 7}) {
      for (int n : new int[] {1, 2, 5, 100, 1001}) {
        for (int grain : new int[] {1, 3, 64}) {
          int[] hits = new int[n];
          List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
          Parallel.withThreads(
              threads,
              () ->
                  Parallel.forRange(
                      n,
                      grain,
                      (s, e) -> {
                        ranges.add(new int[] {s, e});
                        for (int i = s; i < e; i++) {
                          synchronized (hits) {
                            hits[i]++;
                          }
                        }
                      }));
          for (int i = 0; i < n; i++) {
            assertEquals(1, hits[i], "index " + i + " n=" + n + " threads=" + threads);
          }
          int chunks = Parallel.chunkCount(n, grain, threads);
          assertEquals(chunks, ranges.size());
          assertTrue(chunks <= threads && chunks >= 1);
          ranges.sort((x, y) -> Integer.compare(x[0], y[0]));
          for (int c = 0; c < chunks; c++) {
            assertEquals(Parallel.chunkStart(n, chunks, c), ranges.get(c)[0]);
            assertEquals(Parallel.chunkStart(n, chunks, c + 1), ranges.get(c)[1]);
            if (chunks > 1) {
              assertTrue(ranges.get(c)[1] - ranges.get(c)[0] >= grain);
            }
          }
        }
      }
    }
  }

  @Test
  void forChunksRunsEveryFixedChunkOnceOnSeveralThreads() {
    for (int threads : new int[] {1, 2, 3}) {
      for (int n : new int[] {1, 7, 64, 1000}) {
        for (int chunks : new int[] {1, 5, 64}) {
          int[] hits = new int[n];
          List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
          Parallel.withThreads(
              threads,
              () ->
                  Parallel.forChunks(
                      n,
                      chunks,
                      (s, e) -> {
                        ranges.add(new int[] {s, e});
                        for (int i = s; i < e; i++) {
                          synchronized (hits) {
                            hits[i]++;
                          }
                        }
                      }));
          for (int i = 0; i < n; i++) {
            assertEquals(1, hits[i], "index " + i + " n=" + n + " chunks=" + chunks);
          }
          int c = Math.min(n, chunks);
          assertEquals(c, ranges.size(), "chunk count, whatever the thread count");
          ranges.sort((x, y) -> Integer.compare(x[0], y[0]));
          for (int i = 0; i < c; i++) {
            assertEquals(Parallel.chunkStart(n, c, i), ranges.get(i)[0]);
            assertEquals(Parallel.chunkStart(n, c, i + 1), ranges.get(i)[1]);
          }
        }
      }
    }
    Set<Thread> seen = ConcurrentHashMap.newKeySet();
    Parallel.withThreads(
        2,
        () -> {
          for (int rep = 0; rep < 50 && seen.size() < 2; rep++) {
            Parallel.forChunks(
                8,
                8,
                (s, e) -> {
                  seen.add(Thread.currentThread());
                  long t0 = System.nanoTime();
                  while (System.nanoTime() - t0 < 1_000_000) {
                    Thread.onSpinWait();
                  }
                });
          }
        });
    // At least the caller and one worker (more when earlier tests left a larger pool).
    assertTrue(seen.size() >= 2, "a pool worker must take some of the chunks: saw " + seen);
    assertThrows(IllegalArgumentException.class, () -> Parallel.forChunks(4, 0, (s, e) -> {}));
    assertThrows(IllegalArgumentException.class, () -> Parallel.forChunks(-1, 2, (s, e) -> {}));
  }

  @Test
  void runsOnSeveralThreadsAndCallerTakesPart() {
    Set<Thread> seen = ConcurrentHashMap.newKeySet();
    Thread caller = Thread.currentThread();
    Parallel.withThreads(
        2,
        () -> {
          // Until both the caller and some worker have run a chunk: in one round either side may
          // claim both chunks (the caller when a worker wakes late, a worker when the caller is
          // preempted), so one round proves nothing.
          for (int rep = 0; rep < 50 && !(seen.contains(caller) && seen.size() >= 2); rep++) {
            Parallel.forRange(
                2,
                1,
                (s, e) -> {
                  seen.add(Thread.currentThread());
                  long t0 = System.nanoTime();
                  while (System.nanoTime() - t0 < 2_000_000) {
                    Thread.onSpinWait();
                  }
                });
          }
        });
    assertTrue(seen.contains(caller), "caller must run a chunk");
    // Several workers may have taken part (the pool may be larger after earlier tests).
    assertTrue(seen.size() >= 2, "a pool worker must run a chunk: saw " + seen);
  }

  @Test
  void nestedCallsRunSerially() {
    AtomicInteger innerChunks = new AtomicInteger();
    Parallel.withThreads(
        2,
        () ->
            Parallel.forRange(
                4,
                1,
                (s, e) -> {
                  assertTrue(Parallel.inParallelRegion());
                  Parallel.forRange(
                      100,
                      1,
                      (s2, e2) -> {
                        innerChunks.incrementAndGet();
                        assertEquals(0, s2);
                        assertEquals(100, e2);
                      });
                }));
    assertEquals(2, innerChunks.get(), "one serial inner call per outer chunk");
    assertFalse(Parallel.inParallelRegion());
  }

  @Test
  void smallRangesRunOnTheCaller() {
    Thread caller = Thread.currentThread();
    Parallel.withThreads(
        2,
        () ->
            Parallel.forRange(
                10,
                64,
                (s, e) -> {
                  assertSame(caller, Thread.currentThread());
                  assertEquals(0, s);
                  assertEquals(10, e);
                }));
    Parallel.forRange(
        0,
        1,
        (s, e) -> {
          throw new AssertionError("empty range must not run");
        });
  }

  @Test
  void exceptionsPropagateAfterAllChunksStop() {
    for (int rep = 0; rep < 20; rep++) {
      AtomicInteger started = new AtomicInteger();
      AtomicInteger finished = new AtomicInteger();
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  Parallel.withThreads(
                      2,
                      () ->
                          Parallel.forRange(
                              2,
                              1,
                              (s, t) -> {
                                if (s == 0) {
                                  throw new IllegalStateException("boom");
                                }
                                started.incrementAndGet();
                                long t0 = System.nanoTime();
                                while (System.nanoTime() - t0 < 1_000_000) {
                                  Thread.onSpinWait();
                                }
                                finished.incrementAndGet();
                              })));
      assertEquals("boom", e.getMessage());
      // Chunks not yet started when the failure is seen are skipped, but none may still be running.
      assertEquals(
          started.get(), finished.get(), "a chunk was still running when forRange returned");
      assertFalse(Parallel.inParallelRegion());
    }
  }

  @Test
  void withThreadsRestoresAndNests() {
    int before = Parallel.threads();
    Parallel.withThreads(
        3,
        () -> {
          assertEquals(3, Parallel.threads());
          Parallel.withThreads(1, () -> assertEquals(1, Parallel.threads()));
          assertEquals(3, Parallel.threads());
        });
    assertEquals(before, Parallel.threads());
    assertThrows(IllegalArgumentException.class, () -> Parallel.withThreads(0, () -> {}));
    assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(-1, 1, (s, e) -> {}));
    assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(5, 0, (s, e) -> {}));
  }

  @Test
  void threadCountParsing() {
    assertEquals(4, Parallel.parseThreadCount(" 4 ", "x"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Parallel.parseThreadCount("many", "system property jgrad.threads"));
    assertEquals(
        "jgrad: invalid CPU thread count system property jgrad.threads='many': it must be a positive"
            + " integer (e.g. 4), or leave it unset to use all "
            + Runtime.getRuntime().availableProcessors()
            + " processors",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Parallel.parseThreadCount("0", "x"));
  }
}
