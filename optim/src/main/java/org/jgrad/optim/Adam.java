package org.jgrad.optim;

import java.util.List;
import org.jgrad.backend.FusedKernels;
import org.jgrad.tensor.Tensor;

/**
 * Adam (Kingma and Ba, 2014) with optional L2 weight decay, AMSGrad and maximisation, as {@code
 * torch.optim.Adam}:
 *
 * <pre>
 * g = ∇f(θ) (negated when maximize) + weightDecay·θ
 * m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²;   (AMSGrad: v̂ = max(v̂, v), used instead of v)
 * θ = θ − lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
 * </pre>
 *
 * <pre>{@code
 * var opt = new Adam(model.parameters(), Adam.options().lr(3e-4).betas(0.9, 0.99).amsgrad(true));
 * }</pre>
 *
 * <p>State per parameter: {@link State}. For decoupled weight decay use {@link AdamW}.
 */
public final class Adam extends PerParameterOptimizer<Adam.Config, Adam.State> {

  /** The validated hyper-parameters of one Adam or AdamW group. */
  public record Config(
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean amsgrad,
      boolean maximize)
      implements OptimizerConfig {
    public Config {
      checkAdam(beta1, beta2, eps, weightDecay);
    }

    @Override
    public Config withLr(double lr) {
      return new Config(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
    }
  }

  /**
   * The state of one parameter: the step count, the moving averages of the gradient and of its
   * square, and with AMSGrad the running maximum of the latter (null otherwise).
   */
  public record State(long step, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq) {}

  /** Hyper-parameters of Adam and AdamW; lr, betas, eps and weight decay come from the base. */
  public static final class Options extends OptimizerOptions.WithBetas<Config, Options> {
    private boolean amsgrad;
    private boolean maximize;

    Options(double weightDecay) {
      super(1e-3, weightDecay);
    }

    public Options amsgrad(boolean v) {
      amsgrad = v;
      return this;
    }

    /** Maximizes the objective instead of minimizing it (default false). */
    public Options maximize(boolean v) {
      maximize = v;
      return this;
    }

    @Override
    public Config build() {
      return new Config(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
    }
  }

  /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
  public static Options options() {
    return new Options(0);
  }

  /** Adam over one group of {@code params} with PyTorch's defaults ({@link #options()}). */
  public Adam(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /**
   * Adam over one group of {@code params} with learning rate {@code lr}, the rest as PyTorch's
   * defaults.
   */
  public Adam(Iterable<? extends Tensor> params, double lr) {
    this(params, options().lr(lr));
  }

  /** Adam over one group of {@code params} with {@code options}. */
  public Adam(Iterable<? extends Tensor> params, Options options) {
    this(single(params), options);
  }

  /** Adam over {@code groups}; what a group sets itself overrides {@code options}. */
  public Adam(List<ParamGroup> groups, Options options) {
    this(groups, options.build());
  }

  /**
   * Adam over {@code groups}; what a group sets itself overrides the validated {@code defaults}.
   */
  public Adam(List<ParamGroup> groups, Config defaults) {
    super("Adam", groups, defaults, State.class);
  }

  /** The checks Adam, AdamW, Adamax and NAdam share, with PyTorch's messages. */
  static void checkAdam(double beta1, double beta2, double eps, double weightDecay) {
    checkEps(eps);
    checkBetas(beta1, beta2);
    checkWeightDecay(weightDecay);
  }

  @Override
  protected State update(Tensor p, Config c, State s) {
    return adamUpdate(p, c, s, false);
  }

  /** m = β1·m + (1 − β1)·g and v = β2·v + (1 − β2)·g², in place: the moments of Adam and NAdam. */
  static void updateMoments(Tensor expAvg, Tensor expAvgSq, Tensor g, double beta1, double beta2) {
    expAvg.mulInPlace(beta1).addInPlace(g, 1 - beta1);
    expAvgSq.mulInPlace(beta2).addcmulInPlace(g, g, 1 - beta2);
  }

  /** The shared Adam/AdamW update; {@code decoupled} selects AdamW's weight decay. */
  static State adamUpdate(Tensor p, Config c, State s, boolean decoupled) {
    double lr = c.lr(), wd = c.weightDecay(), beta1 = c.beta1(), beta2 = c.beta2();
    if (s == null) s = new State(0, zerosLike(p), zerosLike(p), c.amsgrad() ? zerosLike(p) : null);
    long step = s.step() + 1;
    var fused = p.backend().fused();
    if (fused.isPresent() && !c.amsgrad()) {
      // One pass over p, grad and the moments instead of the composite below (same values).
      fused
          .get()
          .adamStep(
              p.raw(),
              p.grad().raw(),
              s.expAvg().raw(),
              s.expAvgSq().raw(),
              new FusedKernels.AdamStep(
                  lr, beta1, beta2, c.eps(), wd, decoupled, c.maximize(), step));
      p.raw().storage().bumpVersion();
      s.expAvg().raw().storage().bumpVersion();
      s.expAvgSq().raw().storage().bumpVersion();
      return new State(step, s.expAvg(), s.expAvgSq(), s.maxExpAvgSq());
    }
    // AdamW shrinks the parameters instead of adding the decay to the gradient
    Tensor g = gradOf(p, c.maximize(), decoupled ? 0 : wd);
    if (decoupled) p.mulInPlace(1 - lr * wd);
    Tensor expAvg = s.expAvg(), expAvgSq = s.expAvgSq(), max = s.maxExpAvgSq();
    updateMoments(expAvg, expAvgSq, g, beta1, beta2);
    double bias1 = 1 - Math.pow(beta1, step), bias2 = 1 - Math.pow(beta2, step);
    double stepSize = lr / bias1;
    double bias2Sqrt = Math.sqrt(bias2);
    Tensor second = expAvgSq;
    if (c.amsgrad()) {
      // AMSGrad switched on in a later group config starts its maximum from zero
      if (max == null) max = zerosLike(p);
      max.copyFrom(max.maximum(expAvgSq));
      second = max;
    }
    Tensor denom = second.sqrt().div(bias2Sqrt).add(c.eps());
    p.addcdivInPlace(expAvg, denom, -stepSize);
    return new State(step, expAvg, expAvgSq, max);
  }
}
