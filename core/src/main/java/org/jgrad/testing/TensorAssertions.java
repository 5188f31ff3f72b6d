package org.jgrad.testing;

import java.util.Arrays;
import org.jgrad.tensor.Tensor;

/**
 * Tensor comparisons with the semantics of {@code torch.testing.assert_close}.
 *
 * <pre>{@code
 * import static org.jgrad.testing.TensorAssertions.assertClose;
 *
 * assertClose(Tensor.of(new float[] {1, 2}, 2), x.mul(2), 1.3e-6, 1e-5);
 * }</pre>
 */
public final class TensorAssertions {
  private TensorAssertions() {}

  /**
   * Asserts that {@code actual} has the shape and dtype of {@code expected} and that every element
   * satisfies {@code |actual - expected| <= atol + rtol * |expected|}, as
   * torch.testing.assert_close does: infinities must match exactly, NaN never equals anything (use
   * {@link #assertClose(Tensor, Tensor, double, double, boolean)} with {@code equalNan} to let NaN
   * match NaN). Integer and boolean tensors are compared through their values as doubles, with the
   * same tolerances.
   *
   * <p>The failure message names the shapes, the number of mismatched elements, and the index and
   * values of the worst one.
   *
   * @throws AssertionError if the tensors are not close
   */
  public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
    assertClose(expected, actual, rtol, atol, false);
  }

  /**
   * {@link #assertClose(Tensor, Tensor, double, double)} with a choice of whether NaN equals NaN.
   */
  public static void assertClose(
      Tensor expected, Tensor actual, double rtol, double atol, boolean equalNan) {
    if (!(rtol >= 0) || !(atol >= 0)) {
      throw new IllegalArgumentException(
          "assertClose: rtol and atol must be >= 0, got rtol=" + rtol + ", atol=" + atol);
    }
    if (expected == null || actual == null) {
      throw new AssertionError(
          "assertClose: expected " + describe(expected) + " but got " + describe(actual));
    }
    if (!Arrays.equals(expected.shape(), actual.shape())) {
      throw new AssertionError(
          "assertClose: the shapes do not match: expected "
              + Arrays.toString(expected.shape())
              + " but got "
              + Arrays.toString(actual.shape()));
    }
    if (expected.dtype() != actual.dtype()) {
      throw new AssertionError(
          "assertClose: the dtypes do not match: expected "
              + expected.dtype()
              + " but got "
              + actual.dtype()
              + " (shape "
              + Arrays.toString(expected.shape())
              + ")");
    }
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    int mismatched = 0;
    int worst = -1;
    double worstExcess = -1;
    for (int i = 0; i < e.length; i++) {
      double diff = Math.abs(a[i] - e[i]);
      double tol = atol + rtol * Math.abs(e[i]);
      boolean ok;
      if (Double.isNaN(e[i]) || Double.isNaN(a[i])) {
        ok = equalNan && Double.isNaN(e[i]) && Double.isNaN(a[i]);
      } else if (Double.isInfinite(e[i]) || Double.isInfinite(a[i])) {
        ok = e[i] == a[i];
      } else {
        ok = diff <= tol;
      }
      if (ok) continue;
      mismatched++;
      // NaN and infinite mismatches rank above any finite one.
      double excess = Double.isFinite(diff) ? diff - tol : Double.POSITIVE_INFINITY;
      if (worst < 0 || excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
    if (mismatched == 0) return;
    double diff = Math.abs(a[worst] - e[worst]);
    throw new AssertionError(
        String.format(
            "assertClose: tensors of shape %s are not close: %d of %d elements (%.1f%%) mismatch; worst at index %s:"
                + " expected %.9g but got %.9g (|difference| %.3g > allowed %.3g = atol %.3g + rtol %.3g * |expected|)",
            Arrays.toString(expected.shape()),
            mismatched,
            e.length,
            100.0 * mismatched / e.length,
            Arrays.toString(unravel(worst, expected.shape())),
            e[worst],
            a[worst],
            diff,
            atol + rtol * Math.abs(e[worst]),
            atol,
            rtol));
  }

  private static String describe(Tensor t) {
    return t == null ? "null" : "a tensor of shape " + Arrays.toString(t.shape());
  }

  /** The multi-dimensional index of row-major position {@code flat} in {@code shape}. */
  static int[] unravel(int flat, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    return idx;
  }
}
