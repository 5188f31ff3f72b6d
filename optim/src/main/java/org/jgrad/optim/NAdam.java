package org.jgrad.optim;

import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * NAdam, Adam with Nesterov momentum (Dozat, 2016), with the momentum decay schedule of {@code
 * torch.optim.NAdam}:
 *
 * <pre>
 * g = ∇f(θ) + weightDecay·θ
 * μ_t = β1·(1 − ½·0.96^(t·ψ)),  μ_{t+1} likewise,  Π_t = μ_1·…·μ_t      (ψ = momentumDecay)
 * m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²;   d = √v / √(1 − β2^t) + eps
 * θ = θ − lr·(1 − μ_t)/(1 − Π_t) · g/d − lr·μ_{t+1}/(1 − Π_t·μ_{t+1}) · m/d
 * </pre>
 *
 * <p>This is the update of the paper and of PyTorch 2.x. PyTorch 1.13's default (single-tensor)
 * code multiplies μ_t into Π once too often in the last term (fixed upstream in pytorch#92699); its
 * {@code foreach=True} code path has the formula above and is what the reference tests compare
 * against.
 *
 * <pre>{@code
 * var opt = new NAdam(model.parameters(), NAdam.options().lr(2e-3).momentumDecay(4e-3));
 * }</pre>
 *
 * <p>State per parameter: {@link State}.
 */
public final class NAdam extends PerParameterOptimizer<NAdam.Config, NAdam.State> {

  /** The validated hyper-parameters of one group. */
  public record Config(
      double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay)
      implements OptimizerConfig {
    public Config {
      Adam.checkAdam(beta1, beta2, eps, weightDecay);
      check(momentumDecay >= 0, "Invalid momentum_decay value: " + num(momentumDecay));
    }

    @Override
    public Config withLr(double lr) {
      return new Config(lr, beta1, beta2, eps, weightDecay, momentumDecay);
    }
  }

  /**
   * The step count, the product of the momentum coefficients so far, and the moving averages of the
   * gradient and of its square.
   */
  public record State(long step, double muProduct, Tensor expAvg, Tensor expAvgSq) {}

  /** Hyper-parameters of NAdam; lr, betas, eps and weight decay come from the base. */
  public static final class Options extends OptimizerOptions.WithBetas<Config, Options> {
    private double momentumDecay = 4e-3;

    private Options() {
      super(2e-3, 0);
    }

    public Options momentumDecay(double v) {
      momentumDecay = v;
      return this;
    }

    @Override
    public Config build() {
      return new Config(lr, beta1, beta2, eps, weightDecay, momentumDecay);
    }
  }

  /** PyTorch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum decay 4e-3. */
  public static Options options() {
    return new Options();
  }

  /** NAdam over one group of {@code params} with PyTorch's defaults ({@link #options()}). */
  public NAdam(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /** NAdam over one group of {@code params} with {@code options}. */
  public NAdam(Iterable<? extends Tensor> params, Options options) {
    this(single(params), options);
  }

  /** NAdam over {@code groups}; what a group sets itself overrides {@code options}. */
  public NAdam(List<ParamGroup> groups, Options options) {
    this(groups, options.build());
  }

  /**
   * NAdam over {@code groups}; what a group sets itself overrides the validated {@code defaults}.
   */
  public NAdam(List<ParamGroup> groups, Config defaults) {
    super("NAdam", groups, defaults, State.class);
  }

  @Override
  protected State update(Tensor p, Config c, State s) {
    if (s == null) s = new State(0, 1.0, zerosLike(p), zerosLike(p));
    double beta1 = c.beta1(), beta2 = c.beta2(), lr = c.lr(), md = c.momentumDecay();
    long step = s.step() + 1;
    double bias2 = 1 - Math.pow(beta2, step);
    Tensor g = gradOf(p, false, c.weightDecay());
    double mu = beta1 * (1 - 0.5 * Math.pow(0.96, step * md));
    double muNext = beta1 * (1 - 0.5 * Math.pow(0.96, (step + 1) * md));
    double muProduct = s.muProduct() * mu;
    Tensor expAvg = s.expAvg(), expAvgSq = s.expAvgSq();
    Adam.updateMoments(expAvg, expAvgSq, g, beta1, beta2);
    Tensor denom = expAvgSq.sqrt().div(Math.sqrt(bias2)).add(c.eps());
    p.addcdivInPlace(g, denom, -lr * (1 - mu) / (1 - muProduct));
    p.addcdivInPlace(expAvg, denom, -lr * muNext / (1 - muProduct * muNext));
    return new State(step, muProduct, expAvg, expAvgSq);
  }
}
