package org.jgrad.optim;

import java.util.List;
import org.jgrad.tensor.Tensor;

/**
 * An optimizer whose rule updates each parameter on its own: the step loop lives here, so a
 * subclass is its config record {@code C}, its state record {@code S} and its rule {@code
 * update(Tensor, C, S)}.
 *
 * <pre>{@code
 * public final class PlainSGD extends PerParameterOptimizer<PlainSGD.Config, PlainSGD.State> {
 *   public record Config(double lr) implements OptimizerConfig {
 *     public Config { check(lr <= 10, "a learning rate above 10 is surely a mistake: " + num(lr)); }
 *     public Config withLr(double lr) { return new Config(lr); }
 *   }
 *   public record State(long step) {}
 *   public PlainSGD(Iterable<? extends Tensor> params, double lr) {
 *     super("PlainSGD", single(params), new Config(lr), State.class);
 *   }
 *   protected State update(Tensor p, Config c, State s) {
 *     p.addInPlace(p.grad(), -c.lr());
 *     return new State(s == null ? 1 : s.step() + 1);
 *   }
 * }
 * }</pre>
 *
 * @param <C> the config record
 * @param <S> the per-parameter state record
 */
public abstract class PerParameterOptimizer<C extends Record & OptimizerConfig, S extends Record>
    extends Optimizer {
  private final Class<C> configType;
  private final Class<S> stateType;

  @SuppressWarnings("unchecked")
  protected PerParameterOptimizer(
      String name, List<ParamGroup> groups, C defaults, Class<S> stateType) {
    super(name, groups, defaults, stateType);
    this.configType = (Class<C>) defaults.getClass();
    this.stateType = stateType;
  }

  @Override
  protected final void update(ParamGroup group) {
    C config = group.config(configType);
    for (Tensor p : group.params()) {
      if (p.grad() == null) continue;
      setState(p, update(p, config, state(p, stateType)));
    }
  }

  /**
   * Updates {@code p} in place from its gradient (runs with grad recording off) and returns its new
   * state, or null to keep none.
   *
   * @param state the state from the previous step, null on the first
   */
  protected abstract S update(Tensor p, C config, S state);
}
