package org.jgrad.data.transforms;

import org.jgrad.tensor.Tensor;

/**
 * A function from a batch to a batch (e.g. inputs [N, C, H, W]); random transforms carry their own
 * seeded generator, so a given seed and batch sequence always give the same result.
 *
 * <pre>{@code
 * Transform t = Transforms.compose(Transforms.randomCrop(32, 4, 1), Transforms.randomHorizontalFlip(0.5, 2),
 *         Transforms.normalize(new double[] {0.49, 0.48, 0.45}, new double[] {0.25, 0.24, 0.26}));
 * Tensor augmented = t.apply(batch.inputs());
 * }</pre>
 */
@FunctionalInterface
public interface Transform {
  /** The transformed batch (a new tensor; the argument is not modified). */
  Tensor apply(Tensor batch);

  /**
   * This transform as used in epoch {@code epoch} of a {@link org.jgrad.data.DataLoader}. A random
   * transform of {@link Transforms} returns a fresh copy whose generator is seeded from its own
   * seed and the epoch, so each epoch's draws depend only on (seed, epoch, batches of that epoch),
   * not on how much of an earlier epoch was consumed. Deterministic transforms, and custom ones
   * that do not override this, return themselves.
   */
  default Transform forEpoch(int epoch) {
    return this;
  }

  /** This transform, then {@code next}. */
  default Transform andThen(Transform next) {
    Transform first = this;
    return new Transform() {
      @Override
      public Tensor apply(Tensor x) {
        return next.apply(first.apply(x));
      }

      @Override
      public Transform forEpoch(int epoch) {
        return first.forEpoch(epoch).andThen(next.forEpoch(epoch));
      }
    };
  }
}
