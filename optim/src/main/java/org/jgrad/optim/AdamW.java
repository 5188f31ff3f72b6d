package org.jgrad.optim;

import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, 2017), as {@code torch.optim.AdamW}: the
 * parameters first shrink by {@code 1 − lr·weightDecay}, then take Adam's step on the plain
 * gradient. The default weight decay is 1e-2.
 *
 * <pre>{@code
 * var opt = new AdamW(model.parameters(), AdamW.options().lr(1e-3).weightDecay(0.05));
 * }</pre>
 *
 * <p>Options and state are those of {@link Adam}.
 */
public final class AdamW extends PerParameterOptimizer<Adam.Config, Adam.State> {

  /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
  public static Adam.Options options() {
    return new Adam.Options(1e-2);
  }

  /** AdamW over one group of {@code params} with PyTorch's defaults ({@link #options()}). */
  public AdamW(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /**
   * AdamW over one group of {@code params} with learning rate {@code lr}, the rest as PyTorch's
   * defaults.
   */
  public AdamW(Iterable<? extends Tensor> params, double lr) {
    this(params, options().lr(lr));
  }

  /** AdamW over one group of {@code params} with {@code options}. */
  public AdamW(Iterable<? extends Tensor> params, Adam.Options options) {
    this(single(params), options);
  }

  /** AdamW over {@code groups}; what a group sets itself overrides {@code options}. */
  public AdamW(List<ParamGroup> groups, Adam.Options options) {
    this(groups, options.build());
  }

  /**
   * AdamW over {@code groups}; what a group sets itself overrides the validated {@code defaults}.
   */
  public AdamW(List<ParamGroup> groups, Adam.Config defaults) {
    super("AdamW", groups, defaults, Adam.State.class);
  }

  @Override
  protected Adam.State update(Tensor p, Adam.Config c, Adam.State s) {
    return Adam.adamUpdate(p, c, s, true);
  }
}
