package org.jgrad.examples.models;

import org.jgrad.nn.Conv2d;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.Linear;
import org.jgrad.nn.MaxPool2d;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.tensor.Tensor;

/**
 * A small MNIST digit classifier: conv 1→8 (3×3, padding 1) → ReLU → max-pool 2 → conv 8→16 (3×3,
 * padding 1) → ReLU → max-pool 2 → flatten (16·7·7) → linear 64 → ReLU → linear 10 logits.
 *
 * <pre>{@code
 * DigitClassifier clf = new DigitClassifier();
 * Tensor logits = clf.call(images);   // [N, 10]
 * }</pre>
 */
public final class DigitClassifier extends Module {
  private final Module net;

  public DigitClassifier() {
    net =
        child(
            "net",
            new Sequential(
                new Conv2d(1, 8, 3, 1, 1),
                new ReLU(),
                new MaxPool2d(2),
                new Conv2d(8, 16, 3, 1, 1),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(16 * 7 * 7, 64),
                new ReLU(),
                new Linear(64, 10)));
  }

  @Override
  public Tensor forward(Tensor images) {
    if (images.dim() != 4 || images.size(1) != 1 || images.size(2) != 28 || images.size(3) != 28) {
      throw new IllegalArgumentException(
          "DigitClassifier: expected images [N, 1, 28, 28], got "
              + java.util.Arrays.toString(images.shape()));
    }
    return net.call(images);
  }
}
