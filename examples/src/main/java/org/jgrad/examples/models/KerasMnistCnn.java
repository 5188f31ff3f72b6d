package org.jgrad.examples.models;

import org.jgrad.nn.Conv2d;
import org.jgrad.nn.Dropout;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.Linear;
import org.jgrad.nn.MaxPool2d;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;

/**
 * The CNN of Keras' "Simple MNIST convnet" example: conv 32@3×3, ReLU, max-pool 2, conv 64@3×3,
 * ReLU, max-pool 2, flatten, dropout 0.5, dense 10 (34,826 parameters). It returns logits; Keras'
 * final softmax is folded into {@code CrossEntropyLoss}.
 *
 * <pre>{@code
 * Sequential cnn = KerasMnistCnn.build();
 * Tensor logits = cnn.call(images);   // images [N, 1, 28, 28] -> [N, 10]
 * }</pre>
 */
public final class KerasMnistCnn {
  private KerasMnistCnn() {}

  public static Sequential build() {
    return new Sequential(
        new Conv2d(1, 32, 3),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(32, 64, 3),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Dropout(0.5),
        new Linear(64 * 5 * 5, 10));
  }
}
