package org.jgrad.optim;

import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * Adamax, Adam's infinity-norm variant (Kingma and Ba, 2014, section 7), as {@code
 * torch.optim.Adamax}:
 *
 * <pre>
 * g = ∇f(θ) (negated when maximize) + weightDecay·θ
 * m = β1·m + (1 − β1)·g
 * u = max(β2·u, |g| + eps)
 * θ = θ − lr / (1 − β1^t) · m / u
 * </pre>
 *
 * <pre>{@code
 * var opt = new Adamax(model.parameters(), Adamax.options().lr(2e-3));
 * }</pre>
 *
 * <p>State per parameter: {@link State}.
 */
public final class Adamax extends PerParameterOptimizer<Adamax.Config, Adamax.State> {

  /** The validated hyper-parameters of one group. */
  public record Config(
      double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize)
      implements OptimizerConfig {
    public Config {
      Adam.checkAdam(beta1, beta2, eps, weightDecay);
    }

    @Override
    public Config withLr(double lr) {
      return new Config(lr, beta1, beta2, eps, weightDecay, maximize);
    }
  }

  /**
   * The step count, the moving average of the gradient and the exponentially weighted infinity
   * norm.
   */
  public record State(long step, Tensor expAvg, Tensor expInf) {}

  /** Hyper-parameters of Adamax; lr, betas, eps and weight decay come from the base. */
  public static final class Options extends OptimizerOptions.WithBetas<Config, Options> {
    private boolean maximize;

    private Options() {
      super(2e-3, 0);
    }

    /** Maximizes the objective instead of minimizing it (default false). */
    public Options maximize(boolean v) {
      maximize = v;
      return this;
    }

    @Override
    public Config build() {
      return new Config(lr, beta1, beta2, eps, weightDecay, maximize);
    }
  }

  /** PyTorch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8. */
  public static Options options() {
    return new Options();
  }

  /** Adamax over one group of {@code params} with PyTorch's defaults ({@link #options()}). */
  public Adamax(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /** Adamax over one group of {@code params} with {@code options}. */
  public Adamax(Iterable<? extends Tensor> params, Options options) {
    this(single(params), options);
  }

  /** Adamax over {@code groups}; what a group sets itself overrides {@code options}. */
  public Adamax(List<ParamGroup> groups, Options options) {
    this(groups, options.build());
  }

  /**
   * Adamax over {@code groups}; what a group sets itself overrides the validated {@code defaults}.
   */
  public Adamax(List<ParamGroup> groups, Config defaults) {
    super("Adamax", groups, defaults, State.class);
  }

  @Override
  protected State update(Tensor p, Config c, State s) {
    if (s == null) s = new State(0, zerosLike(p), zerosLike(p));
    long step = s.step() + 1;
    Tensor g = gradOf(p, c.maximize(), c.weightDecay());
    Tensor expAvg = s.expAvg(), expInf = s.expInf();
    expAvg.mulInPlace(c.beta1()).addInPlace(g, 1 - c.beta1());
    expInf.copyFrom(expInf.mul(c.beta2()).maximum(g.abs().add(c.eps())));
    double clr = c.lr() / (1 - Math.pow(c.beta1(), step));
    p.addcdivInPlace(expAvg, expInf, -clr);
    return new State(step, expAvg, expInf);
  }
}
