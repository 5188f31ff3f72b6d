package org.jgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The autograd engine's contract: what backward fills, when graphs are kept, what fails and how.
 */
class AutogradTest {
  private static Tensor leaf(float... v) {
    return Tensor.of(v).requiresGrad(true);
  }

  private static void assertValues(double[] expected, Tensor t, double tol) {
    double[] got = t.toDoubleArray();
    assertEquals(expected.length, got.length, "number of elements");
    for (int i = 0; i < got.length; i++) {
      assertEquals(expected[i], got[i], tol, "element " + i + " of " + Arrays.toString(got));
    }
  }

  // ---------------------------------------------------------------- backward basics

  @Test
  void backwardOnAScalarFillsLeafGradients() {
    Tensor x = leaf(1, -2, 3);
    Tensor w = leaf(0.5f, 4, -1);
    Tensor y = x.mul(x).mul(w).sum(); // dy/dx = 2xw, dy/dw = x²
    y.backward();
    assertValues(new double[] {1, -16, -6}, x.grad(), 1e-6);
    assertValues(new double[] {1, 4, 9}, w.grad(), 1e-6);
    assertEquals(DType.FLOAT32, x.grad().dtype());
    assertFalse(x.grad().requiresGrad(), "a plain backward gives a gradient without history");
  }

  @Test
  void backwardWithAnExplicitGradientOnANonScalar() {
    Tensor x = leaf(1, 2, 3);
    Tensor y = x.mul(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
    assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains("[3]"), e.getMessage());
    y.backward(Tensor.of(new float[] {1, 10, 100}));
    assertValues(new double[] {3, 30, 300}, x.grad(), 1e-4);
    Tensor z = x.mul(2);
    e = assertThrows(IllegalArgumentException.class, () -> z.backward(Tensor.ones(2)));
    assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
  }

  @Test
  void backwardOnALeafGivesTheSeed() {
    Tensor x = leaf(1, 2);
    x.backward(Tensor.of(new float[] {5, 6}));
    assertValues(new double[] {5, 6}, x.grad(), 0);
  }

  @Test
  void backwardOnATensorWithoutHistoryFails() {
    Tensor x = Tensor.of(new float[] {1, 2}).sum();
    IllegalStateException e = assertThrows(IllegalStateException.class, x::backward);
    assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
  }

  @Test
  void gradientsAccumulateAcrossBackwardsUntilZeroed() {
    Tensor x = leaf(1, 2);
    x.mul(2).sum().backward();
    x.mul(3).sum().backward();
    assertValues(new double[] {5, 5}, x.grad(), 0);
    x.zeroGrad();
    assertNull(x.grad());
    x.mul(7).sum().backward();
    assertValues(new double[] {7, 7}, x.grad(), 0);
  }

  @Test
  void sharedSubexpressionsAccumulateInsideOneBackward() {
    Tensor a = leaf(2, -3);
    Tensor h = a.exp();
    Tensor y = h.mul(a).add(h).add(a.mul(a)).sum(); // (a+1)e^a + a²  → (a+2)e^a + 2a
    y.backward();
    double[] expected = {4 * Math.exp(2) + 4, -Math.exp(-3) - 6};
    assertValues(expected, a.grad(), 1e-5);
  }

  @Test
  void broadcastGradientsAreSummedBackToEachInputShape() {
    Tensor a = Tensor.ones(3, 1).requiresGrad(true);
    Tensor b = Tensor.ones(4).requiresGrad(true);
    Tensor s = Tensor.scalar(2).requiresGrad(true);
    a.mul(b).mul(s).sum().backward();
    assertArrayEquals(new int[] {3, 1}, a.grad().shape());
    assertArrayEquals(new int[] {4}, b.grad().shape());
    assertArrayEquals(new int[] {}, s.grad().shape());
    assertValues(new double[] {8, 8, 8}, a.grad(), 0);
    assertValues(new double[] {6, 6, 6, 6}, b.grad(), 0);
    assertValues(new double[] {12}, s.grad(), 0);
  }

  @Test
  void gradientsKeepTheLeafDtypeAndDevice() {
    Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    x.to(Device.REFERENCE).exp().sum().backward();
    assertEquals(DType.FLOAT64, x.grad().dtype());
    assertEquals(Device.CPU, x.grad().device());
    Tensor r = Tensor.of(new float[] {1, 2}).to(Device.REFERENCE).requiresGrad(true);
    r.mul(r).sum().backward();
    assertEquals(Device.REFERENCE, r.grad().device());
    assertValues(new double[] {2, 4}, r.grad(), 0);
    Tensor f = Tensor.of(new float[] {1, 2}).requiresGrad(true);
    f.to(DType.FLOAT64).mul(3).sum().backward();
    assertEquals(DType.FLOAT32, f.grad().dtype());
    assertValues(new double[] {3, 3}, f.grad(), 0);
  }

  // ---------------------------------------------------------------- retainGrad, detach, grad mode

  @Test
  void retainGradKeepsANonLeafGradient() {
    Tensor x = leaf(1, 2);
    Tensor h = x.mul(3);
    Tensor k = x.mul(4);
    h.retainGrad();
    h.mul(h).sum().add(k.sum()).backward();
    assertNotNull(h.grad());
    assertValues(new double[] {6, 12}, h.grad(), 1e-6); // d(h²)/dh = 2h
    assertNull(k.grad(), "non-leaf gradients are not kept unless asked");
    assertValues(new double[] {18 + 4, 36 + 4}, x.grad(), 1e-5);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Tensor.ones(2).retainGrad());
    assertTrue(e.getMessage().contains("retainGrad"), e.getMessage());
  }

  @Test
  void noGradScopeRecordsNothingAndRestoresTheMode() {
    Tensor x = leaf(1, 2);
    assertTrue(GradMode.isEnabled());
    Tensor y;
    try (var ng = GradMode.noGrad()) {
      assertFalse(GradMode.isEnabled());
      y = x.mul(2).exp();
      try (var eg = GradMode.enableGrad()) {
        assertTrue(GradMode.isEnabled());
        assertTrue(x.mul(2).requiresGrad(), "enableGrad inside noGrad records again");
      }
      try (var ng2 = GradMode.noGrad()) {
        assertFalse(GradMode.isEnabled());
      }
      assertFalse(GradMode.isEnabled(), "closing a nested scope restores the outer mode");
    }
    assertTrue(GradMode.isEnabled());
    assertFalse(y.requiresGrad());
    assertNull(y.gradFn());
    assertTrue(y.isLeaf());
  }

  @Test
  void gradModeIsPerThread() throws Exception {
    try (var ng = GradMode.noGrad()) {
      boolean[] other = new boolean[1];
      Thread t = new Thread(() -> other[0] = GradMode.isEnabled());
      t.start();
      t.join();
      assertTrue(other[0], "another thread still records");
    }
  }

  @Test
  void detachSharesDataButNotHistory() {
    Tensor x = leaf(1, 2);
    Tensor h = x.mul(2);
    Tensor d = h.detach();
    assertFalse(d.requiresGrad());
    assertNull(d.gradFn());
    assertSame(h.raw().storage(), d.raw().storage());
    Tensor y = h.mul(d).sum(); // gradient flows only through h: d(h·d)/dx = 2·d
    y.backward();
    assertValues(new double[] {4, 8}, x.grad(), 0);
  }

  @Test
  void requiresGradPropagates() {
    Tensor a = leaf(1, 2);
    Tensor b = Tensor.of(new float[] {3, 4});
    assertTrue(a.add(b).requiresGrad());
    assertTrue(b.mul(a).requiresGrad());
    assertFalse(b.add(b).requiresGrad());
    assertFalse(a.gt(b).requiresGrad(), "comparisons give masks without history");
    assertFalse(a.argmax().requiresGrad());
    assertTrue(a.add(b).gradFn() != null && !a.add(b).isLeaf());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Tensor.ofLongs(new long[] {1}).requiresGrad(true));
    assertTrue(e.getMessage().contains("floating point"), e.getMessage());
    Tensor nonLeaf = a.mul(2);
    e = assertThrows(IllegalArgumentException.class, () -> nonLeaf.requiresGrad(false));
    assertTrue(
        e.getMessage().contains("non-leaf") && e.getMessage().contains("detach"), e.getMessage());
  }

  // ---------------------------------------------------------------- deep graphs

  @Test
  void aChainOfOneHundredThousandOpsDoesNotOverflowTheStack() {
    Tensor x = Tensor.of(new double[] {1.5}).requiresGrad(true);
    Tensor y = x;
    int n = 100_000;
    for (int i = 0; i < n; i++) y = y.add(1e-3);
    Tensor z = y.mul(2).sum();
    String dot = assertDoesNotThrow(() -> Graphviz.toDot(z));
    assertTrue(dot.length() > n * 10, "every node is exported");
    assertDoesNotThrow(() -> z.backward());
    assertValues(new double[] {2}, x.grad(), 0);
    assertValues(new double[] {2 * (1.5 + n * 1e-3)}, z, 1e-8);
  }

  @Test
  void aWideGraphWithManyUsesOfOneTensor() {
    Tensor x = leaf(1);
    Tensor acc = Tensor.zeros(1);
    for (int i = 0; i < 2000; i++) acc = acc.add(x.mul(i % 3));
    acc.sum().backward();
    double expected = 0;
    for (int i = 0; i < 2000; i++) expected += i % 3;
    assertValues(new double[] {expected}, x.grad(), 0);
  }

  // ---------------------------------------------------------------- graph lifetime

  @Test
  void aSecondBackwardThroughAReleasedGraphFailsClearly() {
    Tensor x = leaf(1, 2);
    Tensor y = x.exp().sum();
    y.backward();
    IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("second time"), e.getMessage());
    assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
    assertTrue(e.getMessage().contains("SumBackward"), e.getMessage());
    // A second output sharing the released part of the graph fails the same way.
    Tensor h = x.exp();
    Tensor y1 = h.sum(), y2 = h.mean();
    y1.backward();
    e = assertThrows(IllegalStateException.class, y2::backward);
    assertTrue(e.getMessage().contains("ExpBackward"), e.getMessage());
  }

  @Test
  void retainGraphAllowsASecondBackward() {
    Tensor x = leaf(1, 2);
    Tensor y = x.exp().sum();
    y.backward(Tensor.scalar(1), true, false);
    y.backward(Tensor.scalar(1), true, false);
    y.backward(Tensor.scalar(1));
    assertValues(new double[] {3 * Math.E, 3 * Math.exp(2)}, x.grad(), 1e-5);
    assertThrows(IllegalStateException.class, y::backward);
  }

  @Test
  void createGraphGivesDifferentiableGradients() {
    Tensor x = Tensor.of(new double[] {0.5, -1}).requiresGrad(true);
    Tensor y = x.pow(3).sum();
    y.backward(Tensor.scalar(1, DType.FLOAT64), false, true);
    Tensor g = x.grad(); // 3x²
    assertTrue(g.requiresGrad());
    assertNotNull(g.gradFn());
    assertValues(new double[] {0.75, 3}, g, 1e-12);
    x.zeroGrad();
    g.sum().backward(); // 6x
    assertValues(new double[] {3, -6}, x.grad(), 1e-12);
  }

  // ---------------------------------------------------------------- in-place safety

  @Test
  void modifyingASavedTensorInPlaceFailsNamingTheOp() {
    Tensor x = leaf(1, 2);
    Tensor e = x.exp(); // ExpBackward saves its output
    Tensor y = e.sum();
    try (var ng = GradMode.noGrad()) {
      e.mulInPlace(2);
    }
    IllegalStateException ex = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(ex.getMessage().contains("ExpBackward"), ex.getMessage());
    assertTrue(ex.getMessage().contains("in-place"), ex.getMessage());

    Tensor w = Tensor.of(new float[] {3, 4}); // a constant, saved by MulBackward for x's gradient
    Tensor z = x.mul(w).sum();
    int before = w.version();
    w.addInPlace(Tensor.ones(2));
    assertEquals(before + 1, w.version());
    ex = assertThrows(IllegalStateException.class, z::backward);
    assertTrue(ex.getMessage().contains("MulBackward"), ex.getMessage());
  }

  @Test
  void inPlaceOnATensorThatRequiresGradNeedsNoGrad() {
    Tensor x = leaf(1, 2);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> x.addInPlace(Tensor.ones(2)));
    assertTrue(
        e.getMessage().contains("addInPlace") && e.getMessage().contains("noGrad"), e.getMessage());
    try (var ng = GradMode.noGrad()) {
      x.addInPlace(Tensor.ones(2), -0.5);
    }
    assertValues(new double[] {0.5, 1.5}, x, 0);
    assertEquals(1, x.version());
  }

  @Test
  void viewsShareTheVersionCounter() {
    Tensor base = Tensor.of(new float[] {1, 2, 3, 4});
    Tensor view = base.reshape(2, 2).select(0, 1);
    Tensor x = leaf(1, 1);
    Tensor y = x.mul(view).sum(); // saves the view
    try (var ng = GradMode.noGrad()) {
      base.fill(0);
    }
    assertThrows(IllegalStateException.class, y::backward);
  }

  // ---------------------------------------------------------------- anomaly mode

  @Test
  void anomalyModeNamesTheOpWhoseBackwardProducedNaN() {
    Tensor x = leaf(-1, 4);
    Tensor y = x.sqrt().sum(); // sqrt(-1) = NaN; its backward divides by it
    try (var a = AnomalyMode.enable()) {
      assertTrue(AnomalyMode.isEnabled());
      IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
      assertTrue(e.getMessage().contains("SqrtBackward"), e.getMessage());
      assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }
    assertFalse(AnomalyMode.isEnabled());
    Tensor x2 = leaf(-1, 4);
    x2.sqrt().sum().backward(); // without anomaly mode the NaN simply propagates
    assertTrue(Double.isNaN(x2.grad().toDoubleArray()[0]));
    assertEquals(0.25, x2.grad().toDoubleArray()[1], 1e-7);
  }

  @Test
  void anomalyModeReportsInfinity() {
    Tensor x = leaf(0, 1);
    Tensor y = x.log().sum(); // d log/dx at 0 is inf
    try (var a = AnomalyMode.enable()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
      assertTrue(
          e.getMessage().contains("LogBackward") && e.getMessage().contains("Inf"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------- graph introspection

  @Test
  void gradFnNamesFollowPyTorch() {
    Tensor a = Tensor.randn(2, 3).requiresGrad(true);
    Tensor b = Tensor.randn(3, 2).requiresGrad(true);
    assertNull(a.gradFn(), "leaves have no gradFn");
    assertEquals("AddBackward", a.add(1).gradFn().name());
    assertEquals("SubBackward", a.sub(a).gradFn().name());
    assertEquals("MulBackward", a.mul(2).gradFn().name());
    assertEquals("DivBackward", a.div(2).gradFn().name());
    assertEquals("ExpBackward", a.exp().gradFn().name());
    assertEquals("LogBackward", a.log().gradFn().name());
    assertEquals("TanhBackward", a.tanh().gradFn().name());
    assertEquals("SigmoidBackward", a.sigmoid().gradFn().name());
    assertEquals("ReluBackward", a.relu().gradFn().name());
    assertEquals("MatMulBackward", a.matmul(b).gradFn().name());
    assertEquals("SumBackward", a.sum().gradFn().name());
    assertEquals("AmaxBackward", a.amax(new int[] {1}, true).gradFn().name());
    assertEquals("PermuteBackward", a.permute(1, 0).gradFn().name());
    assertEquals("ReshapeBackward", a.reshape(6).gradFn().name());
    assertEquals("ExpandBackward", a.reshape(2, 1, 3).expand(2, 4, 3).gradFn().name());
    assertEquals("CatBackward", Tensor.cat(List.of(a, a), 0).gradFn().name());
    assertEquals(
        "GatherBackward", a.gather(1, Tensor.ofLongs(new long[] {0, 2}, 2, 1)).gradFn().name());
    assertEquals("WhereBackward", Tensor.where(a.gt(0), a, b.t()).gradFn().name());
    assertEquals("<MulBackward>", a.mul(2).gradFn().toString());
    assertTrue(a.mul(2).toString().contains("gradFn=<MulBackward>"), a.mul(2).toString());
  }

  @Test
  void nextFunctionsWalkTheGraph() {
    Tensor x = Tensor.randn(3).requiresGrad(true);
    Tensor c = Tensor.randn(3);
    Tensor y = x.exp().mul(c).sum();
    Function sum = y.gradFn();
    assertEquals("SumBackward", sum.name());
    Function mul = sum.nextFunctions().get(0);
    assertEquals("MulBackward", mul.name());
    List<Function> next = mul.nextFunctions();
    assertEquals(2, next.size());
    assertEquals("ExpBackward", next.get(0).name());
    assertNull(next.get(1), "a constant input has no producer");
    Function exp = next.get(0);
    assertEquals(List.of(x), exp.inputs());
    assertNull(exp.nextFunctions().get(0), "a leaf has no producer");
    y.backward();
    assertTrue(sum.inputs().isEmpty(), "a released node forgets its inputs");
  }

  @Test
  void graphvizExportNamesEveryNode() {
    Tensor w = Tensor.randn(3, 2).requiresGrad(true);
    Tensor b = Tensor.randn(2).requiresGrad(true);
    Tensor x = Tensor.randn(4, 3);
    Tensor loss = x.matmul(w).add(b).relu().sum();
    String dot = Graphviz.toDot(loss);
    assertTrue(dot.startsWith("digraph"), dot);
    assertTrue(dot.trim().endsWith("}"), dot);
    for (String name :
        List.of(
            "MatMulBackward",
            "AddBackward",
            "ReluBackward",
            "SumBackward",
            "leaf [3, 2] float32",
            "leaf [2] float32",
            "output [] float32")) {
      assertTrue(dot.contains(name), name + " missing from\n" + dot);
    }
    // Four ops (matmul's expand of a 2-D operand is a no-op), two leaves, edges between them all.
    assertEquals(4, count(dot, "shape=box"), dot);
    assertEquals(2, count(dot, "shape=ellipse"), dot);
    assertEquals(4 + 2, count(dot, " -> "), dot);
    assertFalse(dot.contains("[4, 3]"), "constants are left out");
  }

  @Test
  void graphvizOfALeafAndOfAConstant() {
    Tensor w = Tensor.randn(2).requiresGrad(true);
    assertTrue(Graphviz.toDot(w).contains("leaf [2] float32"));
    String dot = Graphviz.toDot(Tensor.randn(2));
    assertFalse(dot.contains("leaf"), dot);
    assertTrue(dot.contains("output [2]"), dot);
  }

  private static int count(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
    return n;
  }
}
