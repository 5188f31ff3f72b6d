package org.jgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Constructor validation with PyTorch's messages, parameter groups, zeroGrad and skipping params
 * without grads.
 */
class OptimizerApiTest {

  private static List<Tensor> params() {
    return List.of(Tensor.of(new double[] {1, 2}).requiresGrad(true));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    assertEquals(expected, ex.getMessage());
  }

  @Test
  void invalidHyperParametersAreRejectedWithPyTorchMessages() {
    assertMessage("Invalid learning rate: -1.0", () -> new SGD(params(), -1));
    assertMessage(
        "Invalid momentum value: -0.5", () -> new SGD(params(), SGD.options(0.1).momentum(-0.5)));
    assertMessage(
        "Invalid weight_decay value: -0.1",
        () -> new SGD(params(), SGD.options(0.1).weightDecay(-0.1)));
    assertMessage(
        "Nesterov momentum requires a momentum and zero dampening",
        () -> new SGD(params(), SGD.options(0.1).nesterov(true)));
    assertMessage(
        "Nesterov momentum requires a momentum and zero dampening",
        () -> new SGD(params(), SGD.options(0.1).momentum(0.9).dampening(0.1).nesterov(true)));
    assertMessage("Invalid learning rate: -0.001", () -> new Adam(params(), -1e-3));
    assertMessage(
        "Invalid epsilon value: -1e-08", () -> new Adam(params(), Adam.options().eps(-1e-8)));
    assertMessage(
        "Invalid beta parameter at index 0: 1.0",
        () -> new Adam(params(), Adam.options().betas(1.0, 0.999)));
    assertMessage(
        "Invalid beta parameter at index 1: -0.1",
        () -> new AdamW(params(), AdamW.options().betas(0.9, -0.1)));
    assertMessage(
        "Invalid weight_decay value: -0.01",
        () -> new AdamW(params(), AdamW.options().weightDecay(-0.01)));
    assertMessage(
        "Invalid rho value: 1.5", () -> new Adadelta(params(), Adadelta.options().rho(1.5)));
    assertMessage(
        "Invalid lr_decay value: -1.0", () -> new Adagrad(params(), Adagrad.options().lrDecay(-1)));
    assertMessage(
        "Invalid initial_accumulator_value value: -0.1",
        () -> new Adagrad(params(), Adagrad.options().initialAccumulatorValue(-0.1)));
    assertMessage(
        "Invalid alpha value: -0.1", () -> new RMSprop(params(), RMSprop.options().alpha(-0.1)));
    assertMessage(
        "Invalid momentum value: -1.0",
        () -> new RMSprop(params(), RMSprop.options().momentum(-1)));
    assertMessage(
        "Invalid beta parameter at index 0: 1.5",
        () -> new Adamax(params(), Adamax.options().betas(1.5, 0.9)));
    assertMessage(
        "Invalid momentum_decay value: -0.004",
        () -> new NAdam(params(), NAdam.options().momentumDecay(-4e-3)));
    assertMessage("Invalid learning rate: -1.0", () -> new LBFGS(params(), LBFGS.options().lr(-1)));
    assertMessage(
        "only 'strong_wolfe' is supported, got lineSearchFn 'backtracking'",
        () -> new LBFGS(params(), LBFGS.options().lineSearchFn("backtracking")));
  }

  @Test
  void pythonStyleNumbersInMessages() {
    assertEquals("1e-08", Optimizer.num(1e-8));
    assertEquals("0.0001", Optimizer.num(1e-4));
    assertEquals("-5e-05", Optimizer.num(-5e-5));
    assertEquals("1e+16", Optimizer.num(1e16));
    assertEquals("123.0", Optimizer.num(123));
    assertEquals("0.1", Optimizer.num(0.1));
    assertEquals("1.5e+20", Optimizer.num(1.5e20));
    assertEquals("nan", Optimizer.num(Double.NaN));
  }

  @Test
  void badParameterListsAreRejected() {
    assertMessage(
        "SGD: optimizer got an empty parameter list (group 0)",
        () -> new SGD(List.<Tensor>of(), 0.1));
    Tensor p = Tensor.of(new double[] {1}).requiresGrad(true);
    IllegalArgumentException dup =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SGD(List.of(ParamGroup.of(p), ParamGroup.of(p)), SGD.options(0.1)));
    assertTrue(dup.getMessage().contains("more than once"), dup.getMessage());
    Tensor nonLeaf = p.mul(2);
    IllegalArgumentException leaf =
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(nonLeaf)));
    assertTrue(leaf.getMessage().contains("can't optimize a non-leaf Tensor"), leaf.getMessage());
    Tensor ints = Tensor.ofLongs(new long[] {1, 2});
    IllegalArgumentException ii =
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(ints)));
    assertTrue(ii.getMessage().contains("int64"), ii.getMessage());
  }

  @Test
  void groupOptionsAreValidatedAndUnknownKeysRejected() {
    Tensor a = Tensor.of(new double[] {1}).requiresGrad(true),
        b = Tensor.of(new double[] {2}).requiresGrad(true);
    assertMessage(
        "Invalid learning rate: -0.5",
        () ->
            new SGD(List.of(ParamGroup.of(a), ParamGroup.of(b).set("lr", -0.5)), SGD.options(0.1)));
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SGD(List.of(ParamGroup.of(a).set("moment", 0.9)), SGD.options(0.1)));
    assertTrue(unknown.getMessage().contains("unknown option 'moment'"), unknown.getMessage());
    assertTrue(
        unknown.getMessage().contains("momentum"),
        "lists the known options: " + unknown.getMessage());
  }

  @Test
  void groupsInheritDefaultsAndKeepOverrides() {
    Tensor a = Tensor.of(new double[] {1}).requiresGrad(true),
        b = Tensor.of(new double[] {2}).requiresGrad(true);
    SGD opt =
        new SGD(
            List.of(ParamGroup.of(a), ParamGroup.of(b).set("lr", 0.5)),
            SGD.options(0.1).momentum(0.9));
    assertEquals(0.1, opt.paramGroups().get(0).lr());
    assertEquals(0.5, opt.paramGroups().get(1).lr());
    assertEquals(0.9, opt.paramGroups().get(1).getDouble("momentum"));
    Tensor c = Tensor.of(new double[] {3}).requiresGrad(true);
    opt.addParamGroup(ParamGroup.of(c).set("momentum", 0.0));
    assertEquals(3, opt.paramGroups().size());
    assertEquals(0.1, opt.paramGroups().get(2).lr());
    assertEquals(List.of(a, b, c), opt.params());
    assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(ParamGroup.of(a)));
    // one SGD step, per-group lr: a -= 0.1·1, b -= 0.5·1, c -= 0.1·1
    for (Tensor t : opt.params()) t.setGrad(Tensor.of(new double[] {1}));
    opt.step();
    assertEquals(0.9, a.item(), 1e-15);
    assertEquals(1.5, b.item(), 1e-15);
    assertEquals(2.9, c.item(), 1e-15);
  }

  @Test
  void lbfgsRefusesGroupsAndStepsWithoutClosure() {
    Tensor a = Tensor.of(new double[] {1}).requiresGrad(true),
        b = Tensor.of(new double[] {2}).requiresGrad(true);
    assertMessage(
        "LBFGS doesn't support per-parameter options (parameter groups)",
        () -> new LBFGS(List.of(ParamGroup.of(a), ParamGroup.of(b)), LBFGS.options()));
    LBFGS opt = new LBFGS(List.of(a));
    assertMessage("LBFGS.step: a closure that re-evaluates the loss is required", opt::step);
    assertMessage(
        "LBFGS doesn't support per-parameter options (parameter groups)",
        () -> opt.addParamGroup(ParamGroup.of(b)));
  }

  @Test
  void paramsWithoutGradAreSkippedAndGetNoState() {
    Tensor a = Tensor.of(new double[] {1, 2}).requiresGrad(true),
        b = Tensor.of(new double[] {3}).requiresGrad(true);
    Adam opt = new Adam(List.of(a, b), 0.1);
    a.setGrad(Tensor.of(new double[] {1, -1}));
    opt.step();
    assertArrayEquals(new double[] {3}, b.toDoubleArray());
    assertTrue(opt.stateOf(b).isEmpty());
    assertEquals(1L, opt.stateOf(a).get("step"));
    // Adam's first step moves every coordinate by lr in the sign of the gradient
    assertArrayEquals(new double[] {0.9, 2.1}, a.toDoubleArray(), 1e-7);
  }

  @Test
  void zeroGradClearsOrZeroesGradients() {
    Tensor a = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    SGD opt = new SGD(List.of(a), 0.1);
    a.mul(a).sum().backward();
    Tensor g = a.grad();
    assertNotNull(g);
    opt.zeroGrad(false);
    assertTrue(a.grad() == g, "zeroGrad(false) keeps the tensor");
    assertArrayEquals(new double[] {0, 0}, g.toDoubleArray());
    opt.zeroGrad();
    assertNull(a.grad());
  }

  @Test
  void closureRunsWithGradEnabledEvenInsideNoGrad() {
    Tensor a = Tensor.of(new double[] {3}).requiresGrad(true);
    SGD opt = new SGD(List.of(a), 0.25);
    Tensor loss;
    try (var off = GradMode.noGrad()) {
      loss =
          opt.step(
              () -> {
                opt.zeroGrad();
                Tensor l = a.mul(a).sum();
                l.backward();
                return l;
              });
      assertTrue(!GradMode.isEnabled(), "the caller's grad mode is restored");
    }
    assertEquals(9, loss.item());
    assertEquals(3 - 0.25 * 6, a.item(), 1e-15);
  }

  @Test
  void stepWithoutGradModeChangeLeavesNoGraph() {
    Tensor a = Tensor.of(new double[] {1, 2}).requiresGrad(true);
    SGD opt = new SGD(List.of(a), SGD.options(0.1).momentum(0.9));
    a.mul(a).sum().backward();
    opt.step();
    assertTrue(a.isLeaf());
    Map<String, Object> st = opt.stateOf(a);
    Tensor buf = (Tensor) st.get("momentumBuffer");
    assertTrue(!buf.requiresGrad());
    assertArrayEquals(new double[] {2, 4}, buf.toDoubleArray());
  }
}
