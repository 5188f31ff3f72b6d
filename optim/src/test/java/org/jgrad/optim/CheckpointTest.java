package org.jgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jgrad.nn.Linear;
import org.jgrad.nn.MSELoss;
import org.jgrad.nn.Module;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Tanh;
import org.jgrad.optim.lr.LRScheduler;
import org.jgrad.optim.lr.OneCycleLR;
import org.jgrad.optim.lr.StepLR;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train N steps, checkpoint to disk, train M more; versus: a fresh model and optimizer (other
 * initial weights) load the checkpoint and train M steps. The parameters must agree bit for bit.
 */
class CheckpointTest {
  private static final int N = 7, M = 6;
  private static final Tensor X = Tensor.randn(new Generator(11), 16, 3);
  private static final Tensor Y = Tensor.randn(new Generator(12), 16, 2);

  @TempDir Path tmp;

  private static Module model(long seed) {
    Tensor.manualSeed(seed);
    return new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 2));
  }

  private static void train(Module model, Optimizer opt, LRScheduler sched, int steps) {
    MSELoss loss = new MSELoss();
    for (int i = 0; i < steps; i++) {
      opt.zeroGrad();
      loss.forward(model.call(X), Y).backward();
      opt.step();
      if (sched != null) sched.step();
    }
  }

  private static Optimizer.Closure closure(Module model, Optimizer opt) {
    MSELoss loss = new MSELoss();
    return () -> {
      opt.zeroGrad();
      Tensor l = loss.forward(model.call(X), Y);
      l.backward();
      return l;
    };
  }

  private static double[] flat(Module model) {
    List<Double> out = new ArrayList<>();
    for (Tensor p : model.parameters()) for (double d : p.toDoubleArray()) out.add(d);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private void resumesBitForBit(
      Function<Module, Optimizer> newOpt, Function<Optimizer, LRScheduler> newSched)
      throws IOException {
    Module model = model(1);
    Optimizer opt = newOpt.apply(model);
    LRScheduler sched = newSched == null ? null : newSched.apply(opt);
    train(model, opt, sched, N);
    Path dir = tmp.resolve("ckpt");
    Checkpoint.save(
        dir,
        model,
        opt,
        sched == null ? Map.of("step", N) : Map.of("step", N, "scheduler", sched.stateDict()));
    train(model, opt, sched, M);

    Module fresh = model(2);
    assertFalse(
        java.util.Arrays.equals(flat(fresh), flat(model(1))), "the fresh model starts elsewhere");
    Optimizer freshOpt = newOpt.apply(fresh);
    LRScheduler freshSched = newSched == null ? null : newSched.apply(freshOpt);
    Map<String, Object> extra = Checkpoint.load(dir, fresh, freshOpt);
    assertEquals(N, extra.get("step"));
    if (freshSched != null) freshSched.loadStateDict(Checkpoint.map(extra.get("scheduler")));
    train(fresh, freshOpt, freshSched, M);

    assertArrayEquals(
        flat(model), flat(fresh), "resumed training differs from uninterrupted training");
    assertArrayEquals(
        opt.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray(),
        freshOpt.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray());
  }

  @Test
  void sgdWithMomentumResumes() throws IOException {
    resumesBitForBit(
        m -> new SGD(m.parameters(), SGD.options(0.05).momentum(0.9).nesterov(true)), null);
  }

  @Test
  void adamResumes() throws IOException {
    resumesBitForBit(m -> new Adam(m.parameters(), Adam.options().lr(0.01).amsgrad(true)), null);
  }

  @Test
  void sgdWithStepLrResumes() throws IOException {
    resumesBitForBit(
        m -> new SGD(m.parameters(), SGD.options(0.05).momentum(0.9)), o -> new StepLR(o, 3, 0.5));
  }

  @Test
  void adamWithOneCycleResumes() throws IOException {
    // OneCycleLR also cycles Adam's beta1, which lives in the group options
    resumesBitForBit(
        m -> new Adam(m.parameters(), Adam.options().lr(0.01)),
        o -> new OneCycleLR(o, OneCycleLR.options(0.05).totalSteps(N + M + 1)));
  }

  @Test
  void lbfgsHistoryResumes() throws IOException {
    Module model = model(1);
    LBFGS opt = new LBFGS(model.parameters(), LBFGS.options().maxIter(3).historySize(4));
    Optimizer.Closure closure = closure(model, opt);
    for (int i = 0; i < 3; i++) opt.step(closure);
    Path dir = tmp.resolve("lbfgs");
    Checkpoint.save(dir, model, opt, null);
    for (int i = 0; i < 3; i++) opt.step(closure);

    Module fresh = model(2);
    LBFGS freshOpt = new LBFGS(fresh.parameters(), LBFGS.options().maxIter(3).historySize(4));
    assertTrue(Checkpoint.load(dir, fresh, freshOpt).isEmpty());
    Optimizer.Closure freshClosure = closure(fresh, freshOpt);
    for (int i = 0; i < 3; i++) freshOpt.step(freshClosure);
    assertArrayEquals(flat(model), flat(fresh));
  }

  @Test
  void savingTwiceReplacesTheCheckpointAndLeavesNoTemporaries() throws IOException {
    Module model = model(1);
    SGD opt = new SGD(model.parameters(), SGD.options(0.1).momentum(0.5));
    Path dir = tmp.resolve("c");
    train(model, opt, null, 1);
    Checkpoint.save(dir, model, opt, Map.of("epoch", 1));
    train(model, opt, null, 1);
    Checkpoint.save(
        dir, model, opt, Map.of("epoch", 2, "note", "second", "lrs", new double[] {0.1, 1e-300}));
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(dir), files.toList(), "only the checkpoint directory remains");
    }
    Module fresh = model(3);
    SGD freshOpt = new SGD(fresh.parameters(), SGD.options(0.1).momentum(0.5));
    Map<String, Object> extra = Checkpoint.load(dir, fresh, freshOpt);
    assertEquals(2, extra.get("epoch"));
    assertEquals("second", extra.get("note"));
    assertArrayEquals(new double[] {0.1, 1e-300}, (double[]) extra.get("lrs"));
    assertArrayEquals(flat(model), flat(fresh));
  }

  @Test
  void mismatchedCheckpointsAreRefusedWithoutChangingTheModel() throws IOException {
    Module model = model(1);
    Adam opt = new Adam(model.parameters(), 0.01);
    train(model, opt, null, 2);
    Path dir = tmp.resolve("adam");
    Checkpoint.save(dir, model, opt, null);

    Module other = model(2);
    double[] before = flat(other);
    SGD sgd = new SGD(other.parameters(), 0.1);
    IOException e = assertThrows(IOException.class, () -> Checkpoint.load(dir, other, sgd));
    assertTrue(e.getMessage().contains("holds Adam state, the optimizer is SGD"), e.getMessage());
    assertArrayEquals(before, flat(other));
    IOException missing =
        assertThrows(IOException.class, () -> Checkpoint.load(tmp.resolve("nope"), other, sgd));
    assertTrue(missing.getMessage().contains("optimizer.safetensors"), missing.getMessage());
  }
}
