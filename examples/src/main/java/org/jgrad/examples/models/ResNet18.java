package org.jgrad.examples.models;

import org.jgrad.nn.AdaptiveAvgPool2d;
import org.jgrad.nn.BatchNorm2d;
import org.jgrad.nn.Conv2d;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * ResNet-18 in its CIFAR form (He et al., 2016, as commonly adapted to 32×32 inputs): a 3×3 stem
 * convolution without max-pooling, four stages of two basic blocks with {@code width}, 2·width,
 * 4·width and 8·width channels (strides 1, 2, 2, 2), global average pooling and a linear layer.
 * {@code width} 64 is the standard network (11.2 M parameters for 3 input channels); smaller widths
 * keep the same depth and structure for machines that cannot train the full one.
 *
 * <pre>{@code
 * ResNet18 net = new ResNet18(3, 64, 10);
 * Tensor logits = net.call(images);           // [N, 3, 32, 32] -> [N, 10]
 * }</pre>
 */
public final class ResNet18 extends Module {
  private final Sequential stem, layers;
  private final AdaptiveAvgPool2d pool = new AdaptiveAvgPool2d(1);
  private final Linear fc;

  public ResNet18(int inChannels, int width, int classes) {
    stem =
        child(
            "stem",
            new Sequential(BasicBlock.conv3x3(inChannels, width, 1), new BatchNorm2d(width)));
    Sequential s = new Sequential();
    int in = width;
    int[] widths = {width, 2 * width, 4 * width, 8 * width};
    for (int stage = 0; stage < 4; stage++) {
      int stride = stage == 0 ? 1 : 2;
      s.add(new BasicBlock(in, widths[stage], stride));
      s.add(new BasicBlock(widths[stage], widths[stage], 1));
      in = widths[stage];
    }
    layers = child("layers", s);
    fc = child("fc", new Linear(in, classes));
  }

  @Override
  public Tensor forward(Tensor x) {
    Tensor h = F.relu(stem.call(x));
    h = layers.call(h);
    return fc.call(pool.call(h).flatten(1, 3));
  }

  /**
   * Two 3×3 convolutions with batch norm and a residual connection; a 1×1 strided convolution with
   * batch norm on the shortcut when the shape changes.
   */
  public static final class BasicBlock extends Module {
    private final Conv2d conv1, conv2;
    private final BatchNorm2d bn1, bn2;
    private final Sequential shortcut;

    public BasicBlock(int in, int out, int stride) {
      conv1 = child("conv1", conv3x3(in, out, stride));
      bn1 = child("bn1", new BatchNorm2d(out));
      conv2 = child("conv2", conv3x3(out, out, 1));
      bn2 = child("bn2", new BatchNorm2d(out));
      shortcut =
          stride != 1 || in != out
              ? child(
                  "shortcut",
                  new Sequential(
                      new Conv2d(
                          in,
                          out,
                          new int[] {1, 1},
                          new int[] {stride, stride},
                          new int[] {0, 0},
                          new int[] {1, 1},
                          1,
                          false),
                      new BatchNorm2d(out)))
              : null;
    }

    static Conv2d conv3x3(int in, int out, int stride) {
      return new Conv2d(
          in,
          out,
          new int[] {3, 3},
          new int[] {stride, stride},
          new int[] {1, 1},
          new int[] {1, 1},
          1,
          false);
    }

    @Override
    public Tensor forward(Tensor x) {
      Tensor h = F.relu(bn1.call(conv1.call(x)));
      h = bn2.call(conv2.call(h));
      return F.relu(h.add(shortcut == null ? x : shortcut.call(x)));
    }
  }
}
