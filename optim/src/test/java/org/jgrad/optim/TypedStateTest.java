package org.jgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgrad.optim.lr.StepLR;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The typed configs and states, and their mapping to and from PyTorch-shaped state dicts. */
class TypedStateTest {

  private static Tensor param(double... v) {
    return Tensor.of(v).requiresGrad(true);
  }

  @Test
  void groupsHoldTheTypedConfigOfTheirOptimizer() {
    Tensor a = param(1), b = param(2);
    Adam opt =
        new Adam(
            List.of(ParamGroup.of(a), ParamGroup.of(b).set("betas", new double[] {0.5, 0.6})),
            Adam.options().lr(0.01).amsgrad(true));
    Adam.Config c0 = opt.paramGroups().get(0).config(Adam.Config.class);
    assertEquals(new Adam.Config(0.01, 0.9, 0.999, 1e-8, 0, true, false), c0);
    Adam.Config c1 = opt.paramGroups().get(1).config(Adam.Config.class);
    assertEquals(0.5, c1.beta1());
    assertEquals(0.6, c1.beta2());
    assertEquals(opt.defaultConfig(), c0);
    // the map view keeps PyTorch's shape: betas as a pair
    assertArrayEquals(new double[] {0.5, 0.6}, opt.paramGroups().get(1).getDoubles("betas"));
    IllegalStateException wrong =
        assertThrows(
            IllegalStateException.class, () -> opt.paramGroups().get(0).config(SGD.Config.class));
    assertTrue(wrong.getMessage().contains("Adam$Config"), wrong.getMessage());
  }

  @Test
  void configsValidateInTheirConstructorsAndLrIsCheckedWhenAGroupJoins() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new SGD.Config(0.1, 0.9, 0.1, 0, true, false));
    assertEquals("Nesterov momentum requires a momentum and zero dampening", e.getMessage());
    assertEquals(
        "Invalid rho value: 1.5",
        assertThrows(
                IllegalArgumentException.class, () -> new Adadelta.Config(1, 1.5, 1e-6, 0, false))
            .getMessage());
    // withLr does not check (a scheduler may land a rounding error below zero, as in PyTorch) ...
    SGD.Config drifted = new SGD.Config(0.1, 0, 0, 0, false, false).withLr(-1e-17);
    assertEquals(-1e-17, drifted.lr());
    // ... but a group with a negative rate is refused when it joins an optimizer
    assertEquals(
        "Invalid learning rate: -1e-17",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new SGD(List.of(new ParamGroup(List.of(param(1)), drifted)), SGD.options(0.1)))
            .getMessage());
    // set(...) on a live group revalidates through the record
    SGD opt = new SGD(List.of(param(1)), SGD.options(0.1).momentum(0.9));
    assertEquals(
        "Invalid momentum value: -1.0",
        assertThrows(
                IllegalArgumentException.class,
                () -> opt.paramGroups().get(0).set("momentum", -1.0))
            .getMessage());
    assertEquals(0.9, opt.paramGroups().get(0).config(SGD.Config.class).momentum());
  }

  @Test
  void schedulersSetTheRateThroughTheTypedConfig() {
    SGD opt = new SGD(List.of(param(1)), SGD.options(0.1).momentum(0.9));
    StepLR sched = new StepLR(opt, 1, 0.5);
    sched.step();
    SGD.Config c = opt.paramGroups().get(0).config(SGD.Config.class);
    assertEquals(0.05, c.lr());
    assertEquals(0.9, c.momentum(), "the other values are kept");
    assertEquals(0.1, opt.paramGroups().get(0).schedulerValue("initialLr"));
  }

  @Test
  void stateIsATypedRecord() {
    Tensor a = param(1, 2);
    Adam opt = new Adam(List.of(a), 0.1);
    a.setGrad(Tensor.of(new double[] {1, -1}));
    opt.step();
    opt.step();
    Adam.State s = (Adam.State) opt.typedStateOf(a);
    assertEquals(2, s.step());
    assertNull(s.maxExpAvgSq(), "no AMSGrad, no maximum");
    assertArrayEquals(new double[] {0.19, -0.19}, s.expAvg().toDoubleArray(), 1e-15);
    // the map view has PyTorch's keys and leaves the absent maximum out
    assertEquals(List.of("step", "expAvg", "expAvgSq"), List.copyOf(opt.stateOf(a).keySet()));
  }

  @Test
  void aPyTorchShapedDictLoadsIntoTypedState() {
    Tensor a = param(1, 2);
    SGD opt = new SGD(List.of(a), SGD.options(0.1).momentum(0.9));
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("lr", 0.05);
    group.put("momentum", 0.5);
    group.put("dampening", 0.0);
    group.put("weightDecay", 0.0);
    group.put("nesterov", false);
    group.put("maximize", false);
    group.put("params", List.of(0));
    Tensor buf = Tensor.of(new float[] {1, 1});
    opt.loadStateDict(
        new OptimizerStateDict(Map.of(0, Map.of("momentumBuffer", buf)), List.of(group)));
    SGD.State s = (SGD.State) opt.typedStateOf(a);
    assertEquals(a.dtype(), s.momentumBuffer().dtype(), "state tensors take the parameter's dtype");
    assertEquals(0.5, opt.paramGroups().get(0).config(SGD.Config.class).momentum());
    a.setGrad(Tensor.of(new double[] {2, 4}));
    opt.step();
    // buf = 0.5·1 + 2 = 2.5, 0.5·1 + 4 = 4.5; a -= 0.05·buf
    assertArrayEquals(new double[] {1 - 0.125, 2 - 0.225}, a.toDoubleArray(), 1e-15);

    // a PyTorch-style counter tensor is read as the typed step
    Tensor b = param(3);
    Adam adam = new Adam(List.of(b), 0.1);
    Map<String, Object> ag = new LinkedHashMap<>(adam.stateDict().paramGroups().get(0));
    Map<String, Object> st =
        Map.of(
            "step",
            Tensor.of(new double[] {4}),
            "expAvg",
            Tensor.of(new double[] {0}),
            "expAvgSq",
            Tensor.of(new double[] {0}));
    adam.loadStateDict(new OptimizerStateDict(Map.of(0, st), List.of(ag)));
    assertEquals(4, ((Adam.State) adam.typedStateOf(b)).step());
  }

  @Test
  void malformedDictsAreRefusedAndLeaveTheOptimizerAlone() {
    Tensor a = param(1);
    Adam opt = new Adam(List.of(a), 0.1);
    a.setGrad(Tensor.of(new double[] {1}));
    opt.step();
    Adam.State before = (Adam.State) opt.typedStateOf(a);
    OptimizerStateDict good = opt.stateDict();

    Map<String, Object> unknown = new LinkedHashMap<>(good.state().get(0));
    unknown.put("expAvgg", Tensor.of(new double[] {0}));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                opt.loadStateDict(new OptimizerStateDict(Map.of(0, unknown), good.paramGroups())));
    assertTrue(
        e.getMessage().contains("Adam.loadStateDict: state of parameter 0: unknown key 'expAvgg'"),
        e.getMessage());

    Map<String, Object> noStep = new LinkedHashMap<>(good.state().get(0));
    noStep.remove("step");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> opt.loadStateDict(new OptimizerStateDict(Map.of(0, noStep), good.paramGroups())));
    assertTrue(e.getMessage().endsWith("missing 'step'"), e.getMessage());

    Map<String, Object> badBetas = new LinkedHashMap<>(good.paramGroups().get(0));
    badBetas.put("betas", new double[] {0.9});
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> opt.loadStateDict(new OptimizerStateDict(good.state(), List.of(badBetas))));
    assertEquals("Invalid betas: expected 2 values, got [0.9]", e.getMessage());

    assertSame(before, opt.typedStateOf(a), "a refused dict changes nothing");
  }
}
