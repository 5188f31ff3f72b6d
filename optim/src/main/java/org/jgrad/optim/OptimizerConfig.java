package org.jgrad.optim;

/**
 * The hyper-parameters of one parameter group: an immutable record per optimizer (for example
 * {@link Adam.Config}) whose compact constructor rejects invalid values with PyTorch's messages
 * (all but the learning rate, see {@link #withLr}).
 *
 * <pre>{@code
 * Adam.Config c = opt.paramGroups().get(0).config(Adam.Config.class);
 * opt.paramGroups().get(0).setConfig(c.withLr(c.lr() / 10));
 * }</pre>
 *
 * <p>The record's components are the option names of the PyTorch-style state dict (camelCase); a
 * pair {@code beta1, beta2} appears there as {@code "betas"}.
 */
public interface OptimizerConfig {
  /** The learning rate. */
  double lr();

  /**
   * A copy with learning rate {@code lr}. Not checked: schedulers may take it a rounding error
   * below zero, as in PyTorch; optimizers check it when a group joins them.
   */
  OptimizerConfig withLr(double lr);
}
