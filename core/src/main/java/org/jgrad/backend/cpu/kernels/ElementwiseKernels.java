package org.jgrad.backend.cpu.kernels;

import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.UnaryOp;

/**
 * Float32 element-wise kernels with a Vector API implementation and a plain-Java one, chosen once
 * at start-up exactly like {@link Gemm}'s kernel: the vector one when the module {@code
 * jdk.incubator.vector} is in the boot layer and {@code -Djgrad.simd=false} is not set.
 *
 * <p>Every kernel here gives the same bits as the plain loop it replaces (the CPU backend's
 * per-element formula, which {@code BackendConformanceTest} holds bit-for-bit to the reference
 * backend): + − × ÷, √, min/max, neg/abs/relu/sign are exact in float lanes; exp, sigmoid and tanh
 * are evaluated in double lanes with an error far below a float ulp and rounded once, and the rare
 * lane whose double value lies too close to a float rounding boundary to be sure (about one in
 * 2^18), or out of the normal float range, is recomputed with the scalar formula. So the result
 * never depends on the path, the thread count, or whether C2 has compiled the code yet.
 *
 * <pre>{@code
 * if (!ElementwiseKernels.unary(UnaryOp.EXP, x, 0, y, 0, n)) scalarLoop(...);
 * }</pre>
 */
public final class ElementwiseKernels {
  private ElementwiseKernels() {}

  /** One implementation: {@code false} from unary/binary means "not handled, run the loop". */
  interface Impl {
    String name();

    boolean unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n);

    /** {@code c = a op b} over n elements; each of {@code sa, sb} is 0 (broadcast) or 1. */
    boolean binary(
        BinaryOp op,
        float[] a,
        int ao,
        int sa,
        float[] b,
        int bo,
        int sb,
        float[] c,
        int co,
        int n);

    /**
     * {@code c = a op b ? 1 : 0} (a comparison, into BOOL's double lanes) over n elements; each of
     * {@code sa, sb} is 0 (broadcast) or 1.
     */
    boolean compare(
        BinaryOp op,
        float[] a,
        int ao,
        int sa,
        float[] b,
        int bo,
        int sb,
        double[] c,
        int co,
        int n);

    void adam(
        int n,
        float[] p,
        int po,
        float[] g,
        int go,
        float[] m,
        int mo,
        float[] v,
        int vo,
        OptimizerKernels.Adam h);

    void sgd(
        int n, float[] p, int po, float[] g, int go, float[] buf, int bo, OptimizerKernels.Sgd h);

    /**
     * {@code acc[j] += x[xo + r*cols + j]} for r = 0, 1, … rows−1 in that order, in double, for
     * every column j: a bias gradient (the sum over the batch rows), column sums each in row order.
     */
    void sumRows(float[] x, int xo, int rows, int cols, double[] acc);

    /**
     * The sum of {@code x[at..at+len)} in double, in a fixed order that does not depend on the
     * vector width: element j goes to partial {@code j mod 16} while a whole block of 16 remains;
     * then {@code q_i = p_i + p_(i+8)}, added as a balanced tree
     * ((q0+q1)+(q2+q3))+((q4+q5)+(q6+q7)), and the remaining elements in order after them.
     */
    double sumRun(float[] x, int at, int len);

    /**
     * One batch row of the LSTM cell's gradient, for j &lt; h: with i, f, g, o, tc the five
     * activation blocks {@code acts[a + k*h + j]} (k = 0..4), gh = {@code gy[gh + j]}, gc = {@code
     * gy[gc + j]} and cv = {@code c[co + j]}: dc = gc + gh·o·(1 − tc·tc), then {@code dGates[d +
     * k*h + j]} = dc·g·i·(1 − i), dc·cv·f·(1 − f), dc·i·(1 − g·g), gh·tc·o·(1 − o) for k = 0..3 and
     * {@code dC[dco + j]} = dc·f, every float operation rounded in that order (float lanes round
     * exactly as scalar floats, so both implementations give the same bits).
     */
    void lstmBackwardRow(
        int h,
        float[] acts,
        int a,
        float[] gy,
        int gh,
        int gc,
        float[] c,
        int co,
        float[] dGates,
        int d,
        float[] dC,
        int dco);

    /**
     * One batch row of the GRU cell's gradient, for j &lt; h: with r, z, n = {@code acts[a + k*h +
     * j]} (k = 0..2), y = {@code gy[g + j]}, hn = {@code hg[hn + j]} and hv = {@code hs[s + j]}: dn
     * = y·(1 − z)·(1 − n·n), dz = y·(hv − n)·z·(1 − z), dr = dn·hn·r·(1 − r); {@code dx[d + k*h +
     * j]} = dr, dz, dn and {@code dh[d + k*h + j]} = dr, dz, dn·r for k = 0..2, {@code dPrev[p +
     * j]} = y·z, every float operation rounded in that order.
     */
    void gruBackwardRow(
        int h,
        float[] acts,
        int a,
        float[] gy,
        int g,
        float[] hg,
        int hn,
        float[] hs,
        int s,
        float[] dx,
        float[] dh,
        int d,
        float[] dPrev,
        int p);
  }

  private static final String VECTOR_CLASS =
      "org.jgrad.backend.cpu.kernels.VectorElementwiseKernels";

  static final Impl SCALAR = new ScalarElementwiseKernels();
  static final Impl VECTOR = loadVector();
  private static final Impl DEFAULT =
      VECTOR != null && !"false".equalsIgnoreCase(System.getProperty(Gemm.SIMD_PROPERTY, "true"))
          ? VECTOR
          : SCALAR;

  private static Impl loadVector() {
    return VectorClasses.create(VECTOR_CLASS, Impl.class);
  }

  /** {@code vector} or {@code scalar}: the implementation in use. */
  public static String implementation() {
    return DEFAULT.name();
  }

  /**
   * y = op(x) over n dense elements when a fast kernel exists for op; returns false (nothing
   * written) otherwise.
   */
  public static boolean unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
    return DEFAULT.unary(op, x, xo, y, yo, n);
  }

  /**
   * c = a op b over n elements, each operand dense (stride 1) or broadcast (stride 0); returns
   * false (nothing written) for other strides and ops without a fast kernel.
   */
  public static boolean binary(
      BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] c, int co, int n) {
    if ((sa | sb) >>> 1 != 0 || (sa == 0 && sb == 0)) return false;
    return DEFAULT.binary(op, a, ao, sa, b, bo, sb, c, co, n);
  }

  /**
   * c = (a op b) ? 1 : 0 for a comparison op, each operand dense (stride 1) or broadcast (stride
   * 0); returns false (nothing written) for other strides.
   */
  public static boolean compare(
      BinaryOp op,
      float[] a,
      int ao,
      int sa,
      float[] b,
      int bo,
      int sb,
      double[] c,
      int co,
      int n) {
    if ((sa | sb) >>> 1 != 0 || (sa == 0 && sb == 0)) return false;
    return DEFAULT.compare(op, a, ao, sa, b, bo, sb, c, co, n);
  }

  /** One fused Adam step on a run (see {@link OptimizerKernels}). */
  static void adam(
      int n,
      float[] p,
      int po,
      float[] g,
      int go,
      float[] m,
      int mo,
      float[] v,
      int vo,
      OptimizerKernels.Adam h) {
    DEFAULT.adam(n, p, po, g, go, m, mo, v, vo, h);
  }

  /** One fused SGD step on a run (see {@link OptimizerKernels}). */
  static void sgd(
      int n, float[] p, int po, float[] g, int go, float[] buf, int bo, OptimizerKernels.Sgd h) {
    DEFAULT.sgd(n, p, po, g, go, buf, bo, h);
  }

  /**
   * Column sums of the row-major [rows, cols] block at {@code x[xo]} added into {@code acc}, each
   * column's terms in row order in double (the same bits on every path).
   */
  public static void sumRows(float[] x, int xo, int rows, int cols, double[] acc) {
    DEFAULT.sumRows(x, xo, rows, cols, acc);
  }

  /** See {@link Impl#lstmBackwardRow}: the same bits on every path. */
  public static void lstmBackwardRow(
      int h,
      float[] acts,
      int a,
      float[] gy,
      int gh,
      int gc,
      float[] c,
      int co,
      float[] dGates,
      int d,
      float[] dC,
      int dco) {
    DEFAULT.lstmBackwardRow(h, acts, a, gy, gh, gc, c, co, dGates, d, dC, dco);
  }

  /** See {@link Impl#gruBackwardRow}: the same bits on every path. */
  public static void gruBackwardRow(
      int h,
      float[] acts,
      int a,
      float[] gy,
      int g,
      float[] hg,
      int hn,
      float[] hs,
      int s,
      float[] dx,
      float[] dh,
      int d,
      float[] dPrev,
      int p) {
    DEFAULT.gruBackwardRow(h, acts, a, gy, g, hg, hn, hs, s, dx, dh, d, dPrev, p);
  }

  /** See {@link Impl#sumRun}: the same bits on every path. */
  public static double sumRun(float[] x, int at, int len) {
    return DEFAULT.sumRun(x, at, len);
  }

  /** The combining order {@link Impl#sumRun} defines, for the 8 sums {@code q_i}. */
  static double tree8(
      double q0, double q1, double q2, double q3, double q4, double q5, double q6, double q7) {
    return ((q0 + q1) + (q2 + q3)) + ((q4 + q5) + (q6 + q7));
  }
}
