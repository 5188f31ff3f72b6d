package org.jgrad.backend.cpu;

import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.ReduceOp;
import org.jgrad.backend.UnaryOp;
import org.jgrad.backend.cpu.kernels.ElementwiseKernels;

/**
 * Float32 loops behind {@link CpuBackend}: one switch per call, a tight loop per case.
 *
 * <p>Every switch here is a switch <em>expression</em> with no {@code default}, which Java requires
 * to be exhaustive: adding a constant to {@link UnaryOp}, {@link BinaryOp} or {@link ReduceOp}
 * without a case here is a compile error ("the switch expression does not cover all possible input
 * values"), never a kernel that silently leaves zeros. The switch picks a loop (a lambda holding
 * the whole run), so the per-op dispatch happens once per run, not once per element.
 */
final class CpuKernels {
  private CpuKernels() {}

  @FunctionalInterface
  private interface UnaryLoop {
    void run(float[] x, int xo, float[] y, int yo, int n);
  }

  @FunctionalInterface
  private interface BinaryLoop {
    void run(float[] a, int ao, int sa, float[] b, int bo, int sb, float[] c, int co, int n);
  }

  @FunctionalInterface
  private interface CompareLoop {
    void run(float[] a, int ao, int sa, float[] b, int bo, int sb, double[] c, int co, int n);
  }

  static void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
    if (ElementwiseKernels.unary(op, x, xo, y, yo, n)) return; // same bits, vector lanes
    unaryLoop(op).run(x, xo, y, yo, n);
  }

  private static UnaryLoop unaryLoop(UnaryOp op) {
    return switch (op) {
      case NEG ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = -x[xo + i];
          };
      case EXP ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = (float) Math.exp(x[xo + i]);
          };
      case LOG ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = (float) Math.log(x[xo + i]);
          };
      case SQRT ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = (float) Math.sqrt(x[xo + i]);
          };
      case ABS ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = Math.abs(x[xo + i]);
          };
      case SIGN ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = Math.signum(x[xo + i]);
          };
      case SIN ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = (float) Math.sin(x[xo + i]);
          };
      case COS ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = (float) Math.cos(x[xo + i]);
          };
      case TANH ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = (float) Math.tanh(x[xo + i]);
          };
      case SIGMOID ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) {
              float v = x[xo + i];
              y[yo + i] =
                  v >= 0
                      ? (float) (1 / (1 + Math.exp(-v)))
                      : (float) (Math.exp(v) / (1 + Math.exp(v)));
            }
          };
      case RELU ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) {
              float v = x[xo + i];
              y[yo + i] = v > 0 ? v : 0 * v;
            }
          };
      case ERF ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = CpuBackend.erf(x[xo + i]);
          };
      case RECIPROCAL ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = 1f / x[xo + i];
          };
      case LOG1P ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = (float) Math.log1p(x[xo + i]);
          };
      case EXPM1 ->
          (x, xo, y, yo, n) -> {
            for (int i = 0; i < n; i++) y[yo + i] = (float) Math.expm1(x[xo + i]);
          };
    };
  }

  static void binary(
      BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] c, int co, int n) {
    if (ElementwiseKernels.binary(op, a, ao, sa, b, bo, sb, c, co, n)) return; // same bits
    if (sa == 1 && sb == 1) {
      binaryDense(op, a, ao, b, bo, c, co, n);
      return;
    }
    stridedLoop(op).run(a, ao, sa, b, bo, sb, c, co, n);
  }

  private static BinaryLoop stridedLoop(BinaryOp op) {
    return switch (op) {
      case ADD ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] + b[bo + i * sb];
          };
      case SUB ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] - b[bo + i * sb];
          };
      case MUL ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] * b[bo + i * sb];
          };
      case DIV ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] / b[bo + i * sb];
          };
      case POW ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = pow(a[ao + i * sa], b[bo + i * sb]);
          };
      case MAX ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = max(a[ao + i * sa], b[bo + i * sb]);
          };
      case MIN ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = min(a[ao + i * sa], b[bo + i * sb]);
          };
      case EQ, NE, LT, LE, GT, GE ->
          throw new IllegalStateException("comparison " + op + " produces BOOL: use compare");
    };
  }

  @FunctionalInterface
  private interface DenseLoop {
    void run(float[] a, int ao, float[] b, int bo, float[] c, int co, int n);
  }

  private static void binaryDense(
      BinaryOp op, float[] a, int ao, float[] b, int bo, float[] c, int co, int n) {
    denseLoop(op).run(a, ao, b, bo, c, co, n);
  }

  // Unit strides get their own loops (no i * stride) so C2 vectorises them.
  private static DenseLoop denseLoop(BinaryOp op) {
    return switch (op) {
      case ADD ->
          (a, ao, b, bo, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i] + b[bo + i];
          };
      case SUB ->
          (a, ao, b, bo, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i] - b[bo + i];
          };
      case MUL ->
          (a, ao, b, bo, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i] * b[bo + i];
          };
      case DIV ->
          (a, ao, b, bo, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i] / b[bo + i];
          };
      case POW ->
          (a, ao, b, bo, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = pow(a[ao + i], b[bo + i]);
          };
      case MAX ->
          (a, ao, b, bo, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = max(a[ao + i], b[bo + i]);
          };
      case MIN ->
          (a, ao, b, bo, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = min(a[ao + i], b[bo + i]);
          };
      case EQ, NE, LT, LE, GT, GE ->
          throw new IllegalStateException("comparison " + op + " produces BOOL: use compare");
    };
  }

  private static float pow(float a, float b) {
    return b == 2f ? a * a : (float) Math.pow(a, b);
  }

  private static float max(float a, float b) {
    return a != a || b != b ? Float.NaN : Math.max(a, b);
  }

  private static float min(float a, float b) {
    return a != a || b != b ? Float.NaN : Math.min(a, b);
  }

  /**
   * Folds one strided run into {@code acc}; sums accumulate in double for accuracy, a contiguous
   * run in {@link ElementwiseKernels#sumRun}'s fixed 16-lane order.
   */
  static double reduceRun(ReduceOp op, float[] x, int xo, int stride, int n, double acc) {
    return switch (op) {
      case SUM -> {
        // A contiguous run in the fixed 16-lane order (every float sum of such a run, on every
        // path, gives the same bits).
        if (stride == 1) yield acc + ElementwiseKernels.sumRun(x, xo, n);
        double s = 0;
        for (int i = 0; i < n; i++) s += x[xo + i * stride];
        yield acc + s;
      }
      case MAX -> {
        double m = acc;
        for (int i = 0; i < n; i++) {
          float v = x[xo + i * stride];
          if (v != v) yield Double.NaN;
          if (v > m) m = v;
        }
        yield m;
      }
      case MIN -> {
        double m = acc;
        for (int i = 0; i < n; i++) {
          float v = x[xo + i * stride];
          if (v != v) yield Double.NaN;
          if (v < m) m = v;
        }
        yield m;
      }
    };
  }

  /**
   * For outputs {@code [from, to)}: {@code out[o]} = the runs starting at {@code base[o] +
   * runOff[r]} (each {@code len} elements, stride {@code rs}) each summed in double from 0, and the
   * run sums added in order from 0. Contiguous runs are summed by {@link ElementwiseKernels#sumRun}
   * (16 partials, vector lanes: a fixed order on every path); strided runs as {@link #reduceRun}
   * sums them, eight outputs together so that eight independent addition chains share the loop.
   */
  static void sumRuns(
      float[] x, int[] base, int from, int to, int[] runOff, int len, int rs, float[] out) {
    if (rs == 1) {
      for (int o = from; o < to; o++) {
        double a = 0;
        for (int off : runOff) a += ElementwiseKernels.sumRun(x, base[o] + off, len);
        out[o] = (float) a;
      }
      return;
    }
    int o = from;
    for (; o + 8 <= to; o += 8) {
      int b0 = base[o], b1 = base[o + 1], b2 = base[o + 2], b3 = base[o + 3];
      int b4 = base[o + 4], b5 = base[o + 5], b6 = base[o + 6], b7 = base[o + 7];
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      for (int off : runOff) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int i = 0, d = off; i < len; i++, d += rs) {
          s0 += x[b0 + d];
          s1 += x[b1 + d];
          s2 += x[b2 + d];
          s3 += x[b3 + d];
          s4 += x[b4 + d];
          s5 += x[b5 + d];
          s6 += x[b6 + d];
          s7 += x[b7 + d];
        }
        a0 += s0;
        a1 += s1;
        a2 += s2;
        a3 += s3;
        a4 += s4;
        a5 += s5;
        a6 += s6;
        a7 += s7;
      }
      out[o] = (float) a0;
      out[o + 1] = (float) a1;
      out[o + 2] = (float) a2;
      out[o + 3] = (float) a3;
      out[o + 4] = (float) a4;
      out[o + 5] = (float) a5;
      out[o + 6] = (float) a6;
      out[o + 7] = (float) a7;
    }
    for (; o < to; o++) {
      double a = 0;
      for (int off : runOff) a = reduceRun(ReduceOp.SUM, x, base[o] + off, rs, len, a);
      out[o] = (float) a;
    }
  }

  /** Double twin of {@link #reduceRun(ReduceOp, float[], int, int, int, double)}. */
  static double reduceRun(ReduceOp op, double[] x, int xo, int stride, int n, double acc) {
    return switch (op) {
      case SUM -> {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[xo + i * stride];
        yield acc + s;
      }
      case MAX -> {
        double m = acc;
        for (int i = 0; i < n; i++) {
          double v = x[xo + i * stride];
          if (v != v) yield Double.NaN;
          if (v > m) m = v;
        }
        yield m;
      }
      case MIN -> {
        double m = acc;
        for (int i = 0; i < n; i++) {
          double v = x[xo + i * stride];
          if (v != v) yield Double.NaN;
          if (v < m) m = v;
        }
        yield m;
      }
    };
  }

  /** Comparisons of float runs into a BOOL (0/1 double) run. */
  static void compare(
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
    if (ElementwiseKernels.compare(op, a, ao, sa, b, bo, sb, c, co, n)) return; // same values
    compareLoop(op).run(a, ao, sa, b, bo, sb, c, co, n);
  }

  private static CompareLoop compareLoop(BinaryOp op) {
    return switch (op) {
      case EQ ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] == b[bo + i * sb] ? 1 : 0;
          };
      case NE ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] != b[bo + i * sb] ? 1 : 0;
          };
      case LT ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] < b[bo + i * sb] ? 1 : 0;
          };
      case LE ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] <= b[bo + i * sb] ? 1 : 0;
          };
      case GT ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] > b[bo + i * sb] ? 1 : 0;
          };
      case GE ->
          (a, ao, sa, b, bo, sb, c, co, n) -> {
            for (int i = 0; i < n; i++) c[co + i] = a[ao + i * sa] >= b[bo + i * sb] ? 1 : 0;
          };
      case ADD, SUB, MUL, DIV, POW, MAX, MIN ->
          throw new IllegalStateException(op + " is not a comparison");
    };
  }
}
