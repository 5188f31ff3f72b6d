package org.jgrad.backend.cpu.kernels;

import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.UnaryOp;

/**
 * The plain-Java {@link ElementwiseKernels.Impl}: the optimizer steps as scalar loops; unary and
 * binary ops and comparisons are left to the CPU backend's own loops (which are this path's
 * definition).
 */
final class ScalarElementwiseKernels implements ElementwiseKernels.Impl {
  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public boolean unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
    return false;
  }

  @Override
  public boolean binary(
      BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] c, int co, int n) {
    return false;
  }

  @Override
  public boolean compare(
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
    return false;
  }

  @Override
  public void adam(
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
    float b1 = h.b1(), omb1 = h.omb1(), b2 = h.b2(), omb2 = h.omb2(), wd = h.weightDecay();
    float decay = h.decay(), b2s = h.bias2Sqrt(), eps = h.eps(), negStep = h.negStep();
    // The common case (no weight decay, not maximize) gets its own straight loop.
    boolean coupled = !h.decoupled() && wd != 0;
    if (!coupled && !h.decoupled() && !h.maximize()) {
      for (int i = 0; i < n; i++) {
        float gi = g[go + i];
        float mi = m[mo + i] * b1 + omb1 * gi;
        float vi = v[vo + i] * b2 + omb2 * (gi * gi);
        m[mo + i] = mi;
        v[vo + i] = vi;
        p[po + i] += negStep * (mi / ((float) Math.sqrt(vi) / b2s + eps));
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      float gi = h.maximize() ? -g[go + i] : g[go + i];
      float pi = p[po + i];
      if (coupled) gi = gi + pi * wd;
      if (h.decoupled()) pi = pi * decay;
      float mi = m[mo + i] * b1 + omb1 * gi;
      float vi = v[vo + i] * b2 + omb2 * (gi * gi);
      m[mo + i] = mi;
      v[vo + i] = vi;
      p[po + i] = pi + negStep * (mi / ((float) Math.sqrt(vi) / b2s + eps));
    }
  }

  @Override
  public void sgd(
      int n, float[] p, int po, float[] g, int go, float[] buf, int bo, OptimizerKernels.Sgd h) {
    float negLr = h.negLr(), mom = h.momentum(), omd = h.oneMinusDampening(), wd = h.weightDecay();
    for (int i = 0; i < n; i++) {
      float d = h.maximize() ? -g[go + i] : g[go + i];
      if (wd != 0) d = d + p[po + i] * wd;
      if (buf != null) {
        float b = h.firstStep() ? d : buf[bo + i] * mom + omd * d;
        buf[bo + i] = b;
        d = h.nesterov() ? d + b * mom : b;
      }
      p[po + i] += negLr * d;
    }
  }

  @Override
  public void sumRows(float[] x, int xo, int rows, int cols, double[] acc) {
    for (int r = 0; r < rows; r++) {
      int base = xo + r * cols;
      for (int j = 0; j < cols; j++) acc[j] += x[base + j];
    }
  }

  @Override
  public void lstmBackwardRow(
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
    lstmBackwardTail(0, h, acts, a, gy, gh, gc, c, co, dGates, d, dC, dco);
  }

  /** Elements [from, h) of {@link #lstmBackwardRow}: also the vector implementation's tail. */
  static void lstmBackwardTail(
      int from,
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
    for (int j = from; j < h; j++) {
      float i = acts[a + j], f = acts[a + h + j], g = acts[a + 2 * h + j];
      float o = acts[a + 3 * h + j], tc = acts[a + 4 * h + j];
      float dh = gy[gh + j];
      float dc = gy[gc + j] + dh * o * (1 - tc * tc);
      dGates[d + j] = dc * g * i * (1 - i);
      dGates[d + h + j] = dc * c[co + j] * f * (1 - f);
      dGates[d + 2 * h + j] = dc * i * (1 - g * g);
      dGates[d + 3 * h + j] = dh * tc * o * (1 - o);
      dC[dco + j] = dc * f;
    }
  }

  @Override
  public void gruBackwardRow(
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
    gruBackwardTail(0, h, acts, a, gy, g, hg, hn, hs, s, dx, dh, d, dPrev, p);
  }

  /** Elements [from, h) of {@link #gruBackwardRow}: also the vector implementation's tail. */
  static void gruBackwardTail(
      int from,
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
    for (int j = from; j < h; j++) {
      float r = acts[a + j], z = acts[a + h + j], n = acts[a + 2 * h + j], y = gy[g + j];
      float dn = y * (1 - z) * (1 - n * n);
      float dz = y * (hs[s + j] - n) * z * (1 - z);
      float dr = dn * hg[hn + j] * r * (1 - r);
      dx[d + j] = dr;
      dx[d + h + j] = dz;
      dx[d + 2 * h + j] = dn;
      dh[d + j] = dr;
      dh[d + h + j] = dz;
      dh[d + 2 * h + j] = dn * r;
      dPrev[p + j] = y * z;
    }
  }

  @Override
  public double sumRun(float[] x, int at, int len) {
    double p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0;
    double p8 = 0, p9 = 0, p10 = 0, p11 = 0, p12 = 0, p13 = 0, p14 = 0, p15 = 0;
    int j = 0;
    for (; j + 16 <= len; j += 16) {
      int b = at + j;
      p0 += x[b];
      p1 += x[b + 1];
      p2 += x[b + 2];
      p3 += x[b + 3];
      p4 += x[b + 4];
      p5 += x[b + 5];
      p6 += x[b + 6];
      p7 += x[b + 7];
      p8 += x[b + 8];
      p9 += x[b + 9];
      p10 += x[b + 10];
      p11 += x[b + 11];
      p12 += x[b + 12];
      p13 += x[b + 13];
      p14 += x[b + 14];
      p15 += x[b + 15];
    }
    double s =
        ElementwiseKernels.tree8(
            p0 + p8, p1 + p9, p2 + p10, p3 + p11, p4 + p12, p5 + p13, p6 + p14, p7 + p15);
    for (; j < len; j++) s += x[at + j];
    return s;
  }
}
