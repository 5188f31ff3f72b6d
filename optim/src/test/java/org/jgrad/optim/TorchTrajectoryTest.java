package org.jgrad.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jgrad.backend.DType;
import org.jgrad.json.Json;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.TorchCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each optimizer, step for step, against torch.optim (1.13) trajectories recorded by
 * tools/torch_optim_reference.py on a quadratic, the Rosenbrock function and a small MLP.
 *
 * <p>Tolerances: |ours − torch| ≤ rtol·|torch| + atol. In float64, rtol = 1e-5 (the bar)
 * and atol = 1e-10, which only matters for values that pass near zero; algorithmic differences
 * would show up many orders of magnitude above both. In float32, see {@link #FLOAT32_RTOL}.
 */
class TorchTrajectoryTest {

  static final double FLOAT64_RTOL = 1e-5, FLOAT64_ATOL = 1e-10;

  /**
   * float32: both sides round every operation to 24 bits (unit roundoff 6e-8), but in different
   * orders: PyTorch fuses {@code a + alpha·b} and {@code addcdiv} into one rounding and sums
   * matmuls in another order, and Adam-type updates divide by √v, which amplifies relative error
   * where v is small. Over 60 steps of ~20 roundings each, a random walk gives √1200·6e-8 ≈ 2e-6
   * relative, times the problem's conditioning (the MLP's logits sharpen as it trains): hence 2e-4
   * relative. The absolute term covers parameters that pass near zero: their error comes from the
   * O(1) quantities they are computed from (the MLP's weights reach 1.5–3.8 in magnitude), so it is
   * judged on that scale: 1e-5, about 50 float32 ulps of the largest weights. Each run prints the
   * fraction of the tolerance it used: at most 0.09 in float32, below 2e-5 for the float64
   * first-order runs and 0.03 for LBFGS. (With an absolute term of 1e-6 a weight passing −0.0023
   * used 0.63 of the bar after core changed its summation order: near-zero entries are the ones
   * that move, by ~1e-6, i.e. float32 noise on O(1) values.)
   */
  static final double FLOAT32_RTOL = 2e-4, FLOAT32_ATOL = 1e-5;

  @TestFactory
  Stream<DynamicTest> float64Trajectories() {
    return runs("/torch/optimizers.json", DType.FLOAT64, FLOAT64_RTOL, FLOAT64_ATOL);
  }

  @TestFactory
  Stream<DynamicTest> float32Trajectories() {
    return runs("/torch/optimizers_float32.json", DType.FLOAT32, FLOAT32_RTOL, FLOAT32_ATOL);
  }

  @TestFactory
  Stream<DynamicTest> lbfgsTrajectories() {
    return runs("/torch/lbfgs.json", DType.FLOAT64, FLOAT64_RTOL, FLOAT64_ATOL);
  }

  static Stream<DynamicTest> runs(String resource, DType dtype, double rtol, double atol) {
    Map<String, Object> ref = Json.map(TorchCases.json(resource));
    Map<String, Object> problems = Json.map(ref.get("problems"));
    return Json.list(ref.get("runs")).stream()
        .map(Json::map)
        .map(
            run ->
                DynamicTest.dynamicTest(
                    run.get("optimizer")
                        + " "
                        + run.get("problem")
                        + " "
                        + run.get("options")
                        + (run.containsKey("groups") ? " groups" : "")
                        + (Boolean.TRUE.equals(run.get("negate")) ? " (negated)" : ""),
                    () -> check(problems, run, dtype, rtol, atol)));
  }

  /**
   * Replays one reference run; returns the largest deviation seen as a fraction of the tolerance.
   */
  static double check(
      Map<String, Object> problems,
      Map<String, Object> run,
      DType dtype,
      double rtol,
      double atol) {
    Problems problem = new Problems(problems, (String) run.get("problem"), dtype);
    Map<String, Tensor> params = problem.params();
    List<ParamGroup> groups = new ArrayList<>();
    if (run.containsKey("groups")) {
      for (Object g : Json.list(run.get("groups"))) {
        Map<String, Object> gm = Json.map(g);
        List<Tensor> ps = new ArrayList<>();
        for (Object n : Json.list(gm.get("params"))) ps.add(params.get((String) n));
        Map<String, Object> opts = new LinkedHashMap<>(Json.map(gm.get("options")));
        if (opts.get("betas") instanceof List<?>)
          opts.put("betas", Json.doubles(opts.get("betas")));
        groups.add(new ParamGroup(ps, opts));
      }
    } else {
      groups.add(ParamGroup.of(params.values()));
    }
    Optimizer opt =
        OptimizerFactory.build((String) run.get("optimizer"), groups, Json.map(run.get("options")));
    double sign = Boolean.TRUE.equals(run.get("negate")) ? -1 : 1;
    Optimizer.Closure closure =
        () -> {
          opt.zeroGrad();
          Tensor loss = problem.loss(params).mul(sign);
          loss.backward();
          return loss;
        };
    double[] losses = Json.doubles(run.get("losses"));
    double[] paramSteps = Json.doubles(run.get("paramSteps"));
    List<Object> expectedParams = Json.list(run.get("params"));
    List<Object> counters = run.containsKey("counters") ? Json.list(run.get("counters")) : null;
    int steps = ((Number) run.get("steps")).intValue();
    double worst = 0;
    int k = 0;
    for (int step = 0; step < steps; step++) {
      double loss = opt.step(closure).item();
      worst = Math.max(worst, compare("loss", step, 0, loss, losses[step], rtol, atol));
      if (k < paramSteps.length && (int) paramSteps[k] == step) {
        double[] want = Json.doubles(expectedParams.get(k++));
        double[] got = Problems.flat(params);
        for (int i = 0; i < want.length; i++) {
          worst = Math.max(worst, compare("param", step, i, got[i], want[i], rtol, atol));
        }
      }
      if (counters != null) {
        Map<String, Object> c = Json.map(counters.get(step));
        Map<String, Object> st = opt.stateOf(opt.params().get(0));
        assertTrue(
            ((Number) c.get("funcEvals")).intValue() == (Integer) st.get("funcEvals")
                && ((Number) c.get("nIter")).intValue() == (Integer) st.get("nIter"),
            "LBFGS counters after step "
                + step
                + ": torch "
                + c
                + ", ours funcEvals="
                + st.get("funcEvals")
                + " nIter="
                + st.get("nIter"));
      }
    }
    System.out.printf(
        "%-8s %-10s %-70s %s worst |diff|/(rtol·|torch|+atol) = %.2e%n",
        run.get("optimizer"), run.get("problem"), run.get("options"), dtype, worst);
    return worst;
  }

  private static double compare(
      String what, int step, int index, double got, double want, double rtol, double atol) {
    double diff = Math.abs(got - want);
    if (!(diff <= rtol * Math.abs(want) + atol)) {
      fail(
          String.format(
              "%s[%d] after step %d: ours %.17g, torch %.17g (|diff| %.3g > %.1g·|torch| + %.1g)",
              what, index, step, got, want, diff, rtol, atol));
    }
    return diff / (rtol * Math.abs(want) + atol);
  }
}
