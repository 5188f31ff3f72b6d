package org.jgrad.examples.models;

import org.jgrad.nn.BatchNorm2d;
import org.jgrad.nn.Conv2d;
import org.jgrad.nn.Dropout;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.Linear;
import org.jgrad.nn.MaxPool2d;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.tensor.Tensor;

/**
 * A VGG-style classifier for 32×32 images: three blocks of two 3×3 convolutions (padding 1) with
 * batch norm and ReLU, each followed by 2×2 max pooling and dropout (0.2, 0.3, 0.4); channels w,
 * 2w, 4w (32→16→8→4 pixels); then dropout 0.5 and a linear layer from 4w·4·4 to the class logits.
 *
 * <pre>{@code
 * CifarCnn net = new CifarCnn(3, 32, 10);
 * Tensor logits = net.call(images);   // images [N, 3, 32, 32] -> [N, 10]
 * }</pre>
 */
public final class CifarCnn extends Module {
  private final int channels;
  private final Module net;

  public CifarCnn(int channels, int width, int classes) {
    if (channels < 1 || width < 1 || classes < 2)
      throw new IllegalArgumentException(
          "CifarCnn: need channels >= 1, width >= 1, classes >= 2, got "
              + channels
              + ", "
              + width
              + ", "
              + classes);
    this.channels = channels;
    int w1 = width, w2 = 2 * width, w3 = 4 * width;
    net =
        child(
            "net",
            new Sequential(
                block(channels, w1, 0.2),
                block(w1, w2, 0.3),
                block(w2, w3, 0.4),
                new Flatten(),
                new Dropout(0.5),
                new Linear(w3 * 16, classes)));
  }

  private static Sequential block(int in, int out, double dropout) {
    return new Sequential(
        new Conv2d(in, out, 3, 1, 1),
        new BatchNorm2d(out),
        new ReLU(),
        new Conv2d(out, out, 3, 1, 1),
        new BatchNorm2d(out),
        new ReLU(),
        new MaxPool2d(2),
        new Dropout(dropout));
  }

  @Override
  public Tensor forward(Tensor images) {
    if (images.dim() != 4
        || images.size(1) != channels
        || images.size(2) != 32
        || images.size(3) != 32) {
      throw new IllegalArgumentException(
          "CifarCnn: expected images [N, "
              + channels
              + ", 32, 32], got "
              + java.util.Arrays.toString(images.shape()));
    }
    return net.call(images);
  }
}
