package org.jgrad.examples.models;

import java.util.function.Supplier;
import org.jgrad.nn.BatchNorm1d;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.Sequential;

/**
 * Builds fully connected networks: {@code in → hidden[0] → … → out}, an activation after every
 * hidden layer and optionally batch norm between each hidden linear layer and its activation.
 *
 * <pre>{@code
 * Sequential net = Mlp.of(1, new int[] {16, 16}, 1, Tanh::new, false);   // 1-16-16-1 tanh network
 * }</pre>
 */
public final class Mlp {
  private Mlp() {}

  public static Sequential of(
      int in, int[] hidden, int out, Supplier<? extends Module> activation, boolean batchNorm) {
    if (in < 1 || out < 1)
      throw new IllegalArgumentException(
          "Mlp.of: in and out must be positive, got " + in + ", " + out);
    Sequential net = new Sequential();
    int prev = in;
    for (int h : hidden) {
      if (h < 1)
        throw new IllegalArgumentException("Mlp.of: hidden sizes must be positive, got " + h);
      net.add(new Linear(prev, h));
      if (batchNorm) net.add(new BatchNorm1d(h));
      net.add(activation.get());
      prev = h;
    }
    net.add(new Linear(prev, out));
    return net;
  }
}
