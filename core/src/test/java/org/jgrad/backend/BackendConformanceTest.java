package org.jgrad.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.jgrad.backend.cpu.CpuBackend;
import org.jgrad.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU backend against the reference backend (its specification), float32, on random shapes and
 * layouts: dense, permuted, stepped slices with offsets, broadcast (stride 0), empty and size-1
 * dims, in every combination. Element-wise results must be bit-for-bit equal (the CPU computes each
 * element with the same double-then-round formula, and for + − × ÷ rounding float directly equals
 * rounding the double result); sums and matrix products, which may associate differently, must
 * agree within a bound proportional to Σ|terms|.
 */
class BackendConformanceTest {
  private static final Backend CPU = CpuBackend.INSTANCE;
  private static final Backend REF = ReferenceBackend.INSTANCE;
  private static final FusedKernels CPU_FUSED = CPU.fused().orElseThrow();
  private static final FusedKernels REF_FUSED = REF.fused().orElseThrow();
  private static final int TRIALS = 150;

  /** One operand: the same bytes and layout on both backends. */
  record Pair(RawTensor cpu, RawTensor ref) {
    int[] shape() {
      return cpu.shape();
    }
  }

  /** Random shapes and layouts, reproducible from the seed. */
  static final class Gen {
    final Random r;

    Gen(long seed) {
      r = new Random(seed);
    }

    int[] shape(int maxRank) {
      int rank = r.nextInt(maxRank + 1);
      int[] s = new int[rank];
      for (int i = 0; i < rank; i++) s[i] = dimSize();
      return s;
    }

    int dimSize() {
      int k = r.nextInt(20);
      return k == 0 ? 0 : k < 5 ? 1 : 1 + r.nextInt(5);
    }

    /**
     * A float32 operand of logical shape {@code shape} in a random layout, same data on both
     * backends.
     */
    Pair operand(int[] shape, boolean allowBroadcast, boolean withSpecials) {
      return operand(DType.FLOAT32, shape, allowBroadcast, withSpecials);
    }

    /** An operand of any dtype: floats are normal (plus specials), int64 in [-3, 3], bool 0/1. */
    Pair operand(DType dtype, int[] shape, boolean allowBroadcast, boolean withSpecials) {
      int rank = shape.length;
      int[] order = identity(rank);
      if (r.nextInt(10) < 6) shuffle(order); // memory order of the dims, outermost first
      int[] strides = new int[rank];
      int acc = 1;
      for (int k = rank - 1; k >= 0; k--) {
        int d = order[k];
        if (allowBroadcast && r.nextInt(7) == 0) {
          strides[d] = 0;
          continue;
        }
        int step = r.nextInt(10) < 6 ? 1 : 2 + r.nextInt(2);
        strides[d] = acc * step;
        acc *= Math.max(1, shape[d] * step);
      }
      int offset = r.nextInt(10) < 5 ? 0 : r.nextInt(4);
      int length = offset + acc + r.nextInt(3);
      if (dtype == DType.FLOAT32) {
        float[] data = new float[length];
        for (int i = 0; i < data.length; i++) data[i] = value(withSpecials);
        return pair(data, shape, strides, offset);
      }
      double[] data = new double[length];
      for (int i = 0; i < length; i++) {
        data[i] =
            switch (dtype) {
              case FLOAT64 ->
                  withSpecials && r.nextInt(40) < 5 ? value(true) : r.nextGaussian() * 2;
              case INT64 -> r.nextInt(7) - 3;
              default -> r.nextInt(2);
            };
      }
      return new Pair(
          new RawTensor(CPU.fromHost(data, dtype), shape.clone(), strides, offset),
          new RawTensor(REF.fromHost(data, dtype), shape.clone(), strides.clone(), offset));
    }

    float value(boolean withSpecials) {
      if (withSpecials) {
        int k = r.nextInt(40);
        if (k == 0) return Float.NaN;
        if (k == 1) return 0f;
        if (k == 2) return -0f;
        if (k == 3) return Float.POSITIVE_INFINITY;
        if (k == 4) return 2f;
      }
      return (float) (r.nextGaussian() * 2);
    }

    /** A BOOL operand (conditions), also in a random layout. */
    Pair mask(int[] shape) {
      Pair p = operand(shape, true, false);
      double[] bits = new double[p.cpu().storage().length()];
      for (int i = 0; i < bits.length; i++) bits[i] = r.nextBoolean() ? 1 : 0;
      return new Pair(
          new RawTensor(CPU.fromHost(bits, DType.BOOL), shape, p.cpu().strides(), p.cpu().offset()),
          new RawTensor(
              REF.fromHost(bits, DType.BOOL), shape, p.cpu().strides(), p.cpu().offset()));
    }

    /** Int64 indices in [-size, size) (negative ones count from the end), dense. */
    Pair indices(int[] shape, int size) {
      double[] v = new double[RawTensor.numel(shape)];
      for (int i = 0; i < v.length; i++) v[i] = r.nextInt(2 * size) - size;
      return new Pair(
          RawTensor.dense(CPU.fromHost(v, DType.INT64), shape),
          RawTensor.dense(REF.fromHost(v, DType.INT64), shape));
    }

    int[] identity(int n) {
      int[] a = new int[n];
      for (int i = 0; i < n; i++) a[i] = i;
      return a;
    }

    void shuffle(int[] a) {
      for (int i = a.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
    }

    int[] axesSubset(int rank) {
      List<Integer> axes = new ArrayList<>();
      for (int d = 0; d < rank; d++) if (r.nextBoolean()) axes.add(d);
      return axes.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  static Pair pair(float[] data, int[] shape, int[] strides, int offset) {
    return new Pair(
        new RawTensor(CPU.fromHost(data), shape.clone(), strides.clone(), offset),
        new RawTensor(REF.fromHost(data), shape.clone(), strides.clone(), offset));
  }

  // ---------------------------------------------------------------- comparison helpers

  private static String describe(Pair... ps) {
    StringBuilder sb = new StringBuilder();
    for (Pair p : ps) {
      sb.append(" shape ")
          .append(Arrays.toString(p.shape()))
          .append(" strides ")
          .append(Arrays.toString(p.cpu().strides()))
          .append(" offset ")
          .append(p.cpu().offset())
          .append(';');
    }
    return sb.toString();
  }

  private static void assertSameResult(String what, RawTensor cpu, RawTensor ref) {
    assertArrayEquals(ref.shape(), cpu.shape(), what + ": shape");
    assertEquals(ref.dtype(), cpu.dtype(), what + ": dtype");
    assertEquals(Device.CPU, cpu.storage().device(), what + ": CPU result lives on the CPU");
    assertEquals(
        Device.REFERENCE,
        ref.storage().device(),
        what + ": reference result lives on the reference device");
    double[] c = CPU.toHostDouble(cpu), e = REF.toHostDouble(ref);
    for (int i = 0; i < e.length; i++) {
      if (Double.doubleToLongBits(c[i]) != Double.doubleToLongBits(e[i])
          && !(Double.isNaN(c[i]) && Double.isNaN(e[i]))) {
        fail(
            what
                + ": element "
                + i
                + " is "
                + c[i]
                + " on the CPU but "
                + e[i]
                + " on the reference (bitwise)");
      }
    }
  }

  /** Two results of the same backend, bit for bit (two ways of computing one thing). */
  private static void assertSameBits(String what, RawTensor a, RawTensor b) {
    assertArrayEquals(b.shape(), a.shape(), what + ": shape");
    assertEquals(b.dtype(), a.dtype(), what + ": dtype");
    assertEquals(b.storage().device(), a.storage().device(), what + ": device");
    boolean onCpu = a.storage().device() == Device.CPU;
    double[] x = onCpu ? CPU.toHostDouble(a) : REF.toHostDouble(a);
    double[] y = onCpu ? CPU.toHostDouble(b) : REF.toHostDouble(b);
    for (int i = 0; i < y.length; i++) {
      assertEquals(
          Double.doubleToLongBits(y[i]), Double.doubleToLongBits(x[i]), what + ": element " + i);
    }
  }

  private static void assertCloseResult(String what, RawTensor cpu, RawTensor ref, double[] bound) {
    assertArrayEquals(ref.shape(), cpu.shape(), what + ": shape");
    assertEquals(ref.dtype(), cpu.dtype(), what + ": dtype");
    double[] c = CPU.toHostDouble(cpu), e = REF.toHostDouble(ref);
    for (int i = 0; i < e.length; i++) {
      boolean ok =
          Double.isNaN(e[i])
              ? Double.isNaN(c[i])
              : Double.isInfinite(e[i]) ? c[i] == e[i] : Math.abs(c[i] - e[i]) <= bound[i];
      if (!ok)
        fail(
            what
                + ": element "
                + i
                + " is "
                + c[i]
                + " on the CPU but "
                + e[i]
                + " on the reference (bound "
                + bound[i]
                + ")");
    }
  }

  // ---------------------------------------------------------------- element-wise

  static Stream<Arguments> unaryCases() {
    return Stream.of(UnaryOp.values())
        .flatMap(
            op ->
                Stream.of(DType.FLOAT32, DType.FLOAT64, DType.INT64).map(d -> Arguments.of(op, d)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("unaryCases")
  void unaryOps(UnaryOp op, DType dtype) {
    Gen g = new Gen(op.ordinal() * 1000L + dtype.ordinal() * 10 + 1);
    for (int t = 0; t < TRIALS; t++) {
      Pair x = g.operand(dtype, g.shape(4), true, true);
      RawTensor c = CPU.unary(op, x.cpu());
      assertEquals(dtype, c.dtype());
      assertSameResult(op + describe(x), c, REF.unary(op, x.ref()));
    }
  }

  static Stream<Arguments> binaryCases() {
    return Stream.of(BinaryOp.values())
        .flatMap(op -> Stream.of(DType.values()).map(d -> Arguments.of(op, d)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("binaryCases")
  void binaryOps(BinaryOp op, DType dtype) {
    Gen g = new Gen(op.ordinal() * 1000L + dtype.ordinal() * 10 + 2);
    for (int t = 0; t < TRIALS; t++) {
      int[] shape = g.shape(4);
      Pair a = g.operand(dtype, shape, true, true), b = g.operand(dtype, shape, true, true);
      RawTensor c = CPU.binary(op, a.cpu(), b.cpu());
      assertEquals(op.isComparison() ? DType.BOOL : dtype, c.dtype());
      assertSameResult(op + describe(a, b), c, REF.binary(op, a.ref(), b.ref()));
    }
  }

  @Test
  void binaryOnTheSameStorage() {
    Gen g = new Gen(3);
    for (int t = 0; t < 50; t++) {
      Pair a = g.operand(g.shape(3), true, false);
      for (BinaryOp op : BinaryOp.values()) {
        assertSameResult(
            op + " aliased" + describe(a),
            CPU.binary(op, a.cpu(), a.cpu()),
            REF.binary(op, a.ref(), a.ref()));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void where(DType dtype) {
    Gen g = new Gen(4 + dtype.ordinal());
    for (int t = 0; t < TRIALS; t++) {
      int[] shape = g.shape(4);
      Pair c = g.mask(shape),
          a = g.operand(dtype, shape, true, true),
          b = g.operand(dtype, shape, true, true);
      RawTensor out = CPU.where(c.cpu(), a.cpu(), b.cpu());
      assertEquals(dtype, out.dtype());
      assertSameResult("where" + describe(c, a, b), out, REF.where(c.ref(), a.ref(), b.ref()));
    }
  }

  // ---------------------------------------------------------------- reductions

  static Stream<Arguments> reduceCases() {
    return Stream.of(ReduceOp.values())
        .flatMap(
            op ->
                Stream.of(DType.FLOAT32, DType.FLOAT64, DType.INT64).map(d -> Arguments.of(op, d)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("reduceCases")
  void reductions(ReduceOp op, DType dtype) {
    Gen g = new Gen(op.ordinal() * 1000L + dtype.ordinal() * 10 + 5);
    int done = 0;
    for (int t = 0; t < 3 * TRIALS && done < TRIALS; t++) {
      int[] shape = g.shape(4);
      int[] axes = g.axesSubset(shape.length);
      boolean emptyReduced = false;
      for (int a : axes) emptyReduced |= shape[a] == 0;
      // MAX/MIN over an empty dim has no value; the Tensor layer rejects it before any backend
      // runs.
      if (op != ReduceOp.SUM && emptyReduced) continue;
      done++;
      Pair x = g.operand(dtype, shape, true, op != ReduceOp.SUM);
      RawTensor c = CPU.reduce(op, x.cpu(), axes), e = REF.reduce(op, x.ref(), axes);
      assertEquals(dtype, c.dtype());
      String what = op + " axes " + Arrays.toString(axes) + describe(x);
      if (op == ReduceOp.SUM) {
        assertCloseResult(
            what, c, e, sumBounds(x.ref(), axes, dtype == DType.FLOAT32 ? 0x1p-22 : 0x1p-50));
      } else {
        // Exact values, but the sign of a zero may differ: max(-0, +0) keeps the first on the
        // CPU (v > m) and gives +0 on the reference (Math.max). Both are valid maxima.
        assertCloseResult(what, c, e, new double[RawTensor.numel(c.shape())]);
      }
    }
    assertTrue(done >= TRIALS / 2, "too few trials: " + done);
  }

  /**
   * scale · Σ|x| over each output's reduced elements: a few ulps of the worst case (0 for
   * integers).
   */
  private static double[] sumBounds(RawTensor x, int[] axes, double scale) {
    RawTensor abs = REF.unary(UnaryOp.ABS, x);
    RawTensor s = REF.reduce(ReduceOp.SUM, REF.copy(abs, DType.FLOAT64), axes);
    double[] v = REF.toHostDouble(s);
    boolean exact = x.dtype() == DType.INT64;
    for (int i = 0; i < v.length; i++) v[i] = exact ? 0 : v[i] * scale + Double.MIN_VALUE;
    return v;
  }

  @Test
  void argReductions() {
    Gen g = new Gen(6);
    for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
      for (int t = 0; t < TRIALS; t++) {
        int[] shape = g.shape(4);
        if (shape.length == 0) continue;
        int axis = g.r.nextInt(shape.length);
        if (shape[axis] == 0) continue;
        // Small integers make ties, where the first index must win on both.
        Pair x = g.operand(shape, true, false);
        RawTensor xi = REF.unary(UnaryOp.SIGN, x.ref());
        Pair ties = pair(REF.toHostFloat(xi), shape, RawTensor.contiguousStrides(shape), 0);
        for (Pair p : new Pair[] {x, ties}) {
          RawTensor c = CPU.argReduce(op, p.cpu(), axis);
          assertEquals(DType.INT64, c.dtype());
          assertSameResult(
              "arg" + op + " axis " + axis + describe(p), c, REF.argReduce(op, p.ref(), axis));
        }
      }
    }
  }

  // ---------------------------------------------------------------- matmul

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"FLOAT32", "FLOAT64"})
  void matmul(DType dtype) {
    Gen g = new Gen(7 + dtype.ordinal());
    for (int t = 0; t < TRIALS; t++) {
      int batchRank = g.r.nextInt(3);
      int[] batch = new int[batchRank];
      for (int i = 0; i < batchRank; i++) batch[i] = g.dimSize();
      int m = g.dimSize(),
          k = g.r.nextInt(4) == 0 ? g.dimSize() : 1 + g.r.nextInt(24),
          n = g.dimSize();
      int[] sa = Arrays.copyOf(batch, batchRank + 2), sb = Arrays.copyOf(batch, batchRank + 2);
      sa[batchRank] = m;
      sa[batchRank + 1] = k;
      sb[batchRank] = k;
      sb[batchRank + 1] = n;
      Pair a = g.operand(dtype, sa, true, false), b = g.operand(dtype, sb, true, false);
      RawTensor c = CPU.matmul(a.cpu(), b.cpu()), e = REF.matmul(a.ref(), b.ref());
      double ulp = dtype == DType.FLOAT32 ? 0x1p-24 : 0x1p-53;
      // Bound: (k + 2) float roundings of Σ|a||b|.
      RawTensor absProd =
          REF.matmul(
              REF.copy(REF.unary(UnaryOp.ABS, a.ref()), DType.FLOAT64),
              REF.copy(REF.unary(UnaryOp.ABS, b.ref()), DType.FLOAT64));
      double[] bound = REF.toHostDouble(absProd);
      for (int i = 0; i < bound.length; i++) bound[i] = bound[i] * (k + 2) * ulp + Double.MIN_VALUE;
      assertCloseResult("matmul" + describe(a, b), c, e, bound);
    }
  }

  // ---------------------------------------------------------------- gather / scatterAdd

  @Test
  void gatherAndScatterAdd() {
    Gen g = new Gen(8);
    for (int t = 0; t < TRIALS; t++) {
      int[] shape = g.shape(3);
      if (shape.length == 0) continue;
      int dim = g.r.nextInt(shape.length);
      if (shape[dim] == 0) continue;
      int[] ishape = shape.clone();
      for (int d = 0; d < shape.length; d++)
        ishape[d] = d == dim ? g.dimSize() : g.r.nextInt(shape[d] + 1);
      Pair x = g.operand(shape, true, false);
      Pair idx = g.indices(ishape, shape[dim]);
      assertSameResult(
          "gather dim " + dim + describe(x, idx),
          CPU.gather(x.cpu(), dim, idx.cpu()),
          REF.gather(x.ref(), dim, idx.ref()));
      int[] sshape = ishape.clone();
      for (int d = 0; d < sshape.length; d++) sshape[d] += g.r.nextInt(2);
      Pair src = g.operand(sshape, true, false);
      assertSameResult(
          "scatterAdd dim " + dim + describe(x, idx, src),
          CPU.scatterAdd(x.cpu(), dim, idx.cpu(), src.cpu()),
          REF.scatterAdd(x.ref(), dim, idx.ref(), src.ref()));
    }
  }

  @Test
  void outOfRangeIndicesAreRejectedByBoth() {
    Pair x = pair(new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3}, new int[] {3, 1}, 0);
    double[] bad = {0, 3};
    for (Backend b : new Backend[] {CPU, REF}) {
      RawTensor xs = b == CPU ? x.cpu() : x.ref();
      RawTensor i = RawTensor.dense(b.fromHost(bad, DType.INT64), new int[] {2, 1});
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> b.gather(xs, 1, i));
      assertTrue(e.getMessage().contains("gather") && e.getMessage().contains("3"), e.getMessage());
      e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> b.scatterAdd(xs, 1, i, xs));
      assertTrue(e.getMessage().contains("scatterAdd"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------- neural-network primitives

  private static double[] absBound(RawTensor absResult, int terms, DType dtype) {
    double ulp = dtype == DType.FLOAT32 ? 0x1p-24 : 0x1p-53;
    double[] b = REF.toHostDouble(absResult);
    for (int i = 0; i < b.length; i++) b[i] = b[i] * (terms + 2) * ulp + Double.MIN_VALUE;
    return b;
  }

  private static RawTensor abs64(RawTensor x) {
    return REF.copy(REF.unary(UnaryOp.ABS, x), DType.FLOAT64);
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"FLOAT32", "FLOAT64"})
  void convolutionsAndTheirGradients(DType dtype) {
    Gen g = new Gen(13 + dtype.ordinal());
    for (int t = 0; t < 60; t++) {
      int groups = 1 + g.r.nextInt(2);
      int n = 1 + g.r.nextInt(2), cg = 1 + g.r.nextInt(2), og = 1 + g.r.nextInt(2);
      int kh = 1 + g.r.nextInt(3), kw = 1 + g.r.nextInt(3);
      int[] s = {1 + g.r.nextInt(2), 1 + g.r.nextInt(2)}, pad = {g.r.nextInt(2), g.r.nextInt(2)};
      int[] d = {1 + g.r.nextInt(2), 1 + g.r.nextInt(2)};
      int h = d[0] * (kh - 1) + 1 + g.r.nextInt(4), w = d[1] * (kw - 1) + 1 + g.r.nextInt(4);
      int[] xs = {n, cg * groups, h, w}, ws = {og * groups, cg, kh, kw};
      ConvGeometry p = ConvGeometry.conv2d("conv2d", xs, ws, s, pad, d, groups);
      Pair x = g.operand(dtype, xs, false, false), wt = g.operand(dtype, ws, false, false);
      String what = "conv2d " + p + describe(x, wt);
      RawTensor y = CPU_FUSED.conv2d(x.cpu(), wt.cpu(), p);
      int terms = cg * kh * kw;
      assertCloseResult(
          what,
          y,
          REF_FUSED.conv2d(x.ref(), wt.ref(), p),
          absBound(REF_FUSED.conv2d(abs64(x.ref()), abs64(wt.ref()), p), terms, dtype));
      Pair gy = g.operand(dtype, y.shape(), true, false);
      assertCloseResult(
          what + " backward input",
          CPU_FUSED.conv2dBackwardInput(gy.cpu(), wt.cpu(), p),
          REF_FUSED.conv2dBackwardInput(gy.ref(), wt.ref(), p),
          absBound(
              REF_FUSED.conv2dBackwardInput(abs64(gy.ref()), abs64(wt.ref()), p),
              og * groups * kh * kw,
              dtype));
      assertCloseResult(
          what + " backward weight",
          CPU_FUSED.conv2dBackwardWeight(gy.cpu(), x.cpu(), p),
          REF_FUSED.conv2dBackwardWeight(gy.ref(), x.ref(), p),
          absBound(
              REF_FUSED.conv2dBackwardWeight(abs64(gy.ref()), abs64(x.ref()), p),
              n * y.shape()[2] * y.shape()[3],
              dtype));
    }
  }

  /**
   * The plain 2x2 max pool (the CPU backend's own kernels) without stored indices, on shapes with
   * even and odd sizes and rows shorter and longer than a vector: values and gradients the same
   * bits as the indexed path, and the gradient close to the reference's.
   */
  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"FLOAT32", "FLOAT64"})
  void plainMaxPoolWithoutIndices(DType dtype) {
    Gen g = new Gen(41 + dtype.ordinal());
    int[][] shapes = {{2, 3, 26, 26}, {1, 2, 11, 11}, {2, 2, 40, 37}, {1, 1, 4, 5}, {3, 1, 2, 3}};
    for (int[] xs : shapes) {
      ConvGeometry p =
          ConvGeometry.pool2d(
              "pool2d",
              xs,
              new int[] {2, 2},
              new int[] {2, 2},
              new int[] {0},
              new int[] {1},
              false);
      Pair x = g.operand(dtype, xs, true, false);
      String what = "maxPool2d 2x2 " + Arrays.toString(xs) + describe(x);
      RawTensor[] c = CPU_FUSED.maxPool2d(x.cpu(), p), e = REF_FUSED.maxPool2d(x.ref(), p);
      assertSameBits(what + " values alone", CPU_FUSED.maxPool2dValues(x.cpu(), p), c[0]);
      assertSameResult(what + " values", c[0], e[0]);
      Pair gy = g.operand(dtype, c[0].shape(), true, false);
      RawTensor fromInput = CPU_FUSED.maxPool2dBackwardFromInput(gy.cpu(), x.cpu(), p);
      assertSameBits(what + " backward", fromInput, CPU_FUSED.maxPool2dBackward(gy.cpu(), c[1], p));
      assertCloseResult(
          what + " backward against the reference",
          fromInput,
          REF_FUSED.maxPool2dBackward(gy.ref(), e[1], p),
          absBound(REF_FUSED.maxPool2dBackward(abs64(gy.ref()), e[1], p), 4, dtype));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"FLOAT32", "FLOAT64"})
  void poolingAndItsGradients(DType dtype) {
    Gen g = new Gen(14 + dtype.ordinal());
    for (int t = 0; t < 60; t++) {
      int kh = 1 + g.r.nextInt(3), kw = 1 + g.r.nextInt(3);
      int[] s = {1 + g.r.nextInt(3), 1 + g.r.nextInt(3)},
          pad = {g.r.nextInt(kh / 2 + 1), g.r.nextInt(kw / 2 + 1)};
      int[] xs = {1 + g.r.nextInt(2), 1 + g.r.nextInt(3), kh + g.r.nextInt(5), kw + g.r.nextInt(5)};
      ConvGeometry p =
          ConvGeometry.pool2d("pool2d", xs, new int[] {kh, kw}, s, pad, new int[] {1}, false);
      Pair x = g.operand(dtype, xs, true, false);
      String what = "maxPool2d " + kh + "x" + kw + " " + p + describe(x);
      RawTensor[] c = CPU_FUSED.maxPool2d(x.cpu(), p), e = REF_FUSED.maxPool2d(x.ref(), p);
      assertSameResult(what + " values", c[0], e[0]);
      assertSameResult(what + " indices", c[1], e[1]);
      Pair gy = g.operand(dtype, c[0].shape(), true, false);
      assertCloseResult(
          what + " backward",
          CPU_FUSED.maxPool2dBackward(gy.cpu(), c[1], p),
          REF_FUSED.maxPool2dBackward(gy.ref(), e[1], p),
          absBound(REF_FUSED.maxPool2dBackward(abs64(gy.ref()), e[1], p), kh * kw, dtype));
      // Ceil mode (max pooling only): the last window may hang over the bottom/right edge.
      ConvGeometry pc =
          ConvGeometry.pool2d("pool2d", xs, new int[] {kh, kw}, s, pad, new int[] {1}, true);
      RawTensor[] cc = CPU_FUSED.maxPool2d(x.cpu(), pc), ec = REF_FUSED.maxPool2d(x.ref(), pc);
      assertSameResult(what + " ceil values", cc[0], ec[0]);
      assertSameResult(what + " ceil indices", cc[1], ec[1]);
      // Without stored indices: the values alone, and the gradient from the input, the same bits
      // as the indexed path of the same backend.
      assertSameResult(what + " values alone", CPU_FUSED.maxPool2dValues(x.cpu(), p), e[0]);
      assertSameBits(
          what + " backward from the input",
          CPU_FUSED.maxPool2dBackwardFromInput(gy.cpu(), x.cpu(), p),
          CPU_FUSED.maxPool2dBackward(gy.cpu(), c[1], p));
      assertSameBits(
          what + " reference backward from the input",
          REF_FUSED.maxPool2dBackwardFromInput(gy.ref(), x.ref(), p),
          REF_FUSED.maxPool2dBackward(gy.ref(), e[1], p));
      RawTensor a = CPU_FUSED.avgPool2d(x.cpu(), p);
      assertCloseResult(
          "avgPool2d" + what.substring(9),
          a,
          REF_FUSED.avgPool2d(x.ref(), p),
          absBound(REF_FUSED.avgPool2d(abs64(x.ref()), p), kh * kw, dtype));
      assertCloseResult(
          "avgPool2d backward" + what.substring(9),
          CPU_FUSED.avgPool2dBackward(gy.cpu(), p),
          REF_FUSED.avgPool2dBackward(gy.ref(), p),
          absBound(REF_FUSED.avgPool2dBackward(abs64(gy.ref()), p), kh * kw, dtype));
    }
  }

  /**
   * Backends trust the (validated) geometry and only assert that the tensors match it (surefire
   * runs with -ea).
   */
  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"FLOAT32", "FLOAT64"})
  void aGeometryThatDoesNotMatchTheTensorsFailsAnAssert(DType dtype) {
    ConvGeometry g =
        ConvGeometry.conv2d(
            "conv2d",
            new int[] {1, 2, 5, 5},
            new int[] {3, 2, 3, 3},
            new int[] {1},
            new int[] {0},
            new int[] {1},
            1);
    ConvGeometry pool =
        ConvGeometry.pool2d(
            "maxPool2d",
            new int[] {1, 2, 5, 5},
            new int[] {2},
            null,
            new int[] {0},
            new int[] {1},
            false);
    for (Backend b : new Backend[] {CPU, REF}) {
      FusedKernels f = b.fused().orElseThrow();
      RawTensor x =
          RawTensor.dense(b.fromHost(new double[2 * 6 * 6], dtype), new int[] {1, 2, 6, 6});
      RawTensor w =
          RawTensor.dense(b.fromHost(new double[3 * 2 * 3 * 3], dtype), new int[] {3, 2, 3, 3});
      assertThrows(AssertionError.class, () -> f.conv2d(x, w, g), b.name());
      assertThrows(AssertionError.class, () -> f.conv2dBackwardWeight(x, x, g), b.name());
      assertThrows(AssertionError.class, () -> f.maxPool2d(x, pool), b.name());
      assertThrows(AssertionError.class, () -> f.avgPool2d(x, pool), b.name());
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"FLOAT32", "FLOAT64"})
  void logSoftmaxNll(DType dtype) {
    Gen g = new Gen(15 + dtype.ordinal());
    for (int t = 0; t < 60; t++) {
      int n = g.r.nextInt(5), c = 1 + g.r.nextInt(6);
      Pair x = g.operand(dtype, new int[] {n, c}, true, false);
      double[] target = new double[n];
      for (int i = 0; i < n; i++) target[i] = g.r.nextInt(5) == 0 ? -100 : g.r.nextInt(c);
      RawTensor tc = RawTensor.dense(CPU.fromHost(target, DType.INT64), new int[] {n});
      RawTensor tr = RawTensor.dense(REF.fromHost(target, DType.INT64), new int[] {n});
      RawTensor[] a = CPU_FUSED.logSoftmaxNll(x.cpu(), tc, -100),
          e = REF_FUSED.logSoftmaxNll(x.ref(), tr, -100);
      double tol = dtype == DType.FLOAT32 ? 0x1p-20 : 0x1p-48;
      for (int k = 0; k < 2; k++) {
        double[] b = REF.toHostDouble(e[k]);
        for (int i = 0; i < b.length; i++) b[i] = tol * (1 + Math.abs(b[i]) + 4 * c);
        assertCloseResult("logSoftmaxNll output " + k + describe(x), a[k], e[k], b);
      }
    }
  }

  /** An absolute bound for every element: {@code tol·(1 + m)²}, m the largest input magnitude. */
  private static double[] uniformBound(RawTensor like, double tol, Pair... inputs) {
    double m = 0;
    for (Pair p : inputs) for (double v : REF.toHostDouble(p.ref())) m = Math.max(m, Math.abs(v));
    double[] b = new double[like.numel()];
    Arrays.fill(b, tol * (1 + m) * (1 + m));
    return b;
  }

  /**
   * The LSTM cell against the reference's double loops, and the CPU kernels against {@link
   * RecurrentCellComposites} on the same backend (the definition the CUDA backend runs): bit for
   * bit. Each result element is at most six float operations on values bounded by the inputs'
   * magnitude m (the activations lie in [-1, 1]), so its absolute error is below 6·2^-24·(1 + m)²
   * in float32: the bound 2^-21·(1 + m)² (2^-50 in float64).
   */
  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"FLOAT32", "FLOAT64"})
  void lstmCellAndItsGradient(DType dtype) {
    Gen g = new Gen(31 + dtype.ordinal());
    double tol = dtype == DType.FLOAT32 ? 0x1p-21 : 0x1p-50;
    for (int t = 0; t < 60; t++) {
      int batch = g.r.nextInt(5), h = 1 + g.r.nextInt(t % 3 == 0 ? 40 : 6);
      Pair gates = g.operand(dtype, new int[] {batch, 4 * h}, false, false);
      Pair c = g.operand(dtype, new int[] {batch, h}, false, false);
      Pair gy = g.operand(dtype, new int[] {2, batch, h}, false, false);
      String what = "lstmCell" + describe(gates, c, gy);
      RawTensor[] a = CPU_FUSED.lstmCell(gates.cpu(), c.cpu());
      RawTensor[] e = REF_FUSED.lstmCell(gates.ref(), c.ref());
      String[] names = {" out", " acts"};
      for (int k = 0; k < 2; k++) {
        assertCloseResult(what + names[k], a[k], e[k], uniformBound(e[k], tol, gates, c));
      }
      RawTensor[] ga = CPU_FUSED.lstmCellBackward(gy.cpu(), a[1], c.cpu());
      RawTensor[] ge = REF_FUSED.lstmCellBackward(gy.ref(), e[1], c.ref());
      String[] gnames = {" dGates", " dC"};
      for (int k = 0; k < 2; k++) {
        assertCloseResult(what + gnames[k], ga[k], ge[k], uniformBound(ge[k], tol, gates, c, gy));
      }
      RawTensor[] ac = RecurrentCellComposites.lstmCell(CPU, gates.cpu(), c.cpu());
      RawTensor[] gc = RecurrentCellComposites.lstmCellBackward(CPU, gy.cpu(), a[1], c.cpu());
      for (int k = 0; k < 2; k++) {
        assertSameBits(what + names[k] + " (kernel vs composite)", a[k], ac[k]);
        assertSameBits(what + gnames[k] + " (kernel vs composite)", ga[k], gc[k]);
      }
      RawTensor[] er = RecurrentCellComposites.lstmCell(REF, gates.ref(), c.ref());
      RawTensor[] gr = RecurrentCellComposites.lstmCellBackward(REF, gy.ref(), e[1], c.ref());
      for (int k = 0; k < 2; k++) {
        assertClose(what + names[k] + " (composite on the reference)", er[k], e[k], tol, gates, c);
        assertClose(
            what + gnames[k] + " (composite on the reference)", gr[k], ge[k], tol, gates, c, gy);
      }
    }
  }

  /** The GRU cell as {@link #lstmCellAndItsGradient} checks the LSTM cell. */
  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"FLOAT32", "FLOAT64"})
  void gruCellAndItsGradient(DType dtype) {
    Gen g = new Gen(41 + dtype.ordinal());
    double tol = dtype == DType.FLOAT32 ? 0x1p-21 : 0x1p-50;
    for (int t = 0; t < 60; t++) {
      int batch = g.r.nextInt(5), h = 1 + g.r.nextInt(t % 3 == 0 ? 40 : 6);
      Pair xg = g.operand(dtype, new int[] {batch, 3 * h}, false, false);
      Pair hg = g.operand(dtype, new int[] {batch, 3 * h}, false, false);
      Pair hs = g.operand(dtype, new int[] {batch, h}, false, false);
      Pair gy = g.operand(dtype, new int[] {batch, h}, false, false);
      String what = "gruCell" + describe(xg, hg, hs, gy);
      RawTensor[] a = CPU_FUSED.gruCell(xg.cpu(), hg.cpu(), hs.cpu());
      RawTensor[] e = REF_FUSED.gruCell(xg.ref(), hg.ref(), hs.ref());
      String[] names = {" next", " acts"};
      for (int k = 0; k < 2; k++) {
        assertCloseResult(what + names[k], a[k], e[k], uniformBound(e[k], tol, xg, hg, hs));
      }
      RawTensor[] ga = CPU_FUSED.gruCellBackward(gy.cpu(), a[1], hg.cpu(), hs.cpu());
      RawTensor[] ge = REF_FUSED.gruCellBackward(gy.ref(), e[1], hg.ref(), hs.ref());
      String[] gnames = {" dxGates", " dhGates", " dh"};
      for (int k = 0; k < 3; k++) {
        assertCloseResult(what + gnames[k], ga[k], ge[k], uniformBound(ge[k], tol, xg, hg, hs, gy));
      }
      RawTensor[] ac = RecurrentCellComposites.gruCell(CPU, xg.cpu(), hg.cpu(), hs.cpu());
      RawTensor[] gc =
          RecurrentCellComposites.gruCellBackward(CPU, gy.cpu(), a[1], hg.cpu(), hs.cpu());
      for (int k = 0; k < 2; k++)
        assertSameBits(what + names[k] + " (kernel vs composite)", a[k], ac[k]);
      for (int k = 0; k < 3; k++)
        assertSameBits(what + gnames[k] + " (kernel vs composite)", ga[k], gc[k]);
      RawTensor[] er = RecurrentCellComposites.gruCell(REF, xg.ref(), hg.ref(), hs.ref());
      RawTensor[] gr =
          RecurrentCellComposites.gruCellBackward(REF, gy.ref(), e[1], hg.ref(), hs.ref());
      for (int k = 0; k < 2; k++) {
        assertClose(
            what + names[k] + " (composite on the reference)", er[k], e[k], tol, xg, hg, hs);
      }
      for (int k = 0; k < 3; k++) {
        assertClose(
            what + gnames[k] + " (composite on the reference)", gr[k], ge[k], tol, xg, hg, hs, gy);
      }
    }
  }

  /** Two results on the reference device within {@link #uniformBound}. */
  private static void assertClose(String what, RawTensor x, RawTensor y, double tol, Pair... in) {
    assertArrayEquals(y.shape(), x.shape(), what + ": shape");
    double[] a = REF.toHostDouble(x), b = REF.toHostDouble(y), bound = uniformBound(y, tol, in);
    for (int i = 0; i < b.length; i++) {
      assertTrue(
          Math.abs(a[i] - b[i]) <= bound[i],
          what + ": element " + i + " is " + a[i] + ", expected " + b[i]);
    }
  }

  // ---------------------------------------------------------------- copies and fills

  @ParameterizedTest
  @EnumSource(DType.class)
  void copyCastAndHostTransfers(DType from) {
    Gen g = new Gen(9 + from.ordinal());
    for (int t = 0; t < TRIALS; t++) {
      Pair x = g.operand(from, g.shape(4), true, true);
      for (DType to : DType.values()) {
        assertSameResult(
            "copy to " + to + describe(x), CPU.copy(x.cpu(), to), REF.copy(x.ref(), to));
      }
      assertArrayEquals(
          REF.toHostFloat(x.ref()), CPU.toHostFloat(x.cpu()), "toHostFloat" + describe(x));
      assertArrayEquals(
          REF.toHostDouble(x.ref()), CPU.toHostDouble(x.cpu()), "toHostDouble" + describe(x));
    }
  }

  /** Negative strides (flip) are only ever read by copy; both must read them alike. */
  @Test
  void copyOfNegativeStrideViews() {
    Gen g = new Gen(10);
    for (int t = 0; t < TRIALS; t++) {
      int[] shape = g.shape(3);
      Pair x = g.operand(shape, false, false);
      int[] strides = x.cpu().strides().clone();
      int offset = x.cpu().offset();
      for (int d = 0; d < shape.length; d++) {
        if (g.r.nextBoolean() && shape[d] > 0) {
          offset += (shape[d] - 1) * strides[d];
          strides[d] = -strides[d];
        }
      }
      Pair f =
          new Pair(
              x.cpu().withLayout(shape, strides, offset),
              x.ref().withLayout(shape, strides, offset));
      assertSameResult(
          "copy of flipped" + describe(f),
          CPU.copy(f.cpu(), DType.FLOAT32),
          REF.copy(f.ref(), DType.FLOAT32));
    }
  }

  @Test
  void copyIntoAndFillWriteOnlyTheView() {
    Gen g = new Gen(11);
    for (int t = 0; t < TRIALS; t++) {
      int[] shape = g.shape(3);
      Pair dst = g.operand(shape, false, false);
      Pair src = g.operand(shape, true, false);
      CPU.copyInto(dst.cpu(), src.cpu());
      REF.copyInto(dst.ref(), src.ref());
      assertStoragesEqual("copyInto" + describe(dst, src), dst);
      double v = g.r.nextGaussian();
      CPU.fill(dst.cpu(), v);
      REF.fill(dst.ref(), v);
      assertStoragesEqual("fill" + describe(dst), dst);
    }
  }

  @Test
  void copyIntoFromAnAliasedView() {
    Gen g = new Gen(12);
    for (int t = 0; t < 60; t++) {
      int n = 1 + g.r.nextInt(8);
      float[] data = new float[n];
      for (int i = 0; i < n; i++) data[i] = g.value(false);
      Pair dst = pair(data, new int[] {n}, new int[] {1}, 0);
      // src is dst reversed: a naive forward copy would read values it has already overwritten.
      Pair src =
          new Pair(
              dst.cpu().withLayout(new int[] {n}, new int[] {-1}, n - 1),
              dst.ref().withLayout(new int[] {n}, new int[] {-1}, n - 1));
      CPU.copyInto(dst.cpu(), src.cpu());
      REF.copyInto(dst.ref(), src.ref());
      assertStoragesEqual("copyInto aliased", dst);
      for (int i = 0; i < n; i++)
        assertEquals(data[n - 1 - i], dst.ref().storage().get(i), "reversed element " + i);
    }
  }

  private static void assertStoragesEqual(String what, Pair p) {
    Storage c = p.cpu().storage(), e = p.ref().storage();
    assertEquals(e.length(), c.length(), what);
    for (int i = 0; i < e.length(); i++) {
      assertEquals(
          e.get(i),
          c.get(i),
          what + ": storage element " + i + " (outside the view must be untouched)");
    }
  }

  @Test
  void allocateAndFromHost() {
    for (Backend b : new Backend[] {CPU, REF}) {
      for (DType d : DType.values()) {
        Storage s = b.allocate(d, 5);
        assertEquals(5, s.length());
        assertEquals(d, s.dtype());
        assertEquals(b.device(), s.device());
        for (int i = 0; i < 5; i++) assertEquals(0.0, s.get(i));
      }
      Storage i64 = b.fromHost(new double[] {1.9, -2.7}, DType.INT64);
      assertEquals(1.0, i64.get(0), "int64 truncates toward zero");
      assertEquals(-2.0, i64.get(1));
      Storage bool = b.fromHost(new double[] {0, -3}, DType.BOOL);
      assertEquals(0.0, bool.get(0));
      assertEquals(1.0, bool.get(1));
      Storage f = b.fromHost(new double[] {0.1}, DType.FLOAT32);
      assertEquals((double) 0.1f, f.get(0), "float32 rounds");
    }
  }
}
