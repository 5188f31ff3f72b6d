package org.jgrad.backend.cpu.kernels;

import java.util.Arrays;

/**
 * General matrix multiply on plain arrays: {@code C = alpha * op(A) * op(B) + beta * C}, BLAS
 * semantics, row-major, multi-threaded over {@link Parallel}.
 *
 * <p>float32 runs a packed, cache-blocked algorithm around a register-tiled micro-kernel. When all
 * of A, packed, fits half an L2 (the training shapes: batch 64 against layers of a few hundred
 * units, a convolution's im2col product) each thread packs A once and packs every KC x NR
 * micro-panel of B right before multiplying it, and threads claim chunks of B panels dynamically;
 * otherwise B is packed in KC x NC panels (each thread packing the columns it multiplies) and A in
 * MC x KC blocks per thread. A narrow product is computed as C^T when that wastes less of the
 * micro-kernel's tile ({@code transposeC}). The micro-kernel uses the JDK Vector API when the
 * module {@code jdk.incubator.vector} is in the boot layer (JVM flag {@code --add-modules
 * jdk.incubator.vector}); otherwise, or with {@code -Djgrad.simd=false}, a plain Java kernel is
 * chosen at start-up. The plain kernel is about four times slower, so when it is chosen only
 * because the module is missing, the first float32 GEMM prints one warning per JVM to {@code
 * System.err} saying how to pass the flag ({@link #fallbackWarning()}); {@code
 * -Djgrad.simd.warn=false} silences it. Both give the same results within float rounding; each is
 * bit-for-bit reproducible, for any thread count, because every element of C is summed over k in
 * the same order whatever part of C a thread computes. That order (k in blocks of at most 256 on
 * the streaming path, 512 on the packed one) depends on the shape alone; the two paths give the
 * same bits when k is at most 256.
 *
 * <p>float64 ({@link #dgemm}) is a simpler blocked loop: correct and deterministic, not tuned.
 *
 * <p>Operands are given either BLAS-style (transpose flags and leading dimensions) or fully
 * strided: element (i, j) of a strided operand lives at {@code off + i*rowStride + j*colStride}, so
 * transposed and sliced views multiply without a copy. With {@code beta == 0} C is only written
 * (NaN or garbage in C does not propagate). C must not overlap A or B.
 *
 * <pre>{@code
 * float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
 * Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);       // C = A B
 * Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, bt, 0, k, 1f, c, 0, n);        // C += A Bt^T
 * }</pre>
 */
public final class Gemm {
  /** System property that, set to {@code false}, forces the scalar float32 kernel. */
  public static final String SIMD_PROPERTY = "jgrad.simd";

  /**
   * System property that, set to {@code false}, silences the one-time warning about the scalar
   * fallback.
   */
  public static final String SIMD_WARN_PROPERTY = "jgrad.simd.warn";

  private static final String VECTOR_MODULE = "jdk.incubator.vector";
  private static final String VECTOR_KERNEL_CLASS =
      "org.jgrad.backend.cpu.kernels.VectorSgemmKernel";

  // Blocking over k: the streaming path (few rows, each B micro-panel packed right before use)
  // keeps a KC x NR micro-panel of B (32 KiB for 8x32) in L1 and takes k in blocks of at most KC;
  // the packed path takes k in blocks of at most KC_PACKED, each block of C read and written once
  // per block. Measured on the benchmark machine (interleaved, 1 thread, GFLOP/s): the packed path
  // at n = 1024 / 2048 gave 90-93 with blocks of 256, 98-103 with 512 (384 and 768 in between or
  // level; 128 and 192 lower); the streaming path lost with 512 (the conv2 im2col product
  // 64x288@288x7744 88 -> 75, 64x784@784x256 96 -> 85), so it keeps 256. The properties are tuning
  // knobs for experiments only.
  static final int KC = Integer.getInteger("jgrad.gemm.kc", 256);
  static final int KC_PACKED = Integer.getInteger("jgrad.gemm.kcPacked", 512);
  static final int MC = Integer.getInteger("jgrad.gemm.mc", 120);

  /** At most this many floats of packed B per NC block (16 MiB). */
  private static final int B_PACK_CAP = 1 << 22;

  /**
   * Below this m*n*k a GEMM runs on the calling thread only: fork-join would cost more than it
   * saves.
   */
  static final long PARALLEL_MIN_WORK = 1L << 20;

  private static final long PACK_PARALLEL_MIN = 1L << 16;

  /**
   * At most this many floats of packed A (all of it, 512 KiB: half a Zen 5 L2) for the path that
   * packs each B micro-panel right before its use ({@link #streamRun}). Not final so that tests can
   * run the same products through both paths.
   */
  static volatile long streamACap = Long.getLong("jgrad.gemm.streamA", 1L << 17);

  /** Most chunks {@link #streamRun} cuts the B panels into. */
  private static final int STREAM_MAX_CHUNKS = 64;

  private static final SgemmKernel SCALAR = new ScalarSgemmKernel();
  private static final SgemmKernel VECTOR = loadVectorKernel();
  private static final boolean SIMD_FORCED_OFF =
      "false".equalsIgnoreCase(System.getProperty(SIMD_PROPERTY, "true"));
  private static final SgemmKernel DEFAULT = VECTOR != null && !SIMD_FORCED_OFF ? VECTOR : SCALAR;

  /**
   * Printed at the first float32 GEMM that runs the scalar kernel because the Vector API is
   * missing.
   */
  private static final OnceWarning FALLBACK_WARNING = new OnceWarning(fallbackWarning());

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private Gemm() {}

  private static SgemmKernel loadVectorKernel() {
    Object k = callVectorFactory("create");
    return k instanceof SgemmKernel sk ? sk : null;
  }

  private static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  /**
   * Calls a static factory of the Vector API kernel class, or returns null when the module is
   * absent.
   */
  private static Object callVectorFactory(String method) {
    if (!vectorModulePresent()) {
      return null;
    }
    try {
      return Class.forName(VECTOR_KERNEL_CLASS).getDeclaredMethod(method).invoke(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /**
   * True when the Vector API kernel could be loaded (module present), whether or not it is the one
   * in use.
   */
  public static boolean simdAvailable() {
    return VECTOR != null;
  }

  /** True when {@link #sgemm} uses the Vector API kernel. */
  public static boolean simdEnabled() {
    return DEFAULT == VECTOR && VECTOR != null;
  }

  /** Name of the float32 micro-kernel in use, e.g. {@code vector-8x32} or {@code scalar-4x4}. */
  public static String kernelName() {
    return DEFAULT.name;
  }

  /**
   * Why the scalar kernel is in use, in words ({@code null} when the Vector API kernel is): the
   * module is missing from the JVM, it is there but the kernel failed to load, or {@code
   * -Djgrad.simd=false}.
   */
  public static String fallbackReason() {
    if (simdEnabled()) {
      return null;
    }
    if (!vectorModulePresent()) {
      return "the JVM was started without --add-modules " + VECTOR_MODULE;
    }
    if (VECTOR == null) {
      return "the module " + VECTOR_MODULE + " is present but the Vector API kernel failed to load";
    }
    return "-D" + SIMD_PROPERTY + "=false forces it";
  }

  /**
   * A description of the float32 GEMM kernel in use, e.g. {@code vector-8x32 (Vector API,
   * Species[float, 16, S_512_BIT])} or {@code scalar-4x4 (scalar fallback: the JVM was started
   * without ...)}.
   */
  public static String kernelDescription() {
    if (simdEnabled()) {
      return kernelName() + " (Vector API, " + callVectorFactory("species") + ")";
    }
    return kernelName() + " (scalar fallback, about 4x slower: " + fallbackReason() + ")";
  }

  /**
   * The warning printed once per JVM when float32 GEMM first runs the scalar kernel for want of the
   * Vector API module, or {@code null} when no warning is due (the vector kernel is in use, the
   * scalar kernel was asked for with {@code -Djgrad.simd=false}, or {@code -Djgrad.simd.warn=false}
   * silences it).
   */
  public static String fallbackWarning() {
    if (simdEnabled()
        || VECTOR != null && SIMD_FORCED_OFF
        || "false".equalsIgnoreCase(System.getProperty(SIMD_WARN_PROPERTY, "true"))) {
      return null;
    }
    return "WARNING: jgrad runs float32 matrix multiply on its scalar fallback kernel (about 4x slower) because "
        + fallbackReason()
        + ".\n"
        + "  Add the JVM flag --add-modules "
        + VECTOR_MODULE
        + " to use the Vector API kernel:\n"
        + "  - Maven: the root pom passes it to tests and exec through the property jgrad.jvm.flags;"
        + " your own pom: surefire <argLine>, exec-maven-plugin <argument>s or MAVEN_OPTS for exec:java\n"
        + "  - IDE: add it to the run configuration's VM options\n"
        + "  - plain java: java --add-modules "
        + VECTOR_MODULE
        + " -cp ... your.Main\n"
        + "  Silence this warning with -D"
        + SIMD_WARN_PROPERTY
        + "=false.";
  }

  /** True once the scalar-fallback warning has been printed in this JVM. */
  public static boolean fallbackWarningPrinted() {
    return FALLBACK_WARNING.printed();
  }

  static SgemmKernel vectorKernel() {
    return VECTOR;
  }

  /** All Vector API kernel variants (empty without the module), for tests. */
  static SgemmKernel[] vectorKernelVariants() {
    Object v = callVectorFactory("variants");
    return v instanceof SgemmKernel[] ks ? ks : new SgemmKernel[0];
  }

  /** The float32 kernel in use; Conv2dKernels borrows its vector helpers. */
  static SgemmKernel defaultKernel() {
    return DEFAULT;
  }

  static SgemmKernel scalarKernel() {
    return SCALAR;
  }

  // ---------------------------------------------------------------- float32 front doors

  /**
   * BLAS-style float32 GEMM on row-major storage: {@code C[m x n] = alpha * op(A) * op(B) + beta *
   * C}. {@code op(A)} is {@code m x k}; A is stored {@code m x k} (or {@code k x m} when {@code
   * transA}) with row pitch {@code lda}; likewise B ({@code k x n}, or {@code n x k} when {@code
   * transB}) and C.
   *
   * @throws IllegalArgumentException for negative sizes, too-small leading dimensions, or operands
   *     that do not fit their arrays
   */
  public static void sgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    checkBlas("Gemm.sgemm", transA, transB, m, n, k, lda, ldb, ldc);
    sgemmStrided(
        m,
        n,
        k,
        alpha,
        a,
        aOff,
        transA ? 1 : lda,
        transA ? lda : 1,
        b,
        bOff,
        transB ? 1 : ldb,
        transB ? ldb : 1,
        beta,
        c,
        cOff,
        ldc,
        1);
  }

  /**
   * Fully strided float32 GEMM: {@code C = alpha * A * B + beta * C} with {@code A} {@code m x k},
   * {@code B} {@code k x n}, {@code C} {@code m x n}, element (i, j) of each at {@code off +
   * i*rowStride + j*colStride}. Strides may be any values (including negative) for A and B; C's
   * must not make two elements share a slot.
   */
  public static void sgemmStrided(
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int aRowStride,
      int aColStride,
      float[] b,
      int bOff,
      int bRowStride,
      int bColStride,
      float beta,
      float[] c,
      int cOff,
      int cRowStride,
      int cColStride) {
    sgemmWith(
        DEFAULT,
        m,
        n,
        k,
        alpha,
        a,
        aOff,
        aRowStride,
        aColStride,
        b,
        bOff,
        bRowStride,
        bColStride,
        beta,
        c,
        cOff,
        cRowStride,
        cColStride);
  }

  /**
   * Batched strided float32 GEMM: for {@code i in [0, batch)}, multiplies the operands at {@code
   * aOff + i*aBatchStride} etc. A batch stride of 0 for A or B broadcasts that operand; C's must
   * keep the batch's results apart. Small products run one per thread; large ones are split
   * internally.
   */
  public static void sgemmBatched(
      int batch,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int aBatchStride,
      int aRowStride,
      int aColStride,
      float[] b,
      int bOff,
      int bBatchStride,
      int bRowStride,
      int bColStride,
      float beta,
      float[] c,
      int cOff,
      int cBatchStride,
      int cRowStride,
      int cColStride) {
    String op = "Gemm.sgemmBatched";
    if (batch < 0) {
      throw new IllegalArgumentException(op + ": batch must be >= 0, got " + batch);
    }
    if (batch == 0) {
      return;
    }
    checkSizes(op, m, n, k);
    if (batch > 1 && cBatchStride == 0 && m > 0 && n > 0) {
      throw new IllegalArgumentException(
          op + ": C batch stride 0 would make " + batch + " results share one matrix");
    }
    for (int i : new int[] {0, batch - 1}) {
      checkOperand(op, "A", a.length, aOff + (long) i * aBatchStride, m, k, aRowStride, aColStride);
      checkOperand(op, "B", b.length, bOff + (long) i * bBatchStride, k, n, bRowStride, bColStride);
      checkOperand(op, "C", c.length, cOff + (long) i * cBatchStride, m, n, cRowStride, cColStride);
    }
    checkNoSelfOverlap(op, m, n, cRowStride, cColStride);
    // One product per thread when there are enough of them (no fork-join per product) or when each
    // is too
    // small to split; otherwise one after the other, each split over the threads.
    int threads = Parallel.threads();
    boolean perThread =
        batch > 1
            && threads > 1
            && !Parallel.inParallelRegion()
            && (batch >= threads || (long) m * n * k < PARALLEL_MIN_WORK);
    if (perThread) {
      Parallel.forRange(
          batch,
          1,
          (b0, b1) -> {
            for (int i = b0; i < b1; i++) {
              sgemmRun(
                  DEFAULT,
                  m,
                  n,
                  k,
                  alpha,
                  a,
                  aOff + i * aBatchStride,
                  aRowStride,
                  aColStride,
                  b,
                  bOff + i * bBatchStride,
                  bRowStride,
                  bColStride,
                  beta,
                  c,
                  cOff + i * cBatchStride,
                  cRowStride,
                  cColStride);
            }
          });
    } else {
      for (int i = 0; i < batch; i++) {
        sgemmRun(
            DEFAULT,
            m,
            n,
            k,
            alpha,
            a,
            aOff + i * aBatchStride,
            aRowStride,
            aColStride,
            b,
            bOff + i * bBatchStride,
            bRowStride,
            bColStride,
            beta,
            c,
            cOff + i * cBatchStride,
            cRowStride,
            cColStride);
      }
    }
  }

  /**
   * Strided GEMM with an explicit micro-kernel: lets tests run the vector and scalar paths side by
   * side.
   */
  static void sgemmWith(
      SgemmKernel kernel,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int rsA,
      int csA,
      float[] b,
      int bOff,
      int rsB,
      int csB,
      float beta,
      float[] c,
      int cOff,
      int rsC,
      int csC) {
    String op = "Gemm.sgemm";
    checkSizes(op, m, n, k);
    checkOperand(op, "A", a.length, aOff, m, k, rsA, csA);
    checkOperand(op, "B", b.length, bOff, k, n, rsB, csB);
    checkOperand(op, "C", c.length, cOff, m, n, rsC, csC);
    checkNoSelfOverlap(op, m, n, rsC, csC);
    sgemmRun(kernel, m, n, k, alpha, a, aOff, rsA, csA, b, bOff, rsB, csB, beta, c, cOff, rsC, csC);
  }

  // ---------------------------------------------------------------- float32 driver

  private static void sgemmRun(
      SgemmKernel kern,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int rsA,
      int csA,
      float[] b,
      int bOff,
      int rsB,
      int csB,
      float beta,
      float[] c,
      int cOff,
      int rsC,
      int csC) {
    if (kern == SCALAR) {
      FALLBACK_WARNING.emit(System.err);
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0f) {
      scaleF(m, n, beta, c, cOff, rsC, csC);
      return;
    }
    if (transposeC(kern, m, n, rsC, csC)) {
      // Compute C^T = B^T A^T instead: the same products summed in the same order (fma(a, b, acc)
      // is fma(b, a, acc)), so every element is identical, whatever the orientation.
      sgemmOriented(
          kern, n, m, k, alpha, b, bOff, csB, rsB, a, aOff, csA, rsA, beta, c, cOff, csC, rsC);
    } else {
      sgemmOriented(
          kern, m, n, k, alpha, a, aOff, rsA, csA, b, bOff, rsB, csB, beta, c, cOff, rsC, csC);
    }
  }

  /**
   * Whether to compute C^T instead of C. By default C's contiguous direction becomes the tile rows
   * (the micro-kernel stores full tiles from registers only into contiguous rows); but a narrow
   * product, e.g. a weight gradient of 9 columns or a 10-class output layer, pads its few columns
   * to a whole 32-wide B panel, so the orientation that pads to at most 3/4 as many tile elements
   * wins (9 x 32 tiles as 16 x 32 instead of 32 x 9 as 32 x 32). Depends on the shape alone.
   */
  static boolean transposeC(SgemmKernel kern, int m, int n, int rsC, int csC) {
    boolean rowsContiguous = !(csC != 1 && rsC == 1);
    long keep = padded(m, kern.mr) * padded(n, kern.nr);
    long swap = padded(n, kern.mr) * padded(m, kern.nr);
    return rowsContiguous ? 4 * swap <= 3 * keep : 4 * keep > 3 * swap;
  }

  private static long padded(int x, int tile) {
    return (long) ceilDiv(x, tile) * tile;
  }

  private static void sgemmOriented(
      SgemmKernel kern,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int rsA,
      int csA,
      float[] b,
      int bOff,
      int rsB,
      int csB,
      float beta,
      float[] c,
      int cOff,
      int rsC,
      int csC) {
    final int mr = kern.mr;
    final int nr = kern.nr;
    int threads = Parallel.inParallelRegion() ? 1 : Parallel.threads();
    if ((long) m * n * k < PARALLEL_MIN_WORK) {
      threads = 1;
    }
    final int mPanels = ceilDiv(m, mr);
    if ((long) mPanels * mr * k <= streamACap) {
      streamRun(
          kern,
          threads,
          m,
          n,
          k,
          ceilDiv(k, ceilDiv(k, KC)),
          alpha,
          a,
          aOff,
          rsA,
          csA,
          b,
          bOff,
          rsB,
          csB,
          beta,
          c,
          cOff,
          rsC,
          csC);
      return;
    }
    final int kc0 = ceilDiv(k, ceilDiv(k, KC_PACKED));
    int ncMax = Math.max(nr, B_PACK_CAP / k / nr * nr);
    final int nc0 = roundUp(ceilDiv(n, ceilDiv(n, ncMax)), nr);
    Buffers buf = BUFFERS.get();
    for (int jc = 0; jc < n; jc += nc0) {
      final int nc = Math.min(nc0, n - jc);
      final int panels = ceilDiv(nc, nr);
      final float[] bPack = buf.bPack(panels * nr * k);
      final int jcF = jc;
      if (threads > 1 && panels >= 2 * threads) {
        // Split the columns: each thread packs the B panels it multiplies, in the same parallel
        // region (one fork per block, no barrier) and all of A.
        final int t = threads;
        Parallel.forRange(
            t,
            1,
            (t0, t1) -> {
              for (int ti = t0; ti < t1; ti++) {
                int lo = (int) ((long) panels * ti / t);
                int hi = (int) ((long) panels * (ti + 1) / t);
                packB(kern, b, bOff, rsB, csB, k, jcF, nc, nr, lo, hi, bPack);
                computeBlock(
                    kern, k, kc0, 0, m, lo, hi, nc, jcF, alpha, beta, a, aOff, rsA, csA, bPack, c,
                    cOff, rsC, csC);
              }
            });
        continue;
      }
      if (threads > 1 && (long) nc * k >= PACK_PARALLEL_MIN) {
        Parallel.forRange(
            panels, 1, (p0, p1) -> packB(kern, b, bOff, rsB, csB, k, jcF, nc, nr, p0, p1, bPack));
      } else {
        packB(kern, b, bOff, rsB, csB, k, jcF, nc, nr, 0, panels, bPack);
      }
      if (threads > 1 && mPanels >= 2 * threads) {
        final int t = threads;
        Parallel.forRange(
            t,
            1,
            (t0, t1) -> {
              for (int ti = t0; ti < t1; ti++) {
                int lo = Math.min(m, (int) ((long) mPanels * ti / t) * mr);
                int hi = Math.min(m, (int) ((long) mPanels * (ti + 1) / t) * mr);
                computeBlock(
                    kern, k, kc0, lo, hi, 0, panels, nc, jcF, alpha, beta, a, aOff, rsA, csA, bPack,
                    c, cOff, rsC, csC);
              }
            });
      } else {
        computeBlock(
            kern, k, kc0, 0, m, 0, panels, nc, jcF, alpha, beta, a, aOff, rsA, csA, bPack, c, cOff,
            rsC, csC);
      }
    }
  }

  /**
   * The path for few rows (all of A, packed, fits in L2): A is packed once per thread, and every B
   * micro-panel, used by one pass over those rows only, is packed right before that pass into a
   * small per-thread buffer that stays in L1, instead of packing all of B into one large array
   * first (which for a wide B, e.g. a convolution's im2col matrix, went out to L3 and back). With
   * several threads the B panels are cut into many small chunks claimed dynamically ({@link
   * Parallel#forChunks}), so a helper that starts late (a parked worker takes a while to wake)
   * still helps instead of holding up the caller; when there are fewer panels than threads the rows
   * are split instead.
   */
  private static void streamRun(
      SgemmKernel kern,
      int threads,
      int m,
      int n,
      int k,
      int kc0,
      float alpha,
      float[] a,
      int aOff,
      int rsA,
      int csA,
      float[] b,
      int bOff,
      int rsB,
      int csB,
      float beta,
      float[] c,
      int cOff,
      int rsC,
      int csC) {
    final int mr = kern.mr;
    final int mPanels = ceilDiv(m, mr);
    final int nPanels = ceilDiv(n, kern.nr);
    // Few B panels (a narrow C, e.g. 64x256 @ 256x128: 4 panels) split into so few chunks that
    // one late claim unbalances the threads; there the rows split evenly instead (2 threads,
    // interleaved runs: 64x256@256x128 150-156 against 134-136 GFLOP/s, 64x784@784x256 145-170
    // against 125-162).
    boolean fewPanels = nPanels < 8 * threads && mPanels >= 2 * threads;
    if (threads > 1 && nPanels >= threads && !fewPanels) {
      // Marks this call's A in each thread's buffer: a helper packs it once, on its first chunk.
      final Object token = new Object();
      Parallel.forChunks(
          nPanels,
          Math.min(nPanels, STREAM_MAX_CHUNKS),
          (p0, p1) ->
              streamBlock(
                  kern, token, n, k, kc0, 0, m, p0, p1, alpha, a, aOff, rsA, csA, b, bOff, rsB, csB,
                  beta, c, cOff, rsC, csC));
    } else if (threads > 1 && mPanels >= 2 * threads) {
      final int t = threads;
      Parallel.forRange(
          t,
          1,
          (t0, t1) -> {
            for (int ti = t0; ti < t1; ti++) {
              int lo = Math.min(m, (int) ((long) mPanels * ti / t) * mr);
              int hi = Math.min(m, (int) ((long) mPanels * (ti + 1) / t) * mr);
              streamBlock(
                  kern, null, n, k, kc0, lo, hi, 0, nPanels, alpha, a, aOff, rsA, csA, b, bOff, rsB,
                  csB, beta, c, cOff, rsC, csC);
            }
          });
    } else {
      streamBlock(
          kern, null, n, k, kc0, 0, m, 0, nPanels, alpha, a, aOff, rsA, csA, b, bOff, rsB, csB,
          beta, c, cOff, rsC, csC);
    }
  }

  /**
   * Rows [mLo, mHi) times B panels [pLo, pHi): A rows packed for all of k (skipped when this
   * thread's buffer already holds them under {@code token}), then panel by panel, k block by k
   * block, each B block packed just before its use.
   */
  private static void streamBlock(
      SgemmKernel kern,
      Object token,
      int n,
      int k,
      int kc0,
      int mLo,
      int mHi,
      int pLo,
      int pHi,
      float alpha,
      float[] a,
      int aOff,
      int rsA,
      int csA,
      float[] b,
      int bOff,
      int rsB,
      int csB,
      float beta,
      float[] c,
      int cOff,
      int rsC,
      int csC) {
    if (mLo >= mHi || pLo >= pHi) {
      return;
    }
    final int mr = kern.mr;
    final int nr = kern.nr;
    int rows = mHi - mLo;
    int aBlock = roundUp(rows, mr) * kc0;
    Buffers buf = BUFFERS.get();
    float[] aPack;
    if (token != null && buf.aToken == token) {
      aPack = buf.aPack;
    } else {
      aPack = buf.aPack(aBlock * ceilDiv(k, kc0));
      for (int pc = 0, blk = 0; pc < k; pc += kc0, blk += aBlock) {
        packA(kern, a, aOff, rsA, csA, mLo, rows, pc, Math.min(kc0, k - pc), aPack, blk);
      }
      buf.aToken = token;
    }
    float[] bPanel = buf.bPanel(kc0 * nr);
    float[] scratch = buf.scratch(mr * nr);
    for (int jp = pLo; jp < pHi; jp++) {
      int j0 = jp * nr;
      int cols = Math.min(nr, n - j0);
      int cCol = cOff + j0 * csC;
      for (int pc = 0, blk = 0; pc < k; pc += kc0, blk += aBlock) {
        int kc = Math.min(kc0, k - pc);
        float betaEff = pc == 0 ? beta : 1f;
        packBPanel(kern, b, bOff, rsB, csB, pc, kc, j0, cols, nr, bPanel, 0);
        for (int ir = 0; ir < rows; ir += mr) {
          kern.kernel(
              kc,
              aPack,
              blk + ir * kc,
              bPanel,
              0,
              alpha,
              betaEff,
              c,
              cCol + (mLo + ir) * rsC,
              rsC,
              csC,
              Math.min(mr, rows - ir),
              cols,
              scratch);
        }
      }
    }
  }

  /** Rows [mLo, mHi) times B panels [pLo, pHi) of the current NC block, over all of k. */
  private static void computeBlock(
      SgemmKernel kern,
      int k,
      int kc0,
      int mLo,
      int mHi,
      int pLo,
      int pHi,
      int nc,
      int jc,
      float alpha,
      float beta,
      float[] a,
      int aOff,
      int rsA,
      int csA,
      float[] bPack,
      float[] c,
      int cOff,
      int rsC,
      int csC) {
    if (mLo >= mHi || pLo >= pHi) {
      return;
    }
    final int mr = kern.mr;
    final int nr = kern.nr;
    int rows = mHi - mLo;
    int mc0 = roundUp(ceilDiv(rows, ceilDiv(rows, MC)), mr);
    Buffers buf = BUFFERS.get();
    float[] aPack = buf.aPack(mc0 * kc0);
    float[] scratch = buf.scratch(mr * nr);
    for (int pc = 0; pc < k; pc += kc0) {
      int kc = Math.min(kc0, k - pc);
      float betaEff = pc == 0 ? beta : 1f;
      for (int ic = mLo; ic < mHi; ic += mc0) {
        int mc = Math.min(mc0, mHi - ic);
        packA(kern, a, aOff, rsA, csA, ic, mc, pc, kc, aPack, 0);
        for (int jp = pLo; jp < pHi; jp++) {
          int j = jp * nr;
          int nEff = Math.min(nr, nc - j);
          int bi = jp * k * nr + pc * nr;
          int cCol = cOff + (jc + j) * csC;
          for (int ir = 0; ir < mc; ir += mr) {
            kern.kernel(
                kc,
                aPack,
                ir * kc,
                bPack,
                bi,
                alpha,
                betaEff,
                c,
                cCol + (ic + ir) * rsC,
                rsC,
                csC,
                Math.min(mr, mc - ir),
                nEff,
                scratch);
          }
        }
      }
    }
  }

  /** Packs rows [i0, i0+mc) x cols [p0, p0+kc) of A into micro-panels of mr rows, zero-padded. */
  private static void packA(
      SgemmKernel kern,
      float[] a,
      int aOff,
      int rsA,
      int csA,
      int i0,
      int mc,
      int p0,
      int kc,
      float[] dst,
      int dstOff) {
    int mr = kern.mr;
    for (int ir = 0; ir < mc; ir += mr) {
      int base = dstOff + ir * kc;
      int rows = Math.min(mr, mc - ir);
      kern.packAPanel(a, aOff + (i0 + ir) * rsA + p0 * csA, rsA, csA, rows, kc, dst, base);
      if (rows < mr) {
        for (int p = 0; p < kc; p++) {
          int d = base + p * mr;
          Arrays.fill(dst, d + rows, d + mr, 0f);
        }
      }
    }
  }

  /**
   * Packs B panels [p0, p1) of the NC block starting at column jc (nc columns, all k rows),
   * zero-padded.
   */
  private static void packB(
      SgemmKernel kern,
      float[] b,
      int bOff,
      int rsB,
      int csB,
      int k,
      int jc,
      int nc,
      int nr,
      int p0,
      int p1,
      float[] dst) {
    for (int jp = p0; jp < p1; jp++) {
      packBPanel(
          kern,
          b,
          bOff,
          rsB,
          csB,
          0,
          k,
          jc + jp * nr,
          Math.min(nr, nc - jp * nr),
          nr,
          dst,
          jp * k * nr);
    }
  }

  /**
   * Packs rows [p0, p0+kc) of B columns [j0, j0+cols) into one micro-panel at {@code dst[base +
   * p*nr + j]}, zero-padded to nr columns.
   */
  private static void packBPanel(
      SgemmKernel kern,
      float[] b,
      int bOff,
      int rsB,
      int csB,
      int p0,
      int kc,
      int j0,
      int cols,
      int nr,
      float[] dst,
      int base) {
    int src = bOff + p0 * rsB + j0 * csB;
    if (csB == 1 && cols == nr) {
      kern.packBRows(b, src, rsB, kc, dst, base);
    } else if (csB == 1) {
      for (int p = 0; p < kc; p++) {
        int d = base + p * nr;
        System.arraycopy(b, src + p * rsB, dst, d, cols);
        Arrays.fill(dst, d + cols, d + nr, 0f);
      }
    } else {
      kern.packBTransposed(b, src, rsB, csB, kc, cols, dst, base);
      if (cols < nr) {
        for (int p = 0; p < kc; p++) {
          int d = base + p * nr;
          Arrays.fill(dst, d + cols, d + nr, 0f);
        }
      }
    }
  }

  private static void scaleF(int m, int n, float beta, float[] c, int cOff, int rsC, int csC) {
    if (beta == 1f) {
      return;
    }
    for (int i = 0; i < m; i++) {
      int row = cOff + i * rsC;
      for (int j = 0; j < n; j++) {
        int idx = row + j * csC;
        c[idx] = beta == 0f ? 0f : beta * c[idx];
      }
    }
  }

  // ---------------------------------------------------------------- float64

  /**
   * BLAS-style float64 GEMM; same contract as {@link #sgemm(boolean, boolean, int, int, int, float,
   * float[], int, int, float[], int, int, float, float[], int, int)}.
   */
  public static void dgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      double alpha,
      double[] a,
      int aOff,
      int lda,
      double[] b,
      int bOff,
      int ldb,
      double beta,
      double[] c,
      int cOff,
      int ldc) {
    checkBlas("Gemm.dgemm", transA, transB, m, n, k, lda, ldb, ldc);
    dgemmStrided(
        m,
        n,
        k,
        alpha,
        a,
        aOff,
        transA ? 1 : lda,
        transA ? lda : 1,
        b,
        bOff,
        transB ? 1 : ldb,
        transB ? ldb : 1,
        beta,
        c,
        cOff,
        ldc,
        1);
  }

  /** Fully strided float64 GEMM; same contract as {@link #sgemmStrided}. */
  public static void dgemmStrided(
      int m,
      int n,
      int k,
      double alpha,
      double[] a,
      int aOff,
      int aRowStride,
      int aColStride,
      double[] b,
      int bOff,
      int bRowStride,
      int bColStride,
      double beta,
      double[] c,
      int cOff,
      int cRowStride,
      int cColStride) {
    String op = "Gemm.dgemm";
    checkSizes(op, m, n, k);
    checkOperand(op, "A", a.length, aOff, m, k, aRowStride, aColStride);
    checkOperand(op, "B", b.length, bOff, k, n, bRowStride, bColStride);
    checkOperand(op, "C", c.length, cOff, m, n, cRowStride, cColStride);
    checkNoSelfOverlap(op, m, n, cRowStride, cColStride);
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0.0) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          int idx = cOff + i * cRowStride + j * cColStride;
          c[idx] = beta == 0.0 ? 0.0 : beta * c[idx];
        }
      }
      return;
    }
    int blocks = ceilDiv(m, DG_ROWS);
    int grain = (long) n * k * DG_ROWS >= PARALLEL_MIN_WORK ? 1 : blocks;
    Parallel.forRange(
        blocks,
        grain,
        (b0, b1) ->
            dgemmRows(
                b0 * DG_ROWS,
                Math.min(m, b1 * DG_ROWS),
                n,
                k,
                alpha,
                a,
                aOff,
                aRowStride,
                aColStride,
                b,
                bOff,
                bRowStride,
                bColStride,
                beta,
                c,
                cOff,
                cRowStride,
                cColStride));
  }

  private static final int DG_ROWS = 4;
  private static final int DG_NB = 256;

  /** Rows [i0, i1) of C, DG_ROWS at a time against a contiguous copy of a k x DG_NB slab of B. */
  private static void dgemmRows(
      int i0,
      int i1,
      int n,
      int k,
      double alpha,
      double[] a,
      int aOff,
      int rsA,
      int csA,
      double[] b,
      int bOff,
      int rsB,
      int csB,
      double beta,
      double[] c,
      int cOff,
      int rsC,
      int csC) {
    Buffers buf = BUFFERS.get();
    // Cap the B slab at 1M doubles however large k is.
    int nbMax = Math.max(1, Math.min(DG_NB, (1 << 20) / Math.max(1, k)));
    for (int jc = 0; jc < n; jc += nbMax) {
      int nb = Math.min(nbMax, n - jc);
      double[] bp = buf.dB(k * nb);
      for (int p = 0; p < k; p++) {
        int src = bOff + p * rsB + jc * csB;
        for (int j = 0; j < nb; j++) {
          bp[p * nb + j] = b[src + j * csB];
        }
      }
      double[] acc = buf.dAcc(DG_ROWS * nb);
      for (int i = i0; i < i1; i += DG_ROWS) {
        int rows = Math.min(DG_ROWS, i1 - i);
        Arrays.fill(acc, 0, DG_ROWS * nb, 0.0);
        for (int p = 0; p < k; p++) {
          int bRow = p * nb;
          for (int r = 0; r < rows; r++) {
            double av = a[aOff + (i + r) * rsA + p * csA];
            int base = r * nb;
            for (int j = 0; j < nb; j++) {
              acc[base + j] += av * bp[bRow + j];
            }
          }
        }
        for (int r = 0; r < rows; r++) {
          int row = cOff + (i + r) * rsC + jc * csC;
          for (int j = 0; j < nb; j++) {
            int idx = row + j * csC;
            double v = alpha * acc[r * nb + j];
            c[idx] = beta == 0.0 ? v : v + beta * c[idx];
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- checks and buffers

  private static void checkBlas(
      String op, boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
    checkSizes(op, m, n, k);
    int minLda = Math.max(1, transA ? m : k);
    int minLdb = Math.max(1, transB ? k : n);
    int minLdc = Math.max(1, n);
    if (lda < minLda) {
      throw new IllegalArgumentException(
          op
              + ": lda="
              + lda
              + " < "
              + minLda
              + " for A "
              + (transA ? "[" + k + ", " + m + "] (transposed)" : "[" + m + ", " + k + "]"));
    }
    if (ldb < minLdb) {
      throw new IllegalArgumentException(
          op
              + ": ldb="
              + ldb
              + " < "
              + minLdb
              + " for B "
              + (transB ? "[" + n + ", " + k + "] (transposed)" : "[" + k + ", " + n + "]"));
    }
    if (ldc < minLdc) {
      throw new IllegalArgumentException(
          op + ": ldc=" + ldc + " < " + minLdc + " for C [" + m + ", " + n + "]");
    }
  }

  private static void checkSizes(String op, int m, int n, int k) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          op + ": sizes must be >= 0, got m=" + m + ", n=" + n + ", k=" + k);
    }
  }

  static void checkOperand(
      String op, String name, int length, long off, int rows, int cols, int rs, int cs) {
    if (rows == 0 || cols == 0) {
      return;
    }
    long r = (long) (rows - 1) * rs;
    long s = (long) (cols - 1) * cs;
    long lo = off + Math.min(0, r) + Math.min(0, s);
    long hi = off + Math.max(0, r) + Math.max(0, s);
    if (lo < 0 || hi >= length) {
      throw new IllegalArgumentException(
          op
              + ": "
              + name
              + " ["
              + rows
              + ", "
              + cols
              + "] at offset "
              + off
              + " with strides ("
              + rs
              + ", "
              + cs
              + ") spans indices "
              + lo
              + ".."
              + hi
              + ", outside its array of length "
              + length);
    }
  }

  private static void checkNoSelfOverlap(String op, int m, int n, int rs, int cs) {
    long ars = Math.abs((long) rs);
    long acs = Math.abs((long) cs);
    boolean ok;
    if (m <= 1 && n <= 1) {
      ok = true;
    } else if (m <= 1) {
      ok = acs != 0;
    } else if (n <= 1) {
      ok = ars != 0;
    } else if (ars <= acs) {
      ok = ars != 0 && acs >= ars * m;
    } else {
      ok = acs != 0 && ars >= acs * n;
    }
    if (!ok) {
      throw new IllegalArgumentException(
          op
              + ": C ["
              + m
              + ", "
              + n
              + "] with strides ("
              + rs
              + ", "
              + cs
              + ") has overlapping elements");
    }
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static int roundUp(int a, int b) {
    return ceilDiv(a, b) * b;
  }

  /** Per-thread, grow-only work buffers: packing never allocates once warm. */
  private static final class Buffers {
    float[] aPack = new float[0];
    float[] bPack = new float[0];
    float[] scratch = new float[0];
    float[] bPanel = new float[0];

    /** The call whose A {@link #aPack} holds in full (streamRun), or null. */
    Object aToken;

    double[] dB = new double[0];
    double[] dAcc = new double[0];

    float[] aPack(int size) {
      aToken = null;
      if (aPack.length < size) {
        aPack = new float[size];
      }
      return aPack;
    }

    float[] bPack(int size) {
      if (bPack.length < size) {
        bPack = new float[size];
      }
      return bPack;
    }

    float[] bPanel(int size) {
      if (bPanel.length < size) {
        bPanel = new float[size];
      }
      return bPanel;
    }

    float[] scratch(int size) {
      if (scratch.length < size) {
        scratch = new float[size];
      }
      return scratch;
    }

    double[] dB(int size) {
      if (dB.length < size) {
        dB = new double[size];
      }
      return dB;
    }

    double[] dAcc(int size) {
      if (dAcc.length < size) {
        dAcc = new double[size];
      }
      return dAcc;
    }
  }
}
