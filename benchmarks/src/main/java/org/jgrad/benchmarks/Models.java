package org.jgrad.benchmarks;

import java.util.List;
import java.util.Locale;
import org.jgrad.backend.Device;
import org.jgrad.nn.Conv2d;
import org.jgrad.nn.CrossEntropyLoss;
import org.jgrad.nn.Dropout;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Loss;
import org.jgrad.nn.MSELoss;
import org.jgrad.nn.MaxPool2d;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Sigmoid;
import org.jgrad.optim.Adam;
import org.jgrad.optim.Optimizer;
import org.jgrad.tensor.Tensor;

/**
 * The three training workloads of the benchmarks, written with {@code nn} and {@code optim} as a
 * user writes them (and as {@code compare_pytorch.py} writes them in PyTorch): a {@link Sequential}
 * model, its loss module and {@code Adam(lr = 1e-3)}, one optimisation step per call.
 *
 * <ul>
 *   <li>{@code mlp}: 784-256-128-10, ReLU, cross-entropy (235,146 parameters);
 *   <li>{@code cnn}: the Keras MNIST example: conv 32 3x3, ReLU, max-pool 2, conv 64 3x3, ReLU,
 *       max-pool 2, flatten, dropout 0.5, dense 10, cross-entropy (34,826 parameters);
 *   <li>{@code autoencoder}: 784-128-32-128-784, ReLU between layers, sigmoid output, MSE against
 *       the input (209,968 parameters).
 * </ul>
 *
 * Inputs are always {@code [batch, 784]} (the CNN views them as {@code [batch, 1, 28, 28]}, as the
 * PyTorch side does with {@code x.view(-1, 1, 28, 28)}).
 *
 * <pre>{@code
 * Models.Trainer t = Models.create("mlp", 42);
 * Tensor loss = t.step(x, labels);    // zero grads, forward, loss, backward, Adam update
 * }</pre>
 */
public final class Models {
  private Models() {}

  /** Names accepted by {@link #create}. */
  public static final List<String> NAMES = List.of("mlp", "cnn", "autoencoder");

  /** One model with its loss and optimiser. */
  public interface Trainer {
    /**
     * One training step on a batch {@code x [B, 784]} with labels {@code y [B]} (ignored by the
     * autoencoder); returns the loss.
     */
    Tensor step(Tensor x, Tensor y);

    /** Number of trainable scalars. */
    long numParameters();
  }

  /**
   * Builds the named model ({@code mlp}, {@code cnn}, {@code autoencoder}) with weights drawn after
   * {@code Tensor.manualSeed(seed)}.
   */
  public static Trainer create(String name, long seed) {
    return create(name, seed, Device.CPU);
  }

  /**
   * As {@link #create(String, long)}, with the model moved to {@code device} before Adam is built.
   */
  public static Trainer create(String name, long seed, Device device) {
    String key = name.toLowerCase(Locale.ROOT);
    if (!NAMES.contains(key)) {
      throw new IllegalArgumentException(
          "Models.create: unknown model '" + name + "', expected one of " + NAMES);
    }
    Tensor.manualSeed(seed);
    return switch (key) {
      case "mlp" ->
          new Standard(
              new Sequential(
                  new Linear(784, 256),
                  new ReLU(),
                  new Linear(256, 128),
                  new ReLU(),
                  new Linear(128, 10)),
              new CrossEntropyLoss(),
              false,
              false,
              device);
      case "cnn" ->
          new Standard(
              new Sequential(
                  new Conv2d(1, 32, 3),
                  new ReLU(),
                  new MaxPool2d(2),
                  new Conv2d(32, 64, 3),
                  new ReLU(),
                  new MaxPool2d(2),
                  new Flatten(),
                  new Dropout(0.5),
                  new Linear(1600, 10)),
              new CrossEntropyLoss(),
              true,
              false,
              device);
      default ->
          new Standard(
              new Sequential(
                  new Linear(784, 128), new ReLU(),
                  new Linear(128, 32), new ReLU(),
                  new Linear(32, 128), new ReLU(),
                  new Linear(128, 784), new Sigmoid()),
              new MSELoss(),
              false,
              true,
              device);
    };
  }

  private static final class Standard implements Trainer {
    private final Module model;
    private final Loss loss;
    private final Optimizer opt;
    private final boolean image, autoencoder;

    Standard(Module model, Loss loss, boolean image, boolean autoencoder, Device device) {
      this.model = model.to(device).train();
      this.loss = loss;
      this.image = image;
      this.autoencoder = autoencoder;
      this.opt = new Adam(model.parameters(), Adam.options().lr(1e-3));
    }

    @Override
    public Tensor step(Tensor x, Tensor y) {
      opt.zeroGrad();
      Tensor out = model.call(image ? x.reshape(x.size(0), 1, 28, 28) : x);
      Tensor l = loss.forward(out, autoencoder ? x : y);
      l.backward();
      opt.step();
      return l;
    }

    @Override
    public long numParameters() {
      return model.numParameters();
    }
  }
}
