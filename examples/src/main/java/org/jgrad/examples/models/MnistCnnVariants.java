package org.jgrad.examples.models;

import java.util.List;
import org.jgrad.nn.AdaptiveAvgPool2d;
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
 * The five MNIST CNNs of {@code cnn-variants}: a baseline of four 3×3 convolutions (16/32/64/64,
 * batch norm, ReLU, max-pooling after the second and fourth) with two dense layers, and four
 * variants of it. All take [N, 1, 28, 28] and return logits [N, 10].
 *
 * <pre>{@code
 * Sequential net = MnistCnnVariants.build("dilated_gap");
 * }</pre>
 */
public final class MnistCnnVariants {
  private MnistCnnVariants() {}

  /** The variant keys, baseline first. */
  public static final List<String> KEYS =
      List.of("baseline", "k5_c128", "dilated_gap", "inception", "light_dropout");

  /** A one-line description per key, for the report. */
  public static String describe(String key) {
    return switch (key) {
      case "baseline" ->
          "4 conv 3×3 (16/32/64/64) + BN + ReLU, max-pool after conv 2 and 4, dense 128, dense 10";
      case "k5_c128" -> "as baseline with 5×5 kernels and 16/32/64/128 channels";
      case "dilated_gap" ->
          "4 conv 3×3 with dilation 1/2/2/4 (16/32/64/64) + BN + ReLU, one max-pool, global average"
              + " pooling, dense 10";
      case "inception" ->
          "conv 3×3 16 + BN, max-pool, an inception-like block (1×1, 3×3, 5×5 and pool→1×1 branches,"
              + " 16 each, concatenated), max-pool, conv 3×3 64 + BN, dense 128, dense 10";
      case "light_dropout" ->
          "4 conv 3×3 (8/16/32/32) + ReLU, no BN, max-pool + dropout 0.25 after conv 2 and 4, dense"
              + " 64, dropout 0.5, dense 10";
      default -> throw new IllegalArgumentException("MnistCnnVariants: unknown variant " + key);
    };
  }

  public static Sequential build(String key) {
    return switch (key) {
      case "baseline" ->
          new Sequential(
              convBn(1, 16, 3, 1),
              convBn(16, 32, 3, 1),
              new MaxPool2d(2),
              convBn(32, 64, 3, 1),
              convBn(64, 64, 3, 1),
              new MaxPool2d(2),
              new Flatten(),
              new Linear(64 * 7 * 7, 128),
              new ReLU(),
              new Linear(128, 10));
      case "k5_c128" ->
          new Sequential(
              convBn(1, 16, 5, 1),
              convBn(16, 32, 5, 1),
              new MaxPool2d(2),
              convBn(32, 64, 5, 1),
              convBn(64, 128, 5, 1),
              new MaxPool2d(2),
              new Flatten(),
              new Linear(128 * 7 * 7, 128),
              new ReLU(),
              new Linear(128, 10));
      case "dilated_gap" ->
          new Sequential(
              convBn(1, 16, 3, 1),
              convBn(16, 32, 3, 2),
              new MaxPool2d(2),
              convBn(32, 64, 3, 2),
              convBn(64, 64, 3, 4),
              new AdaptiveAvgPool2d(1),
              new Flatten(),
              new Linear(64, 10));
      case "inception" ->
          new Sequential(
              convBn(1, 16, 3, 1),
              new MaxPool2d(2),
              new Inception(16, 16),
              new BatchNorm2d(64),
              new ReLU(),
              new MaxPool2d(2),
              convBn(64, 64, 3, 1),
              new Flatten(),
              new Linear(64 * 7 * 7, 128),
              new ReLU(),
              new Linear(128, 10));
      case "light_dropout" ->
          new Sequential(
              conv(1, 8, 3, 1),
              new ReLU(),
              conv(8, 16, 3, 1),
              new ReLU(),
              new MaxPool2d(2),
              new Dropout(0.25),
              conv(16, 32, 3, 1),
              new ReLU(),
              conv(32, 32, 3, 1),
              new ReLU(),
              new MaxPool2d(2),
              new Dropout(0.25),
              new Flatten(),
              new Linear(32 * 7 * 7, 64),
              new ReLU(),
              new Dropout(0.5),
              new Linear(64, 10));
      default -> throw new IllegalArgumentException("MnistCnnVariants: unknown variant " + key);
    };
  }

  /** A "same"-size convolution (stride 1, padding dilation·(k−1)/2). */
  static Conv2d conv(int in, int out, int k, int dilation) {
    int p = dilation * (k - 1) / 2;
    return new Conv2d(
        in,
        out,
        new int[] {k, k},
        new int[] {1, 1},
        new int[] {p, p},
        new int[] {dilation, dilation},
        1,
        true);
  }

  static Sequential convBn(int in, int out, int k, int dilation) {
    return new Sequential(conv(in, out, k, dilation), new BatchNorm2d(out), new ReLU());
  }

  /**
   * GoogLeNet's block in small: 1×1, 3×3 and 5×5 convolutions and a 3×3 max-pool followed by a 1×1
   * convolution, run side by side on the same input and concatenated along the channels (4 × {@code
   * width} channels out, same height and width).
   */
  public static final class Inception extends Module {
    private final Conv2d b1, b3, b5, bp;
    private final MaxPool2d pool = new MaxPool2d(3, 1, 1);

    public Inception(int in, int width) {
      b1 = child("branch1x1", conv(in, width, 1, 1));
      b3 = child("branch3x3", conv(in, width, 3, 1));
      b5 = child("branch5x5", conv(in, width, 5, 1));
      bp = child("branch_pool", conv(in, width, 1, 1));
    }

    @Override
    public Tensor forward(Tensor x) {
      return Tensor.cat(1, b1.call(x), b3.call(x), b5.call(x), bp.call(pool.call(x)));
    }
  }
}
