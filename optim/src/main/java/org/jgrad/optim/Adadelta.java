package org.jgrad.optim;

import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * Adadelta (Zeiler, 2012), as {@code torch.optim.Adadelta}:
 *
 * <pre>
 * g = ∇f(θ) (negated when maximize) + weightDecay·θ
 * v = ρ·v + (1 − ρ)·g²
 * Δ = √(u + eps) / √(v + eps) · g
 * u = ρ·u + (1 − ρ)·Δ²
 * θ = θ − lr·Δ
 * </pre>
 *
 * <pre>{@code
 * var opt = new Adadelta(model.parameters(), Adadelta.options().rho(0.95));
 * }</pre>
 *
 * <p>State per parameter: {@link State}.
 */
public final class Adadelta extends PerParameterOptimizer<Adadelta.Config, Adadelta.State> {

  /** The validated hyper-parameters of one group. */
  public record Config(double lr, double rho, double eps, double weightDecay, boolean maximize)
      implements OptimizerConfig {
    public Config {
      check(rho >= 0 && rho <= 1, "Invalid rho value: " + num(rho));
      checkEps(eps);
      checkWeightDecay(weightDecay);
    }

    @Override
    public Config withLr(double lr) {
      return new Config(lr, rho, eps, weightDecay, maximize);
    }
  }

  /** The step count and the moving averages of the squared gradient (v) and squared update (u). */
  public record State(long step, Tensor squareAvg, Tensor accDelta) {}

  /** Hyper-parameters of Adadelta; lr, eps and weight decay come from the base. */
  public static final class Options extends OptimizerOptions.WithEps<Config, Options> {
    private double rho = 0.9;
    private boolean maximize;

    private Options() {
      super(1.0, 0, 1e-6);
    }

    public Options rho(double v) {
      rho = v;
      return this;
    }

    /** Maximizes the objective instead of minimizing it (default false). */
    public Options maximize(boolean v) {
      maximize = v;
      return this;
    }

    @Override
    public Config build() {
      return new Config(lr, rho, eps, weightDecay, maximize);
    }
  }

  /** PyTorch's defaults: lr 1.0, rho 0.9, eps 1e-6. */
  public static Options options() {
    return new Options();
  }

  /** Adadelta over one group of {@code params} with PyTorch's defaults ({@link #options()}). */
  public Adadelta(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /** Adadelta over one group of {@code params} with {@code options}. */
  public Adadelta(Iterable<? extends Tensor> params, Options options) {
    this(single(params), options);
  }

  /** Adadelta over {@code groups}; what a group sets itself overrides {@code options}. */
  public Adadelta(List<ParamGroup> groups, Options options) {
    this(groups, options.build());
  }

  /**
   * Adadelta over {@code groups}; what a group sets itself overrides the validated {@code
   * defaults}.
   */
  public Adadelta(List<ParamGroup> groups, Config defaults) {
    super("Adadelta", groups, defaults, State.class);
  }

  @Override
  protected State update(Tensor p, Config c, State s) {
    if (s == null) s = new State(0, zerosLike(p), zerosLike(p));
    double rho = c.rho(), eps = c.eps();
    Tensor g = gradOf(p, c.maximize(), c.weightDecay());
    Tensor squareAvg = s.squareAvg(), accDelta = s.accDelta();
    squareAvg.mulInPlace(rho).addcmulInPlace(g, g, 1 - rho);
    Tensor std = squareAvg.add(eps).sqrt();
    Tensor delta = accDelta.add(eps).sqrt().div(std).mul(g);
    accDelta.mulInPlace(rho).addcmulInPlace(delta, delta, 1 - rho);
    p.addInPlace(delta, -c.lr());
    return new State(s.step() + 1, squareAvg, accDelta);
  }
}
