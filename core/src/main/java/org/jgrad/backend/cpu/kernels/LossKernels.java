package org.jgrad.backend.cpu.kernels;

import java.util.Arrays;
import java.util.function.IntToLongFunction;

/**
 * Fused row-wise log-softmax + negative log-likelihood (PyTorch's {@code cross_entropy} on class
 * indices) over {@code logits [rows, cols]}, float32, rows spread over {@link Parallel}.
 *
 * <p>Forward: {@code lse[r] = log sum_j exp(x[r][j])} (max-shifted, summed in double) and {@code
 * loss[r] = lse[r] - x[r][target[r]]}, 0 for rows whose target is {@code ignoreIndex}. Backward
 * recomputes the softmax from the kept {@code lse}: {@code dlogits[r][j] = g[r] * (exp(x[r][j] -
 * lse[r]) - [j == target[r]])}, with {@code g[r] = gradScale * gradLoss[r]} (or {@code gradScale}
 * alone when gradLoss is null), 0 on ignored rows. For PyTorch's {@code reduction='mean'} pass
 * {@code gradScale = 1 / count} where count is the forward's return value.
 *
 * <p>Targets are given as {@code int[]} or, for int64 tensors held in doubles, {@code double[]}
 * with integral values.
 *
 * <pre>{@code
 * int count = LossKernels.logSoftmaxNllForward(n, classes, logits, 0, target, 0, -100, loss, 0, lse, 0);
 * LossKernels.logSoftmaxNllBackward(n, classes, logits, 0, target, 0, -100, lse, 0, null, 0, 1f / count, dlogits, 0);
 * }</pre>
 */
public final class LossKernels {
  private LossKernels() {}

  /**
   * Forward pass; writes {@code loss[lossOff + r]} and {@code lse[lseOff + r]} for every row.
   *
   * @return the number of rows whose target is not {@code ignoreIndex}
   * @throws IllegalArgumentException for a target outside {@code [0, cols)} that is not ignoreIndex
   */
  public static int logSoftmaxNllForward(
      int rows,
      int cols,
      float[] logits,
      int off,
      int[] targets,
      int tOff,
      long ignoreIndex,
      float[] loss,
      int lossOff,
      float[] lse,
      int lseOff) {
    checkTargets(targets == null ? -1 : targets.length, tOff, rows);
    return forward(
        rows, cols, logits, off, r -> targets[tOff + r], ignoreIndex, loss, lossOff, lse, lseOff);
  }

  /**
   * As {@link #logSoftmaxNllForward(int, int, float[], int, int[], int, long, float[], int,
   * float[], int)}, int64 targets held in doubles.
   */
  public static int logSoftmaxNllForward(
      int rows,
      int cols,
      float[] logits,
      int off,
      double[] targets,
      int tOff,
      long ignoreIndex,
      float[] loss,
      int lossOff,
      float[] lse,
      int lseOff) {
    checkTargets(targets == null ? -1 : targets.length, tOff, rows);
    return forward(
        rows,
        cols,
        logits,
        off,
        r -> toLong(targets[tOff + r], r),
        ignoreIndex,
        loss,
        lossOff,
        lse,
        lseOff);
  }

  /** Backward pass; overwrites {@code dlogits [rows, cols]} at {@code dOff}. */
  public static void logSoftmaxNllBackward(
      int rows,
      int cols,
      float[] logits,
      int off,
      int[] targets,
      int tOff,
      long ignoreIndex,
      float[] lse,
      int lseOff,
      float[] gradLoss,
      int gOff,
      float gradScale,
      float[] dlogits,
      int dOff) {
    checkTargets(targets == null ? -1 : targets.length, tOff, rows);
    backward(
        rows,
        cols,
        logits,
        off,
        r -> targets[tOff + r],
        ignoreIndex,
        lse,
        lseOff,
        gradLoss,
        gOff,
        gradScale,
        dlogits,
        dOff);
  }

  /** As the int[] overload, int64 targets held in doubles. */
  public static void logSoftmaxNllBackward(
      int rows,
      int cols,
      float[] logits,
      int off,
      double[] targets,
      int tOff,
      long ignoreIndex,
      float[] lse,
      int lseOff,
      float[] gradLoss,
      int gOff,
      float gradScale,
      float[] dlogits,
      int dOff) {
    checkTargets(targets == null ? -1 : targets.length, tOff, rows);
    backward(
        rows,
        cols,
        logits,
        off,
        r -> toLong(targets[tOff + r], r),
        ignoreIndex,
        lse,
        lseOff,
        gradLoss,
        gOff,
        gradScale,
        dlogits,
        dOff);
  }

  private static int forward(
      int rows,
      int cols,
      float[] x,
      int off,
      IntToLongFunction target,
      long ignoreIndex,
      float[] loss,
      int lossOff,
      float[] lse,
      int lseOff) {
    String op = "cross_entropy";
    checkSizes(op, rows, cols);
    Conv2dKernels.check(op, "logits", x, off, (long) rows * cols);
    Conv2dKernels.check(op, "loss", loss, lossOff, rows);
    Conv2dKernels.check(op, "logsumexp", lse, lseOff, rows);
    int counted = 0;
    for (int r = 0; r < rows; r++) {
      long t = target.applyAsLong(r);
      if (t == ignoreIndex) {
        continue;
      }
      if (t < 0 || t >= cols) {
        throw new IllegalArgumentException(
            op + ": target " + t + " at row " + r + " is out of range [0, " + cols + ")");
      }
      counted++;
    }
    Parallel.forRange(
        rows,
        grain(cols),
        (r0, r1) -> {
          for (int r = r0; r < r1; r++) {
            int base = off + r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
              float v = x[base + j];
              if (v > max || Float.isNaN(v)) {
                max = v;
                if (Float.isNaN(v)) {
                  break;
                }
              }
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
              sum += Math.exp((double) x[base + j] - max);
            }
            double l = max + Math.log(sum);
            lse[lseOff + r] = (float) l;
            long t = target.applyAsLong(r);
            loss[lossOff + r] = t == ignoreIndex ? 0f : (float) (l - x[base + (int) t]);
          }
        });
    return counted;
  }

  private static void backward(
      int rows,
      int cols,
      float[] x,
      int off,
      IntToLongFunction target,
      long ignoreIndex,
      float[] lse,
      int lseOff,
      float[] gradLoss,
      int gOff,
      float gradScale,
      float[] dlogits,
      int dOff) {
    String op = "cross_entropy backward";
    checkSizes(op, rows, cols);
    Conv2dKernels.check(op, "logits", x, off, (long) rows * cols);
    Conv2dKernels.check(op, "logsumexp", lse, lseOff, rows);
    Conv2dKernels.check(op, "grad logits", dlogits, dOff, (long) rows * cols);
    if (gradLoss != null) {
      Conv2dKernels.check(op, "grad loss", gradLoss, gOff, rows);
    }
    for (int r = 0; r < rows; r++) {
      long t = target.applyAsLong(r);
      if (t != ignoreIndex && (t < 0 || t >= cols)) {
        throw new IllegalArgumentException(
            op + ": target " + t + " at row " + r + " is out of range [0, " + cols + ")");
      }
    }
    Parallel.forRange(
        rows,
        grain(cols),
        (r0, r1) -> {
          for (int r = r0; r < r1; r++) {
            int xb = off + r * cols;
            int db = dOff + r * cols;
            long t = target.applyAsLong(r);
            if (t == ignoreIndex) {
              Arrays.fill(dlogits, db, db + cols, 0f);
              continue;
            }
            float g = gradLoss == null ? gradScale : gradScale * gradLoss[gOff + r];
            double l = lse[lseOff + r];
            for (int j = 0; j < cols; j++) {
              dlogits[db + j] = (float) (g * Math.exp(x[xb + j] - l));
            }
            dlogits[db + (int) t] -= g;
          }
        });
  }

  private static long toLong(double v, int row) {
    long t = (long) v;
    if (t != v) {
      throw new IllegalArgumentException(
          "cross_entropy: target " + v + " at row " + row + " is not an integer");
    }
    return t;
  }

  private static int grain(int cols) {
    return Math.max(1, 16384 / Math.max(1, cols));
  }

  private static void checkSizes(String op, int rows, int cols) {
    if (rows < 0 || cols < 1) {
      throw new IllegalArgumentException(
          op + ": need rows >= 0 and cols >= 1, got [" + rows + ", " + cols + "]");
    }
  }

  private static void checkTargets(int length, int tOff, int rows) {
    if (length < 0) {
      throw new IllegalArgumentException("cross_entropy: targets array is null");
    }
    if (tOff < 0 || (long) tOff + rows > length) {
      throw new IllegalArgumentException(
          "cross_entropy: targets need "
              + rows
              + " elements from offset "
              + tOff
              + " but the array has length "
              + length);
    }
  }
}
