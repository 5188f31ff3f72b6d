package org.jgrad.optim;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Tensor;

/**
 * Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. Both
 * change the parameters' {@code grad()} tensors in place; call them between {@code backward()} and
 * {@code optimizer.step()}:
 *
 * <pre>{@code
 * loss.backward();
 * double norm = ClipGrad.clipGradNorm(model.parameters(), 1.0);   // the norm before clipping
 * opt.step();
 * }</pre>
 *
 * <p>Parameters without a gradient are ignored.
 */
public final class ClipGrad {
  private ClipGrad() {}

  /** Scales all gradients together so that their global 2-norm is at most {@code maxNorm}. */
  public static double clipGradNorm(Iterable<? extends Tensor> params, double maxNorm) {
    return clipGradNorm(params, maxNorm, 2.0, false);
  }

  /**
   * Scales all gradients by {@code min(1, maxNorm / (total + 1e-6))}, where {@code total} is the
   * {@code normType}-norm of the vector of all gradient entries ({@code Double.POSITIVE_INFINITY}
   * for the max-abs norm). Returns {@code total}, the norm before clipping.
   *
   * @param errorIfNonfinite throw instead of scaling when the total norm is NaN or infinite
   */
  public static double clipGradNorm(
      Iterable<? extends Tensor> params,
      double maxNorm,
      double normType,
      boolean errorIfNonfinite) {
    if (!(normType > 0))
      throw new IllegalArgumentException(
          "clipGradNorm: normType must be positive, got " + normType);
    if (Double.isNaN(maxNorm)) throw new IllegalArgumentException("clipGradNorm: maxNorm is NaN");
    List<Tensor> grads = grads(params);
    if (grads.isEmpty()) return 0.0;
    double total;
    try (var ng = GradMode.noGrad()) {
      if (normType == Double.POSITIVE_INFINITY) {
        total = 0;
        for (Tensor g : grads) total = Math.max(total, g.abs().max().item());
        // Math.max already propagates NaN, as torch.max does
      } else {
        double sum = 0;
        for (Tensor g : grads) sum += Math.pow(g.norm(normType, all(g), false).item(), normType);
        total = Math.pow(sum, 1 / normType);
      }
      if (errorIfNonfinite && !Double.isFinite(total)) {
        throw new IllegalArgumentException(
            "The total norm of order "
                + normType
                + " for gradients from `parameters` is"
                + " non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite"
                + " norm anyway, set errorIfNonfinite to false");
      }
      double coef = Math.min(maxNorm / (total + 1e-6), 1.0);
      for (Tensor g : grads) g.mulInPlace(coef);
    }
    return total;
  }

  /** Clamps every gradient entry to {@code [-clipValue, clipValue]}. */
  public static void clipGradValue(Iterable<? extends Tensor> params, double clipValue) {
    if (!(clipValue >= 0)) {
      throw new IllegalArgumentException(
          "clipGradValue: clipValue must be non-negative, got " + clipValue);
    }
    try (var ng = GradMode.noGrad()) {
      for (Tensor g : grads(params)) g.copyFrom(g.clamp(-clipValue, clipValue));
    }
  }

  private static List<Tensor> grads(Iterable<? extends Tensor> params) {
    List<Tensor> out = new ArrayList<>();
    for (Tensor p : params) if (p.grad() != null) out.add(p.grad());
    return out;
  }

  private static int[] all(Tensor t) {
    int[] d = new int[t.dim()];
    for (int i = 0; i < d.length; i++) d[i] = i;
    return d;
  }
}
