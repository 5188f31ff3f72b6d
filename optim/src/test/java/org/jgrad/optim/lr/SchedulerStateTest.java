package org.jgrad.optim.lr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.OptimizerStateDict;
import org.jgrad.optim.ParamGroup;
import org.jgrad.optim.SGD;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Scheduler state dicts resume a schedule exactly; constructors reject bad settings. */
class SchedulerStateTest {

  static Optimizer sgd() {
    return new SGD(
        List.of(
            ParamGroup.of(Tensor.zeros(2).requiresGrad(true)),
            ParamGroup.of(Tensor.zeros(3).requiresGrad(true)).set("lr", 0.05)),
        SGD.options(0.1).momentum(0.9));
  }

  static Stream<Arguments> schedules() {
    List<Function<Optimizer, LRScheduler>> makers =
        List.of(
            o -> new StepLR(o, 4, 0.5),
            o -> new MultiStepLR(o, new int[] {3, 9, 9}, 0.3),
            o -> new ExponentialLR(o, 0.9),
            o -> new ConstantLR(o, 0.5, 7),
            o -> new LinearLR(o, 0.2, 1.0, 12),
            o -> new CosineAnnealingLR(o, 9, 0.001),
            o -> new CosineAnnealingWarmRestarts(o, 3, 2, 0.001),
            o -> new OneCycleLR(o, OneCycleLR.options(0.5).totalSteps(40)),
            o -> new LambdaLR(o, e -> 1.0 / (1 + e)),
            o ->
                new SequentialLR(
                    o,
                    List.of(new LinearLR(o, 0.1, 1.0, 5), new CosineAnnealingLR(o, 20)),
                    new int[] {5}),
            o ->
                new ChainedScheduler(
                    List.of(new ConstantLR(o, 0.5, 6), new ExponentialLR(o, 0.9))));
    List<Arguments> out = new ArrayList<>();
    for (var m : makers) out.add(Arguments.of(m.apply(sgd()).getClass().getSimpleName(), m));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schedules")
  void resumingFromStateDictsContinuesTheSchedule(
      String name, Function<Optimizer, LRScheduler> make) {
    Optimizer straightOpt = sgd();
    LRScheduler straight = make.apply(straightOpt);
    List<double[]> want = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      straight.step();
      want.add(straight.getLastLr());
    }

    Optimizer firstOpt = sgd();
    LRScheduler first = make.apply(firstOpt);
    for (int i = 0; i < 12; i++) first.step();
    OptimizerStateDict optState = firstOpt.stateDict();
    Map<String, Object> schedState = first.stateDict();

    // PyTorch's order: build both, then load the optimizer's and the scheduler's state
    Optimizer resumedOpt = sgd();
    LRScheduler resumed = make.apply(resumedOpt);
    resumedOpt.loadStateDict(optState);
    resumed.loadStateDict(schedState);
    for (int i = 12; i < 30; i++) {
      resumed.step();
      assertArrayEquals(want.get(i), resumed.getLastLr(), name + " after " + (i + 1) + " steps");
      assertArrayEquals(
          want.get(i), resumedOpt.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray());
    }
  }

  @Test
  void plateauStateDictResumes() {
    double[] metrics = {
      1, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.81, 0.82, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7
    };
    Optimizer a = sgd();
    var pa =
        new ReduceLROnPlateau(a, ReduceLROnPlateau.options().patience(1).factor(0.5).cooldown(1));
    for (double m : metrics) pa.step(m);

    Optimizer b = sgd();
    var pb =
        new ReduceLROnPlateau(b, ReduceLROnPlateau.options().patience(1).factor(0.5).cooldown(1));
    for (int i = 0; i < 7; i++) pb.step(metrics[i]);
    Optimizer c = sgd();
    var pc =
        new ReduceLROnPlateau(c, ReduceLROnPlateau.options().patience(1).factor(0.5).cooldown(1));
    c.loadStateDict(b.stateDict());
    pc.loadStateDict(pb.stateDict());
    for (int i = 7; i < metrics.length; i++) pc.step(metrics[i]);
    assertArrayEquals(pa.getLastLr(), pc.getLastLr());
    assertEquals(pa.best(), pc.best());
    assertTrue(pa.getLastLr()[0] < 0.1, "the plateaus cut the rate");
  }

  @Test
  void badSettingsAreRejected() {
    Optimizer o = sgd();
    assertThrows(IllegalArgumentException.class, () -> new StepLR(o, 0, 0.1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new LinearLR(o, 0.0, 1.0, 5));
    assertTrue(
        e.getMessage().startsWith("Starting multiplicative factor expected"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LinearLR(o, 0.5, 1.5, 5));
    assertThrows(IllegalArgumentException.class, () -> new ConstantLR(o, 1.5, 5));
    assertEquals(
        "Expected positive integer T_0, but got 0",
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingWarmRestarts(o, 0))
            .getMessage());
    assertEquals(
        "Expected integer T_mult >= 1, but got 0",
        assertThrows(
                IllegalArgumentException.class, () -> new CosineAnnealingWarmRestarts(o, 5, 0, 0))
            .getMessage());
    assertEquals(
        "You must define either total_steps OR (epochs AND steps_per_epoch)",
        assertThrows(
                IllegalArgumentException.class, () -> new OneCycleLR(o, OneCycleLR.options(0.1)))
            .getMessage());
    assertEquals(
        "Expected float between 0 and 1 pct_start, but got 1.5",
        assertThrows(
                IllegalArgumentException.class,
                () -> new OneCycleLR(o, OneCycleLR.options(0.1).totalSteps(10).pctStart(1.5)))
            .getMessage());
    assertEquals(
        "expected 2 values for max_lr, got 3",
        assertThrows(
                IllegalArgumentException.class,
                () -> new OneCycleLR(o, OneCycleLR.options(0.1, 0.2, 0.3).totalSteps(10)))
            .getMessage());
    assertEquals(
        "Factor should be < 1.0.",
        assertThrows(
                IllegalArgumentException.class,
                () -> new ReduceLROnPlateau(o, ReduceLROnPlateau.options().factor(1.0)))
            .getMessage());
    IllegalArgumentException resume =
        assertThrows(
            IllegalArgumentException.class,
            () -> new StepLR(new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1), 3, 0.1, 5));
    assertTrue(resume.getMessage().contains("initialLr"), resume.getMessage());
    Optimizer other = sgd();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new SequentialLR(
                o, List.of(new StepLR(o, 2, 0.1), new StepLR(other, 2, 0.1)), new int[] {3}));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new SequentialLR(
                o, List.of(new StepLR(o, 2, 0.1), new StepLR(o, 2, 0.1)), new int[] {3, 4}));
  }

  @Test
  void oneCycleRefusesToStepPastItsEnd() {
    Optimizer o = sgd();
    var s = new OneCycleLR(o, OneCycleLR.options(0.1).epochs(2, 3));
    assertEquals(6, s.totalSteps());
    for (int i = 0; i < 6; i++) s.step();
    IllegalStateException e = assertThrows(IllegalStateException.class, s::step);
    assertEquals("Tried to step 8 times. The specified number of total steps is 6", e.getMessage());
  }
}
