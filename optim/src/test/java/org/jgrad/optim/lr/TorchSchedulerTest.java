package org.jgrad.optim.lr;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jgrad.json.Json;
import org.jgrad.optim.Adam;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.ParamGroup;
import org.jgrad.optim.SGD;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.TorchCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Learning-rate (and momentum) sequences against torch.optim.lr_scheduler 1.13, recorded by
 * tools/torch_optim_reference.py: the rates after construction and after each step.
 *
 * <p>The schedules are scalar double arithmetic written in the same order as PyTorch's; on this
 * machine every rate is bit-identical (the test also passes with a tolerance of 0). The 1e-12
 * relative bar only leaves room for a JVM whose {@code Math.cos}/{@code Math.pow} round differently
 * from glibc in the last place.
 */
class TorchSchedulerTest {
  static final double RTOL = 1e-12;

  static Optimizer optimizer(Map<String, Object> run) {
    double[] base = Json.doubles(run.get("baseLrs"));
    List<ParamGroup> groups = new ArrayList<>();
    for (double lr : base)
      groups.add(ParamGroup.of(Tensor.zeros(2).requiresGrad(true)).set("lr", lr));
    Map<String, Object> o = Json.map(run.get("optimizerOptions"));
    if ("Adam".equals(run.get("optimizer"))) return new Adam(groups, Adam.options());
    var sgd = SGD.options(0.1);
    if (o.containsKey("momentum")) sgd.momentum(((Number) o.get("momentum")).doubleValue());
    return new SGD(groups, sgd);
  }

  static double[] momentums(Optimizer opt) {
    double[] out = new double[opt.paramGroups().size()];
    for (int i = 0; i < out.length; i++) {
      ParamGroup g = opt.paramGroups().get(i);
      out[i] = g.has("betas") ? g.getDoubles("betas")[0] : g.getDouble("momentum");
    }
    return out;
  }

  static double[] lrs(Optimizer opt) {
    return opt.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray();
  }

  @TestFactory
  Stream<DynamicTest> schedules() {
    Map<String, Object> ref = Json.map(TorchCases.json("/torch/schedulers.json"));
    return Json.list(ref.get("runs")).stream()
        .map(Json::map)
        .map(
            run ->
                DynamicTest.dynamicTest(
                    Json.map(run.get("scheduler")).get("type")
                        + " "
                        + Json.map(run.get("scheduler")).get("args")
                        + (run.containsKey("epochs") ? " fractional epochs" : ""),
                    () -> replay(run)));
  }

  static void replay(Map<String, Object> run) {
    Optimizer opt = optimizer(run);
    Object sched = SchedulerFactory.build(opt, Json.map(run.get("scheduler")));
    List<Object> wantLrs = Json.list(run.get("lrs"));
    List<Object> wantMom = run.containsKey("momentums") ? Json.list(run.get("momentums")) : null;
    double[] metrics = run.containsKey("metrics") ? Json.doubles(run.get("metrics")) : null;
    double[] epochs = run.containsKey("epochs") ? Json.doubles(run.get("epochs")) : null;
    int steps = ((Number) run.get("steps")).intValue();
    for (int k = 0; k <= steps; k++) {
      if (k > 0) {
        if (metrics != null) {
          ((ReduceLROnPlateau) sched).step(metrics[k - 1]);
        } else if (epochs != null) {
          ((CosineAnnealingWarmRestarts) sched).step(epochs[k - 1]);
        } else {
          ((LRScheduler) sched).step();
        }
      }
      compare("lr", k, lrs(opt), Json.doubles(wantLrs.get(k)));
      if (wantMom != null) compare("momentum", k, momentums(opt), Json.doubles(wantMom.get(k)));
    }
    double[] last =
        sched instanceof LRScheduler s ? s.getLastLr() : ((ReduceLROnPlateau) sched).getLastLr();
    compare("getLastLr", steps, last, Json.doubles(wantLrs.get(steps)));
  }

  static void compare(String what, int k, double[] got, double[] want) {
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i] - want[i]) <= RTOL * Math.abs(want[i]))) {
        fail(
            String.format(
                "%s of group %d after %d steps: ours %.17g, torch %.17g",
                what, i, k, got[i], want[i]));
      }
    }
  }
}
