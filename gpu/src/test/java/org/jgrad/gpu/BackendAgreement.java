package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jgrad.backend.Backend;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.ConvGeometry;
import org.jgrad.backend.DType;
import org.jgrad.backend.FusedKernels;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.ReduceOp;
import org.jgrad.backend.UnaryOp;
import org.jgrad.backend.reference.ReferenceBackend;

/**
 * A backend under test against {@link ReferenceBackend} (the specification) on random shapes and
 * layouts: dense, permuted, stepped, offset, broadcast (stride 0), empty and size-1 dims, for every
 * primitive and every fused kernel, float32 and float64 (and int64/bool where the primitive takes
 * them). Unlike core's {@code BackendConformanceTest} (bit-for-bit for the CPU), values must agree
 * within float tolerance: a GPU's math library may differ from Java's in the last bit of a double.
 *
 * <p>{@link CudaConformanceTest} runs it on CUDA; {@link BackendAgreementSelfTest} runs it on the
 * CPU backend, so that the checks themselves are exercised on machines without a GPU.
 */
final class BackendAgreement {
  static final ReferenceBackend REF = ReferenceBackend.INSTANCE;

  final Backend under;
  final FusedKernels fused;
  final int trials;
  final boolean nanInPooling;

  /**
   * @param nanInPooling whether max pooling also gets NaN inputs (the reference lets a NaN win at
   *     once); false for the CPU backend, whose indices differ from the reference there (its own
   *     conformance test uses no NaN for pooling)
   */
  BackendAgreement(Backend under, int trials, boolean nanInPooling) {
    this.under = under;
    this.fused = under.fused().orElseThrow();
    this.trials = trials;
    this.nanInPooling = nanInPooling;
  }

  /** One operand: the same values and layout on both backends. */
  record Pair(RawTensor x, RawTensor ref) {
    int[] shape() {
      return ref.shape();
    }

    @Override
    public String toString() {
      return " shape "
          + Arrays.toString(ref.shape())
          + " strides "
          + Arrays.toString(ref.strides())
          + " offset "
          + ref.offset();
    }
  }

  // ---------------------------------------------------------------- generators

  final class Gen {
    final Random r;

    Gen(long seed) {
      r = new Random(seed);
    }

    int[] shape(int maxRank) {
      int[] s = new int[r.nextInt(maxRank + 1)];
      for (int i = 0; i < s.length; i++) s[i] = dimSize();
      return s;
    }

    int dimSize() {
      int k = r.nextInt(20);
      return k == 0 ? 0 : k < 5 ? 1 : 1 + r.nextInt(5);
    }

    Pair operand(DType dtype, int[] shape, boolean broadcast, boolean specials) {
      int rank = shape.length;
      int[] order = new int[rank];
      for (int i = 0; i < rank; i++) order[i] = i;
      if (r.nextInt(10) < 6) {
        for (int i = rank - 1; i > 0; i--) {
          int j = r.nextInt(i + 1), t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
      }
      int[] strides = new int[rank];
      int acc = 1;
      for (int k = rank - 1; k >= 0; k--) {
        int d = order[k];
        if (broadcast && r.nextInt(7) == 0) continue; // stride 0
        int step = r.nextInt(10) < 6 ? 1 : 2 + r.nextInt(2);
        strides[d] = acc * step;
        acc *= Math.max(1, shape[d] * step);
      }
      int offset = r.nextInt(2) == 0 ? 0 : r.nextInt(4);
      double[] data = new double[offset + acc + r.nextInt(3)];
      for (int i = 0; i < data.length; i++) {
        data[i] =
            switch (dtype) {
              case FLOAT32, FLOAT64 -> value(specials);
              case INT64 -> r.nextInt(7) - 3;
              case BOOL -> r.nextInt(2);
            };
      }
      return new Pair(
          new RawTensor(under.fromHost(data, dtype), shape.clone(), strides.clone(), offset),
          new RawTensor(REF.fromHost(data, dtype), shape.clone(), strides.clone(), offset));
    }

    double value(boolean specials) {
      if (specials) {
        int k = r.nextInt(40);
        if (k == 0) return Double.NaN;
        if (k == 1) return 0;
        if (k == 2) return -0.0;
        if (k == 3) return Double.POSITIVE_INFINITY;
        if (k == 4) return 2;
      }
      return (float) (r.nextGaussian() * 2);
    }

    Pair indices(int[] shape, int size) {
      double[] v = new double[RawTensor.numel(shape)];
      for (int i = 0; i < v.length; i++) v[i] = r.nextInt(2 * size) - size;
      return new Pair(
          RawTensor.dense(under.fromHost(v, DType.INT64), shape),
          RawTensor.dense(REF.fromHost(v, DType.INT64), shape));
    }
  }

  // ---------------------------------------------------------------- comparison

  static double ulp(DType t) {
    return t == DType.FLOAT32 ? 0x1p-24 : 0x1p-53;
  }

  /** Element-wise results: within 2 roundings (relative) of the reference, NaN and ±inf alike. */
  void assertClose(String what, RawTensor got, RawTensor ref, double[] bound) {
    assertArrayEquals(ref.shape(), got.shape(), what + ": shape");
    assertEquals(ref.dtype(), got.dtype(), what + ": dtype");
    assertEquals(under.device(), got.storage().device(), what + ": result device");
    double[] g = under.toHostDouble(got), e = REF.toHostDouble(ref);
    for (int i = 0; i < e.length; i++) {
      boolean ok =
          Double.isNaN(e[i])
              ? Double.isNaN(g[i])
              : Double.isInfinite(e[i]) ? g[i] == e[i] : Math.abs(g[i] - e[i]) <= bound[i];
      if (!ok) {
        fail(
            what + ": element " + i + " is " + g[i] + " but " + e[i] + " (bound " + bound[i] + ")");
      }
    }
  }

  /** Bounds of a few roundings relative to each reference value (exact for int64 and bool). */
  double[] relative(RawTensor ref, double roundings) {
    double[] e = REF.toHostDouble(ref);
    double u = ref.dtype().isFloatingPoint() ? ulp(ref.dtype()) : 0;
    double[] b = new double[e.length];
    for (int i = 0; i < e.length; i++) b[i] = roundings * u * Math.abs(e[i]) + Double.MIN_VALUE;
    return b;
  }

  static RawTensor abs64(RawTensor x) {
    return REF.copy(REF.unary(UnaryOp.ABS, x), DType.FLOAT64);
  }

  static double[] absBound(RawTensor absResult, int terms, DType dtype) {
    double[] b = REF.toHostDouble(absResult);
    for (int i = 0; i < b.length; i++) b[i] = b[i] * (terms + 2) * ulp(dtype) + Double.MIN_VALUE;
    return b;
  }

  // ---------------------------------------------------------------- primitives

  private static boolean transcendental(UnaryOp op) {
    return switch (op) {
      case NEG, ABS, SIGN, RELU, RECIPROCAL, SQRT -> false;
      case EXP, LOG, SIN, COS, TANH, SIGMOID, ERF, LOG1P, EXPM1 -> true;
    };
  }

  void unary() {
    for (UnaryOp op : UnaryOp.values()) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
        Gen g = new Gen(op.ordinal() * 1000L + dtype.ordinal());
        for (int t = 0; t < trials; t++) {
          Pair x = g.operand(dtype, g.shape(4), true, true);
          RawTensor e = REF.unary(op, x.ref());
          double[] bound = relative(e, transcendental(op) ? 4 : 1);
          // int64 results truncate: a last-bit difference may cross an integer
          if (dtype == DType.INT64 && transcendental(op)) Arrays.fill(bound, 1);
          assertClose(op + " " + dtype + x, under.unary(op, x.x()), e, bound);
        }
      }
    }
  }

  void binary() {
    for (BinaryOp op : BinaryOp.values()) {
      for (DType dtype : DType.values()) {
        Gen g = new Gen(op.ordinal() * 1000L + dtype.ordinal() + 50);
        for (int t = 0; t < trials; t++) {
          int[] shape = g.shape(4);
          Pair a = g.operand(dtype, shape, true, true), b = g.operand(dtype, shape, true, true);
          RawTensor e = REF.binary(op, a.ref(), b.ref());
          double[] bound = relative(e, op == BinaryOp.POW ? 4 : 1);
          if (op == BinaryOp.POW && dtype == DType.INT64) Arrays.fill(bound, 1);
          assertClose(op + " " + dtype + a + b, under.binary(op, a.x(), b.x()), e, bound);
        }
        // both operands one view of one storage
        Pair a = g.operand(dtype, g.shape(3), true, false);
        RawTensor e = REF.binary(op, a.ref(), a.ref());
        assertClose(op + " aliased" + a, under.binary(op, a.x(), a.x()), e, relative(e, 4));
      }
    }
  }

  void where() {
    for (DType dtype : DType.values()) {
      Gen g = new Gen(70 + dtype.ordinal());
      for (int t = 0; t < trials; t++) {
        int[] shape = g.shape(4);
        Pair c = g.operand(DType.BOOL, shape, true, false);
        Pair a = g.operand(dtype, shape, true, true), b = g.operand(dtype, shape, true, true);
        RawTensor e = REF.where(c.ref(), a.ref(), b.ref());
        assertClose(
            "where " + dtype + c + a + b, under.where(c.x(), a.x(), b.x()), e, relative(e, 0));
      }
    }
  }

  void reductions() {
    for (ReduceOp op : ReduceOp.values()) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
        Gen g = new Gen(op.ordinal() * 1000L + dtype.ordinal() + 90);
        for (int t = 0; t < trials; t++) {
          int[] shape = g.shape(4);
          if (g.r.nextInt(8) == 0) shape = new int[] {3, 700}; // long rows: the block kernel
          List<Integer> ax = new ArrayList<>();
          for (int d = 0; d < shape.length; d++) if (g.r.nextBoolean()) ax.add(d);
          int[] axes = ax.stream().mapToInt(Integer::intValue).toArray();
          boolean empty = false;
          for (int a : axes) empty |= shape[a] == 0;
          if (op != ReduceOp.SUM && empty) continue;
          Pair x = g.operand(dtype, shape, true, op != ReduceOp.SUM);
          RawTensor e = REF.reduce(op, x.ref(), axes);
          double[] bound =
              op == ReduceOp.SUM
                  ? absBound(REF.reduce(ReduceOp.SUM, abs64(x.ref()), axes), 2, dtype)
                  : relative(e, 0);
          if (dtype == DType.INT64) Arrays.fill(bound, 0);
          assertClose(
              op + " " + dtype + " axes " + Arrays.toString(axes) + x,
              under.reduce(op, x.x(), axes),
              e,
              bound);
        }
      }
    }
    for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
      Gen g = new Gen(95 + op.ordinal());
      for (int t = 0; t < trials; t++) {
        int[] shape = g.shape(4);
        if (shape.length == 0) continue;
        int axis = g.r.nextInt(shape.length);
        if (shape[axis] == 0) continue;
        // int64 values make ties, where the first index must win
        Pair x = g.operand(g.r.nextBoolean() ? DType.INT64 : DType.FLOAT32, shape, true, false);
        RawTensor e = REF.argReduce(op, x.ref(), axis);
        assertClose(
            "arg" + op + " axis " + axis + x, under.argReduce(op, x.x(), axis), e, relative(e, 0));
      }
    }
  }

  void matmul() {
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
      Gen g = new Gen(100 + dtype.ordinal());
      for (int t = 0; t < trials; t++) {
        int br = g.r.nextInt(3);
        int[] batch = new int[br];
        for (int i = 0; i < br; i++) batch[i] = g.dimSize();
        int m = g.dimSize(), n = g.dimSize();
        int k = g.r.nextInt(4) == 0 ? g.dimSize() : 1 + g.r.nextInt(40);
        if (g.r.nextInt(10) == 0) { // beyond one 16x16 tile
          m = 37;
          n = 45;
          k = 70;
        }
        int[] sa = Arrays.copyOf(batch, br + 2), sb = Arrays.copyOf(batch, br + 2);
        sa[br] = m;
        sa[br + 1] = k;
        sb[br] = k;
        sb[br + 1] = n;
        Pair a = g.operand(dtype, sa, true, false), b = g.operand(dtype, sb, true, false);
        RawTensor e = REF.matmul(a.ref(), b.ref());
        double[] bound =
            dtype == DType.INT64
                ? relative(e, 0)
                : absBound(REF.matmul(abs64(a.ref()), abs64(b.ref())), k, dtype);
        assertClose("matmul " + dtype + a + b, under.matmul(a.x(), b.x()), e, bound);
      }
    }
  }

  void gatherAndScatterAdd() {
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Gen g = new Gen(110 + dtype.ordinal());
      for (int t = 0; t < trials; t++) {
        int[] shape = g.shape(3);
        if (shape.length == 0) continue;
        int dim = g.r.nextInt(shape.length);
        if (shape[dim] == 0) continue;
        int[] is = shape.clone();
        for (int d = 0; d < shape.length; d++)
          is[d] = d == dim ? g.dimSize() : g.r.nextInt(shape[d] + 1);
        Pair x = g.operand(dtype, shape, true, false);
        Pair idx = g.indices(is, shape[dim]);
        RawTensor e = REF.gather(x.ref(), dim, idx.ref());
        assertClose(
            "gather dim " + dim + x + idx, under.gather(x.x(), dim, idx.x()), e, relative(e, 0));
        int[] ss = is.clone();
        for (int d = 0; d < ss.length; d++) ss[d] += g.r.nextInt(2);
        Pair src = g.operand(dtype, ss, true, false);
        RawTensor es = REF.scatterAdd(x.ref(), dim, idx.ref(), src.ref());
        // several values may land on one element, added in any order
        double[] bound =
            absBound(REF.scatterAdd(abs64(x.ref()), dim, idx.ref(), abs64(src.ref())), 8, dtype);
        assertClose(
            "scatterAdd dim " + dim + x + idx + src,
            under.scatterAdd(x.x(), dim, idx.x(), src.x()),
            es,
            bound);
      }
    }
    RawTensor x = RawTensor.dense(under.fromHost(new float[] {1, 2, 3, 4, 5, 6}), new int[] {2, 3});
    RawTensor bad =
        RawTensor.dense(under.fromHost(new double[] {0, 3}, DType.INT64), new int[] {2, 1});
    IllegalArgumentException ex =
        assertThrows(IllegalArgumentException.class, () -> under.gather(x, 1, bad));
    assertEquals("gather: index 3 is out of bounds for dimension of size 3", ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> under.scatterAdd(x, 1, bad, x));
    assertEquals("scatterAdd: index 3 is out of bounds for dimension of size 3", ex.getMessage());
    // the error is reported once: a good call right after succeeds
    RawTensor good =
        RawTensor.dense(under.fromHost(new double[] {0, -1}, DType.INT64), new int[] {2, 1});
    assertArrayEquals(new float[] {1, 6}, under.toHostFloat(under.gather(x, 1, good)));
  }

  void copiesFillsAndTransfers() {
    for (DType from : DType.values()) {
      Gen g = new Gen(120 + from.ordinal());
      for (int t = 0; t < trials; t++) {
        Pair x = g.operand(from, g.shape(4), true, true);
        for (DType to : DType.values()) {
          RawTensor e = REF.copy(x.ref(), to);
          assertClose("copy " + from + " to " + to + x, under.copy(x.x(), to), e, relative(e, 0));
        }
        assertArrayEquals(REF.toHostFloat(x.ref()), under.toHostFloat(x.x()), "toHostFloat" + x);
        assertArrayEquals(REF.toHostDouble(x.ref()), under.toHostDouble(x.x()), "toHostDouble" + x);
        // copyInto a view of a fresh dense tensor, fill another view
        Pair dst = g.operand(from, x.shape(), false, false);
        under.copyInto(dst.x(), x.x());
        REF.copyInto(dst.ref(), x.ref());
        assertStorages("copyInto" + dst + x, dst);
        under.fill(dst.x(), -1.5);
        REF.fill(dst.ref(), -1.5);
        assertStorages("fill" + dst, dst);
      }
    }
    // a flipped view (negative strides), and copyInto from an overlapping view of the same storage
    Gen g = new Gen(130);
    for (int t = 0; t < trials; t++) {
      int[] shape = g.shape(3);
      Pair x = g.operand(DType.FLOAT32, shape, false, false);
      int[] strides = x.ref().strides().clone();
      int offset = x.ref().offset();
      for (int d = 0; d < shape.length; d++) {
        if (g.r.nextBoolean() && shape[d] > 0) {
          offset += (shape[d] - 1) * strides[d];
          strides[d] = -strides[d];
        }
      }
      Pair f =
          new Pair(
              x.x().withLayout(shape, strides, offset), x.ref().withLayout(shape, strides, offset));
      RawTensor e = REF.copy(f.ref(), DType.FLOAT32);
      assertClose("copy of flipped" + f, under.copy(f.x(), DType.FLOAT32), e, relative(e, 0));
      under.copyInto(x.x(), f.x());
      REF.copyInto(x.ref(), f.ref());
      assertStorages("copyInto from an aliased flipped view" + f, x);
    }
    Storage0 s = new Storage0();
    s.check();
  }

  /** allocate zero-fills; fromHost casts as the reference does. */
  final class Storage0 {
    void check() {
      for (DType t : DType.values()) {
        RawTensor z = RawTensor.dense(under.allocate(t, 5), new int[] {5});
        assertArrayEquals(new double[5], under.toHostDouble(z), "allocate " + t);
        double[] v = {1.7, -2.5, 0, Double.NaN, 3e9};
        RawTensor h = RawTensor.dense(under.fromHost(v, t), new int[] {5});
        RawTensor r = RawTensor.dense(REF.fromHost(v, t), new int[] {5});
        assertArrayEquals(REF.toHostDouble(r), under.toHostDouble(h), "fromHost " + t);
      }
    }
  }

  private void assertStorages(String what, Pair p) {
    RawTensor all = RawTensor.dense(p.x().storage(), new int[] {p.x().storage().length()});
    RawTensor allRef = RawTensor.dense(p.ref().storage(), new int[] {p.ref().storage().length()});
    assertArrayEquals(REF.toHostDouble(allRef), under.toHostDouble(all), what + ": whole storage");
  }

  // ---------------------------------------------------------------- fused kernels

  void convolutions() {
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Gen g = new Gen(140 + dtype.ordinal());
      for (int t = 0; t < trials; t++) {
        int groups = 1 + g.r.nextInt(2);
        int n = 1 + g.r.nextInt(3), cg = 1 + g.r.nextInt(3), og = 1 + g.r.nextInt(3);
        int kh = 1 + g.r.nextInt(3), kw = 1 + g.r.nextInt(3);
        int[] s = {1 + g.r.nextInt(2), 1 + g.r.nextInt(2)}, pad = {g.r.nextInt(2), g.r.nextInt(2)};
        int[] d = {1 + g.r.nextInt(2), 1 + g.r.nextInt(2)};
        int h = d[0] * (kh - 1) + 1 + g.r.nextInt(6), w = d[1] * (kw - 1) + 1 + g.r.nextInt(6);
        int[] xs = {n, cg * groups, h, w}, ws = {og * groups, cg, kh, kw};
        ConvGeometry p = ConvGeometry.conv2d("conv2d", xs, ws, s, pad, d, groups);
        Pair x = g.operand(dtype, xs, false, false), wt = g.operand(dtype, ws, false, false);
        String what = "conv2d " + dtype + " " + p + x + wt;
        RawTensor e = REF.conv2d(x.ref(), wt.ref(), p);
        assertClose(
            what,
            fused.conv2d(x.x(), wt.x(), p),
            e,
            absBound(REF.conv2d(abs64(x.ref()), abs64(wt.ref()), p), cg * kh * kw, dtype));
        Pair gy = g.operand(dtype, e.shape(), true, false);
        assertClose(
            what + " backward input",
            fused.conv2dBackwardInput(gy.x(), wt.x(), p),
            REF.conv2dBackwardInput(gy.ref(), wt.ref(), p),
            absBound(
                REF.conv2dBackwardInput(abs64(gy.ref()), abs64(wt.ref()), p),
                og * groups * kh * kw,
                dtype));
        assertClose(
            what + " backward weight",
            fused.conv2dBackwardWeight(gy.x(), x.x(), p),
            REF.conv2dBackwardWeight(gy.ref(), x.ref(), p),
            absBound(
                REF.conv2dBackwardWeight(abs64(gy.ref()), abs64(x.ref()), p),
                n * e.shape()[2] * e.shape()[3],
                dtype));
      }
    }
  }

  void pooling() {
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Gen g = new Gen(150 + dtype.ordinal());
      for (int t = 0; t < trials; t++) {
        int kh = 1 + g.r.nextInt(3), kw = 1 + g.r.nextInt(3);
        int[] s = {1 + g.r.nextInt(3), 1 + g.r.nextInt(3)};
        int[] pad = {g.r.nextInt(kh / 2 + 1), g.r.nextInt(kw / 2 + 1)};
        int[] xs = {
          1 + g.r.nextInt(2), 1 + g.r.nextInt(3), kh + g.r.nextInt(6), kw + g.r.nextInt(6)
        };
        for (boolean ceil : new boolean[] {false, true}) {
          int[] dil = {1 + (ceil ? g.r.nextInt(2) : 0)};
          if (dil[0] > 1 && (xs[2] < 2 * kh || xs[3] < 2 * kw)) dil[0] = 1;
          ConvGeometry p = ConvGeometry.pool2d("pool2d", xs, new int[] {kh, kw}, s, pad, dil, ceil);
          Pair x = g.operand(dtype, xs, true, nanInPooling && g.r.nextInt(4) == 0);
          String what = "maxPool2d " + dtype + " " + p + x;
          RawTensor[] c = fused.maxPool2d(x.x(), p), e = REF.maxPool2d(x.ref(), p);
          assertClose(what + " values", c[0], e[0], relative(e[0], 0));
          assertClose(what + " indices", c[1], e[1], relative(e[1], 0));
          Pair gy = g.operand(dtype, e[0].shape(), true, false);
          assertClose(
              what + " backward",
              fused.maxPool2dBackward(gy.x(), c[1], p),
              REF.maxPool2dBackward(gy.ref(), e[1], p),
              absBound(REF.maxPool2dBackward(abs64(gy.ref()), e[1], p), kh * kw, dtype));
          if (ceil || dil[0] > 1) continue; // average pooling: no ceil mode, no dilation
          RawTensor ea = REF.avgPool2d(x.ref(), p);
          assertClose(
              "avgPool2d " + p + x,
              fused.avgPool2d(x.x(), p),
              ea,
              absBound(REF.avgPool2d(abs64(x.ref()), p), kh * kw, dtype));
          assertClose(
              "avgPool2d backward " + p + gy,
              fused.avgPool2dBackward(gy.x(), p),
              REF.avgPool2dBackward(gy.ref(), p),
              absBound(REF.avgPool2dBackward(abs64(gy.ref()), p), kh * kw, dtype));
        }
      }
    }
  }

  void logSoftmaxNll() {
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Gen g = new Gen(160 + dtype.ordinal());
      for (int t = 0; t < trials; t++) {
        int n = g.r.nextInt(6), c = 1 + g.r.nextInt(g.r.nextBoolean() ? 8 : 1000);
        Pair x = g.operand(dtype, new int[] {n, c}, true, false);
        double[] target = new double[n];
        for (int i = 0; i < n; i++) target[i] = g.r.nextInt(5) == 0 ? -100 : g.r.nextInt(c);
        RawTensor tu = RawTensor.dense(under.fromHost(target, DType.INT64), new int[] {n});
        RawTensor tr = RawTensor.dense(REF.fromHost(target, DType.INT64), new int[] {n});
        RawTensor[] a = fused.logSoftmaxNll(x.x(), tu, -100),
            e = REF.logSoftmaxNll(x.ref(), tr, -100);
        for (int k = 0; k < 2; k++) {
          double[] b = REF.toHostDouble(e[k]);
          for (int i = 0; i < b.length; i++)
            b[i] = 16 * ulp(dtype) * (1 + Math.abs(b[i]) + 4 * Math.log(c + 1));
          assertClose("logSoftmaxNll output " + k + " " + dtype + x, a[k], e[k], b);
        }
      }
    }
    RawTensor x = RawTensor.dense(under.fromHost(new float[] {1, 2, 3, 4}), new int[] {2, 2});
    RawTensor bad =
        RawTensor.dense(under.fromHost(new double[] {0, 2}, DType.INT64), new int[] {2});
    IllegalArgumentException ex =
        assertThrows(IllegalArgumentException.class, () -> fused.logSoftmaxNll(x, bad, -100));
    // CUDA reports as the reference does ("crossEntropy: index 2 is out of bounds ..."); the CPU
    // words it its own way
    assertTrue(ex.getMessage().contains("2"), ex.getMessage());
  }

  void batchNorm() {
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Gen g = new Gen(170 + dtype.ordinal());
      for (int t = 0; t < trials; t++) {
        int n = 1 + g.r.nextInt(4), c = 1 + g.r.nextInt(4);
        int[] xs =
            g.r.nextBoolean()
                ? new int[] {n, c}
                : new int[] {n, c, 1 + g.r.nextInt(5), 1 + g.r.nextInt(5)};
        if (g.r.nextInt(6) == 0) xs = new int[] {64, 3, 8, 8}; // many elements per channel
        c = xs[1];
        Pair x = g.operand(dtype, xs, false, false);
        boolean affine = g.r.nextBoolean();
        Pair w = affine ? g.operand(dtype, new int[] {c}, false, false) : null;
        Pair b = affine ? g.operand(dtype, new int[] {c}, false, false) : null;
        RawTensor[] a = fused.batchNorm(x.x(), affine ? w.x() : null, affine ? b.x() : null, 1e-5);
        RawTensor[] e =
            REF.batchNorm(x.ref(), affine ? w.ref() : null, affine ? b.ref() : null, 1e-5);
        int m = x.ref().numel() / c;
        String what = "batchNorm " + dtype + x + (affine ? " affine" : "");
        for (int k = 0; k < 3; k++) {
          double[] bound = REF.toHostDouble(e[k]);
          for (int i = 0; i < bound.length; i++)
            bound[i] = (m + 8) * ulp(dtype) * (1 + Math.abs(bound[i])) * 4;
          assertClose(what + " output " + k, a[k], e[k], bound);
        }
        Pair gy = g.operand(dtype, xs, true, false);
        RawTensor[] ga = fused.batchNormBackward(gy.x(), x.x(), affine ? w.x() : null, a[1], a[2]);
        RawTensor[] ge =
            REF.batchNormBackward(gy.ref(), x.ref(), affine ? w.ref() : null, e[1], e[2]);
        for (int k = 0; k < 3; k++) {
          if (ge[k] == null) {
            assertEquals(null, ga[k], what + " backward output " + k + " is null");
            continue;
          }
          double[] bound = REF.toHostDouble(ge[k]);
          double scale = Arrays.stream(REF.toHostDouble(abs64(gy.ref()))).sum() + 1;
          for (int i = 0; i < bound.length; i++)
            bound[i] = (m + 8) * ulp(dtype) * (Math.abs(bound[i]) + scale) * 16;
          assertClose(what + " backward output " + k, ga[k], ge[k], bound);
        }
      }
    }
  }

  void optimizerUpdates() {
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Gen g = new Gen(180 + dtype.ordinal());
      for (int t = 0; t < trials; t++) {
        int[] shape = g.shape(3);
        Pair target = g.operand(dtype, shape, false, false);
        Pair f = g.operand(dtype, shape, true, false);
        fused.scaleInPlace(target.x(), f.x());
        REF.scaleInPlace(target.ref(), f.ref());
        assertStorages("scaleInPlace" + target + f, target);
        Pair a = g.operand(dtype, shape, true, false), b = g.operand(dtype, shape, true, false);
        BinaryOp combine = g.r.nextBoolean() ? BinaryOp.MUL : BinaryOp.DIV;
        boolean withB = g.r.nextBoolean();
        fused.accumulate(target.x(), -0.3, a.x(), withB ? b.x() : null, combine);
        REF.accumulate(target.ref(), -0.3, a.ref(), withB ? b.ref() : null, combine);
        RawTensor e = REF.copy(target.ref(), dtype);
        assertClose(
            "accumulate " + combine + (withB ? " with b" : "") + target + a + b,
            under.copy(target.x(), dtype),
            e,
            relative(e, 2));
      }
      // Own generator, so the cases above stay the ones they were before these kernels existed.
      Gen steps = new Gen(190 + dtype.ordinal());
      for (int t = 0; t < trials; t++) adamAndSgdSteps(steps, dtype, steps.shape(3));
    }
  }

  private void adamAndSgdSteps(Gen g, DType dtype, int[] shape) {
    Pair p = g.operand(dtype, shape, false, false), grad = g.operand(dtype, shape, true, false);
    Pair m = g.operand(dtype, shape, false, false), v = g.operand(dtype, shape, false, false);
    // The second moment is a sum of squares: square it in place on both sides.
    fused.scaleInPlace(v.x(), v.x());
    REF.scaleInPlace(v.ref(), v.ref());
    var adam =
        new FusedKernels.AdamStep(
            1e-2,
            0.9,
            0.999,
            1e-3,
            g.r.nextBoolean() ? 0.05 : 0,
            g.r.nextBoolean(),
            g.r.nextBoolean(),
            1 + g.r.nextInt(5));
    double[] gv = REF.toHostDouble(grad.ref());
    double[][] before = {host(p), host(m), host(v)};
    fused.adamStep(p.x(), grad.x(), m.x(), v.x(), adam);
    REF.adamStep(p.ref(), grad.ref(), m.ref(), v.ref(), adam);
    Pair[] outs = {p, m, v};
    for (int k = 0; k < outs.length; k++) {
      assertStep("adamStep " + adam + outs[k] + grad, outs[k], dtype, before[k], gv, adam.lr());
    }
    boolean momentum = g.r.nextBoolean();
    Pair buf = g.operand(dtype, shape, false, false);
    var sgd =
        new FusedKernels.SgdStep(
            0.1,
            momentum ? 0.9 : 0,
            g.r.nextBoolean() ? 0.1 : 0,
            momentum && g.r.nextBoolean(),
            g.r.nextBoolean() ? 0.05 : 0,
            g.r.nextBoolean(),
            g.r.nextBoolean());
    before = new double[][] {host(p), host(buf)};
    fused.sgdStep(p.x(), grad.x(), momentum ? buf.x() : null, sgd);
    REF.sgdStep(p.ref(), grad.ref(), momentum ? buf.ref() : null, sgd);
    assertStep("sgdStep " + sgd + p + grad, p, dtype, before[0], gv, sgd.lr());
    if (momentum) assertStep("sgdStep " + sgd + buf + grad, buf, dtype, before[1], gv, sgd.lr());
  }

  private static double[] host(Pair t) {
    return REF.toHostDouble(t.ref());
  }

  /**
   * An optimizer step is a chain of about a dozen operations: a backend that runs it in the
   * tensor's precision (the CPU's float32 path) may differ from the reference's one rounding by a
   * few units of the largest term involved, the old value, the gradient (and its square) or the
   * step lr.
   */
  private void assertStep(
      String what, Pair out, DType dtype, double[] before, double[] grad, double lr) {
    RawTensor e = REF.copy(out.ref(), dtype);
    double[] after = REF.toHostDouble(e), bound = new double[after.length];
    for (int i = 0; i < after.length; i++) {
      double terms = Math.abs(before[i]) + Math.abs(after[i]) + Math.abs(grad[i]);
      bound[i] = 16 * ulp(dtype) * (terms + grad[i] * grad[i] + lr);
    }
    assertClose(what, under.copy(out.x(), dtype), e, bound);
  }

  /** Every check, in the order of the Backend and FusedKernels interfaces. */
  void all() {
    copiesFillsAndTransfers();
    unary();
    binary();
    where();
    reductions();
    matmul();
    gatherAndScatterAdd();
    convolutions();
    pooling();
    logSoftmaxNll();
    batchNorm();
    optimizerUpdates();
  }
}
