package org.jgrad.backend.reference;

/** Special functions the JDK lacks, accurate to about 1e-15 in double. */
public final class SpecialFunctions {
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

  private SpecialFunctions() {}

  /**
   * The error function. Maclaurin series for |x| &lt; 2.5 (terms stay below ~2e3, so about 13
   * correct digits survive cancellation), Laplace's continued fraction for erfc beyond.
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double ax = Math.abs(x);
    if (ax < 2.5) {
      double term = x, sum = x, x2 = x * x;
      for (int n = 1; n < 100; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
      }
      return TWO_OVER_SQRT_PI * sum;
    }
    if (ax > 6) return Math.copySign(1.0, x);
    // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated
    // from the tail.
    double f = ax;
    for (int k = 60; k >= 1; k--) f = ax + (k / 2.0) / f;
    double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
    return Math.copySign(1 - erfc, x);
  }
}
