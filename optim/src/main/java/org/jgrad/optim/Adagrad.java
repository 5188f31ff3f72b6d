package org.jgrad.optim;

import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * Adagrad (Duchi et al., 2011), as {@code torch.optim.Adagrad}:
 *
 * <pre>
 * g = ∇f(θ) (negated when maximize) + weightDecay·θ
 * clr = lr / (1 + (t − 1)·lrDecay)
 * s = s + g²            (s starts at initialAccumulatorValue)
 * θ = θ − clr · g / (√s + eps)
 * </pre>
 *
 * <pre>{@code
 * var opt = new Adagrad(model.parameters(), Adagrad.options().lr(0.1).initialAccumulatorValue(0.1));
 * }</pre>
 *
 * <p>State per parameter: {@link State}.
 */
public final class Adagrad extends PerParameterOptimizer<Adagrad.Config, Adagrad.State> {

  /** The validated hyper-parameters of one group. */
  public record Config(
      double lr,
      double lrDecay,
      double weightDecay,
      double initialAccumulatorValue,
      double eps,
      boolean maximize)
      implements OptimizerConfig {
    public Config {
      check(lrDecay >= 0, "Invalid lr_decay value: " + num(lrDecay));
      checkWeightDecay(weightDecay);
      check(
          initialAccumulatorValue >= 0,
          "Invalid initial_accumulator_value value: " + num(initialAccumulatorValue));
      checkEps(eps);
    }

    @Override
    public Config withLr(double lr) {
      return new Config(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
    }
  }

  /** The step count and the running sum of squared gradients. */
  public record State(long step, Tensor sum) {}

  /** Hyper-parameters of Adagrad; lr, eps and weight decay come from the base. */
  public static final class Options extends OptimizerOptions.WithEps<Config, Options> {
    private double lrDecay = 0;
    private double initialAccumulatorValue = 0;
    private boolean maximize;

    private Options() {
      super(1e-2, 0, 1e-10);
    }

    public Options lrDecay(double v) {
      lrDecay = v;
      return this;
    }

    public Options initialAccumulatorValue(double v) {
      initialAccumulatorValue = v;
      return this;
    }

    /** Maximizes the objective instead of minimizing it (default false). */
    public Options maximize(boolean v) {
      maximize = v;
      return this;
    }

    @Override
    public Config build() {
      return new Config(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
    }
  }

  /** PyTorch's defaults: lr 1e-2, no lr decay, eps 1e-10. */
  public static Options options() {
    return new Options();
  }

  /** Adagrad over one group of {@code params} with PyTorch's defaults ({@link #options()}). */
  public Adagrad(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /** Adagrad over one group of {@code params} with {@code options}. */
  public Adagrad(Iterable<? extends Tensor> params, Options options) {
    this(single(params), options);
  }

  /** Adagrad over {@code groups}; what a group sets itself overrides {@code options}. */
  public Adagrad(List<ParamGroup> groups, Options options) {
    this(groups, options.build());
  }

  /**
   * Adagrad over {@code groups}; what a group sets itself overrides the validated {@code defaults}.
   */
  public Adagrad(List<ParamGroup> groups, Config defaults) {
    super("Adagrad", groups, defaults, State.class);
  }

  @Override
  protected State update(Tensor p, Config c, State s) {
    // PyTorch fills the accumulator when the optimizer is built; doing it on first use gives
    // the same values and also covers groups added later.
    if (s == null) s = new State(0, zerosLike(p).add(c.initialAccumulatorValue()));
    long step = s.step() + 1;
    Tensor g = gradOf(p, c.maximize(), c.weightDecay());
    double clr = c.lr() / (1 + (step - 1) * c.lrDecay());
    Tensor sum = s.sum();
    sum.addcmulInPlace(g, g, 1);
    Tensor std = sum.sqrt().add(c.eps());
    p.addcdivInPlace(g, std, -clr);
    return new State(step, sum);
  }
}
