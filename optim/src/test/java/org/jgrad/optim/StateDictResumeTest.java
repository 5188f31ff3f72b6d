package org.jgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.DType;
import org.jgrad.json.Json;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.TorchCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** 10 steps, save, load into a fresh optimizer, 10 more steps == 20 straight steps, bit for bit. */
class StateDictResumeTest {

  static Stream<Arguments> configs() {
    List<Arguments> out = new ArrayList<>();
    Object[][] cfgs = {
      {"SGD", Map.of("lr", 0.2, "momentum", 0.9, "nesterov", true)},
      {"Adam", Map.of("lr", 0.02, "amsgrad", true)},
      {"AdamW", Map.of("lr", 0.02, "weightDecay", 0.05)},
      {"Adadelta", Map.of("lr", 1.0)},
      {"Adagrad", Map.of("lr", 0.1, "lrDecay", 0.01)},
      {"RMSprop", Map.of("lr", 0.01, "centered", true, "momentum", 0.5)},
      {"Adamax", Map.of("lr", 0.02)},
      {"NAdam", Map.of("lr", 0.02)},
      {"LBFGS", Map.of("lr", 1.0, "maxIter", 3, "historySize", 4, "lineSearchFn", "strong_wolfe")},
      {"LBFGS", Map.of("lr", 0.3, "maxIter", 2, "historySize", 3)},
    };
    for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
      for (Object[] c : cfgs) out.add(Arguments.of(c[0], c[1], dt));
    }
    return out.stream();
  }

  private static Map<String, Object> problems() {
    return Json.map(Json.map(TorchCases.json("/torch/optimizers.json")).get("problems"));
  }

  private static Optimizer.Closure closure(
      Optimizer opt, Problems problem, Map<String, Tensor> params) {
    return () -> {
      opt.zeroGrad();
      Tensor loss = problem.loss(params);
      loss.backward();
      return loss;
    };
  }

  private static Map<String, Tensor> copyOf(Map<String, Tensor> params) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (var ng = GradMode.noGrad()) {
      params.forEach((k, v) -> out.put(k, v.detach().clone().requiresGrad(true)));
    }
    return out;
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("configs")
  void resumingFromAStateDictMatchesStraightTraining(
      String name, Map<String, Object> opts, DType dtype) {
    Problems problem = new Problems(problems(), "mlp", dtype);

    Map<String, Tensor> straight = problem.params();
    Optimizer a = OptimizerFactory.build(name, List.of(ParamGroup.of(straight.values())), opts);
    for (int i = 0; i < 20; i++) a.step(closure(a, problem, straight));

    Map<String, Tensor> first = problem.params();
    Optimizer b = OptimizerFactory.build(name, List.of(ParamGroup.of(first.values())), opts);
    for (int i = 0; i < 10; i++) b.step(closure(b, problem, first));
    OptimizerStateDict saved = b.stateDict();
    Map<String, Tensor> resumedParams = copyOf(first);
    // keep stepping the original: the snapshot must not change with it
    for (int i = 0; i < 3; i++) b.step(closure(b, problem, first));

    // a different lr in the new optimizer's options: the loaded group options must win
    Map<String, Object> other = new LinkedHashMap<>(opts);
    other.put("lr", 123.0);
    Optimizer c =
        OptimizerFactory.build(name, List.of(ParamGroup.of(resumedParams.values())), other);
    c.loadStateDict(saved);
    assertEquals(((Number) opts.get("lr")).doubleValue(), c.paramGroups().get(0).lr());
    for (int i = 0; i < 10; i++) c.step(closure(c, problem, resumedParams));

    assertArrayEquals(
        Problems.flat(straight),
        Problems.flat(resumedParams),
        name + " " + dtype + ": resumed training differs from straight training");
  }

  @Test
  void loadingAMismatchedDictFails() {
    Tensor p = Tensor.of(new double[] {1, 2}).requiresGrad(true),
        q = Tensor.of(new double[] {3}).requiresGrad(true);
    SGD one = new SGD(List.of(p), 0.1);
    SGD two = new SGD(List.of(ParamGroup.of(p), ParamGroup.of(q)), SGD.options(0.1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> one.loadStateDict(two.stateDict()));
    assertEquals(
        "SGD.loadStateDict: loaded state dict has 2 parameter groups, the optimizer has 1",
        e.getMessage());
    SGD pair = new SGD(List.of(p, q), 0.1);
    assertThrows(IllegalArgumentException.class, () -> one.loadStateDict(pair.stateDict()));
  }

  @Test
  void stateDictLooksLikePyTorchs() {
    Tensor p = Tensor.of(new double[] {1, 2}).requiresGrad(true),
        q = Tensor.of(new double[] {3}).requiresGrad(true);
    Adam opt = new Adam(List.of(ParamGroup.of(p), ParamGroup.of(q).set("lr", 0.5)), Adam.options());
    p.setGrad(Tensor.of(new double[] {1, 1}));
    opt.step();
    OptimizerStateDict sd = opt.stateDict();
    assertEquals(List.of(0), sd.paramGroups().get(0).get("params"));
    assertEquals(List.of(1), sd.paramGroups().get(1).get("params"));
    assertEquals(0.5, sd.paramGroups().get(1).get("lr"));
    assertEquals(java.util.Set.of(0), sd.state().keySet(), "q had no gradient, so no state");
    assertEquals(1L, sd.state().get(0).get("step"));
  }
}
