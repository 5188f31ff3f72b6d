package org.jgrad.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jgrad.data.transforms.Transform;
import org.jgrad.tensor.Generator;

/**
 * Iterates a data set in mini-batches, as PyTorch's {@code DataLoader}: batch size, shuffling with
 * a seed, drop-last, a collate step, an optional transform of the inputs, and background
 * prefetching of the next batch on a worker thread.
 *
 * <p>Each call to {@link #iterator()} is one epoch. With shuffling on, epoch {@code e} uses the
 * order drawn from {@code (seed, e)}: two loaders with the same seed give the same sequence of
 * epochs, and consecutive epochs differ. {@link #setEpoch(int)} jumps to an epoch (e.g. when
 * resuming). Data sets that implement {@link BatchSource} (such as {@link TensorDataset}) build
 * each batch at once by slicing; others are fetched example by example and stacked.
 *
 * <p>With prefetching, batch {@code k+1} is fetched and collated on a daemon worker thread while
 * the caller works on batch {@code k}; batches are still built one at a time and in order. The
 * transforms run on the calling thread when a batch is handed out, so a seeded transform draws its
 * random numbers for exactly the batches delivered: prefetching never changes its stream, even when
 * an epoch is left early (the batch prefetched but never taken is not transformed). Each epoch uses
 * {@link Transform#forEpoch} of the transforms, so for the random transforms of {@code Transforms}
 * an epoch's draws depend only on their seed and that epoch: leaving an epoch early does not change
 * the next one. The worker thread ends by itself after a second of idleness. Iterate one epoch at a
 * time per loader.
 *
 * <p>If building a batch throws, {@link Iterator#next()} throws an {@link IllegalStateException}
 * for that batch, naming it and carrying the original exception as its cause (like a PyTorch worker
 * error); the epoch is not poisoned: the following calls deliver the following batches.
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(trainSet).batchSize(64).shuffle(42).dropLast(true)
 *         .transform(Transforms.randomHorizontalFlip(0.5, 7)).build();
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     for (Batch b : loader) { ... }      // a new order every epoch
 * }
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch> {
  private final Dataset<?> dataset;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;
  private final boolean dropLast;
  private final boolean prefetch;
  private final Transform transform;
  private final Transform targetTransform;
  private final Function<List<Example>, Batch> collate;
  private int epoch;
  private ThreadPoolExecutor worker;

  private DataLoader(Builder b) {
    this.dataset = b.dataset;
    this.batchSize = b.batchSize;
    this.shuffle = b.shuffle;
    this.seed = b.seedSet ? b.seed : Generator.defaultGenerator().nextLong();
    this.dropLast = b.dropLast;
    this.prefetch = b.prefetch;
    this.transform = b.transform;
    this.targetTransform = b.targetTransform;
    this.collate = b.collate;
  }

  /** Batches of {@code batchSize} in index order, with prefetching. */
  public DataLoader(Dataset<?> dataset, int batchSize) {
    this(builder(dataset).batchSize(batchSize));
  }

  /**
   * Batches of {@code batchSize}, shuffled with {@code seed} if {@code shuffle}, with prefetching.
   */
  public DataLoader(Dataset<?> dataset, int batchSize, boolean shuffle, long seed) {
    this(
        shuffle
            ? builder(dataset).batchSize(batchSize).shuffle(seed)
            : builder(dataset).batchSize(batchSize));
  }

  /** Starts a builder (batch size 1, no shuffle, keep the last partial batch, prefetch on). */
  public static Builder builder(Dataset<?> dataset) {
    return new Builder(dataset);
  }

  /** Options for a {@link DataLoader}. */
  public static final class Builder {
    private final Dataset<?> dataset;
    private int batchSize = 1;
    private boolean shuffle;
    private long seed;
    private boolean seedSet;
    private boolean dropLast;
    private boolean prefetch = true;
    private Transform transform;
    private Transform targetTransform;
    private Function<List<Example>, Batch> collate;

    private Builder(Dataset<?> dataset) {
      if (dataset == null) throw new IllegalArgumentException("DataLoader: dataset is null");
      this.dataset = dataset;
    }

    /** Examples per batch (at least 1). */
    public Builder batchSize(int n) {
      if (n < 1) throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + n);
      this.batchSize = n;
      return this;
    }

    /** Shuffle every epoch, reproducibly from {@code seed}. */
    public Builder shuffle(long seed) {
      this.shuffle = true;
      this.seed = seed;
      this.seedSet = true;
      return this;
    }

    /**
     * Shuffle or not; without a seed one is drawn from the default generator (see {@code
     * Tensor.manualSeed}).
     */
    public Builder shuffle(boolean on) {
      this.shuffle = on;
      return this;
    }

    /** Drop the last batch if it is smaller than the batch size. */
    public Builder dropLast(boolean on) {
      this.dropLast = on;
      return this;
    }

    /** Build the next batch on a worker thread while the current one is used (default on). */
    public Builder prefetch(boolean on) {
      this.prefetch = on;
      return this;
    }

    /** Applied to each batch's inputs, on the calling thread when the batch is handed out. */
    public Builder transform(Transform t) {
      this.transform = t;
      return this;
    }

    /** Applied to each batch's targets. */
    public Builder targetTransform(Transform t) {
      this.targetTransform = t;
      return this;
    }

    /** A custom collate step; examples are then always fetched one by one. */
    public Builder collate(Function<List<Example>, Batch> f) {
      this.collate = f;
      return this;
    }

    public DataLoader build() {
      return new DataLoader(this);
    }
  }

  /** The data set. */
  public Dataset<?> dataset() {
    return dataset;
  }

  /** Examples per batch. */
  public int batchSize() {
    return batchSize;
  }

  /** Number of batches per epoch (PyTorch's {@code len(loader)}). */
  public int size() {
    int n = dataset.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  /** The epoch the next {@link #iterator()} will run (starts at 0). */
  public synchronized int epoch() {
    return epoch;
  }

  /** Sets the epoch the next {@link #iterator()} will run, which fixes its shuffle order. */
  public synchronized void setEpoch(int e) {
    if (e < 0) throw new IllegalArgumentException("DataLoader.setEpoch: negative epoch " + e);
    this.epoch = e;
  }

  /** The example order of epoch {@code e} (before batching); identity when not shuffling. */
  public int[] order(int e) {
    int n = dataset.size();
    if (!shuffle) {
      int[] id = new int[n];
      for (int i = 0; i < n; i++) id[i] = i;
      return id;
    }
    // Mixing the epoch into the seed lets any epoch's order be computed without replaying the
    // earlier ones.
    return Splits.permutation(n, new Generator(seed + 0x9E3779B97F4A7C15L * (e + 1L)));
  }

  /** One epoch of batches. */
  @Override
  public Iterator<Batch> iterator() {
    int e;
    synchronized (this) {
      e = epoch++;
    }
    return new Epoch(order(e), e);
  }

  /** Fetches and collates batch {@code k} (on the worker thread when prefetching). */
  private Batch collateBatch(int[] order, int k) {
    int from = k * batchSize;
    int to = Math.min(order.length, from + batchSize);
    int[] idx = Arrays.copyOfRange(order, from, to);
    return collate != null ? collate.apply(fetch(idx)) : Collate.batchOf(dataset, idx);
  }

  /**
   * Applies the transforms, always on the calling thread at hand-out time: a seeded transform's
   * random stream then only advances for delivered batches, with or without prefetching.
   */
  private static Batch transformBatch(Batch b, Transform inputs, Transform targets) {
    if (inputs == null && targets == null) return b;
    return new Batch(
        inputs == null ? b.inputs() : inputs.apply(b.inputs()),
        targets == null ? b.targets() : targets.apply(b.targets()));
  }

  private List<Example> fetch(int[] idx) {
    Example[] out = new Example[idx.length];
    for (int i = 0; i < idx.length; i++) {
      Object o = dataset.get(idx[i]);
      if (!(o instanceof Example ex)) {
        throw new IllegalArgumentException(
            "DataLoader: data set element " + idx[i] + " is not an Example");
      }
      out[i] = ex;
    }
    return List.of(out);
  }

  private synchronized ThreadPoolExecutor worker() {
    if (worker == null) {
      worker =
          new ThreadPoolExecutor(
              1,
              1,
              1,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              r -> {
                Thread t = new Thread(r, "jgrad-dataloader-prefetch");
                t.setDaemon(true);
                return t;
              });
      worker.allowCoreThreadTimeOut(true);
    }
    return worker;
  }

  private final class Epoch implements Iterator<Batch> {
    private final int[] order;
    private final int epochIndex;

    /**
     * The transforms for this epoch ({@link Transform#forEpoch}): their draws depend on no other
     * epoch.
     */
    private final Transform epochTransform;

    private final Transform epochTargetTransform;
    private final int batches;
    private int next;
    private Future<Batch> pending;

    Epoch(int[] order, int epochIndex) {
      this.order = order;
      this.epochIndex = epochIndex;
      this.epochTransform = transform == null ? null : transform.forEpoch(epochIndex);
      this.epochTargetTransform =
          targetTransform == null ? null : targetTransform.forEpoch(epochIndex);
      this.batches = size();
      if (prefetch && batches > 0) pending = submit(0);
    }

    private Future<Batch> submit(int k) {
      return worker().submit(() -> collateBatch(order, k));
    }

    @Override
    public boolean hasNext() {
      return next < batches;
    }

    @Override
    public Batch next() {
      if (next >= batches) throw new NoSuchElementException("DataLoader: the epoch has ended");
      int k = next++;
      Future<Batch> f = pending;
      pending = null;
      try {
        Batch raw;
        try {
          raw = prefetch ? await(f) : collateBatch(order, k);
        } finally {
          // Whatever became of batch k, batch k+1 is still built: one bad batch does not end the
          // epoch.
          if (prefetch && next < batches) pending = submit(next);
        }
        return transformBatch(raw, epochTransform, epochTargetTransform);
      } catch (Interrupted e) {
        throw e.exception;
      } catch (RuntimeException e) {
        Throwable cause = e instanceof Failed failed ? failed.getCause() : e;
        throw new IllegalStateException(
            "DataLoader: building batch "
                + k
                + " of "
                + batches
                + " in epoch "
                + epochIndex
                + " failed: "
                + cause
                + " (the next call continues with batch "
                + (k + 1)
                + ")",
            cause);
      }
    }

    private Batch await(Future<Batch> f) {
      try {
        return f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        f.cancel(true);
        throw new Interrupted(
            new IllegalStateException("DataLoader: interrupted while waiting for a batch", e));
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof Error err) throw err;
        throw new Failed(c);
      }
    }
  }

  /** A batch whose building threw on the worker thread; carries the original exception. */
  private static final class Failed extends RuntimeException {
    Failed(Throwable cause) {
      super(cause);
    }
  }

  /** Interruption while waiting is not a failure of the batch: passed through unwrapped. */
  private static final class Interrupted extends RuntimeException {
    final IllegalStateException exception;

    Interrupted(IllegalStateException exception) {
      this.exception = exception;
    }
  }

  @Override
  public String toString() {
    return "DataLoader["
        + dataset.size()
        + " examples, batch "
        + batchSize
        + (shuffle ? ", shuffled" : "")
        + (dropLast ? ", dropLast" : "")
        + (prefetch ? ", prefetch" : "")
        + "]";
  }
}
