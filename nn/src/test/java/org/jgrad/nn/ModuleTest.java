package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgrad.backend.DType;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleTest {
  /** The custom-module example from Module's Javadoc. */
  static final class Mlp extends Module {
    private final Linear fc1, fc2;

    Mlp(int in, int hidden, int out) {
      fc1 = child("fc1", new Linear(in, hidden));
      fc2 = child("fc2", new Linear(hidden, out));
    }

    @Override
    public Tensor forward(Tensor x) {
      return fc2.call(F.relu(fc1.call(x)));
    }
  }

  /** A module with its own parameter, a buffer and nested children, as PyTorch orders them. */
  static final class Net extends Module {
    Net() {
      param("scale", Tensor.ones(3));
      buffer("steps", Tensor.zeros(DType.INT64));
      child("features", new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new ReLU()));
      child("head", new Linear(2, 3));
    }

    @Override
    public Tensor forward(Tensor x) {
      Tensor h = child("features").call(x).mean(new int[] {2, 3}, false);
      return child("head").call(h).mul(parameter("scale"));
    }
  }

  @Test
  void customSubclassRegistersAndRuns() {
    Mlp m = new Mlp(4, 16, 3);
    assertEquals(
        List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
        new ArrayList<>(m.namedParameters().keySet()));
    assertEquals(4 * 16 + 16 + 16 * 3 + 3, m.numParameters());
    Tensor y = m.call(Tensor.randn(8, 4));
    assertArrayEquals(new int[] {8, 3}, y.shape());
    y.sum().backward();
    for (Parameter p : m.parameters()) assertArrayEquals(p.shape(), p.grad().shape());
    m.zeroGrad();
    for (Parameter p : m.parameters()) assertNull(p.grad());
  }

  @Test
  void stateDictFollowsPyTorchOrderAndNames() {
    Net n = new Net();
    assertEquals(
        List.of(
            "scale",
            "steps",
            "features.0.weight",
            "features.0.bias",
            "features.1.weight",
            "features.1.bias",
            "features.1.running_mean",
            "features.1.running_var",
            "features.1.num_batches_tracked",
            "head.weight",
            "head.bias"),
        new ArrayList<>(n.stateDict().keySet()));
    assertEquals(
        List.of(
            "scale",
            "features.0.weight",
            "features.0.bias",
            "features.1.weight",
            "features.1.bias",
            "head.weight",
            "head.bias"),
        new ArrayList<>(n.namedParameters().keySet()));
    assertEquals(
        List.of(
            "steps",
            "features.1.running_mean",
            "features.1.running_var",
            "features.1.num_batches_tracked"),
        new ArrayList<>(n.namedBuffers().keySet()));
    assertEquals(
        List.of("", "features", "features.0", "features.1", "features.2", "head"),
        new ArrayList<>(n.namedModules().keySet()));
    // State entries share storage with the parameters and carry no gradient requirement.
    Tensor w = n.stateDict().get("head.weight");
    assertFalse(w.requiresGrad());
    n.loadStateDict(Map.of("head.weight", Tensor.full(2.5, 3, 2)), false);
    assertEquals(2.5, w.get(1, 1));
  }

  @Test
  void sharedParametersAppearOnceInParametersButUnderBothNamesInState() {
    Linear a = new Linear(3, 3), b = new Linear(3, 3, false);
    b.registerParameter("weight", a.weight());
    Sequential s = new Sequential(a, b);
    assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(s.namedParameters().keySet()));
    assertEquals(
        List.of("0.weight", "0.bias", "1.weight"), new ArrayList<>(s.stateDict().keySet()));
    assertEquals(12, s.numParameters());
  }

  @Test
  void trainEvalPropagatesAndApplyVisitsChildrenFirst() {
    Net n = new Net();
    assertTrue(n.isTraining());
    n.eval();
    for (Module m : n.modules()) assertFalse(m.isTraining());
    n.train();
    for (Module m : n.modules()) assertTrue(m.isTraining());
    List<String> order = new ArrayList<>();
    n.apply(m -> order.add(m.getClass().getSimpleName()));
    assertEquals(List.of("Conv2d", "BatchNorm2d", "ReLU", "Sequential", "Linear", "Net"), order);
  }

  @Test
  void toStringIsAnIndentedTree() {
    Sequential s = new Sequential(new Linear(4, 2), new Sequential(new ReLU(), new Dropout(0.25)));
    assertEquals(
        "Sequential(\n"
            + "  (0): Linear(in_features=4, out_features=2, bias=true)\n"
            + "  (1): Sequential(\n"
            + "    (0): ReLU()\n"
            + "    (1): Dropout(p=0.25)\n"
            + "  )\n"
            + ")",
        s.toString());
    assertEquals(
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)",
        new BatchNorm1d(3).toString());
    assertEquals(
        "MultiheadAttention(\n  embed_dim=4, num_heads=2\n  (out_proj): Linear(in_features=4, out_features=4,"
            + " bias=true)\n)",
        new MultiheadAttention(4, 2).toString());
  }

  @Test
  void strictLoadReportsMissingUnexpectedAndWrongShapesAndChangesNothing() {
    Linear l = new Linear(3, 2);
    Tensor before = l.weight().detach().clone();
    Map<String, Tensor> state = new LinkedHashMap<>();
    state.put("weight", Tensor.zeros(2, 4));
    state.put("extra", Tensor.zeros(1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> l.loadStateDict(state));
    assertTrue(
        e.getMessage().contains("Error(s) in loading state_dict for Linear"), e.getMessage());
    assertTrue(e.getMessage().contains("Missing key(s) in state_dict: \"bias\""), e.getMessage());
    assertTrue(
        e.getMessage().contains("Unexpected key(s) in state_dict: \"extra\""), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "size mismatch for weight: copying a param with shape [2, 4] from checkpoint, the"
                    + " shape in current model is [2, 3]"),
        e.getMessage());
    Check.equal("unchanged after a failed load", before, l.weight());
  }

  @Test
  void nonStrictLoadReturnsTheKeysItSkipped() {
    Linear l = new Linear(3, 2);
    Map<String, Tensor> state = new HashMap<>();
    state.put("weight", Tensor.ones(2, 3));
    state.put("foo.bar", Tensor.zeros(1));
    Module.LoadResult r = l.loadStateDict(state, false);
    assertEquals(List.of("bias"), r.missingKeys());
    assertEquals(List.of("foo.bar"), r.unexpectedKeys());
    Check.equal("loaded", Tensor.ones(2, 3), l.weight());
    // Shape mismatches fail even when not strict.
    state.put("weight", Tensor.ones(3, 2));
    assertThrows(IllegalArgumentException.class, () -> l.loadStateDict(state, false));
    // float values never go into an int64 buffer silently mismatched, but float64 converts to
    // float32.
    l.loadStateDict(
        Map.of("weight", Tensor.ones(2, 3).to(DType.FLOAT64).mul(3), "bias", Tensor.zeros(2)));
    assertEquals(DType.FLOAT32, l.weight().dtype());
    assertEquals(3.0, l.weight().get(0, 0));
  }

  @Test
  void stateDictRoundTripThroughMemoryAndSafetensors(@TempDir Path dir) throws IOException {
    Tensor.manualSeed(1);
    Net a = new Net();
    a.call(Tensor.randn(4, 1, 5, 5)); // moves the batch-norm running statistics
    Tensor.manualSeed(2);
    Net b = new Net();
    b.loadStateDict(a.stateDict());
    Net c = new Net();
    Path f = dir.resolve("net.safetensors");
    a.save(f);
    c.load(f);
    a.eval();
    b.eval();
    c.eval();
    Tensor x = Tensor.randn(2, 1, 5, 5);
    Tensor ya = a.call(x);
    Check.equal("memory round trip", ya, b.call(x));
    Check.equal("file round trip", ya, c.call(x));
    for (Map.Entry<String, Tensor> e : a.stateDict().entrySet()) {
      Tensor other = c.stateDict().get(e.getKey());
      assertEquals(e.getValue().dtype(), other.dtype(), e.getKey());
      Check.equal(e.getKey(), e.getValue(), other);
    }
    assertEquals(1, c.stateDict().get("features.1.num_batches_tracked").item());
    // A file with other keys is refused by a strict load, naming the file.
    Path wrong = dir.resolve("linear.safetensors");
    new Linear(2, 2).save(wrong);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.load(wrong));
    assertTrue(e.getMessage().contains(wrong.toString()), e.getMessage());
  }

  @Test
  void toFloat64ConvertsParametersAndBuffers() {
    Net n = new Net();
    n.to(DType.FLOAT64);
    for (Parameter p : n.parameters()) {
      assertEquals(DType.FLOAT64, p.dtype());
      assertTrue(p.requiresGrad());
    }
    assertEquals(DType.FLOAT64, n.stateDict().get("features.1.running_mean").dtype());
    assertEquals(DType.INT64, n.stateDict().get("features.1.num_batches_tracked").dtype());
    Tensor y = n.call(Tensor.randn(2, 1, 5, 5).to(DType.FLOAT64));
    assertEquals(DType.FLOAT64, y.dtype());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> n.call(Tensor.randn(2, 1, 5, 5)));
    assertTrue(
        e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
  }

  @Test
  void summaryCountsFrozenParametersAsNonTrainable() {
    Sequential s = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    ((Linear) s.get(0)).weight().requiresGrad(false);
    String t = s.summary(5, 4);
    assertTrue(t.contains("Total params: 23"), t);
    assertTrue(t.contains("Trainable params: 11"), t);
    assertTrue(t.contains("Non-trainable params: 12"), t);
    assertTrue(t.contains("[5, 2]"), t);
    assertTrue(s.isTraining(), "summary restores the training flag");
    String emb =
        new Sequential(new Embedding(10, 4), new Flatten())
            .summary(Tensor.ofLongs(new long[] {1, 2, 3}, 1, 3));
    assertTrue(
        emb.contains("[1, 3, 4]") && emb.contains("[1, 12]") && emb.contains("Total params: 40"),
        emb);
  }

  @Test
  void forwardHooksSeeOutputsAndCanBeRemoved() {
    Linear l = new Linear(2, 2);
    List<int[]> seen = new ArrayList<>();
    Module.HookHandle h = l.registerForwardHook((m, out) -> seen.add(out.shape()));
    l.call(Tensor.randn(3, 2));
    h.close();
    l.call(Tensor.randn(3, 2));
    assertEquals(1, seen.size());
    assertArrayEquals(new int[] {3, 2}, seen.get(0));
  }

  @Test
  void containers() {
    Sequential s = new Sequential().add("in", new Linear(2, 3)).add(new ReLU());
    assertEquals(List.of("in", "1"), new ArrayList<>(s.namedChildren().keySet()));
    assertSame(s.get(-1), s.get(1));
    assertThrows(IllegalArgumentException.class, () -> s.get(2));
    assertThrows(IllegalArgumentException.class, () -> s.add("in", new ReLU()));

    ModuleList list = new ModuleList(new Linear(2, 2), new Linear(2, 2));
    assertEquals(2, list.size());
    assertEquals(
        List.of("0.weight", "0.bias", "1.weight", "1.bias"),
        new ArrayList<>(list.namedParameters().keySet()));
    Tensor x = Tensor.randn(1, 2);
    for (Module m : list) x = m.call(x);
    assertThrows(UnsupportedOperationException.class, () -> list.forward(Tensor.zeros(1)));

    ModuleDict dict = new ModuleDict().put("a", new Linear(2, 1)).put("b", new Identity());
    assertTrue(dict.containsKey("a"));
    assertEquals(List.of("a.weight", "a.bias"), new ArrayList<>(dict.namedParameters().keySet()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dict.get("c"));
    assertTrue(e.getMessage().contains("[a, b]"));

    Tensor t = Tensor.randn(2, 2);
    assertSame(t, new Identity().call(t));
  }

  @Test
  void registrationRejectsBadNames() {
    Module m = new Identity();
    assertThrows(
        IllegalArgumentException.class,
        () -> m.registerParameter("a.b", new Parameter(Tensor.zeros(1))));
    assertThrows(
        IllegalArgumentException.class,
        () -> m.registerParameter("", new Parameter(Tensor.zeros(1))));
    assertThrows(
        IllegalArgumentException.class, () -> new Parameter(Tensor.ofLongs(new long[] {1})));
  }

  @Test
  void parameterSharesStorageAndRequiresGrad() {
    Tensor data = Tensor.zeros(2, 2);
    Parameter p = new Parameter(data);
    assertTrue(p.requiresGrad());
    assertTrue(p.isLeaf());
    assertFalse(new Parameter(data, false).requiresGrad());
    try (var ng = org.jgrad.autograd.GradMode.noGrad()) {
      p.fill(4);
    }
    assertEquals(4.0, data.get(1, 0));
    assertTrue(p.toString().startsWith("Parameter containing:"));
    assertNotSame(p, data);
  }

  @Test
  void lossModulesNeedATarget() {
    UnsupportedOperationException e =
        assertThrows(
            UnsupportedOperationException.class, () -> new MSELoss().call(Tensor.zeros(2)));
    assertTrue(e.getMessage().contains("forward(input, target)"));
    assertThrows(IllegalArgumentException.class, () -> new MSELoss(Reduction.BATCHMEAN));
  }
}
