package org.jgrad.optim;

import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * RMSprop (Hinton's lecture 6e), optionally centred and with momentum, as {@code
 * torch.optim.RMSprop}:
 *
 * <pre>
 * g = ∇f(θ) (negated when maximize) + weightDecay·θ
 * v = α·v + (1 − α)·g²
 * centred: ḡ = α·ḡ + (1 − α)·g,  d = √(v − ḡ²) + eps;   otherwise d = √v + eps
 * momentum > 0: b = momentum·b + g/d,  θ = θ − lr·b;     otherwise θ = θ − lr·g/d
 * </pre>
 *
 * <pre>{@code
 * var opt = new RMSprop(model.parameters(), RMSprop.options().lr(1e-3).centered(true).momentum(0.9));
 * }</pre>
 *
 * <p>State per parameter: {@link State}.
 */
public final class RMSprop extends PerParameterOptimizer<RMSprop.Config, RMSprop.State> {

  /** The validated hyper-parameters of one group. */
  public record Config(
      double lr,
      double momentum,
      double alpha,
      double eps,
      boolean centered,
      double weightDecay,
      boolean maximize)
      implements OptimizerConfig {
    public Config {
      checkEps(eps);
      checkMomentum(momentum);
      checkWeightDecay(weightDecay);
      check(alpha >= 0, "Invalid alpha value: " + num(alpha));
    }

    @Override
    public Config withLr(double lr) {
      return new Config(lr, momentum, alpha, eps, centered, weightDecay, maximize);
    }
  }

  /**
   * The step count, the moving average of the squared gradient, the gradient average when centred
   * and the momentum buffer when momentum &gt; 0 (null otherwise).
   */
  public record State(long step, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuffer) {}

  /** Hyper-parameters of RMSprop; lr, eps and weight decay come from the base. */
  public static final class Options extends OptimizerOptions.WithEps<Config, Options> {
    private double alpha = 0.99;
    private double momentum = 0;
    private boolean centered;
    private boolean maximize;

    private Options() {
      super(1e-2, 0, 1e-8);
    }

    public Options alpha(double v) {
      alpha = v;
      return this;
    }

    public Options momentum(double v) {
      momentum = v;
      return this;
    }

    public Options centered(boolean v) {
      centered = v;
      return this;
    }

    /** Maximizes the objective instead of minimizing it (default false). */
    public Options maximize(boolean v) {
      maximize = v;
      return this;
    }

    @Override
    public Config build() {
      return new Config(lr, momentum, alpha, eps, centered, weightDecay, maximize);
    }
  }

  /** PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8, no momentum, not centred. */
  public static Options options() {
    return new Options();
  }

  /** RMSprop over one group of {@code params} with PyTorch's defaults ({@link #options()}). */
  public RMSprop(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /** RMSprop over one group of {@code params} with {@code options}. */
  public RMSprop(Iterable<? extends Tensor> params, Options options) {
    this(single(params), options);
  }

  /** RMSprop over {@code groups}; what a group sets itself overrides {@code options}. */
  public RMSprop(List<ParamGroup> groups, Options options) {
    this(groups, options.build());
  }

  /**
   * RMSprop over {@code groups}; what a group sets itself overrides the validated {@code defaults}.
   */
  public RMSprop(List<ParamGroup> groups, Config defaults) {
    super("RMSprop", groups, defaults, State.class);
  }

  @Override
  protected State update(Tensor p, Config c, State s) {
    if (s == null) s = new State(0, zerosLike(p), null, null);
    double alpha = c.alpha();
    Tensor g = gradOf(p, c.maximize(), c.weightDecay());
    Tensor squareAvg = s.squareAvg(), gradAvg = s.gradAvg(), buf = s.momentumBuffer();
    squareAvg.mulInPlace(alpha).addcmulInPlace(g, g, 1 - alpha);
    Tensor avg;
    if (c.centered()) {
      if (gradAvg == null) gradAvg = zerosLike(p);
      gradAvg.mulInPlace(alpha).addInPlace(g, 1 - alpha);
      avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
    } else {
      avg = squareAvg.sqrt();
    }
    avg = avg.add(c.eps());
    if (c.momentum() > 0) {
      if (buf == null) buf = zerosLike(p);
      buf.mulInPlace(c.momentum()).addcdivInPlace(g, avg, 1);
      p.addInPlace(buf, -c.lr());
    } else {
      p.addcdivInPlace(g, avg, -c.lr());
    }
    return new State(s.step() + 1, squareAvg, gradAvg, buf);
  }
}
