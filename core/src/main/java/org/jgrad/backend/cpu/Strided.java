package org.jgrad.backend.cpu;

/**
 * Walks up to three equally shaped strided layouts in row-major order, handing the body one run of
 * the innermost dimension at a time. Dimensions that are contiguous for every operand are merged
 * first, so a dense tensor is a single run.
 */
final class Strided {
  private Strided() {}

  /** Receives one run: start offsets of each operand and the run length. */
  @FunctionalInterface
  interface Run {
    void run(int offA, int offB, int offC, int n);
  }

  /** The collapsed layout: {@code shape}, then the strides of operands a, b and c. */
  record Plan(int[] shape, int[] sa, int[] sb, int[] sc) {
    int innerA() {
      return sa[sa.length - 1];
    }

    int innerB() {
      return sb[sb.length - 1];
    }

    int innerC() {
      return sc[sc.length - 1];
    }
  }

  static Plan plan(int[] shape, int[] sa, int[] sb, int[] sc) {
    int r = shape.length;
    int[] s = new int[Math.max(r, 1)],
        a = new int[s.length],
        b = new int[s.length],
        c = new int[s.length];
    int k = 0;
    if (r == 0) {
      s[0] = 1;
      return new Plan(s, a, b, c);
    }
    for (int d = 0; d < r; d++) {
      if (shape[d] == 1 && r > 1) continue; // size-1 dims contribute nothing
      if (k > 0
          && a[k - 1] == sa[d] * shape[d]
          && b[k - 1] == sb[d] * shape[d]
          && c[k - 1] == sc[d] * shape[d]) {
        s[k - 1] *= shape[d];
        a[k - 1] = sa[d];
        b[k - 1] = sb[d];
        c[k - 1] = sc[d];
      } else {
        s[k] = shape[d];
        a[k] = sa[d];
        b[k] = sb[d];
        c[k] = sc[d];
        k++;
      }
    }
    if (k == 0) {
      s[0] = 1;
      k = 1;
    }
    return new Plan(
        java.util.Arrays.copyOf(s, k),
        java.util.Arrays.copyOf(a, k),
        java.util.Arrays.copyOf(b, k),
        java.util.Arrays.copyOf(c, k));
  }

  /** Elements per task when a single dense run is split across threads. */
  static final int GRAIN = 1 << 15;

  /**
   * Like {@link #forEachRun}, but a single long run is cut into fixed chunks, and many runs into
   * fixed ranges of whole runs, that run on the CPU pool. The body must write only where its
   * offsets point (no shared running position).
   */
  static void forEachRunParallel(Plan p, int oa, int ob, int oc, Run body) {
    int r = p.shape().length;
    int n = p.shape()[r - 1];
    if (r == 1 && n >= 2 * GRAIN) {
      int sa = p.innerA(), sb = p.innerB(), sc = p.innerC();
      org.jgrad.backend.cpu.kernels.Parallel.forRange(
          n, GRAIN, (s, e) -> body.run(oa + s * sa, ob + s * sb, oc + s * sc, e - s));
      return;
    }
    long outer = 1;
    for (int d = 0; d < r - 1; d++) outer *= p.shape()[d];
    if (r > 1 && n > 0 && outer * n >= 2L * GRAIN) {
      // Many runs (a broadcast bias over [N, C, H, W]): whole runs, in fixed ranges, per thread.
      org.jgrad.backend.cpu.kernels.Parallel.forRange(
          (int) outer, Math.max(1, GRAIN / n), (s, e) -> forRuns(p, oa, ob, oc, s, e, body));
    } else {
      forEachRun(p, oa, ob, oc, body);
    }
  }

  /** Runs {@code [from, to)} of {@link #forEachRun}'s sequence (a plan of rank 2 or more). */
  private static void forRuns(Plan p, int oa, int ob, int oc, int from, int to, Run body) {
    int r = p.shape().length;
    int n = p.shape()[r - 1];
    int[] idx = new int[r];
    int a = oa, b = ob, c = oc;
    for (int d = r - 2, rest = from; d >= 0; d--) {
      idx[d] = rest % p.shape()[d];
      rest /= p.shape()[d];
      a += idx[d] * p.sa()[d];
      b += idx[d] * p.sb()[d];
      c += idx[d] * p.sc()[d];
    }
    for (int o = from; o < to; o++) {
      body.run(a, b, c, n);
      for (int d = r - 2; d >= 0; d--) {
        idx[d]++;
        a += p.sa()[d];
        b += p.sb()[d];
        c += p.sc()[d];
        if (idx[d] < p.shape()[d]) break;
        a -= p.sa()[d] * idx[d];
        b -= p.sb()[d] * idx[d];
        c -= p.sc()[d] * idx[d];
        idx[d] = 0;
      }
    }
  }

  static void forEachRun(Plan p, int oa, int ob, int oc, Run body) {
    int r = p.shape().length;
    int n = p.shape()[r - 1];
    if (n == 0) return;
    int outer = 1;
    for (int d = 0; d < r - 1; d++) outer *= p.shape()[d];
    if (outer == 0) return;
    int[] idx = new int[r];
    int a = oa, b = ob, c = oc;
    for (int o = 0; o < outer; o++) {
      body.run(a, b, c, n);
      // odometer increment over the outer dimensions
      for (int d = r - 2; d >= 0; d--) {
        idx[d]++;
        a += p.sa()[d];
        b += p.sb()[d];
        c += p.sc()[d];
        if (idx[d] < p.shape()[d]) break;
        a -= p.sa()[d] * idx[d];
        b -= p.sb()[d] * idx[d];
        c -= p.sc()[d] * idx[d];
        idx[d] = 0;
      }
    }
  }
}
