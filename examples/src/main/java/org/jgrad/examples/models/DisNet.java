package org.jgrad.examples.models;

import org.jgrad.nn.Conv2d;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.tensor.Tensor;

/**
 * {@code dis_net}: a small CNN that tells clear images from blurred ones. Conv 1→8 (3×3, stride 2)
 * → ReLU → conv 8→16 (3×3, stride 2) → ReLU → conv 16→16 (3×3) → ReLU → flatten → linear to one
 * logit; a positive logit means "clear". {@link #clearScore} is its sigmoid, the probability of
 * "clear".
 *
 * <pre>{@code
 * DisNet dis = new DisNet();
 * Tensor logit = dis.call(images);        // [N, 1]
 * Tensor p = dis.clearScore(images);      // [N, 1] in (0, 1)
 * }</pre>
 */
public final class DisNet extends Module {
  private final Module net;

  public DisNet() {
    net =
        child(
            "net",
            new Sequential(
                new Conv2d(1, 8, 3, 2, 1),
                new ReLU(),
                new Conv2d(8, 16, 3, 2, 1),
                new ReLU(),
                new Conv2d(16, 16, 3, 1, 1),
                new ReLU(),
                new Flatten(),
                new Linear(16 * 7 * 7, 1)));
  }

  @Override
  public Tensor forward(Tensor images) {
    if (images.dim() != 4 || images.size(1) != 1 || images.size(2) != 28 || images.size(3) != 28) {
      throw new IllegalArgumentException(
          "DisNet: expected images [N, 1, 28, 28], got "
              + java.util.Arrays.toString(images.shape()));
    }
    return net.call(images);
  }

  /** Probability of "clear" per image, [N, 1]. */
  public Tensor clearScore(Tensor images) {
    return call(images).sigmoid();
  }
}
