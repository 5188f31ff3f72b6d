package org.jgrad.optim;

/**
 * The mutable builder behind every optimizer's {@code Options}: it holds the hyper-parameters the
 * optimizers share (learning rate, then weight decay, epsilon and betas in the nested subclasses)
 * so that each optimizer adds only its own settings and {@link #build()}, which turns the values
 * into the optimizer's config record (whose constructor validates them).
 *
 * <pre>{@code
 * Adam.Config c = Adam.options().lr(3e-4).betas(0.9, 0.99).weightDecay(1e-4).build();
 * }</pre>
 *
 * @param <C> the config record it builds
 * @param <B> the concrete builder, returned by every setter so calls chain
 */
public abstract class OptimizerOptions<
    C extends OptimizerConfig, B extends OptimizerOptions<C, B>> {
  protected double lr;

  protected OptimizerOptions(double lr) {
    this.lr = lr;
  }

  @SuppressWarnings("unchecked")
  protected final B self() {
    return (B) this;
  }

  /** The learning rate. */
  public B lr(double v) {
    lr = v;
    return self();
  }

  /** The validated config. */
  public abstract C build();

  /** Options with an L2 weight decay (off by default unless the optimizer says otherwise). */
  public abstract static class WithWeightDecay<
          C extends OptimizerConfig, B extends WithWeightDecay<C, B>>
      extends OptimizerOptions<C, B> {
    protected double weightDecay;

    protected WithWeightDecay(double lr, double weightDecay) {
      super(lr);
      this.weightDecay = weightDecay;
    }

    /** The weight decay (L2 penalty). */
    public B weightDecay(double v) {
      weightDecay = v;
      return self();
    }
  }

  /** Options with weight decay and the {@code eps} added to a denominator for stability. */
  public abstract static class WithEps<C extends OptimizerConfig, B extends WithEps<C, B>>
      extends WithWeightDecay<C, B> {
    protected double eps;

    protected WithEps(double lr, double weightDecay, double eps) {
      super(lr, weightDecay);
      this.eps = eps;
    }

    /** The term added to the denominator for numerical stability. */
    public B eps(double v) {
      eps = v;
      return self();
    }
  }

  /**
   * The options of the Adam family: weight decay, eps 1e-8 and the decay rates (β1, β2) of the
   * moving averages, by default (0.9, 0.999).
   */
  public abstract static class WithBetas<C extends OptimizerConfig, B extends WithBetas<C, B>>
      extends WithEps<C, B> {
    protected double beta1 = 0.9;
    protected double beta2 = 0.999;

    protected WithBetas(double lr, double weightDecay) {
      super(lr, weightDecay, 1e-8);
    }

    /** The decay rates of the gradient's moving average and of its square's. */
    public B betas(double b1, double b2) {
      beta1 = b1;
      beta2 = b2;
      return self();
    }
  }
}
