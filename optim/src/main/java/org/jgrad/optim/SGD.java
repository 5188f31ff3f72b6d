package org.jgrad.optim;

import java.util.List;
import org.jgrad.backend.FusedKernels;
import org.jgrad.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay
 * and maximisation, as {@code torch.optim.SGD}:
 *
 * <pre>
 * g = ∇f(θ) (negated when maximize) + weightDecay·θ
 * b = g on the first step, then b = momentum·b + (1 − dampening)·g
 * g = g + momentum·b if nesterov, else b            (when momentum ≠ 0)
 * θ = θ − lr·g
 * </pre>
 *
 * <pre>{@code
 * var opt = new SGD(model.parameters(), SGD.options(0.1).momentum(0.9).nesterov(true).weightDecay(5e-4));
 * }</pre>
 *
 * <p>State per parameter: {@link State} (only when momentum ≠ 0).
 */
public final class SGD extends PerParameterOptimizer<SGD.Config, SGD.State> {

  /** The validated hyper-parameters of one group. */
  public record Config(
      double lr,
      double momentum,
      double dampening,
      double weightDecay,
      boolean nesterov,
      boolean maximize)
      implements OptimizerConfig {
    public Config {
      checkMomentum(momentum);
      checkWeightDecay(weightDecay);
      check(
          !nesterov || (momentum > 0 && dampening == 0),
          "Nesterov momentum requires a momentum and zero dampening");
    }

    @Override
    public Config withLr(double lr) {
      return new Config(lr, momentum, dampening, weightDecay, nesterov, maximize);
    }
  }

  /** The momentum buffer of one parameter. */
  public record State(Tensor momentumBuffer) {}

  /** Hyper-parameters of SGD; the learning rate has no default, as in PyTorch. */
  public static final class Options extends OptimizerOptions.WithWeightDecay<Config, Options> {
    private double momentum = 0;
    private double dampening = 0;
    private boolean nesterov = false;
    private boolean maximize = false;

    private Options(double lr) {
      super(lr, 0);
    }

    public Options momentum(double v) {
      momentum = v;
      return this;
    }

    public Options dampening(double v) {
      dampening = v;
      return this;
    }

    public Options nesterov(boolean v) {
      nesterov = v;
      return this;
    }

    /** Maximizes the objective instead of minimizing it (default false). */
    public Options maximize(boolean v) {
      maximize = v;
      return this;
    }

    @Override
    public Config build() {
      return new Config(lr, momentum, dampening, weightDecay, nesterov, maximize);
    }
  }

  /** Options with learning rate {@code lr} and everything else off. */
  public static Options options(double lr) {
    return new Options(lr);
  }

  /**
   * SGD over one group of {@code params} with learning rate {@code lr}, the rest as PyTorch's
   * defaults.
   */
  public SGD(Iterable<? extends Tensor> params, double lr) {
    this(params, options(lr));
  }

  /** SGD over one group of {@code params} with {@code options}. */
  public SGD(Iterable<? extends Tensor> params, Options options) {
    this(single(params), options);
  }

  /** SGD over {@code groups}; what a group sets itself overrides {@code options}. */
  public SGD(List<ParamGroup> groups, Options options) {
    this(groups, options.build());
  }

  /** SGD over {@code groups}; what a group sets itself overrides the validated {@code defaults}. */
  public SGD(List<ParamGroup> groups, Config defaults) {
    super("SGD", groups, defaults, State.class);
  }

  @Override
  protected State update(Tensor p, Config c, State s) {
    var fused = p.backend().fused();
    if (fused.isPresent()) {
      // One pass over p, grad and the momentum buffer instead of the composite below (same values).
      boolean first = s == null || s.momentumBuffer() == null;
      Tensor buf = c.momentum() == 0 ? null : first ? zerosLike(p) : s.momentumBuffer();
      fused
          .get()
          .sgdStep(
              p.raw(),
              p.grad().raw(),
              buf == null ? null : buf.raw(),
              new FusedKernels.SgdStep(
                  c.lr(),
                  c.momentum(),
                  c.dampening(),
                  c.nesterov(),
                  c.weightDecay(),
                  c.maximize(),
                  first));
      p.raw().storage().bumpVersion();
      if (buf == null) return s;
      buf.raw().storage().bumpVersion();
      return new State(buf);
    }
    Tensor d = gradOf(p, c.maximize(), c.weightDecay());
    if (c.momentum() != 0) {
      Tensor buf;
      if (s == null || s.momentumBuffer() == null) {
        buf = d.clone();
      } else {
        buf = s.momentumBuffer();
        buf.mulInPlace(c.momentum()).addInPlace(d, 1 - c.dampening());
      }
      s = new State(buf);
      d = c.nesterov() ? d.add(buf.mul(c.momentum())) : buf;
    }
    p.addInPlace(d, -c.lr());
    return s;
  }
}
