package org.jgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * LBFGS with the strong-Wolfe line search solves Rosenbrock from the classic start, as PyTorch's
 * does.
 */
class LbfgsConvergenceTest {

  static Tensor rosenbrock(Tensor xy) {
    Tensor x = xy.select(0, 0), y = xy.select(0, 1);
    return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
  }

  @Test
  void strongWolfeReachesTheMinimumAtOneOne() {
    Tensor xy = Tensor.of(new double[] {-1.5, 2.0}).requiresGrad(true);
    LBFGS opt = new LBFGS(List.of(xy), LBFGS.options().lineSearchFn("strong_wolfe"));
    double loss = Double.NaN;
    for (int i = 0; i < 10; i++) {
      loss =
          opt.step(
                  () -> {
                    opt.zeroGrad();
                    Tensor l = rosenbrock(xy);
                    l.backward();
                    return l;
                  })
              .item();
    }
    assertEquals(1.0, xy.get(0), 1e-5);
    assertEquals(1.0, xy.get(1), 1e-5);
    assertTrue(loss < 1e-9, "loss " + loss);
  }

  @Test
  void withoutLineSearchAFixedStepStillDescends() {
    Tensor xy = Tensor.of(new double[] {-1.5, 2.0}).requiresGrad(true);
    LBFGS opt = new LBFGS(List.of(xy), LBFGS.options().lr(0.05).maxIter(10).historySize(10));
    double first = rosenbrock(xy).item();
    for (int i = 0; i < 6; i++) {
      opt.step(
          () -> {
            opt.zeroGrad();
            Tensor l = rosenbrock(xy);
            l.backward();
            return l;
          });
    }
    assertTrue(rosenbrock(xy).item() < first / 2);
  }

  @Test
  void stopsImmediatelyAtAStationaryPoint() {
    Tensor xy = Tensor.of(new double[] {1.0, 1.0}).requiresGrad(true);
    LBFGS opt = new LBFGS(List.of(xy), LBFGS.options().lineSearchFn("strong_wolfe"));
    int[] calls = {0};
    opt.step(
        () -> {
          calls[0]++;
          opt.zeroGrad();
          Tensor l = rosenbrock(xy);
          l.backward();
          return l;
        });
    assertEquals(1, calls[0], "the gradient is zero: one evaluation, no iteration");
    assertEquals(1.0, xy.get(0));
  }
}
