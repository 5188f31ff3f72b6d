package org.jgrad.backend.cpu.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.UnaryOp;

/**
 * The Vector API {@link ElementwiseKernels.Impl}. Hazard (as for {@code VectorSgemmKernel}): this
 * class links against {@code jdk.incubator.vector}; {@link ElementwiseKernels} loads it by name,
 * only when the module is present, and nothing else may refer to it.
 *
 * <p>exp, sigmoid and tanh run in double lanes: {@code exp(x) = 2^k · P(r)}, {@code r = x − k·ln2}
 * (Cody–Waite, |r| ≤ ln2/2), P the degree-11 Taylor polynomial (truncation below 2^-47 relative),
 * then one rounding to float. A lane whose double value is within 2^10 double ulps of a float
 * rounding midpoint, or whose float result would be subnormal or overflow, or NaN, is recomputed by
 * the scalar formula; every other lane rounds to the same float as the scalar formula's double
 * (which is within one double ulp of the true value), so results are bit-identical to it.
 */
final class VectorElementwiseKernels implements ElementwiseKernels.Impl {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();

  /** Double lanes for the transcendental ops, and float/long species with as many lanes. */
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  private static final int DL = D.length();
  private static final VectorSpecies<Float> FH =
      VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
  private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;

  private VectorElementwiseKernels() {}

  static ElementwiseKernels.Impl create() {
    return new VectorElementwiseKernels();
  }

  @Override
  public String name() {
    return "vector";
  }

  // ------------------------------------------------------------------ unary

  @Override
  public boolean unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
    switch (op) {
      case NEG, ABS, SQRT, RECIPROCAL, RELU, SIGN -> exactUnary(op, x, xo, y, yo, n);
      case EXP, SIGMOID, TANH -> transcendental(op, x, xo, y, yo, n);
      default -> {
        return false;
      }
    }
    return true;
  }

  private static void exactUnary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
    int i = 0;
    for (; i <= n - L; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xo + i);
      FloatVector r =
          switch (op) {
            case NEG -> v.neg();
            case ABS -> v.abs();
            case SQRT -> v.sqrt();
            case RECIPROCAL -> FloatVector.broadcast(F, 1f).div(v);
            // v > 0 ? v : 0·v (0·NaN keeps NaN, 0·negative is −0)
            case RELU -> v.mul(0f).blend(v, v.compare(VectorOperators.GT, 0f));
            // Math.signum: ±0 and NaN pass through
            case SIGN ->
                v.blend(1f, v.compare(VectorOperators.GT, 0f))
                    .blend(-1f, v.compare(VectorOperators.LT, 0f));
            default -> throw new IllegalStateException(op.name());
          };
      r.intoArray(y, yo + i);
    }
    for (; i < n; i++) y[yo + i] = scalar(op, x[xo + i]);
  }

  /** The CPU backend's scalar formulas (CpuKernels), the definition every lane must match. */
  static float scalar(UnaryOp op, float v) {
    return switch (op) {
      case NEG -> -v;
      case ABS -> Math.abs(v);
      case SQRT -> (float) Math.sqrt(v);
      case RECIPROCAL -> 1f / v;
      case RELU -> v > 0 ? v : 0 * v;
      case SIGN -> Math.signum(v);
      case EXP -> (float) Math.exp(v);
      case TANH -> (float) Math.tanh(v);
      case SIGMOID ->
          v >= 0 ? (float) (1 / (1 + Math.exp(-v))) : (float) (Math.exp(v) / (1 + Math.exp(v)));
      default -> throw new IllegalStateException(op.name());
    };
  }

  private static final double LOG2E = 1.4426950408889634;
  private static final double LN2_HI = 6.93147180369123816490e-01; // 0x3fe62e42fee00000
  private static final double LN2_LO = 1.90821492927058770002e-10;
  private static final double ROUND = 0x1.8p52; // adding and subtracting it rounds to an integer

  /** 1/i! for i = 11 down to 0 (Horner order). */
  private static final double[] EXP_POLY = new double[12];

  /** 1/i! for i = 13 down to 1, for expm1 near 0. */
  private static final double[] EXPM1_POLY = new double[13];

  static {
    double f = 1;
    double[] inv = new double[14];
    for (int i = 0; i < 14; i++) {
      if (i > 0) f *= i;
      inv[i] = 1 / f;
    }
    for (int i = 0; i < 12; i++) EXP_POLY[i] = inv[11 - i];
    for (int i = 0; i < 13; i++) EXPM1_POLY[i] = inv[13 - i];
  }

  /**
   * The vector exp, sigmoid and tanh in double, rounded to float, with the flagged lanes (out of
   * range, NaN, or a double result too close to a float rounding boundary) redone by the scalar
   * formula.
   *
   * <p>One straight method on purpose: e^x (for x in [-87.4, 88.8], |error| < 2^-46 relative) is
   * written once, inline, between the per-op argument and result steps. It used to be a helper
   * taking and returning vectors; when C2 did not inline it (seen intermittently: a sigmoid epoch
   * of the autoencoder at 2-3x its usual time, its samples in the Vector API's Java fallbacks such
   * as {@code VectorSupport.ternaryOp} and {@code Double512Mask.toLong}) the vectors were boxed.
   */
  private static void transcendental(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
    int i = 0;
    for (; i <= n - DL; i += DL) {
      FloatVector xf = FloatVector.fromArray(FH, x, xo + i);
      DoubleVector xd = (DoubleVector) xf.convertShape(VectorOperators.F2D, D, 0);
      DoubleVector a = xd.abs();
      VectorMask<Double> bad;
      DoubleVector arg;
      switch (op) {
        case EXP -> {
          bad = xd.compare(VectorOperators.LT, -87.0).or(xd.compare(VectorOperators.GT, 88.0));
          arg = xd.max(-87.0).min(88.0);
        }
        case SIGMOID -> {
          // e = exp(−|v|); v ≥ 0: 1/(1 + e), v < 0: e/(1 + e). Far out (|v| > 80) the scalar
          // formula decides (subnormal results, exact 1).
          bad = a.compare(VectorOperators.GT, 80.0);
          arg = a.min(80.0).neg();
        }
        default -> { // TANH: sign(v) · (−u / (2 + u)), u = expm1(−2|v|)
          // Subnormal results: the scalar formula. Beyond 20, tanh is 1 in double already.
          bad = a.compare(VectorOperators.LT, 0x1p-126);
          arg = a.min(20.0).mul(-2);
        }
      }
      DoubleVector k = arg.mul(LOG2E).add(ROUND).sub(ROUND);
      DoubleVector red = k.fma(DoubleVector.broadcast(D, -LN2_HI), arg).add(k.mul(-LN2_LO));
      DoubleVector p = DoubleVector.broadcast(D, EXP_POLY[0]);
      for (int j = 1; j < EXP_POLY.length; j++) {
        p = p.fma(red, DoubleVector.broadcast(D, EXP_POLY[j]));
      }
      LongVector kl = (LongVector) k.convertShape(VectorOperators.D2L, LS, 0);
      DoubleVector ex =
          p.mul(kl.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
      DoubleVector r;
      switch (op) {
        case EXP -> r = ex;
        case SIGMOID -> {
          DoubleVector onePlus = ex.add(1);
          r =
              ex.div(onePlus)
                  .blend(
                      DoubleVector.broadcast(D, 1).div(onePlus),
                      xd.compare(VectorOperators.GE, 0.0));
        }
        default -> {
          // e^z − 1 for z = arg in [-40, 0], relative error < 2^-45: a polynomial near 0.
          DoubleVector q = DoubleVector.broadcast(D, EXPM1_POLY[0]);
          for (int j = 1; j < EXPM1_POLY.length; j++) {
            q = q.fma(arg, DoubleVector.broadcast(D, EXPM1_POLY[j]));
          }
          DoubleVector u = ex.sub(1).blend(q.mul(arg), arg.compare(VectorOperators.GE, -0.34));
          r = u.neg().div(u.add(2));
        }
      }
      // NaN inputs fail every compare above: flag them here (the scalar formula keeps NaN).
      bad = bad.or(xd.compare(VectorOperators.NE, xd));
      LongVector bits = r.reinterpretAsLongs();
      LongVector low = bits.and(0x1FFFFFFFL).sub(0x10000000L).abs();
      bad = bad.or(low.compare(VectorOperators.LT, 1024L).cast(D));
      FloatVector rf = (FloatVector) r.convertShape(VectorOperators.D2F, FH, 0);
      if (op == UnaryOp.TANH) {
        rf = rf.lanewise(VectorOperators.ABS).blend(rf.neg(), xf.compare(VectorOperators.LT, 0f));
        rf = rf.blend(xf, xf.compare(VectorOperators.EQ, 0f)); // tanh(±0) = ±0
      }
      rf.intoArray(y, yo + i);
      if (bad.anyTrue()) {
        long m = bad.toLong();
        while (m != 0) {
          int lane = Long.numberOfTrailingZeros(m);
          m &= m - 1;
          y[yo + i + lane] = scalar(op, x[xo + i + lane]);
        }
      }
    }
    for (; i < n; i++) y[yo + i] = scalar(op, x[xo + i]);
  }

  // ------------------------------------------------------------------ binary

  @Override
  public boolean binary(
      BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] c, int co, int n) {
    switch (op) {
      case ADD, SUB, MUL, DIV, MAX, MIN -> {}
      default -> {
        return false;
      }
    }
    // The operator must be a constant at each lanewise call for C2 to intrinsify it, hence the
    // switch inside the loop (it branches the same way every iteration).
    int i = 0;
    if (sa == 1 && sb == 1) {
      for (; i <= n - L; i += L) {
        apply(op, FloatVector.fromArray(F, a, ao + i), FloatVector.fromArray(F, b, bo + i))
            .intoArray(c, co + i);
      }
    } else if (sa == 1) {
      FloatVector bv = FloatVector.broadcast(F, b[bo]);
      for (; i <= n - L; i += L) {
        apply(op, FloatVector.fromArray(F, a, ao + i), bv).intoArray(c, co + i);
      }
    } else {
      FloatVector av = FloatVector.broadcast(F, a[ao]);
      for (; i <= n - L; i += L) {
        apply(op, av, FloatVector.fromArray(F, b, bo + i)).intoArray(c, co + i);
      }
    }
    for (; i < n; i++) c[co + i] = scalar(op, a[ao + i * sa], b[bo + i * sb]);
    return true;
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
    switch (op) {
      case EQ, NE, LT, LE, GT, GE -> {}
      default -> {
        return false;
      }
    }
    // Float lanes as many as the double lanes of the output: the mask converts one to one. The
    // scalar loop's "? 1 : 0" branches on the data (a dropout mask mispredicts half the time).
    DoubleVector one = DoubleVector.broadcast(D, 1.0), zero = DoubleVector.zero(D);
    int i = 0;
    if (sa == 1 && sb == 1) {
      for (; i <= n - DL; i += DL) {
        VectorMask<Float> m =
            compare(op, FloatVector.fromArray(FH, a, ao + i), FloatVector.fromArray(FH, b, bo + i));
        zero.blend(one, m.cast(D)).intoArray(c, co + i);
      }
    } else if (sa == 1) {
      FloatVector bv = FloatVector.broadcast(FH, b[bo]);
      for (; i <= n - DL; i += DL) {
        VectorMask<Float> m = compare(op, FloatVector.fromArray(FH, a, ao + i), bv);
        zero.blend(one, m.cast(D)).intoArray(c, co + i);
      }
    } else {
      FloatVector av = FloatVector.broadcast(FH, a[ao]);
      for (; i <= n - DL; i += DL) {
        VectorMask<Float> m = compare(op, av, FloatVector.fromArray(FH, b, bo + i));
        zero.blend(one, m.cast(D)).intoArray(c, co + i);
      }
    }
    for (; i < n; i++) c[co + i] = compareScalar(op, a[ao + i * sa], b[bo + i * sb]);
    return true;
  }

  private static VectorMask<Float> compare(BinaryOp op, FloatVector x, FloatVector y) {
    return switch (op) {
      case EQ -> x.compare(VectorOperators.EQ, y);
      case NE -> x.compare(VectorOperators.NE, y);
      case LT -> x.compare(VectorOperators.LT, y);
      case LE -> x.compare(VectorOperators.LE, y);
      case GT -> x.compare(VectorOperators.GT, y);
      case GE -> x.compare(VectorOperators.GE, y);
      default -> throw new IllegalStateException(op.name());
    };
  }

  /** The CPU backend's comparison formulas (CpuKernels.compare). */
  static double compareScalar(BinaryOp op, float x, float y) {
    return switch (op) {
      case EQ -> x == y ? 1 : 0;
      case NE -> x != y ? 1 : 0;
      case LT -> x < y ? 1 : 0;
      case LE -> x <= y ? 1 : 0;
      case GT -> x > y ? 1 : 0;
      case GE -> x >= y ? 1 : 0;
      default -> throw new IllegalStateException(op.name());
    };
  }

  private static FloatVector apply(BinaryOp op, FloatVector x, FloatVector y) {
    return switch (op) {
      case ADD -> x.add(y);
      case SUB -> x.sub(y);
      case MUL -> x.mul(y);
      case DIV -> x.div(y);
      case MAX -> x.max(y);
      case MIN -> x.min(y);
      default -> throw new IllegalStateException(op.name());
    };
  }

  /** The CPU backend's scalar binary formulas (CpuKernels). */
  static float scalar(BinaryOp op, float x, float y) {
    return switch (op) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case MAX -> x != x || y != y ? Float.NaN : Math.max(x, y);
      case MIN -> x != x || y != y ? Float.NaN : Math.min(x, y);
      default -> throw new IllegalStateException(op.name());
    };
  }

  // ------------------------------------------------------------------ optimizer steps

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
    boolean coupled = !h.decoupled() && wd != 0, decoupled = h.decoupled(), max = h.maximize();
    int i = 0;
    // The same float operations in the same order as the scalar loop (no FMA): identical bits.
    for (; i <= n - L; i += L) {
      FloatVector gi = FloatVector.fromArray(F, g, go + i);
      if (max) gi = gi.neg();
      FloatVector pi = FloatVector.fromArray(F, p, po + i);
      if (coupled) gi = gi.add(pi.mul(wd));
      if (decoupled) pi = pi.mul(decay);
      FloatVector mi = FloatVector.fromArray(F, m, mo + i).mul(b1).add(gi.mul(omb1));
      FloatVector vi = FloatVector.fromArray(F, v, vo + i).mul(b2).add(gi.mul(gi).mul(omb2));
      mi.intoArray(m, mo + i);
      vi.intoArray(v, vo + i);
      FloatVector den = vi.sqrt().div(b2s).add(eps);
      pi.add(mi.div(den).mul(negStep)).intoArray(p, po + i);
    }
    if (i < n) {
      ElementwiseKernels.SCALAR.adam(n - i, p, po + i, g, go + i, m, mo + i, v, vo + i, h);
    }
  }

  @Override
  public void sgd(
      int n, float[] p, int po, float[] g, int go, float[] buf, int bo, OptimizerKernels.Sgd h) {
    float negLr = h.negLr(), mom = h.momentum(), omd = h.oneMinusDampening(), wd = h.weightDecay();
    int i = 0;
    for (; i <= n - L; i += L) {
      FloatVector d = FloatVector.fromArray(F, g, go + i);
      if (h.maximize()) d = d.neg();
      FloatVector pi = FloatVector.fromArray(F, p, po + i);
      if (wd != 0) d = d.add(pi.mul(wd));
      if (buf != null) {
        FloatVector b =
            h.firstStep() ? d : FloatVector.fromArray(F, buf, bo + i).mul(mom).add(d.mul(omd));
        b.intoArray(buf, bo + i);
        d = h.nesterov() ? d.add(b.mul(mom)) : b;
      }
      pi.add(d.mul(negLr)).intoArray(p, po + i);
    }
    if (i < n) ElementwiseKernels.SCALAR.sgd(n - i, p, po + i, g, go + i, buf, bo + i, h);
  }

  /**
   * Four double vectors of columns at a time held in registers over all the rows (each column still
   * adds its rows in order, so the bits are the scalar loop's); the last columns scalar.
   */
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
    int j = 0;
    for (; j <= h - L; j += L) {
      FloatVector i = FloatVector.fromArray(F, acts, a + j);
      FloatVector f = FloatVector.fromArray(F, acts, a + h + j);
      FloatVector g = FloatVector.fromArray(F, acts, a + 2 * h + j);
      FloatVector o = FloatVector.fromArray(F, acts, a + 3 * h + j);
      FloatVector tc = FloatVector.fromArray(F, acts, a + 4 * h + j);
      FloatVector dh = FloatVector.fromArray(F, gy, gh + j);
      // 1 − x as (−x) + 1: the same IEEE sum, so the bits of the scalar tail's formulas.
      FloatVector dc =
          FloatVector.fromArray(F, gy, gc + j).add(dh.mul(o).mul(tc.mul(tc).neg().add(1f)));
      dc.mul(g).mul(i).mul(i.neg().add(1f)).intoArray(dGates, d + j);
      dc.mul(FloatVector.fromArray(F, c, co + j))
          .mul(f)
          .mul(f.neg().add(1f))
          .intoArray(dGates, d + h + j);
      dc.mul(i).mul(g.mul(g).neg().add(1f)).intoArray(dGates, d + 2 * h + j);
      dh.mul(tc).mul(o).mul(o.neg().add(1f)).intoArray(dGates, d + 3 * h + j);
      dc.mul(f).intoArray(dC, dco + j);
    }
    ScalarElementwiseKernels.lstmBackwardTail(j, h, acts, a, gy, gh, gc, c, co, dGates, d, dC, dco);
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
    int j = 0;
    for (; j <= h - L; j += L) {
      FloatVector r = FloatVector.fromArray(F, acts, a + j);
      FloatVector z = FloatVector.fromArray(F, acts, a + h + j);
      FloatVector n = FloatVector.fromArray(F, acts, a + 2 * h + j);
      FloatVector y = FloatVector.fromArray(F, gy, g + j);
      FloatVector dn = y.mul(z.neg().add(1f)).mul(n.mul(n).neg().add(1f));
      FloatVector dz =
          y.mul(FloatVector.fromArray(F, hs, s + j).sub(n)).mul(z).mul(z.neg().add(1f));
      FloatVector dr = dn.mul(FloatVector.fromArray(F, hg, hn + j)).mul(r).mul(r.neg().add(1f));
      dr.intoArray(dx, d + j);
      dz.intoArray(dx, d + h + j);
      dn.intoArray(dx, d + 2 * h + j);
      dr.intoArray(dh, d + j);
      dz.intoArray(dh, d + h + j);
      dn.mul(r).intoArray(dh, d + 2 * h + j);
      y.mul(z).intoArray(dPrev, p + j);
    }
    ScalarElementwiseKernels.gruBackwardTail(
        j, h, acts, a, gy, g, hg, hn, hs, s, dx, dh, d, dPrev, p);
  }

  @Override
  public void sumRows(float[] x, int xo, int rows, int cols, double[] acc) {
    int j = 0;
    for (; j + 4 * DL <= cols; j += 4 * DL) {
      DoubleVector a0 = DoubleVector.fromArray(D, acc, j);
      DoubleVector a1 = DoubleVector.fromArray(D, acc, j + DL);
      DoubleVector a2 = DoubleVector.fromArray(D, acc, j + 2 * DL);
      DoubleVector a3 = DoubleVector.fromArray(D, acc, j + 3 * DL);
      for (int r = 0, at = xo + j; r < rows; r++, at += cols) {
        a0 = a0.add(widen(x, at));
        a1 = a1.add(widen(x, at + DL));
        a2 = a2.add(widen(x, at + 2 * DL));
        a3 = a3.add(widen(x, at + 3 * DL));
      }
      a0.intoArray(acc, j);
      a1.intoArray(acc, j + DL);
      a2.intoArray(acc, j + 2 * DL);
      a3.intoArray(acc, j + 3 * DL);
    }
    for (; j + DL <= cols; j += DL) {
      DoubleVector a0 = DoubleVector.fromArray(D, acc, j);
      for (int r = 0, at = xo + j; r < rows; r++, at += cols) a0 = a0.add(widen(x, at));
      a0.intoArray(acc, j);
    }
    for (; j < cols; j++) {
      double a = acc[j];
      for (int r = 0, at = xo + j; r < rows; r++, at += cols) a += x[at];
      acc[j] = a;
    }
  }

  /**
   * Two double accumulators of 8 lanes hold the 16 partials (elements j and j + 8 of each block of
   * 16); with narrower double vectors the scalar loop gives the same bits.
   */
  @Override
  public double sumRun(float[] x, int at, int len) {
    if (DL != 8) return ElementwiseKernels.SCALAR.sumRun(x, at, len);
    DoubleVector lo = DoubleVector.zero(D), hi = DoubleVector.zero(D);
    int j = 0;
    for (; j + 16 <= len; j += 16) {
      lo = lo.add(widen(x, at + j));
      hi = hi.add(widen(x, at + j + 8));
    }
    DoubleVector q = lo.add(hi);
    double s =
        ElementwiseKernels.tree8(
            q.lane(0), q.lane(1), q.lane(2), q.lane(3), q.lane(4), q.lane(5), q.lane(6), q.lane(7));
    for (; j < len; j++) s += x[at + j];
    return s;
  }

  private static DoubleVector widen(float[] x, int at) {
    return (DoubleVector) FloatVector.fromArray(FH, x, at).convertShape(VectorOperators.F2D, D, 0);
  }
}
