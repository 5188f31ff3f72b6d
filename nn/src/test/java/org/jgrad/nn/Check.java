package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.jgrad.tensor.Tensor;

/** Comparison helpers shared by the nn tests. */
final class Check {
  /** The float32 tolerance against PyTorch: 1e-5 relative. */
  static final double RTOL = 1e-5;

  private Check() {}

  /**
   * Asserts equal shapes and |actual − expected| ≤ 1e-5 · max(|expected|, scale) element-wise,
   * where scale is the largest magnitude in the expected tensor: entries near zero (results of
   * cancellation) are judged relative to the tensor's scale rather than to themselves.
   */
  static void close(String what, Tensor expected, Tensor actual) {
    close(what, expected, actual, RTOL);
  }

  static void close(String what, Tensor expected, Tensor actual, double rtol) {
    if (actual == null)
      fail(
          what
              + ": expected a tensor of shape "
              + Arrays.toString(expected.shape())
              + ", got null");
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
    double scale = 0;
    for (double v : e) if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < e.length; i++) {
      if (Double.isInfinite(e[i]) || Double.isNaN(e[i])) {
        assertEquals(e[i], a[i], what + " at flat index " + i);
        continue;
      }
      double tol = rtol * Math.max(Math.abs(e[i]), scale);
      if (!(Math.abs(a[i] - e[i]) <= tol)) {
        fail(
            String.format(
                "%s: at flat index %d (of shape %s) expected %.9g but got %.9g (|diff| %.3g > tol %.3g)",
                what,
                i,
                Arrays.toString(expected.shape()),
                e[i],
                a[i],
                Math.abs(a[i] - e[i]),
                tol));
      }
    }
  }

  /** Exact equality of values and shape. */
  static void equal(String what, Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), what);
  }
}
