package org.jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgrad.autograd.GradMode;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The PyTorch idioms of issue 10 item 7 (assignment, masks, comparisons, sort/topk, cumsum, prod,
 * the overloads without keepDim, varargs cat, integer arange) and the arange hardening of item 8:
 * semantics, float64 gradient checks and error messages. Values against PyTorch itself are in
 * {@link TorchIdiomsReferenceTest}.
 */
class IdiomsTest {
  private static String iae(Executable e, String... fragments) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    String m = ex.getMessage();
    for (String f : fragments)
      assertTrue(m != null && m.contains(f), "message lacks \"" + f + "\": " + m);
    return m;
  }

  private static Tensor f64(double[] v, int... shape) {
    return Tensor.of(v, shape);
  }

  private static Tensor randn64(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape).to(DType.FLOAT64);
  }

  // ---------------------------------------------------------------- assignment

  @Test
  void setWritesOneElementInPlaceAndBumpsTheVersion() {
    Tensor x = Tensor.zeros(2, 3);
    int v0 = x.version();
    assertEquals(x, x.set(5, 1, -1));
    assertEquals(5, x.get(1, 2));
    assertEquals(5, x.sum().item());
    assertTrue(x.version() > v0);
    iae(() -> x.set(1, 2, 0), "set", "index 2", "dimension 0", "size 2");
    iae(() -> x.set(1, 0), "set", "expected 2 indices", "[2, 3]");
    Tensor s = Tensor.scalar(1);
    s.set(4);
    assertEquals(4, s.item());
  }

  @Test
  void setSliceBroadcastsAndWritesThroughViews() {
    Tensor x = Tensor.zeros(3, 4);
    x.setSlice(1, 1, 4, 2, Tensor.of(new float[] {7, 8, 9}, 3, 1));
    assertArrayEquals(new float[] {0, 7, 0, 7, 0, 8, 0, 8, 0, 9, 0, 9}, x.toFloatArray());
    x.setSlice(0, -1, 3, 1, -1.0);
    assertArrayEquals(new float[] {-1, -1, -1, -1}, x.select(0, 2).toFloatArray());
    iae(() -> x.setSlice(1, 0, 2, 1, Tensor.ones(3)), "setSlice", "[3]", "[3, 2]");
  }

  @Test
  void inPlaceWritesAreCaughtBySavedTensorChecks() {
    Tensor w = randn64(1, 3).requiresGrad(true);
    Tensor x = randn64(2, 3);
    Tensor y = x.mul(w).sum(); // saves x for w's gradient
    x.set(0, 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("modified by an in-place operation"), e.getMessage());

    Tensor x2 = randn64(2, 3);
    Tensor y2 = x2.mul(w).sum();
    x2.indexPutInPlace(Tensor.ofLongs(new long[] {0}), Tensor.scalar(1, DType.FLOAT64));
    assertThrows(IllegalStateException.class, y2::backward);

    Tensor x3 = randn64(2, 3);
    Tensor y3 = x3.mul(w).sum();
    x3.maskedFillInPlace(x3.gt(0), 0);
    assertThrows(IllegalStateException.class, y3::backward);
  }

  @Test
  void inPlaceWritesRefuseWhatAutogradCouldNotFollow() {
    Tensor leaf = randn64(1, 3).requiresGrad(true);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> leaf.set(0, 0));
    assertTrue(
        e.getMessage().contains("set") && e.getMessage().contains("out-of-place"), e.getMessage());
    Tensor plain = Tensor.zeros(DType.FLOAT64, 3);
    e = assertThrows(IllegalStateException.class, () -> plain.setSlice(0, 0, 3, 1, leaf));
    assertTrue(e.getMessage().contains("values require grad"), e.getMessage());
    try (var ng = GradMode.noGrad()) {
      leaf.set(2, 0); // allowed without grad mode, as for the other in-place ops
    }
    assertEquals(2, leaf.get(0));
  }

  @Test
  void indexPutReplacesRowsAndAccumulateAddsRepeats() {
    Tensor x = Tensor.zeros(4, 2);
    Tensor idx = Tensor.ofLongs(new long[] {-1, 1});
    Tensor y = x.indexPut(idx, Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
    assertArrayEquals(new float[] {0, 0, 3, 4, 0, 0, 1, 2}, y.toFloatArray());
    assertEquals(0, x.sum().item(), "out of place");
    Tensor acc = x.indexPut(Tensor.ofLongs(new long[] {0, 0, 2}), Tensor.ones(2), true);
    assertArrayEquals(new float[] {2, 2, 0, 0, 1, 1, 0, 0}, acc.toFloatArray());
    Tensor masked = x.indexPut(Tensor.of(new float[] {1, 0, 0, 1}).ne(0), Tensor.scalar(9));
    assertArrayEquals(new float[] {9, 9, 0, 0, 0, 0, 9, 9}, masked.toFloatArray());
    iae(
        () -> x.indexPut(Tensor.ofLongs(new long[] {4}), Tensor.ones(2)),
        "indexPut",
        "index 4",
        "size 4");
    iae(() -> x.indexPut(idx, Tensor.ones(3)), "indexPut", "[3]", "[2, 2]", "[4, 2]");
    iae(
        () -> x.indexPut(Tensor.of(new float[] {0, 1}), Tensor.ones(2)),
        "indexPut",
        "int64 or bool",
        "float32");
    iae(() -> x.indexPut(Tensor.ones(3).ne(0), Tensor.ones(2)), "indexPut", "mask [3]", "[4, 2]");
    iae(() -> x.indexPut(idx, Tensor.ones(DType.FLOAT64, 2)), "indexPut", "dtype mismatch");
  }

  @Test
  void indexPutGradCheck() {
    Tensor x = randn64(3, 5, 3).requiresGrad(true);
    Tensor v = randn64(4, 2, 3).requiresGrad(true);
    Tensor idx = Tensor.ofLongs(new long[] {4, -5});
    GradCheck.check(xs -> xs[0].indexPut(idx, xs[1]).tanh(), x, v);
    GradCheck.check(
        xs -> xs[0].indexPut(Tensor.ofLongs(new long[] {1, 1, 3}), xs[1].sum(0), true), x, v);
    Tensor mask = Tensor.of(new float[] {1, 0, 1, 0, 0}).ne(0);
    GradCheck.check(xs -> xs[0].indexPut(mask, xs[1].select(0, 0)), x, v);
    GradCheck.checkGradGrad(xs -> xs[0].indexPut(idx, xs[1]).square(), x, v);
  }

  @Test
  void sliceScatterIsSliceAssignmentWithGradient() {
    Tensor x = randn64(5, 3, 4).requiresGrad(true);
    Tensor src = randn64(6, 3, 2).requiresGrad(true);
    Tensor y = x.sliceScatter(src, 1, 0, 4, 2);
    assertTrue(y.slice(1, 0, 4, 2).equal(src));
    assertTrue(y.select(1, 1).equal(x.select(1, 1)));
    GradCheck.check(xs -> xs[0].sliceScatter(xs[1], -1, 0, 4, 2).sin(), x, src);
    iae(
        () -> x.sliceScatter(Tensor.ones(DType.FLOAT64, 3, 3), 1, 0, 4, 2),
        "sliceScatter",
        "[3, 2]",
        "[3, 3]");
  }

  @Test
  void maskedFillSelectAndIndex() {
    Tensor x = Tensor.of(new float[] {1, -2, 3, -4, 5, -6}, 2, 3);
    Tensor neg = x.lt(0);
    assertArrayEquals(new float[] {1, 0, 3, 0, 5, 0}, x.maskedFill(neg, 0).toFloatArray());
    Tensor row = Tensor.of(new float[] {1, 0, 0}).ne(0);
    assertArrayEquals(
        new float[] {7, -2, 3, 7, 5, -6}, x.maskedFill(row, 7).toFloatArray(), "broadcast mask");
    assertArrayEquals(new float[] {-2, -4, -6}, x.maskedSelect(neg).toFloatArray());
    assertArrayEquals(new int[] {3}, x.maskedSelect(neg).shape());
    assertArrayEquals(
        new float[] {-4, 5, -6},
        x.index(Tensor.of(new float[] {0, 1}).ne(0)).reshape(-1).toFloatArray());
    assertArrayEquals(new float[] {-2, -4, -6}, x.index(neg).toFloatArray());
    Tensor byIndex = x.index(Tensor.ofLongs(new long[] {1, 0, 1, 1}, 2, 2));
    assertArrayEquals(new int[] {2, 2, 3}, byIndex.shape());
    assertArrayEquals(new long[] {0, 0, 0, 2, 1, 1}, x.gt(0).nonzero().toLongArray());
    Tensor y = x.clone();
    y.maskedFillInPlace(neg, 0);
    assertTrue(y.equal(x.relu()));

    iae(() -> x.maskedFill(x, 0), "maskedFill", "bool mask", "float32");
    iae(() -> x.maskedFill(Tensor.ones(2).ne(0), 0), "maskedFill", "[2]", "[2, 3]");
    iae(() -> x.maskedFill(Tensor.ones(2, 2, 3).ne(0), 0), "maskedFill", "[2, 2, 3]", "[2, 3]");
    iae(() -> x.maskedSelect(Tensor.ones(4).ne(0)), "maskedSelect", "[2, 3]", "[4]");
    iae(() -> x.index(Tensor.ones(3).ne(0)), "index", "[3]", "[2, 3]");
    iae(() -> x.index(Tensor.ofLongs(new long[] {2})), "index", "index 2", "size 2");
  }

  @Test
  void maskGradChecks() {
    Tensor x = randn64(7, 3, 4).requiresGrad(true);
    Tensor mask = randn64(8, 3, 4).gt(0);
    GradCheck.check(xs -> xs[0].maskedFill(mask, 2.5).exp(), x);
    GradCheck.check(xs -> xs[0].maskedSelect(mask.select(0, 1)).exp(), x);
    GradCheck.check(xs -> xs[0].index(Tensor.ofLongs(new long[] {2, 0, 2})).sin(), x);
    GradCheck.check(xs -> xs[0].index(Tensor.of(new float[] {1, 0, 1}).ne(0)), x);
  }

  // ---------------------------------------------------------------- comparisons

  @Test
  void allcloseAndEqualFollowPyTorch() {
    Tensor a = Tensor.of(new float[] {1, 2, Float.POSITIVE_INFINITY});
    assertTrue(a.allclose(a.add(1e-6)));
    assertFalse(a.allclose(a.add(1e-3)));
    assertTrue(a.allclose(a.add(1e-3), 1e-3, 0));
    assertTrue(Tensor.of(new float[] {2, 2}).allclose(Tensor.scalar(2)), "broadcasts");
    Tensor nan = Tensor.of(new float[] {Float.NaN});
    assertFalse(nan.allclose(nan));
    assertFalse(nan.equal(nan));
    assertTrue(a.equal(a.clone()));
    assertFalse(a.equal(a.reshape(3, 1)), "shape matters");
    assertTrue(Tensor.ofLongs(new long[] {1, 2}).equal(Tensor.of(new float[] {1, 2})));
    iae(() -> a.allclose(Tensor.ones(2)), "allclose", "[3]", "[2]");
  }

  @Test
  void anyAndAll() {
    Tensor m = Tensor.of(new float[] {0, 1, 0, 0, Float.NaN, 2}, 2, 3);
    assertEquals(DType.BOOL, m.any().dtype());
    assertEquals(1, m.any().item());
    assertEquals(0, m.all().item());
    assertArrayEquals(new long[] {1, 1}, m.any(1).toLongArray());
    assertArrayEquals(new long[] {0, 1, 0}, m.all(0).toLongArray(), "NaN counts as true");
    assertArrayEquals(new int[] {2, 1}, m.all(1, true).shape());
    assertEquals(1, Tensor.zeros(0).all().item(), "all() of nothing is true");
    assertEquals(0, Tensor.zeros(0).any().item());
    iae(() -> m.any(2), "any", "2");
  }

  // ---------------------------------------------------------------- sorting, scans, products

  @Test
  void sortIsStableInBothDirectionsAndPutsNanLast() {
    Tensor x = Tensor.of(new float[] {3, 1, Float.NaN, 1, -0f, 0, 3});
    Tensor.ValuesIndices up = x.sort();
    assertArrayEquals(new long[] {4, 5, 1, 3, 0, 6, 2}, up.indices().toLongArray());
    Tensor.ValuesIndices down = x.sort(0, true);
    assertArrayEquals(new long[] {2, 0, 6, 1, 3, 4, 5}, down.indices().toLongArray());
    assertArrayEquals(new long[] {2, 0, 6, 1, 3, 4, 5}, x.argsort(0, true).toLongArray());
    Tensor m = Tensor.of(new float[] {2, 1, 4, 3}, 2, 2);
    assertArrayEquals(new float[] {2, 1, 4, 3}, m.sort(0).values().toFloatArray());
    assertArrayEquals(new float[] {1, 2, 3, 4}, m.sort(1).values().toFloatArray());
    iae(() -> m.sort(2), "sort", "2");
  }

  @Test
  void topkTakesTheLargestOrSmallest() {
    Tensor x = Tensor.of(new float[] {5, 1, 4, 2, 3, 0}, 2, 3);
    Tensor.ValuesIndices t = x.topk(2);
    assertArrayEquals(new float[] {5, 4, 3, 2}, t.values().toFloatArray());
    assertArrayEquals(new long[] {0, 2, 1, 0}, t.indices().toLongArray());
    Tensor.ValuesIndices s = x.topk(1, 0, false);
    assertArrayEquals(new float[] {2, 1, 0}, s.values().toFloatArray());
    iae(() -> x.topk(4), "topk", "k (4)", "size 3");
    iae(() -> x.topk(-1), "topk", "k (-1)");
  }

  @Test
  void sortTopkCumsumProdGradChecks() {
    Tensor x = randn64(11, 3, 5).requiresGrad(true);
    GradCheck.check(xs -> xs[0].sort(1).values().mul(Tensor.arange(5.0).to(DType.FLOAT64)), x);
    GradCheck.check(xs -> xs[0].sort(0, true).values().square(), x);
    GradCheck.check(xs -> xs[0].topk(3, -1, true).values().exp(), x);
    GradCheck.check(xs -> xs[0].cumsum(1).sin(), x);
    GradCheck.check(xs -> xs[0].cumsum(0).sin(), x);
    GradCheck.checkGradGrad(xs -> xs[0].cumsum(1).square(), x);
    GradCheck.check(xs -> xs[0].prod(1), x);
    GradCheck.check(xs -> xs[0].prod(0, true), x);
    GradCheck.check(xs -> xs[0].prod(), x);
    GradCheck.checkGradGrad(xs -> xs[0].prod(1), x);
  }

  @Test
  void prodGradientWithZerosMatchesTheProductOfTheOthers() {
    // Rows with no zero, one zero and two zeros: the three branches of the backward formula.
    Tensor x = f64(new double[] {2, 3, 4, 2, 0, 5, 0, 3, 0}, 3, 3).requiresGrad(true);
    Tensor p = x.prod(1);
    assertArrayEquals(new double[] {24, 0, 0}, p.toDoubleArray());
    p.sum().backward();
    assertArrayEquals(new double[] {12, 8, 6, 0, 10, 0, 0, 0, 0}, x.grad().toDoubleArray());
    GradCheck.check(
        xs -> xs[0].prod(1), f64(new double[] {2, 3, 4, 2, 0, 5}, 2, 3).requiresGrad(true));
    assertEquals(DType.INT64, Tensor.ofLongs(new long[] {2, 3}).prod().dtype());
    assertEquals(6, Tensor.ofLongs(new long[] {2, 3}).prod().item());
    assertEquals(1, Tensor.zeros(0).prod().item(), "empty product");
  }

  @Test
  void cumsumOfIntegersGivesInt64() {
    Tensor c = Tensor.of(new float[] {1, 1, 0, 1}).ne(0).cumsum(0);
    assertEquals(DType.INT64, c.dtype());
    assertArrayEquals(new long[] {1, 2, 2, 3}, c.toLongArray());
    assertArrayEquals(
        new float[] {1, 3, 4, 10},
        Tensor.of(new float[] {1, 3, 3, 7}, 2, 2).cumsum(0).toFloatArray());
    iae(() -> Tensor.ones(2).cumsum(1), "cumsum", "1");
    assertEquals(4, Tensor.scalar(4).cumsum(-1).item(), "a 0-d tensor takes dim 0 or -1");
    iae(() -> Tensor.scalar(4).cumsum(1), "cumsum");
    iae(() -> Tensor.scalar(4).sort(2), "sort");
  }

  // ---------------------------------------------------------------- overloads and factories

  @Test
  void overloadsWithoutKeepDimDropTheDim() {
    Tensor x = Tensor.of(new float[] {1, 5, 2, 7, 3, 4}, 2, 3);
    assertArrayEquals(new float[] {8, 14}, x.sum(1).toFloatArray());
    assertArrayEquals(new int[] {3}, x.mean(0).shape());
    assertArrayEquals(new long[] {1, 0}, x.argmax(1).toLongArray());
    assertArrayEquals(new long[] {0, 1}, x.argmin(1).toLongArray());
    assertArrayEquals(new float[] {7, 5, 4}, x.max(0).values().toFloatArray());
    assertArrayEquals(new float[] {1, 3}, x.min(1).values().toFloatArray());
    assertArrayEquals(new int[] {2}, x.logsumexp(1).shape());
    assertTrue(x.var(1).allclose(x.var(1, true, false)));
    assertTrue(x.std(0).allclose(x.std(0, true, false)));
  }

  @Test
  void catAndStackVarargs() {
    Tensor a = Tensor.ones(1, 2), b = Tensor.zeros(2, 2);
    assertArrayEquals(new int[] {3, 2}, Tensor.cat(a, b).shape());
    assertArrayEquals(new int[] {3, 2}, Tensor.cat(1, a.t(), b).t().shape());
    assertArrayEquals(new int[] {2, 1, 2}, Tensor.stack(a, a).shape());
    iae(() -> Tensor.cat(), "cat", "non-empty");
  }

  @Test
  void arangeOfIntegersIsInt64AndOfFloatsFloat32() {
    Tensor i = Tensor.arange(5);
    assertEquals(DType.INT64, i.dtype());
    assertArrayEquals(new long[] {0, 1, 2, 3, 4}, i.toLongArray());
    assertEquals(DType.INT64, Tensor.arange(2, 8, 3).dtype());
    assertArrayEquals(new long[] {2, 5}, Tensor.arange(2, 8, 3).toLongArray());
    assertArrayEquals(new long[] {5, 3, 1}, Tensor.arange(5, 0, -2).toLongArray());
    assertArrayEquals(new long[] {3, 4}, Tensor.arange(3L, 5L).toLongArray());
    assertEquals(DType.FLOAT32, Tensor.arange(5.0).dtype());
    assertEquals(
        DType.FLOAT32, Tensor.arange(0, 1, 0.25).dtype(), "a fractional step gives float32");
    assertEquals(DType.FLOAT32, Tensor.arange(1.0, 3.0).dtype());
    assertEquals(0, Tensor.arange(3, 1).numel());
  }

  @Test
  void arangeRefusesHugeAndNonFiniteRanges() {
    iae(() -> Tensor.arange(0, 1e12, 1), "arange", "tensor too large");
    iae(() -> Tensor.arange(0L, 5_000_000_000L), "arange", "tensor too large");
    iae(() -> Tensor.arange(Double.NaN), "arange", "NaN", "finite");
    iae(() -> Tensor.arange(0, Double.POSITIVE_INFINITY, 1), "arange", "Infinity");
    iae(() -> Tensor.arange(0, 1, Double.NaN), "arange", "NaN");
    iae(() -> Tensor.arange(0, 5, 0), "arange", "step");
  }

  @Test
  void newOpsRunOnTheReferenceDevice() {
    Tensor x = Tensor.of(new float[] {3, 1, 2, 0}, 2, 2).to(Device.REFERENCE);
    assertEquals(Device.REFERENCE, x.sort(1).values().device());
    assertEquals(Device.REFERENCE, x.cumsum(0).device());
    assertEquals(Device.REFERENCE, x.prod(1).device());
    assertArrayEquals(new float[] {3, 0}, x.prod(1).toFloatArray());
    Tensor put =
        x.indexPut(
            Tensor.ofLongs(new long[] {1}).to(Device.REFERENCE),
            Tensor.scalar(9).to(Device.REFERENCE));
    assertEquals(Device.REFERENCE, put.device());
    assertArrayEquals(new float[] {3, 1, 9, 9}, put.toFloatArray());
    assertArrayEquals(new float[] {3, 2}, x.maskedSelect(x.gt(1.5)).toFloatArray());
    assertNull(x.grad());
  }
}
