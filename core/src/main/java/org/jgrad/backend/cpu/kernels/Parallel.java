package org.jgrad.backend.cpu.kernels;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The CPU kernels' fork-join helper: one fixed pool of daemon worker threads shared by all kernels.
 *
 * <p>The thread count is read once at start-up from the system property {@value #THREADS_PROPERTY},
 * else the environment variable {@value #THREADS_ENV}, else {@link Runtime#availableProcessors()}.
 * It can be changed globally with {@link #setThreads(int)} or for one calling thread and one piece
 * of code with {@link #withThreads(int, Runnable)}.
 *
 * <p>{@link #forRange(int, int, IntRangeBody)} cuts {@code [0, n)} into contiguous chunks whose
 * boundaries depend only on {@code n}, {@code grain} and the thread count (never on timing), runs
 * them on the pool with the calling thread taking part, and returns when all are done. Calls made
 * from inside a running body (nested parallelism) and calls too small to split run serially on the
 * calling thread. A kernel whose result per index does not depend on how the range is cut is
 * therefore bit-for-bit reproducible for any thread count; kernels that reduce across indices cut
 * their work into fixed blocks themselves and then combine the block results in a fixed order.
 * {@link #forChunks(int, int, IntRangeBody)} does the same with a caller-chosen number of chunks,
 * more than the threads, claimed one at a time, so that a helper that starts late still helps. An
 * idle worker polls for new work before it blocks (for the microseconds given by the system
 * property {@value #SPIN_PROPERTY}, default 100), so back-to-back kernels do not each pay a thread
 * wake-up.
 *
 * <pre>{@code
 * Parallel.forRange(rows, 16, (r0, r1) -> { for (int r = r0; r < r1; r++) normalizeRow(r); });
 * Parallel.withThreads(1, () -> Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n));
 * }</pre>
 */
public final class Parallel {
  /** System property holding the pool size (a positive integer). */
  public static final String THREADS_PROPERTY = "jgrad.threads";

  /** Environment variable holding the pool size, read when the system property is absent. */
  public static final String THREADS_ENV = "JGRAD_NUM_THREADS";

  /**
   * A bad configured count must not break class initialisation (that would surface as an
   * ExceptionInInitializerError, then NoClassDefFoundError, far from the cause): it is kept here
   * and thrown, with its own message, by every use until {@link #setThreads} replaces it.
   */
  private static final String CONFIG_ERROR;

  /** The global count; 0 while {@link #CONFIG_ERROR} stands. */
  private static volatile int defaultThreads;

  static {
    String error = null;
    int t = 0;
    try {
      t = initialThreads();
    } catch (IllegalArgumentException e) {
      error = e.getMessage();
    }
    CONFIG_ERROR = error;
    defaultThreads = t;
  }

  private static final ThreadLocal<Integer> OVERRIDE = new ThreadLocal<>();

  /** Set on a caller while it runs chunks; pool workers carry it permanently (see Worker). */
  private static final ThreadLocal<Boolean> IN_REGION =
      ThreadLocal.withInitial(() -> Boolean.FALSE);

  /**
   * System property: how long, in microseconds, an idle worker keeps polling for the next job
   * before it blocks (default 100). A training step runs one parallel kernel after another with
   * short serial gaps; a blocked worker takes tens of microseconds to wake (much more in a virtual
   * machine whose idle CPU has halted), which made two threads slower than one on small GEMMs.
   * Polling keeps the worker's CPU busy for this long after each job: 0 turns it off.
   */
  public static final String SPIN_PROPERTY = "jgrad.spinMicros";

  private static final long SPIN_NANOS = Math.max(0, Long.getLong(SPIN_PROPERTY, 100)) * 1000;

  private static final Object POOL_LOCK = new Object();

  /** Jobs waiting for a helper; every helper takes from this one queue. */
  private static final LinkedBlockingQueue<Runnable> QUEUE = new LinkedBlockingQueue<>();

  /** Worker threads started so far (guarded by POOL_LOCK); they are never stopped. */
  private static int workers;

  private Parallel() {}

  private static int initialThreads() {
    String prop = System.getProperty(THREADS_PROPERTY);
    if (prop != null && !prop.isBlank()) {
      return parseThreadCount(prop, "-D" + THREADS_PROPERTY);
    }
    String env = System.getenv(THREADS_ENV);
    if (env != null && !env.isBlank()) {
      return parseThreadCount(env, "environment variable " + THREADS_ENV);
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Parses a configured thread count.
   *
   * @throws IllegalArgumentException naming {@code source} when the value is not a positive integer
   */
  static int parseThreadCount(String value, String source) {
    int t;
    try {
      t = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      t = 0;
    }
    if (t < 1) {
      throw new IllegalArgumentException(
          "jgrad: invalid CPU thread count "
              + source
              + "='"
              + value
              + "': it must be a positive integer (e.g. 4), or leave it unset to use all "
              + Runtime.getRuntime().availableProcessors()
              + " processors");
    }
    return t;
  }

  /**
   * The thread count the calling thread's parallel calls use (its {@link #withThreads} override,
   * else the global one).
   */
  public static int threads() {
    Integer o = OVERRIDE.get();
    return o != null ? o : globalThreads();
  }

  private static int globalThreads() {
    int t = defaultThreads;
    if (t == 0) {
      throw new IllegalArgumentException(CONFIG_ERROR);
    }
    return t;
  }

  /** Sets the global thread count used by all threads without a {@link #withThreads} override. */
  public static void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException(
          "Parallel.setThreads: thread count must be >= 1, got " + threads);
    }
    defaultThreads = threads;
  }

  /**
   * Runs {@code body} on the calling thread with its parallel calls using {@code threads} threads.
   */
  public static void withThreads(int threads, Runnable body) {
    withThreads(
        threads,
        () -> {
          body.run();
          return null;
        });
  }

  /** Like {@link #withThreads(int, Runnable)}, returning the body's result. */
  public static <T> T withThreads(int threads, Supplier<T> body) {
    if (threads < 1) {
      throw new IllegalArgumentException(
          "Parallel.withThreads: thread count must be >= 1, got " + threads);
    }
    Integer previous = OVERRIDE.get();
    OVERRIDE.set(threads);
    try {
      return body.get();
    } finally {
      if (previous == null) {
        OVERRIDE.remove();
      } else {
        OVERRIDE.set(previous);
      }
    }
  }

  /**
   * True while the calling thread runs inside a {@link #forRange} body (where further calls run
   * serially).
   */
  public static boolean inParallelRegion() {
    return IN_REGION.get();
  }

  /**
   * The number of chunks {@link #forRange} cuts {@code n} items into for a given thread count: at
   * most {@code threads}, and at least {@code grain} items per chunk.
   */
  public static int chunkCount(int n, int grain, int threads) {
    if (n <= 0) {
      return 0;
    }
    return Math.max(1, Math.min(threads, n / grain));
  }

  /**
   * Start of chunk {@code c} of {@code chunks} over {@code [0, n)}; chunk c is [chunkStart(c),
   * chunkStart(c+1)).
   */
  public static int chunkStart(int n, int chunks, int c) {
    return (int) ((long) n * c / chunks);
  }

  /**
   * Runs {@code body} over {@code [0, n)} cut into {@link #chunkCount(int, int, int)} contiguous
   * chunks, in parallel on the pool with the calling thread taking part. Returns when every chunk
   * has finished. An exception thrown by a chunk is rethrown here after all chunks have stopped.
   *
   * @param n number of indices, {@code >= 0}
   * @param grain smallest number of indices worth giving a thread, {@code >= 1}
   * @param body the work; must only write data that belongs to its own indices
   */
  public static void forRange(int n, int grain, IntRangeBody body) {
    if (n < 0) {
      throw new IllegalArgumentException("Parallel.forRange: n must be >= 0, got " + n);
    }
    if (grain < 1) {
      throw new IllegalArgumentException("Parallel.forRange: grain must be >= 1, got " + grain);
    }
    if (n == 0) {
      return;
    }
    int chunks = chunkCount(n, grain, threads());
    run(n, chunks, chunks - 1, body);
  }

  /**
   * Runs {@code body} over {@code [0, n)} cut into exactly {@code min(chunks, n)} contiguous chunks
   * ({@link #chunkStart} boundaries, fixed by {@code n} and {@code chunks} alone), which the
   * calling thread and up to {@code threads() - 1} pool workers claim one at a time until none is
   * left. More chunks than threads balance the load when a helper starts late or runs slower (a
   * busy machine); a body whose result per index does not depend on which thread runs it stays
   * bit-for-bit reproducible. With one thread or inside a parallel region the caller runs the same
   * chunks in order.
   *
   * @param chunks number of chunks, {@code >= 1}
   */
  public static void forChunks(int n, int chunks, IntRangeBody body) {
    if (n < 0) {
      throw new IllegalArgumentException("Parallel.forChunks: n must be >= 0, got " + n);
    }
    if (chunks < 1) {
      throw new IllegalArgumentException("Parallel.forChunks: chunks must be >= 1, got " + chunks);
    }
    if (n == 0) {
      return;
    }
    int c = Math.min(chunks, n);
    int helpers = Math.min(threads(), c) - 1;
    if (helpers < 1 || IN_REGION.get()) {
      // The same chunks in order, so a body may rely on their boundaries.
      for (int i = 0; i < c; i++) {
        body.run(chunkStart(n, c, i), chunkStart(n, c, i + 1));
      }
      return;
    }
    run(n, c, helpers, body);
  }

  private static void run(int n, int chunks, int helpers, IntRangeBody body) {
    if (chunks <= 1 || helpers < 1 || IN_REGION.get()) {
      body.run(0, n);
      return;
    }
    Job job = new Job(n, chunks, body);
    ensureWorkers(helpers);
    for (int i = 0; i < helpers; i++) {
      QUEUE.offer(job);
    }
    IN_REGION.set(Boolean.TRUE);
    try {
      job.work();
    } finally {
      IN_REGION.set(Boolean.FALSE);
    }
    job.awaitDone();
    Throwable failure = job.failure.get();
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    if (failure != null) {
      throw new RuntimeException(failure);
    }
  }

  private static void ensureWorkers(int wanted) {
    synchronized (POOL_LOCK) {
      // Grow only (withThreads may ask for more than the configured count).
      int target = Math.max(wanted, workers == 0 ? defaultThreads - 1 : 0);
      while (workers < target) {
        workers++;
        Thread t = new Thread(Parallel::workerLoop, "jgrad-cpu-" + workers);
        t.setDaemon(true);
        t.start();
      }
    }
  }

  /** A worker: polls for {@link #SPIN_NANOS} after each job, then blocks until the next. */
  private static void workerLoop() {
    IN_REGION.set(Boolean.TRUE);
    while (true) {
      Runnable r = QUEUE.poll();
      if (r == null && SPIN_NANOS > 0) {
        long end = System.nanoTime() + SPIN_NANOS;
        while ((r = QUEUE.poll()) == null && System.nanoTime() - end < 0) {
          Thread.onSpinWait();
        }
      }
      if (r == null) {
        try {
          r = QUEUE.take();
        } catch (InterruptedException e) {
          continue; // daemon workers are never stopped
        }
      }
      r.run();
    }
  }

  /**
   * Chunks are claimed from a shared counter, so a busy pool only delays helpers: the caller can do
   * all the work.
   */
  private static final class Job implements Runnable {
    final int n;
    final int chunks;
    final IntRangeBody body;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final Thread caller = Thread.currentThread();

    Job(int n, int chunks, IntRangeBody body) {
      this.n = n;
      this.chunks = chunks;
      this.body = body;
    }

    @Override
    public void run() {
      work();
    }

    void work() {
      int c;
      while ((c = next.getAndIncrement()) < chunks) {
        try {
          if (failure.get() == null) {
            body.run(chunkStart(n, chunks, c), chunkStart(n, chunks, c + 1));
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          if (done.incrementAndGet() == chunks && Thread.currentThread() != caller) {
            LockSupport.unpark(caller);
          }
        }
      }
    }

    void awaitDone() {
      // A short spin first: chunks are usually balanced, so the helpers finish at about the same
      // time.
      for (int spin = 0; spin < 20_000 && done.get() < chunks; spin++) {
        Thread.onSpinWait();
      }
      boolean interrupted = false;
      while (done.get() < chunks) {
        LockSupport.park(this);
        if (Thread.interrupted()) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
