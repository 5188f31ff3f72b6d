package org.jgrad.train;

import org.jgrad.data.Batch;
import org.jgrad.nn.Module;
import org.jgrad.tensor.Tensor;

/**
 * The loss of one training batch when it is more than {@code lossFn(model(inputs), targets)}: a
 * regularisation term, a second network in the graph, inputs assembled from the batch, and so on.
 * {@link Trainer} calls it inside the optimizer's closure (so L-BFGS may call it several times per
 * batch), after {@code zeroGrad} and before {@code backward}; it must return a scalar with a graph.
 *
 * <pre>{@code
 * Trainer.builder(ae, opt, new L1Loss()::forward)          // the plain loss, used for evaluation
 *     .trainLoss((model, b) -> {
 *       Tensor out = model.call(b.inputs());
 *       return F.l1Loss(out, b.targets(), Reduction.MEAN).add(out.abs().mean().mul(1e-3));
 *     })
 *     ...
 * }</pre>
 */
@FunctionalInterface
public interface BatchLoss {
  Tensor apply(Module model, Batch batch);
}
